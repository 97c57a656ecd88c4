//! `diagsante territory …` on the shipped territories and on hand-made bad files.

use predicates::prelude::*;
use serde_json::Value;

use crate::{data, diagsante};

fn show_json(territory: &str) -> Value {
    let out = diagsante().args(["territory", "show", territory, "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn list_shows_the_five_shipped_territories() {
    let out = diagsante().args(["territory", "list"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for id in ["cpts-camargue-gardoise", "cpts-alienor-o-poitou", "cls-rochefort-ocean", "cls-aunis-atlantique", "cls-mauges-communaute"] {
        assert!(text.contains(id), "{id} missing from\n{text}");
    }
    assert!(text.contains("54,291") && text.contains("39,891"), "{text}");
}

#[test]
fn show_json_gives_the_documented_keys_and_numbers() {
    let expect = [
        ("cpts-camargue-gardoise", 10, Some(54_291), "30", "76"),
        ("cpts-alienor-o-poitou", 26, Some(39_891), "86", "75"),
        ("cls-rochefort-ocean", 25, None, "17", "75"),
        ("cls-aunis-atlantique", 20, None, "17", "75"),
        ("cls-mauges-communaute", 6, None, "49", "52"),
    ];
    for (id, communes, population, dep, reg) in expect {
        let j = show_json(id);
        for key in ["name", "kind", "communes", "population", "departement", "region"] {
            assert!(j.get(key).is_some(), "{id}: key {key}");
        }
        assert_eq!(j["communes"].as_array().unwrap().len(), communes, "{id}");
        let listed: u64 = j["communes"].as_array().unwrap().iter().map(|c| c["population"].as_u64().unwrap()).sum();
        assert_eq!(j["population"].as_u64(), Some(listed), "{id}: total = sum of communes");
        if let Some(p) = population {
            assert_eq!(j["population"].as_u64(), Some(p), "{id}");
        }
        assert_eq!(j["departement"]["code"], dep, "{id}");
        assert_eq!(j["region"]["code"], reg, "{id}");
        assert!(j["comparators"]["note"].is_null(), "{id}");
    }
}

#[test]
fn show_text_lists_communes_and_comparators() {
    diagsante()
        .args(["territory", "show", "cpts-camargue-gardoise"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CPTS Camargue Gardoise (cpts)"))
        .stdout(predicate::str::contains("54,291"))
        .stdout(predicate::str::contains("area:         406.49 km² (INSEE, comparateur de territoires (via datas.fun) 2021)"))
        .stdout(predicate::str::contains("30003  Aigues-Mortes"))
        .stdout(predicate::str::contains("département 30 Gard, région 76 Occitanie, France"));
}

#[test]
fn a_territory_file_across_two_departements_gets_the_majority_comparator() {
    let j = show_json(data("territories/straddling.toml").to_str().unwrap());
    assert_eq!(j["departement"]["code"], "13");
    let note = j["comparators"]["note"].as_str().unwrap();
    assert!(note.contains("30 Gard"), "{note}");
    // 01039 (Béon, déléguée) was counted as Culoz-Béon with a warning.
    let codes: Vec<&str> = j["communes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"01138") && !codes.contains(&"01039"), "{codes:?}");
    assert_eq!(j["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_territory_files_fail_with_exit_2_and_a_precise_message() {
    let cases = [
        ("territories/unknown-code.toml", "line 4, column 23 (key `communes`)", "99999"),
        ("territories/unknown-epci.toml", "key `epci`", "123456789"),
        ("territories/empty.toml", "perimeter is empty", "communes"),
        ("territories/bad-syntax.toml", "invalid territory file", "expected `]`"),
        ("territories/wrong-kind.toml", "invalid territory file", "hospital"),
    ];
    for (file, first, second) in cases {
        let path = data(file);
        diagsante()
            .args(["territory", "show", path.to_str().unwrap()])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(file.rsplit('/').next().unwrap()))
            .stderr(predicate::str::contains(first))
            .stderr(predicate::str::contains(second))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn unknown_territory_name_lists_the_shipped_ones() {
    diagsante()
        .args(["territory", "show", "cpts-nowhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cpts-nowhere"))
        .stderr(predicate::str::contains("cls-rochefort-ocean"));
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    diagsante().args(["territory", "explode"]).assert().code(2);
    let commands = [
        "",
        "territory",
        "territory show",
        "territory list",
        "diagnose",
        "benchmark",
        "national",
        "project",
        "demo-data",
        "ingest",
        "ingest insee",
        "ingest insee-long",
        "ingest deaths",
        "ingest rezone",
        "ingest roster",
        "ingest patientele",
        "stats",
        "stats proportion",
        "stats rate",
        "stats dsr",
        "stats isr",
        "stats life-expectancy",
        "stats funnel",
    ];
    for command in commands {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        diagsante().args(&args).assert().success().stdout(predicate::str::contains("Example"));
    }
}
