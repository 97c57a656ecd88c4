//! Integration tests: they drive the `diagsante` binary on real files. One test binary,
//! so polars is linked once.

mod apl;
mod benchmark;
mod comparators;
mod demo;
mod diagnose;
mod documents;
mod golden;
mod ingest;
mod maps;
mod project;
mod realdata_census;
mod realdata_facilities;
mod realdata_health;
mod realdata_report;
mod report;
mod spreadsheet;
mod stats;
mod territory;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The built binary.
pub fn diagsante() -> Command {
    Command::cargo_bin("diagsante").expect("binary built")
}

/// A file under tests/data/.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}

/// A real published file of `../shared/realdata/` (beside the clone); `None`, with a message
/// naming the file, when it is absent (the test then skips).
pub fn realdata(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata").join(path);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// The text an SVG chart shows, its elements' texts joined by spaces: a source wrapped over
/// several lines reads as one.
pub fn svg_text(svg: &str) -> String {
    let mut out = String::new();
    for piece in svg.split('<').filter_map(|p| p.split_once('>')).map(|(_, text)| text.trim()).filter(|t| !t.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

/// `diagnose --data data_dir` of `territory` (a shipped name or a file) into `out`: its JSON.
pub fn diagnose_data(territory: &str, data_dir: &Path, out: &Path) -> serde_json::Value {
    let o = diagsante()
        .args(["diagnose", "--territory", territory, "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap()
}

/// `diagnose --data data_dir` of the territory file `territory` (written in `dir`, its output in `dir/out`): its JSON.
pub fn diagnose_territory_file(dir: &Path, territory: &str, data_dir: &Path) -> serde_json::Value {
    let file = dir.join("territory.toml");
    std::fs::write(&file, territory).unwrap();
    diagnose_data(file.to_str().unwrap(), data_dir, &dir.join("out"))
}

/// The records of a CSV separated by `sep` (RFC 4180 quoting), BOM dropped.
pub fn csv_records(text: &str, sep: char) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut records, mut record, mut cell, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (c, false) if c == sep => record.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            _ => cell.push(c),
        }
    }
    records
}
