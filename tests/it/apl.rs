//! `diagsante apl`: the APL computed for every commune of France, the territory's communes,
//! aggregate and projection.

use serde_json::Value;

use crate::{csv_records, data, diagsante};

fn run(args: &[&str], out: &std::path::Path) -> (Vec<Vec<String>>, Value, String) {
    let o = diagsante().arg("apl").args(args).args(["--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = csv_records(&std::fs::read_to_string(out.join("apl-communes.csv")).unwrap(), ';');
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join("apl.json")).unwrap()).unwrap();
    (csv, doc, String::from_utf8_lossy(&o.stdout).into_owned())
}

fn number(s: &str) -> f64 {
    s.replace(',', ".").parse().unwrap()
}

#[test]
fn the_demo_apl_of_a_cpts_its_aggregate_and_projection() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, doc, printed) = run(&["--territory", "cpts-camargue-gardoise"], &dir.path().join("a"));
    assert_eq!(csv[0], ["code_commune", "commune", "apl_mg", "apl_mg_moins_65ans", "pop_standardisee", "pop_totale", "classe", "synthetique"]);
    assert_eq!(csv.len() - 1, 10, "the CPTS's 10 communes");
    let (mut num, mut den) = (0.0, 0.0);
    for row in &csv[1..] {
        let (apl, under, standardised) = (number(&row[2]), number(&row[3]), number(&row[4]));
        assert!(apl > 0.0 && under <= apl + 1e-9, "{row:?}");
        let class = if apl < 2.5 {
            "< 2,5"
        } else if apl < 4.0 {
            "2,5 – 4"
        } else {
            "≥ 4"
        };
        assert_eq!(row[6], class);
        assert_eq!(row[7], "true", "the demo's roster is synthetic");
        num += apl * standardised;
        den += standardised;
    }
    // DREES's aggregate: weighted by the standardised population (to the CSV's rounding).
    assert!((doc["apl_mg"].as_f64().unwrap() - num / den).abs() < 1e-3, "{doc}");
    assert_eq!(doc["synthetic_roster"], true);
    assert!(printed.contains("médecins synthétiques"), "{printed}");
    let p = doc["projection"].as_array().unwrap();
    assert_eq!(p.len(), 4 * 2, "four scenarios, in 5 and 10 years");
    let at = |s: &str, offset: u64| p.iter().find(|r| r["scenario"] == s && r["year_offset"] == offset).unwrap()["apl_mg"].as_f64().unwrap();
    // Without entries the GPs only leave: the APL falls, faster at 62 than at 67.
    let now = doc["apl_mg"].as_f64().unwrap();
    assert!(at("legal-62", 10) < at("legal-62", 5) && at("legal-62", 5) < now);
    assert!(at("legal-62", 10) < at("full-rate-67", 10));
    assert!(printed.contains("L'APL de CPTS Camargue Gardoise passerait de"), "{printed}");
}

/// A territory's own roster and a time file without pairs (each commune reaches only itself):
/// each commune's APL is its counted consultations over its standardised population, by hand.
#[test]
fn a_territorys_roster_replaces_its_gps_and_a_time_file_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let roster = data("apl/roster-camargue.csv");
    let times = data("apl/no-times.csv");
    let args = ["--territory", "cpts-camargue-gardoise", "--roster", roster.to_str().unwrap(), "--times", times.to_str().unwrap(), "--year", "2024"];
    let (csv, doc, _) = run(&args, &dir.path().join("b"));
    let row = |code: &str| csv.iter().find(|r| r[0] == code).unwrap().clone();
    // Aigues-Mortes: 3,000 consultations → 3,600; 7,000 → 6,000 (aged 66: not under 65); the
    // nurse left out.
    let am = row("30003");
    let p = number(&am[4]);
    assert!((number(&am[2]) - 9600.0 / p).abs() < 1e-3, "{am:?}");
    assert!((number(&am[3]) - 3600.0 / p).abs() < 1e-3, "{am:?}");
    // Aimargues: 200 consultations → 0; installed in 2024, new to practice → 5,400.
    let ai = row("30006");
    assert!((number(&ai[2]) - 5400.0 / number(&ai[4])).abs() < 1e-3, "{ai:?}");
    // The territory's other communes: their synthetic GPs are gone.
    for r in csv[1..].iter().filter(|r| r[0] != "30003" && r[0] != "30006") {
        assert_eq!(number(&r[2]), 0.0, "{r:?}");
    }
    assert!(doc["times"].as_str().unwrap().contains("no-times.csv"));
}
