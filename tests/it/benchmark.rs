//! `diagsante benchmark` and `diagsante national` on the synthetic demo data.

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
    let (k, i, v) = (df.column(key_col).unwrap().str().unwrap(), df.column("indicator").unwrap().str().unwrap(), df.column(col).unwrap().f64().unwrap());
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
    // Populations: each département's is the referential's.
    let gard: u64 = r.base_units_of_departement("30").iter().map(|u| u.population.unwrap_or(0)).sum();
    assert_eq!(value_of(&nat, "code", "30", "population", "value"), Some(gard as f64));

    // Secondary suppression: no partition of France withholds a single part.
    let (ind, note) = (nat.column("indicator").unwrap().str().unwrap(), nat.column("note").unwrap().str().unwrap());
    let mut withheld: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for i in 0..nat.height() {
        if note.get(i).is_some_and(|n| n.starts_with("secret statistique")) {
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
        assert_eq!(dep.get(row), value_of(&nat, "code", "30", id, "value"), "{id}");
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
    // Every table says its data is synthetic.
    for table in [&s, &peers, &points, &limits] {
        assert!(table.column("data").unwrap().str().unwrap().iter().all(|d| d == Some("données synthétiques de démonstration")));
    }
}
