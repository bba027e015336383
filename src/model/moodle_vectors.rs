//! The golden vectors a real Moodle 4.5 produced (`crates/mnet/tests/vectors/moodle-4.5/`, with
//! the README that says how), read by the console models' unit tests (tests only).

/// The vector file `name`, as text.
pub fn moodle_vector(name: &str) -> String {
    let path = format!(
        "{}/crates/mnet/tests/vectors/moodle-4.5/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
