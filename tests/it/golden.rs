//! Golden outputs: the tables of `national`, of `diagnose` and `benchmark` for the five
//! shipped territories (demo data), and of `stats` on the fixtures of tests/data/stats/, are
//! compared byte for byte with the reviewed copies in `tests/golden/`. A structural change
//! must leave them identical; a change that is meant to alter a number regenerates them
//! (`DIAGSANTE_BLESS=1 cargo test --release --test it golden`) and its commit message names
//! what changed and why (`git diff tests/golden` is the review).

use std::path::{Path, PathBuf};

use crate::{data, diagsante};

const TERRITORIES: [&str; 5] =
    ["cls-aunis-atlantique", "cls-mauges-communaute", "cls-rochefort-ocean", "cpts-alienor-o-poitou", "cpts-camargue-gardoise"];

/// The territories whose funnel-plot files are kept (see `benchmarks_are_unchanged`).
const FUNNELS: [&str; 2] = ["cls-rochefort-ocean", "cpts-alienor-o-poitou"];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compare `actual` with the golden file `name`; with `DIAGSANTE_BLESS=1`, write it instead.
/// Returns a description of the first difference, if any.
fn check(name: &str, actual: &[u8]) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("DIAGSANTE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        eprintln!("golden: wrote {}", path.display());
        return None;
    }
    let expected = match std::fs::read(&path) {
        Ok(b) => b,
        Err(_) => return Some(format!("{name}: no golden file (run with DIAGSANTE_BLESS=1 to create it)")),
    };
    if expected == actual {
        return None;
    }
    let (e, a) = (String::from_utf8_lossy(&expected), String::from_utf8_lossy(actual));
    let (el, al): (Vec<&str>, Vec<&str>) = (e.lines().collect(), a.lines().collect());
    let first = el.iter().zip(&al).position(|(x, y)| x != y).unwrap_or(el.len().min(al.len()));
    Some(format!(
        "{name}: differs from the golden file at line {} ({} lines expected, {} produced)\n  expected: {}\n  produced: {}",
        first + 1,
        el.len(),
        al.len(),
        el.get(first).unwrap_or(&"<end>"),
        al.get(first).unwrap_or(&"<end>"),
    ))
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = diagsante().args(args).output().unwrap();
    assert!(out.status.success(), "diagsante {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn compare_files(dir: &Path, case: &str, files: &[&str], failures: &mut Vec<String>) {
    for f in files {
        let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{case}/{f}: {e}"));
        failures.extend(check(&format!("{case}/{f}"), &bytes));
    }
}

fn assert_none(failures: Vec<String>) {
    assert!(failures.is_empty(), "golden outputs changed:\n{}", failures.join("\n"));
}

#[test]
fn national_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    run(&["national", "--out", dir.path().to_str().unwrap()]);
    let mut failures = Vec::new();
    compare_files(dir.path(), "national", &["national.csv"], &mut failures);
    assert_none(failures);
}

#[test]
fn diagnoses_are_unchanged() {
    let mut failures = Vec::new();
    for t in TERRITORIES {
        let dir = tempfile::tempdir().unwrap();
        run(&["diagnose", "--territory", t, "--out", dir.path().to_str().unwrap()]);
        compare_files(dir.path(), &format!("diagnose/{t}"), &["diagnostic.csv", "diagnostic.json"], &mut failures);
    }
    assert_none(failures);
}

#[test]
fn benchmarks_are_unchanged() {
    let mut failures = Vec::new();
    for t in TERRITORIES {
        let dir = tempfile::tempdir().unwrap();
        run(&["benchmark", "--territory", t, "--against", "epci", "--out", dir.path().to_str().unwrap()]);
        // The funnel files are the same set of EPCI for every territory (5.5 MB each): kept for
        // a CLS that is an EPCI and for a CPTS nested in one.
        let files: &[&str] = if FUNNELS.contains(&t) {
            &["benchmark.csv", "funnel-points.csv", "funnel-limits.csv", "peers.csv"]
        } else {
            &["benchmark.csv", "peers.csv"]
        };
        compare_files(dir.path(), &format!("benchmark/{t}"), files, &mut failures);
    }
    assert_none(failures);
}

#[test]
fn stats_are_unchanged() {
    let f = |name: &str| data(&format!("stats/{name}")).to_str().unwrap().to_owned();
    let (proportion, rate, dsr, isr, life, funnel) =
        (f("proportion.csv"), f("rate.csv"), f("dsr.csv"), f("isr.csv"), f("life_expectancy.csv"), f("funnel.csv"));
    let limits = tempfile::tempdir().unwrap();
    let limits_file = limits.path().join("limits.csv");
    let limits_path = limits_file.to_str().unwrap();
    let cases: [(&str, Vec<&str>); 6] = [
        (
            "proportion",
            vec!["--input", &proportion, "--numerator", "sans_mt", "--denominator", "patients", "--group-by", "territoire", "--multiplier", "100"],
        ),
        ("rate", vec!["--input", &rate, "--count", "deces", "--population", "pop", "--group-by", "dep"]),
        (
            "dsr",
            vec![
                "--input",
                &dsr,
                "--count",
                "deces",
                "--population",
                "pop",
                "--age-band",
                "age",
                "--standard",
                "esp2013",
                "--group-by",
                "territoire",
            ],
        ),
        (
            "isr",
            vec![
                "--input",
                &isr,
                "--count",
                "deces",
                "--population",
                "pop",
                "--age-band",
                "age",
                "--ref-count",
                "deces_ref",
                "--ref-population",
                "pop_ref",
                "--ref-value",
                "100",
                "--group-by",
                "zone",
            ],
        ),
        ("life-expectancy", vec!["--input", &life, "--start-age", "age", "--deaths", "deces", "--population", "pop", "--group-by", "groupe"]),
        (
            "funnel",
            vec![
                "--input",
                &funnel,
                "--statistic",
                "proportion",
                "--numerator",
                "sans_mt",
                "--denominator",
                "patients",
                "--limits-output",
                limits_path,
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, args) in cases {
        let all: Vec<&str> = ["stats", name].into_iter().chain(args).collect();
        failures.extend(check(&format!("stats/{name}.csv"), &run(&all)));
    }
    failures.extend(check("stats/funnel-limits.csv", &std::fs::read(&limits_file).unwrap()));
    assert_none(failures);
}
