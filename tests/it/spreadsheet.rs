//! The CSV tables made for French Excel never hold a live formula: a name from a territory
//! file (or an ingested table) that starts like one is written with a leading `'` (OWASP's
//! rule for CSV injection); the parquet tables keep it as written.

use std::path::Path;

use polars::prelude::*;

use crate::{data, diagsante};

const NAME: &str = r#"=HYPERLINK("http://x","Cliquez")"#;

fn run(args: &[&str], cache: &Path) {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The cells of a `;`-separated CSV.
fn cells(text: &str) -> Vec<String> {
    crate::csv_records(text, ';').into_iter().flatten().collect()
}

/// No cell of the CSV tables in `dir` can be run as a formula; returns all their cells.
fn assert_no_formula(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        for cell in cells(&std::fs::read_to_string(&path).unwrap()) {
            let number = cell.replace(',', ".").parse::<f64>().is_ok();
            assert!(!cell.starts_with(['=', '@', '\t', '\r']) && (number || !cell.starts_with(['+', '-'])), "{}: cell {cell:?}", path.display());
            all.push(cell);
        }
    }
    all
}

#[test]
fn a_territory_named_like_a_formula_is_text_in_the_excel_tables() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let territory = data("territories/formula-name.toml");
    let territory = territory.to_str().unwrap();

    let diag = dir.path().join("diag");
    run(&["diagnose", "--territory", territory, "--out", diag.to_str().unwrap()], &cache);
    assert_no_formula(&diag);

    let bench = dir.path().join("bench");
    run(&["benchmark", "--territory", territory, "--out", bench.to_str().unwrap()], &cache);
    let csv = assert_no_formula(&bench);
    assert!(csv.iter().any(|c| *c == format!("'{NAME}")), "the name is in funnel-points.csv, as text");
    // The parquet table keeps the name as written.
    let df = ParquetReader::new(std::fs::File::open(bench.join("funnel-points.parquet")).unwrap()).finish().unwrap();
    assert!(df.column("name").unwrap().str().unwrap().iter().any(|n| n == Some(NAME)));
}
