//! `diagsante stats …` on the files of tests/data/stats/ (see its README): the numbers are
//! checked against published worked values or recomputed here from the input file.

use std::collections::HashMap;
use std::path::Path;

use predicates::prelude::*;

use crate::{data, diagsante};

/// A parsed CSV output: header and rows of cells (RFC 4180 quoting).
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn parse(text: &str) -> Csv {
        let mut it = crate::csv_records(text, ',').into_iter();
        Csv { header: it.next().expect("a header"), rows: it.collect() }
    }

    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The row whose first column is `key`, as a map column → cell.
    fn row(&self, key: &str) -> HashMap<&str, &str> {
        let row = self.rows.iter().find(|r| r[0] == key).unwrap_or_else(|| panic!("no row {key}"));
        self.header.iter().map(String::as_str).zip(row.iter().map(String::as_str)).collect()
    }
}

fn num(row: &HashMap<&str, &str>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = «{}» is not a number", row[col]))
}

fn run_ok(args: &[&str]) -> Csv {
    let out = diagsante().args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Csv::parse(&String::from_utf8(out.stdout).unwrap())
}

fn close(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol, "{actual} is not {expected} ± {tol}");
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn proportion_sums_groups_then_gives_newcombe_wilson_limits() {
    let f = data("stats/proportion.csv");
    let csv = run_ok(&[
        "stats",
        "proportion",
        "--input",
        path(&f),
        "--numerator",
        "sans_mt",
        "--denominator",
        "patients",
        "--group-by",
        "territoire",
        "--multiplier",
        "100",
    ]);
    assert_eq!(csv.header, ["territoire", "numerator", "denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8", "method", "note"]);
    // Newcombe (1998), Stat Med 17:857, table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605;
    // 0/20 → 0–0.1611 (Wilson score, 95 %).
    let a = csv.row("A");
    assert_eq!((a["numerator"], a["denominator"]), ("81", "263"), "summed counts are written as integers");
    close(num(&a, "value"), 100.0 * 81.0 / 263.0, 1e-9);
    close(num(&a, "lower_95"), 25.53, 0.005);
    close(num(&a, "upper_95"), 36.62, 0.005);
    assert!(num(&a, "lower_99_8") < num(&a, "lower_95") && num(&a, "upper_99_8") > num(&a, "upper_95"));
    assert_eq!(a["method"], "Wilson");
    let b = csv.row("B");
    close(num(&b, "lower_95"), 6.24, 0.005);
    close(num(&b, "upper_95"), 16.05, 0.005);
    let d = csv.row("D");
    assert_eq!(num(&d, "lower_95"), 0.0);
    close(num(&d, "upper_95"), 16.11, 0.005);
    // A suppressed numerator: no value, a note naming the line; the run goes on.
    let c = csv.row("C");
    assert_eq!(c["value"], "");
    assert!(c["note"].contains("line 5"), "{}", c["note"]);
}

#[test]
fn rate_uses_exact_limits_below_ten_events_and_byar_above() {
    let f = data("stats/rate.csv");
    let csv = run_ok(&["stats", "rate", "--input", path(&f), "--count", "deces", "--population", "pop", "--group-by", "dep", "--confidence", "0.95"]);
    assert_eq!(csv.header, ["dep", "count", "population", "value", "lower_95", "upper_95", "method", "note"]);
    // Exact Poisson limits of 5 events: 1.6235–11.6683 (Garwood 1936 tables).
    let r = csv.row("01");
    close(num(&r, "value"), 5.0, 1e-9);
    close(num(&r, "lower_95"), 1.6235, 1e-3);
    close(num(&r, "upper_95"), 11.6683, 1e-3);
    assert_eq!(r["method"], "Exact");
    let zero = csv.row("03");
    assert_eq!(num(&zero, "lower_95"), 0.0);
    close(num(&zero, "upper_95"), 3.6889 / 50_000.0 * 1e5, 1e-3);
    // 250 events: Byar's approximation.
    let big = csv.row("04");
    let (o, z) = (250.0_f64, 1.959_963_984_540_054_f64);
    let lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
    let upper = (o + 1.0) * (1.0 - 1.0 / (9.0 * (o + 1.0)) + z / (3.0 * (o + 1.0).sqrt())).powi(3);
    close(num(&big, "lower_95"), lower / 10_000.0 * 1e5, 1e-6);
    close(num(&big, "upper_95"), upper / 10_000.0 * 1e5, 1e-6);
    assert_eq!(big["method"], "Byar");
}

#[test]
fn dsr_of_a_population_shaped_like_the_standard_is_its_crude_rate() {
    let f = data("stats/dsr.csv");
    let csv = run_ok(&[
        "stats",
        "dsr",
        "--input",
        path(&f),
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
    ]);
    let t = csv.row("T");
    let crude = num(&t, "count") / num(&t, "population") * 1e5;
    close(num(&t, "value"), crude, 1e-6);
    assert!(num(&t, "lower_95") < crude && crude < num(&t, "upper_95"));
    assert_eq!(t["method"], "Dobson");
    // A suppressed band counts as 0, and the note says so.
    let y = csv.row("Y");
    assert!(!y["value"].is_empty() && y["note"].contains("counted as 0"), "{:?}", y);
    // Two events: no value (Dobson needs ≥ 10), the count is still given.
    let z = csv.row("Z");
    assert_eq!((z["value"], num(&z, "count")), ("", 2.0));
    assert!(!z["note"].is_empty());
}

#[test]
fn dsr_refuses_age_bands_the_standard_does_not_have() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bands.csv");
    std::fs::write(&f, "age;deces;pop\n0-4;3;100\n5-14;4;100\n").unwrap();
    diagsante()
        .args(["stats", "dsr", "--input", path(&f), "--count", "deces", "--population", "pop", "--age-band", "age", "--standard", "france"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3").and(predicate::str::contains("5-14")));
}

#[test]
fn isr_of_an_area_against_itself_is_the_reference_value() {
    let f = data("stats/isr.csv");
    let csv = run_ok(&[
        "stats",
        "isr",
        "--input",
        path(&f),
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
    ]);
    assert_eq!(&csv.header[..5], ["zone", "count", "population", "expected", "value"]);
    let x = csv.row("X");
    close(num(&x, "value"), 100.0, 1e-9);
    close(num(&x, "expected"), num(&x, "count"), 1e-9);
    // W: expected recomputed from the file, band by band.
    let text = std::fs::read_to_string(&f).unwrap();
    let (mut observed, mut expected) = (0.0, 0.0);
    for line in text.lines().skip(1).filter(|l| l.starts_with("W;")) {
        let c: Vec<f64> = line.split(';').skip(2).map(|v| v.parse().unwrap()).collect();
        observed += c[0];
        expected += c[1] * c[2] / c[3];
    }
    let w = csv.row("W");
    close(num(&w, "expected"), expected, 1e-9);
    close(num(&w, "value"), observed / expected * 100.0, 1e-9);
    assert!(num(&w, "lower_99_8") < num(&w, "lower_95"));
}

#[test]
fn life_expectancy_gives_one_row_per_start_age_and_refuses_small_populations() {
    let f = data("stats/life_expectancy.csv");
    let csv = run_ok(&[
        "stats",
        "life-expectancy",
        "--input",
        path(&f),
        "--start-age",
        "age",
        "--deaths",
        "deces",
        "--population",
        "pop",
        "--group-by",
        "groupe",
    ]);
    assert_eq!(&csv.header[..3], ["groupe", "age", "deaths"]);
    let (g, age, value) = (csv.col("groupe"), csv.col("age"), csv.col("value"));
    let grand: Vec<&Vec<String>> = csv.rows.iter().filter(|r| r[g] == "grand").collect();
    assert_eq!(grand.len(), 20);
    let e = |a: &str| -> f64 { grand.iter().find(|r| r[age] == a).unwrap()[value].parse().unwrap() };
    // Recomputed independently (a Python implementation of Chiang II + Silcocks, run by a
    // reviewer on this file): e0 = 86.1009, 95 % interval 84.3419–87.8599.
    close(e("0"), 86.1009, 1e-4);
    let row0 = grand.iter().find(|r| r[age] == "0").unwrap();
    close(row0[csv.col("lower_95")].parse().unwrap(), 84.3419, 1e-4);
    close(row0[csv.col("upper_95")].parse().unwrap(), 87.8599, 1e-4);
    assert!(e("65") < e("0") && e("65") > 5.0);
    assert!(grand.iter().all(|r| r[csv.col("method")] == "Chiang"));
    // 4,273 people: under the 5,000 threshold, no value and a reason on every row.
    let petit: Vec<&Vec<String>> = csv.rows.iter().filter(|r| r[g] == "petit").collect();
    assert_eq!(petit.len(), 20);
    assert!(petit.iter().all(|r| r[value].is_empty() && !r[csv.col("note")].is_empty()));
}

#[test]
fn funnel_flags_outliers_and_writes_the_limits_table() {
    let f = data("stats/funnel.csv");
    let dir = tempfile::tempdir().unwrap();
    let limits = dir.path().join("limits.csv");
    let csv = run_ok(&[
        "stats",
        "funnel",
        "--input",
        path(&f),
        "--statistic",
        "proportion",
        "--numerator",
        "sans_mt",
        "--denominator",
        "patients",
        "--limits-output",
        path(&limits),
    ]);
    assert_eq!(csv.header[csv.header.len() - 2..], ["significance", "note"]);
    let s = csv.col("significance");
    let of = |code: &str| csv.rows.iter().find(|r| r[0] == code).unwrap()[s].clone();
    assert_eq!(of("30033"), "High (0.001)");
    assert_eq!(of("30036"), "Low (0.001)");
    assert_eq!(of("30006"), "Not significant");
    assert_eq!(of("30059"), "", "a suppressed numerator is not assessed");
    let row = csv.rows.iter().find(|r| r[0] == "30059").unwrap();
    assert!(row[csv.col("note")].contains("line 7"), "{row:?}");
    let table = Csv::parse(&std::fs::read_to_string(&limits).unwrap());
    assert_eq!(table.header, ["denominator", "target", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]);
    assert_eq!(table.rows.len(), 100);
    // The target is the pooled proportion of the assessed rows.
    let target: f64 = table.rows[0][1].parse().unwrap();
    close(target, 830.0 / 5500.0, 1e-12);
}

/// `--overdispersion` on the same file: φ and τ² recomputed here from the input (angular
/// scale, z-scores winsorised at the 10th and 90th percentiles by linear interpolation, as R's
/// quantile type 7), and the outliers of the exact funnel brought back within the widened
/// 99.8 % limits (30033 at z = 2.69, 30036 at −2.42: High/Low at 95 % only).
#[test]
fn funnel_widened_for_overdispersion() {
    let f = data("stats/funnel.csv");
    let csv = run_ok(&[
        "stats",
        "funnel",
        "--input",
        path(&f),
        "--statistic",
        "proportion",
        "--numerator",
        "sans_mt",
        "--denominator",
        "patients",
        "--overdispersion",
    ]);
    assert_eq!(csv.header[csv.header.len() - 4..], ["significance", "note", "phi", "tau2"]);
    let (x, n) = ([120.0f64, 130.0, 110.0, 400.0, 20.0, 50.0], [1000.0f64, 1000.0, 1000.0, 1000.0, 1000.0, 500.0]);
    let t = (830.0f64 / 5500.0).sqrt().asin();
    let mut z: Vec<f64> = x.iter().zip(&n).map(|(x, n)| ((x / n).sqrt().asin() - t) * 2.0 * n.sqrt()).collect();
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = 5.0 * p;
        let lo = h.floor() as usize;
        sorted[lo] + (h - lo as f64) * (sorted[lo + 1] - sorted[lo])
    };
    let (lo, hi) = (q(0.1), q(0.9));
    z.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
    let phi = z.iter().map(|v| v * v).sum::<f64>() / 6.0;
    let w: Vec<f64> = n.iter().map(|n| 4.0 * n).collect();
    let (sw, sw2) = (w.iter().sum::<f64>(), w.iter().map(|w| w * w).sum::<f64>());
    let tau2 = (6.0 * phi - 5.0) / (sw - sw2 / sw);
    let row = |code: &str| csv.rows.iter().find(|r| r[0] == code).unwrap().clone();
    close(row("30003")[csv.col("phi")].parse().unwrap(), phi, 1e-9);
    close(row("30003")[csv.col("tau2")].parse().unwrap(), tau2, 1e-12);
    let s = csv.col("significance");
    assert_eq!(row("30033")[s], "High (0.025)");
    assert_eq!(row("30036")[s], "Low (0.025)");
    assert_eq!(row("30006")[s], "Not significant");
    assert_eq!(row("30059")[s], "", "a suppressed numerator is still not assessed");
}

#[test]
fn bad_cells_stop_with_the_line_and_column_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    diagsante()
        .args([
            "stats",
            "proportion",
            "--input",
            path(&data("stats/not-a-number.csv")),
            "--numerator",
            "sans_mt",
            "--denominator",
            "patients",
            "--output",
            path(&out),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3").and(predicate::str::contains("sans_mt")).and(predicate::str::contains("douze")));
    assert!(!out.exists());
    diagsante()
        .args(["stats", "proportion", "--input", path(&data("stats/above-denominator.csv")), "--numerator", "sans_mt", "--denominator", "patients"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3").and(predicate::str::contains("above")));
    diagsante()
        .args(["stats", "rate", "--input", path(&data("stats/rate.csv")), "--count", "deaths", "--population", "pop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deaths").and(predicate::str::contains("deces")));
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sub/rates.csv");
    diagsante()
        .args([
            "stats",
            "rate",
            "--input",
            path(&data("stats/rate.csv")),
            "--count",
            "deces",
            "--population",
            "pop",
            "--group-by",
            "dep",
            "--output",
            path(&out),
        ])
        .assert()
        .success()
        .stdout("");
    let csv = Csv::parse(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(csv.rows.len(), 4);
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
}

#[test]
fn a_crude_rate_funnel_can_be_given_counts_and_populations() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rates.csv");
    // Five places at 100 deaths per 20,000 people and one at 30 per 2,000: the average is
    // 530/102,000 (519.6 per 100,000), inside the Byar interval of 100 events (407–608 per
    // 100,000) and far below that of 30 events over 2,000 people.
    let mut text = String::from("dep;deces;pop\n");
    for d in 1..=5 {
        text.push_str(&format!("0{d};100;20000\n"));
    }
    text.push_str("06;30;2000\n07;;5000\n");
    std::fs::write(&f, text).unwrap();
    let csv = run_ok(&["stats", "funnel", "--input", path(&f), "--statistic", "rate", "--numerator", "deces", "--denominator", "pop"]);
    let s = csv.col("significance");
    assert_eq!(csv.rows[0][s], "Not significant");
    assert_eq!(csv.rows[5][s], "High (0.001)");
    assert_eq!(csv.rows[6][s], "");
}

#[test]
fn bad_options_and_clashing_names_exit_2() {
    let rate = data("stats/rate.csv");
    diagsante()
        .args(["stats", "rate", "--input", path(&rate), "--count", "deces", "--population", "pop", "--multiplier", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--multiplier"));
    diagsante().args(["stats", "rate", "--input", path(&rate), "--count", "deces", "--population", "pop", "--confidence", "1.5"]).assert().code(2);
    diagsante()
        .args(["stats", "rate", "--input", path(&rate), "--count", "deces", "--population", "pop", "--group-by", "population"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("output column"));
    // Repeated levels are given once.
    let csv = run_ok(&["stats", "rate", "--input", path(&rate), "--count", "deces", "--population", "pop", "--confidence", "0.95,0.95"]);
    assert_eq!(csv.header, ["count", "population", "value", "lower_95", "upper_95", "method", "note"]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("clash.csv");
    std::fs::write(&f, "x;n;note\n1;10;a\n").unwrap();
    diagsante()
        .args(["stats", "funnel", "--input", path(&f), "--statistic", "proportion", "--numerator", "x", "--denominator", "n"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("note"));
    // A funnel without the column it needs names the option to add.
    diagsante()
        .args(["stats", "funnel", "--input", path(&rate), "--statistic", "proportion", "--numerator", "deces"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--denominator"));
    diagsante()
        .args([
            "stats",
            "funnel",
            "--input",
            path(&rate),
            "--statistic",
            "rate",
            "--rate-type",
            "dsr",
            "--numerator",
            "deces",
            "--denominator",
            "pop",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rate"));
}

#[test]
fn excel_safe_neutralises_formulas_and_plain_output_keeps_the_raw_text() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("names.csv");
    std::fs::write(&f, "territoire;x;n\n\"=HYPERLINK(\"\"http://x\"\",\"\"Cliquez\"\")\";5;100\n@SUM(A1);3;50\n-x;1;10\nB;2;10\n").unwrap();
    let names = |csv: &Csv| csv.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let proportion = ["stats", "proportion", "--input", path(&f), "--numerator", "x", "--denominator", "n", "--group-by", "territoire"];

    // For R and Python: the values as they are, on stdout and in --output.
    let raw = run_ok(&proportion);
    assert_eq!(names(&raw), [r#"=HYPERLINK("http://x","Cliquez")"#, "@SUM(A1)", "-x", "B"]);
    let out = dir.path().join("raw.csv");
    diagsante().args(proportion).args(["--output", path(&out)]).assert().success();
    assert_eq!(names(&Csv::parse(&std::fs::read_to_string(&out).unwrap())), names(&raw));

    // For a spreadsheet: text cells that start like a formula get a leading ', numbers do not.
    let safe_out = dir.path().join("safe.csv");
    diagsante().args(proportion).args(["--excel-safe", "--output", path(&safe_out)]).assert().success();
    let safe = Csv::parse(&std::fs::read_to_string(&safe_out).unwrap());
    assert_eq!(names(&safe), [r#"'=HYPERLINK("http://x","Cliquez")"#, "'@SUM(A1)", "'-x", "B"]);
    assert_eq!(safe.header, raw.header);
    for (a, b) in safe.rows.iter().zip(&raw.rows) {
        assert_eq!(a[1..], b[1..], "numbers, method and note unchanged");
    }

    // The funnel echoes the input's columns: neutralised too, on stdout.
    let funnel = ["stats", "funnel", "--input", path(&f), "--statistic", "proportion", "--numerator", "x", "--denominator", "n"];
    assert_eq!(names(&run_ok(&funnel))[0], r#"=HYPERLINK("http://x","Cliquez")"#);
    let mut args = funnel.to_vec();
    args.push("--excel-safe");
    assert_eq!(names(&run_ok(&args))[..3], [r#"'=HYPERLINK("http://x","Cliquez")"#, "'@SUM(A1)", "'-x"]);
}

#[test]
fn a_crude_rate_funnel_assesses_rows_without_events_at_their_population() {
    // Issue 12: five places at 100 deaths per 20,000 people and one with none among 20,000.
    // The average, 500/120,000 (416.7 per 100,000), counts the place without deaths; its exact
    // 99.8 % upper limit, −ln(0.001)/20,000 × 100,000 = 34.5, is far below: Low (0.001).
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rates.csv");
    let mut text = String::from("dep;deces;pop;taux\n");
    for d in 1..=5 {
        text.push_str(&format!("0{d};100;20000;500\n"));
    }
    text.push_str("06;0;20000;0\n");
    std::fs::write(&f, text).unwrap();
    let limits = dir.path().join("limits.csv");
    for with_rate in [false, true] {
        let mut args = vec!["stats", "funnel", "--input", path(&f), "--statistic", "rate", "--numerator", "deces", "--denominator", "pop"];
        if with_rate {
            args.extend(["--rate", "taux"]);
        }
        args.extend(["--limits-output", path(&limits)]);
        let csv = run_ok(&args);
        assert_eq!(csv.header, ["dep", "deces", "pop", "taux", "significance", "note"]);
        let s = csv.col("significance");
        assert_eq!(csv.rows[5][s], "Low (0.001)", "with --rate: {with_rate}");
        assert_eq!(csv.rows[0][s], "Not significant");
        let table = Csv::parse(&std::fs::read_to_string(&limits).unwrap());
        let target: f64 = table.rows[0][1].parse().unwrap();
        close(target, 500.0 / 120_000.0 * 1e5, 1e-9);
    }
    // Given only the rates, the row without deaths has no implied denominator: not assessed.
    let csv = run_ok(&["stats", "funnel", "--input", path(&f), "--statistic", "rate", "--numerator", "deces", "--rate", "taux"]);
    assert_eq!(csv.rows[5][csv.col("significance")], "");
    assert!(csv.rows[5][csv.col("note")].contains("no events"));
}

/// `stats trend` on tests/data/stats/trend.csv: the statistics computed by hand (see its
/// README), the French labels from the polarity, the empty statistic when not computable.
#[test]
fn trends_of_values_and_proportions() {
    let input = data("stats/trend.csv");
    let input = input.to_str().unwrap();
    let v = run_ok(&[
        "stats",
        "trend",
        "--input",
        input,
        "--group-by",
        "zone",
        "--year",
        "annee",
        "--value",
        "taux",
        "--lower",
        "ic_bas",
        "--upper",
        "ic_haut",
        "--polarity",
        "lower-is-better",
    ]);
    let rise = v.row("hausse");
    assert_eq!((rise["points"], rise["trend"], rise["label"]), ("5", "increasing", "en dégradation"));
    assert!((num(&rise, "slope") - 1.0).abs() < 1e-9 && (num(&rise, "statistic") - 10.0).abs() < 1e-9, "{rise:?}");
    let one = v.row("un_point");
    assert_eq!(one["trend"], "no significant change");
    assert!((num(&one, "statistic") - 608.4).abs() < 1e-6 && one["note"].contains("2019"), "{one:?}");
    let short = v.row("court");
    assert_eq!((short["points"], short["statistic"], short["trend"]), ("2", "", "cannot be calculated"));
    let p =
        run_ok(&["stats", "trend", "--input", input, "--group-by", "zone", "--year", "annee", "--numerator", "depistees", "--denominator", "cibles"]);
    let rise = p.row("hausse");
    assert_eq!((rise["trend"], rise["label"]), ("increasing", "en hausse"));
    assert!((num(&rise, "statistic") - 20_000.0 / 1056.0).abs() < 1e-9, "{rise:?}");
    assert_eq!(p.row("un_point")["trend"], "no significant change");
    let short = p.row("court");
    assert_eq!(short["points"], "1");
    assert!(short["note"].contains("1 ligne(s) sans valeur"), "{short:?}");
    // A value outside its limits is refused with its line.
    diagsante()
        .args(["stats", "trend", "--input", input, "--year", "annee", "--value", "taux", "--lower", "ic_haut", "--upper", "ic_bas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2, column taux"));
}
