//! Integration tests: they drive the `diagsante` binary on real files. One test binary,
//! so polars is linked once.

mod benchmark;
mod demo;
mod diagnose;
mod golden;
mod ingest;
mod project;
mod report;
mod spreadsheet;
mod stats;
mod territory;

use assert_cmd::Command;
use std::path::PathBuf;

/// The built binary.
pub fn diagsante() -> Command {
    Command::cargo_bin("diagsante").expect("binary built")
}

/// A file under tests/data/.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}
