//! `diagsante project`: the CA Rochefort Océan study reproduced, scenario files, errors.

use predicates::prelude::*;
use serde_json::Value;

use crate::{data, diagsante};

fn years(out: &std::path::Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join("projection.json")).unwrap()).unwrap();
    doc["years"].as_array().unwrap().clone()
}

#[test]
fn reproduces_the_rochefort_ocean_study_and_reads_scenario_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let roster = data("project/rochefort-roster.csv");
    let scenario = data("project/stop-at-67-with-entries.toml");
    let o = diagsante()
        .env("DIAGSANTE_CACHE", dir.path().join("cache"))
        .args(["project", "--territory", "cls-rochefort-ocean", "--roster", roster.to_str().unwrap(), "--scenario", "legal-62"])
        .args(["--scenario", scenario.to_str().unwrap(), "--reference-year", "2024", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("-17 médecins généralistes en 5 ans, 37 restants"), "{printed}");
    assert!(printed.contains("19 médecins ont déjà dépassé"), "{printed}");
    let y = years(&out);
    let at = |scenario: &str, offset: u64| y.iter().find(|r| r["scenario"] == scenario && r["year_offset"] == offset).unwrap().clone();
    // The study: 73 GPs, 19 past 62 → 54 at year 0; 17 aged 57-61 → 37 at year 5.
    assert_eq!(at("legal-62", 0)["headcount"].as_f64(), Some(54.0));
    assert_eq!(at("legal-62", 5)["headcount"].as_f64(), Some(37.0));
    for key in ["scenario", "year", "year_offset", "headcount", "headcount_low", "headcount_high", "fte", "departures", "demand_fte", "shortfall_fte"]
    {
        assert!(at("legal-62", 3).get(key).is_some(), "{key}");
    }
    // The scenario file: stop at 67 and two arrivals a year at 0.9 FTE.
    let s = "67 ans et 2 installations par an";
    let ages: Vec<u32> = std::fs::read_to_string(&roster).unwrap().lines().skip(1).map(|l| l.split(';').nth(3).unwrap().parse().unwrap()).collect();
    let active_at = |offset: u32| ages.iter().filter(|&&a| a + offset < 67).count() as f64;
    assert_eq!(at(s, 0)["headcount"].as_f64(), Some(active_at(0)));
    assert_eq!(at(s, 3)["headcount"].as_f64(), Some(active_at(3) + 6.0));
    let past = std::fs::read_to_string(out.join("past-age.csv")).unwrap();
    assert_eq!(past.lines().count(), 1 + 19);
}

#[test]
fn a_bad_scenario_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    diagsante()
        .args(["project", "--territory", "cls-rochefort-ocean", "--roster", data("project/rochefort-roster.csv").to_str().unwrap()])
        .args(["--scenario", data("project/bad-scenario.toml").to_str().unwrap(), "--out", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad-scenario.toml").and(predicate::str::contains("exactly one")));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_headline_is_the_first_scenarios_and_an_empty_roster_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let roster = data("project/rochefort-roster.csv");
    let o = diagsante()
        .args(["project", "--territory", "cls-rochefort-ocean", "--roster", roster.to_str().unwrap()])
        .args([
            "--scenario",
            data("project/stop-at-67-with-entries.toml").to_str().unwrap(),
            "--reference-year",
            "2024",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let y5 = years(&out).into_iter().find(|r| r["year_offset"] == 5).unwrap();
    let left = format!("{:.0} restants", y5["headcount"].as_f64().unwrap());
    assert!(String::from_utf8_lossy(&o.stdout).contains(&left), "{} / {left}", String::from_utf8_lossy(&o.stdout));

    // A roster with no GP in the territory: refused, not a projection of zero GPs.
    diagsante()
        .args([
            "project",
            "--territory",
            "cpts-camargue-gardoise",
            "--roster",
            roster.to_str().unwrap(),
            "--out",
            dir.path().join("q").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rochefort-roster.csv").and(predicate::str::contains("Camargue")));
}

#[test]
fn counts_by_band_entries_as_a_rate_and_the_observed_preset() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let o = diagsante()
        .env("DIAGSANTE_CACHE", dir.path().join("cache"))
        .args(["project", "--territory", "cls-rochefort-ocean", "--roster-counts", data("project/rochefort-counts.csv").to_str().unwrap()])
        .args([
            "--scenario",
            "legal-62",
            "--scenario",
            "observed",
            "--entries-rate",
            "0.1",
            "--reference-year",
            "2024",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let y = years(&out);
    let at = |scenario: &str, offset: u64| {
        y.iter().find(|r| r["scenario"] == scenario && r["year_offset"] == offset).unwrap()["headcount"].as_f64().unwrap()
    };
    // Counts by band: 54 active at year 0 (the 19 aged 62+ have stopped); each year 10 % of
    // today's 73 GPs (7.3) settle, aged 35.
    assert_eq!(at("legal-62", 0), 54.0);
    assert!((at("legal-62", 5) - (37.0 + 5.0 * 7.3)).abs() < 1e-9);
    // The observed exits keep some GPs past 62 and lose a few younger ones.
    let observed0 = at("observed", 0);
    assert!(observed0 > 54.0 && observed0 < 73.0, "{observed0}");
}

/// A roster of 73 GPs (written in the usual spellings and CPAM codes) and 10 nurses: only the
/// GPs are projected, from the CSV and once ingested, and the diagnostic's density and age
/// shares count only them.
#[test]
fn only_the_gps_of_a_roster_with_nurses_count() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let roster = data("project/rochefort-roster-with-nurses.csv");
    let project = |source: [&str; 2], out: &std::path::Path| {
        let o = diagsante()
            .env("DIAGSANTE_CACHE", &cache)
            .args(["project", "--territory", "cls-rochefort-ocean", source[0], source[1], "--scenario", "legal-62"])
            .args(["--reference-year", "2024", "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let printed = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(printed.contains("(73 GPs)") && printed.contains("19 médecins ont déjà dépassé"), "{printed}");
        let y = years(out);
        let at = |offset: u64| y.iter().find(|r| r["year_offset"] == offset).unwrap()["headcount"].as_f64();
        assert_eq!((at(0), at(5)), (Some(54.0), Some(37.0)), "the study's figures: the nurses are not GPs");
        assert_eq!(std::fs::read_to_string(out.join("past-age.csv")).unwrap().lines().count(), 1 + 19);
    };
    project(["--roster", roster.to_str().unwrap()], &dir.path().join("p"));

    // Ingested into a data folder (the demo facts, this roster instead of the demo's).
    let data_dir = dir.path().join("data");
    let o = diagsante().args(["demo-data", "--out", data_dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = diagsante().args(["ingest", "roster", roster.to_str().unwrap(), "--year", "2024", "--out", data_dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("GPs:               73") && summary.contains("other professions: 10 (not counted as GPs: infirmier 10)"), "{summary}");
    project(["--data", data_dir.to_str().unwrap()], &dir.path().join("q"));

    let out = dir.path().join("d");
    let o = diagsante()
        .args(["diagnose", "--territory", "cls-rochefort-ocean", "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: Value = serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap();
    let get = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(get("densite_mg")["count"].as_f64(), Some(73.0));
    // Ages were taken in 2024; the facts' year is the demo's.
    let shift = diagsante::demo::DEMO_YEAR - 2024;
    let ages: Vec<i32> = std::fs::read_to_string(&roster)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("MG"))
        .map(|l| l.split(';').nth(3).unwrap().parse::<i32>().unwrap() + shift)
        .collect();
    assert_eq!(ages.len(), 73);
    let older = ages.iter().filter(|&&a| a >= 60).count() as f64;
    let share = get("mg_60_plus");
    assert_eq!(share["count"].as_f64(), Some(older));
    assert!((share["value"].as_f64().unwrap() - 100.0 * older / 73.0).abs() < 1e-9, "{share}");
}

#[test]
fn the_horizon_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for horizon in ["0", "51"] {
        diagsante()
            .env("DIAGSANTE_CACHE", dir.path().join("cache"))
            .args(["project", "--territory", "cls-rochefort-ocean", "--horizon", horizon, "--out", dir.path().join("p").to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--horizon").and(predicate::str::contains("1..=50")));
    }
    assert!(!dir.path().join("p").exists());
}
