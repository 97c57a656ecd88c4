//! `diagsante benchmark` and `diagsante national` on the default data (real, completed by
//! synthetic data).

use std::path::Path;

use diagsante::geo::Referential;
use polars::prelude::*;

use crate::diagsante;

fn run(args: &[&str], cache: &Path) -> String {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

fn value_of(df: &DataFrame, key_col: &str, key: &str, indicator: &str, col: &str) -> Option<f64> {
    let (k, i, v) =
        (df.column(key_col).unwrap().str().unwrap(), df.column("indicator").unwrap().str().unwrap(), df.column(col).unwrap().f64().unwrap());
    (0..df.height()).find(|&r| k.get(r) == Some(key) && i.get(r) == Some(indicator)).and_then(|r| v.get(r))
}

#[test]
fn national_table_and_benchmark_agree_with_the_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let r = Referential::embedded().unwrap();

    let out = dir.path().join("national");
    let printed = run(&["national", "--out", out.to_str().unwrap()], &cache);
    assert!(printed.contains("données synthétiques de démonstration"));
    let nat = parquet(&out.join("national.parquet"));
    let kinds = nat.column("kind").unwrap().str().unwrap();
    let france_rows = kinds.iter().filter(|k| *k == Some("france")).count();
    let indicators = france_rows;
    let epci = r.epcis.len();
    assert_eq!(nat.height(), indicators * (epci + 101 + 18 + 1));
    // Populations: the census 2021 of the real data (the Gard's communes summed by hand in
    // the commune file: population_2021 of its COM rows, each code once).
    assert_eq!(value_of(&nat, "code", "30", "population", "value"), Some(756_543.0));

    // Secondary suppression: no partition of France withholds a single part.
    let (ind, status) = (nat.column("indicator").unwrap().str().unwrap(), nat.column("status").unwrap().str().unwrap());
    let mut withheld: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for i in 0..nat.height() {
        if status.get(i).is_some_and(|n| n.starts_with("secret")) {
            *withheld.entry((kinds.get(i).unwrap(), ind.get(i).unwrap())).or_default() += 1;
        }
    }
    assert!(!withheld.is_empty(), "the demo data has small counts somewhere");
    assert!(withheld.values().all(|&n| n != 1), "{withheld:?}");

    // The diagnostic's département value is the national table's.
    let diag = dir.path().join("diag");
    run(&["diagnose", "--territory", "cpts-camargue-gardoise", "--out", diag.to_str().unwrap()], &cache);
    let d = parquet(&diag.join("diagnostic.parquet"));
    let ids = d.column("id").unwrap().str().unwrap();
    let dep = d.column("departement_value").unwrap().f64().unwrap();
    for row in 0..d.height() {
        let id = ids.get(row).unwrap();
        // The same up to the order of the additions (the areas are decimals: the département
        // sums of `diagnose` and the commune sums of `national` round differently).
        match (dep.get(row), value_of(&nat, "code", "30", id, "value")) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{id}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{id}"),
        }
    }

    // Benchmark of an EPCI-wide CLS among the EPCI of its région.
    let bench = dir.path().join("bench");
    run(&["benchmark", "--territory", "cls-rochefort-ocean", "--against", "epci", "--region", "75", "--out", bench.to_str().unwrap()], &cache);
    let s = parquet(&bench.join("benchmark.parquet"));
    assert_eq!(s.height(), indicators);
    let among = s.column("among").unwrap().u32().unwrap();
    let region_epci = r.epcis.keys().filter(|e| r.base_units_of_epci(e).first().is_some_and(|u| u.region == "75")).count();
    assert!(among.iter().flatten().all(|n| (n as usize) < region_epci), "the territory's own EPCI is not among the others");
    let ranks = s.column("rank").unwrap().u32().unwrap();
    assert!(ranks.iter().zip(among.iter()).all(|(r, n)| matches!((r, n), (Some(r), Some(n)) if r >= 1 && r <= n + 1) || r.is_none()));
    let quintiles = s.column("quintile").unwrap().u32().unwrap();
    assert!(quintiles.iter().flatten().all(|q| (1..=5).contains(&q)));
    let peers = parquet(&bench.join("peers.parquet"));
    assert_eq!(peers.height(), 10);
    assert!(peers.column("code").unwrap().str().unwrap().iter().all(|c| c != Some("200041762")));
    let points = parquet(&bench.join("funnel-points.parquet"));
    let me = points.column("is_territory").unwrap().bool().unwrap();
    let pid = points.column("indicator").unwrap().str().unwrap();
    let mine = (0..points.height()).filter(|&i| me.get(i) == Some(true) && pid.get(i) == Some("sans_mt_17_plus")).count();
    assert_eq!(mine, 1);
    let limits = parquet(&bench.join("funnel-limits.parquet"));
    let lid = limits.column("indicator").unwrap().str().unwrap();
    assert_eq!(lid.iter().filter(|i| *i == Some("sans_mt_17_plus")).count(), 100);
    // Every table says where its data comes from: per indicator, the real source (the census
    // and areas) or the synthetic data; the peers, the data's label.
    let data_of = |table: &DataFrame, id: &str| text_of(table, "indicator", id, id, "data");
    let insee =
        |d: Option<String>| d.is_some_and(|d| d.starts_with("INSEE, comparateur de territoires (via datas.fun) 2021") && !d.contains("synthétiques"));
    assert!(insee(data_of(&s, "population")) && insee(data_of(&s, "chomage_15_64")) && insee(data_of(&s, "densite_population")));
    assert_eq!(data_of(&s, "ald_toutes").as_deref(), Some("données synthétiques de démonstration"));
    assert_eq!(data_of(&s, "mortalite_generale").as_deref(), Some("données synthétiques de démonstration"), "deaths split by age: synthetic");
    for table in [&points, &limits] {
        let data = table.column("data").unwrap().str().unwrap();
        assert!(data.iter().all(|d| d.is_some_and(|d| d.contains("données synthétiques de démonstration") || d.starts_with("INSEE"))));
    }
    let peers_data = peers.column("data").unwrap().str().unwrap();
    assert!(peers_data.iter().all(|d| d == Some("données publiques réelles complétées de données synthétiques de démonstration")));
    // Peers by density: the areas are real.
    let on = peers.column("chosen_on").unwrap().str().unwrap();
    assert!(on.iter().all(|o| o.is_some_and(|o| o.ends_with("densite_population"))), "{on:?}");
}

fn text_of(df: &DataFrame, key_col: &str, key: &str, indicator: &str, col: &str) -> Option<String> {
    let (k, i, v) =
        (df.column(key_col).unwrap().str().unwrap(), df.column("indicator").unwrap().str().unwrap(), df.column(col).unwrap().str().unwrap());
    (0..df.height()).find(|&r| k.get(r) == Some(key) && i.get(r) == Some(indicator)).and_then(|r| v.get(r)).map(str::to_owned)
}

/// A value withheld because an input cell is secret at source is secret like any other:
/// the national table withholds a second value in each partition it belongs to.
#[test]
fn a_value_withheld_for_a_secret_input_is_protected_by_secondary_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Every commune of the Gard, the Charente-Maritime and the Vienne (a value needs half of a
    // geography's communes at least); Nîmes has its unemployed count secret (`s`).
    let communes = parquet(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo/communes.parquet"));
    let (code, kind, dep) = (
        communes.column("code").unwrap().str().unwrap(),
        communes.column("kind").unwrap().str().unwrap(),
        communes.column("departement").unwrap().str().unwrap(),
    );
    let mut text = String::from("CODGEO;P21_POP;P21_ACT1564;P21_CHOM1564\n");
    for ((c, k), d) in code.iter().zip(kind.iter()).zip(dep.iter()) {
        if let (Some(c), Some("commune"), Some("30" | "17" | "86")) = (c, k, d) {
            let unemployed = if c == "30189" { "s".to_owned() } else { (20 + c.len() * 3 + (c.as_bytes()[4] - b'0') as usize).to_string() };
            text.push_str(&format!("{c};1000;400;{unemployed}\n"));
        }
    }
    let file = dir.path().join("insee.csv");
    std::fs::write(&file, text).unwrap();
    let o = diagsante().args(["ingest", "insee", file.to_str().unwrap(), "--out", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("national");
    run(&["national", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()], &dir.path().join("cache"));
    let nat = parquet(&out.join("national.parquet"));
    let r = Referential::embedded().unwrap();
    let nimes = r.unit("30189").unwrap();
    let (epci, dep) = (nimes.epci.clone().unwrap(), nimes.departement.clone());
    assert_eq!(text_of(&nat, "code", &epci, "chomage_15_64", "status").as_deref(), Some("secret_input"));
    assert_eq!(text_of(&nat, "code", &dep, "chomage_15_64", "status").as_deref(), Some("secret_input"));
    let (kind, ind, status) =
        (nat.column("kind").unwrap().str().unwrap(), nat.column("indicator").unwrap().str().unwrap(), nat.column("status").unwrap().str().unwrap());
    for k in ["epci", "departement"] {
        let secret = (0..nat.height())
            .filter(|&i| kind.get(i) == Some(k) && ind.get(i) == Some("chomage_15_64") && status.get(i).is_some_and(|s| s.starts_with("secret")))
            .count();
        assert!(secret >= 2, "{k}: the secret part is not alone in its partition ({secret})");
    }
}

/// CPTS Aliénor Ô Poitou is CC du Haut Poitou without Quinçay: a count of the CPTS published
/// beside the EPCI's would give Quinçay's by difference. Where that difference is under the
/// threshold, the diagnostic and the benchmark withhold the CPTS's value and say why.
#[test]
fn a_territory_nested_in_an_epci_withholds_what_a_difference_would_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let nat_dir = dir.path().join("national");
    run(&["national", "--out", nat_dir.to_str().unwrap()], &cache);
    let nat = parquet(&nat_dir.join("national.parquet"));
    let diag = dir.path().join("diag");
    run(&["diagnose", "--territory", "cpts-alienor-o-poitou", "--out", diag.to_str().unwrap()], &cache);
    let d = parquet(&diag.join("diagnostic.parquet"));
    let bench = dir.path().join("bench");
    run(&["benchmark", "--territory", "cpts-alienor-o-poitou", "--against", "epci", "--out", bench.to_str().unwrap()], &cache);
    let b = parquet(&bench.join("benchmark.parquet"));
    let catalogue = diagsante::indicators::catalogue::load(None).unwrap();
    let (ids, counts, status) =
        (d.column("id").unwrap().str().unwrap(), d.column("count").unwrap().f64().unwrap(), d.column("status").unwrap().str().unwrap());
    let mut by_difference = 0;
    for i in 0..d.height() {
        let id = ids.get(i).unwrap();
        let Some(ind) = catalogue.iter().find(|c| c.id == id) else { continue };
        let epci = value_of(&nat, "code", "200069763", id, "count");
        if status.get(i) == Some("secret_difference") {
            by_difference += 1;
            assert_eq!(bench_value(&b, id), None, "{id}: withheld in the benchmark too");
            continue;
        }
        if let (Some(mine), Some(theirs)) = (counts.get(i), epci) {
            assert!((theirs - mine).abs() >= ind.min_count, "{id}: {theirs} − {mine} would be published under {}", ind.min_count);
        }
    }
    assert!(by_difference > 0, "Quinçay's small counts are protected somewhere");
}

fn bench_value(b: &DataFrame, id: &str) -> Option<f64> {
    let (i, v) = (b.column("indicator").unwrap().str().unwrap(), b.column("value").unwrap().f64().unwrap());
    (0..b.height()).find(|&r| i.get(r) == Some(id)).and_then(|r| v.get(r))
}
