//! moodle-sim
