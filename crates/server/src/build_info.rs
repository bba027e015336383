//! What this binary is: its version, the database schema it brings, and the console it carries
//! (`schoolbridge --version`, and the `schoolbridge_build_info` metric).

use crate::http::console::files::ConsoleFiles;

/// The version of this build (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The console carried in this binary, in a few words: "embedded, build c644581a22d36a5f (with
/// brotli and gzip copies)", or how the console is found instead.
pub fn console_description() -> String {
    match ConsoleFiles::embedded() {
        Some(files) => format!(
            "embedded, build {}{}",
            files.build_id().unwrap_or_else(|| "unknown".into()),
            if files.has_compressed_copies() {
                " (with brotli and gzip copies)"
            } else {
                " (WITHOUT compressed copies)"
            }
        ),
        None => "not embedded: served from console_dir (default ./dist)".to_owned(),
    }
}

/// The text after `schoolbridge ` in `schoolbridge --version`.
pub fn long_version() -> String {
    format!(
        "{VERSION}\ndatabase schema: {}\nconsole: {}",
        crate::store::schema_version(),
        console_description()
    )
}
