//! `diagsante demo-data`: the national synthetic dataset is deterministic, completes the
//! embedded real data (its split by age adds up to the census population of each commune),
//! and gives plausible national rates.

use std::collections::HashMap;
use std::path::Path;

use diagsante::geo::Referential;
use polars::prelude::*;

use crate::diagsante;

fn generate(dir: &Path, seed: &str) {
    let out = diagsante().args(["demo-data", "--out", dir.to_str().unwrap(), "--seed", seed]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("données synthétiques de démonstration"));
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

/// Σ value of a measure (optionally from an age), nationally.
fn total(df: &DataFrame, measure: &str, min_age: Option<u32>) -> f64 {
    let mut lf = df.clone().lazy().filter(col("measure").eq(lit(measure)));
    if let Some(a) = min_age {
        lf = lf.filter(col("age_min").gt_eq(lit(a)));
    }
    let out = lf.select([col("value").sum()]).collect().unwrap();
    out.column("value").unwrap().f64().unwrap().get(0).unwrap()
}

#[test]
fn demo_data_is_deterministic_complete_and_plausible() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    generate(&a, "20260101");
    generate(&b, "20260101");
    generate(&c, "7");
    for file in ["facts-demo.parquet", "roster.parquet"] {
        let (x, y, z) = (std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap(), std::fs::read(c.join(file)).unwrap());
        assert!(x == y, "{file}: same seed, same bytes");
        assert!(x != z, "{file}: another seed, other data");
    }
    let notice = std::fs::read_to_string(a.join("LISEZ-MOI.txt")).unwrap();
    assert!(notice.contains("données synthétiques de démonstration") && notice.contains("données publiques réelles"), "{notice}");

    let facts = parquet(&a.join("facts-demo.parquet"));
    assert!(facts.column("source").unwrap().str().unwrap().iter().all(|s| s.is_some_and(|s| s.contains("synthetic"))));
    // The real data it completes is beside it, as embedded (the folder is the default data).
    let real = parquet(&a.join("facts-communes-file-communes_france_2024_centroids_pop.parquet"));
    assert!(!real.column("synthetic").unwrap().bool().unwrap().any());
    for held in ["area_km2", "active_15_64", "unemployed_15_64", "population_base", "births", "households"] {
        assert_eq!(total(&facts, held, None), 0.0, "{held}: given by the real data, not generated");
    }

    // Commune by commune, the synthetic split by sex and age adds up to the census
    // population 2021 of the real data (arrondissements for Paris, Lyon and Marseille);
    // Mayotte, without census figures there, has no synthetic data either.
    let census = real
        .clone()
        .lazy()
        .filter(col("measure").eq(lit("population")).and(col("year").eq(lit(2021))).and(col("age_min").is_null()))
        .collect()
        .unwrap();
    let census: HashMap<&str, f64> =
        census.column("geo").unwrap().str().unwrap().iter().flatten().zip(census.column("value").unwrap().f64().unwrap().iter().flatten()).collect();
    let by_commune =
        facts.clone().lazy().filter(col("measure").eq(lit("population"))).group_by([col("geo")]).agg([col("value").sum()]).collect().unwrap();
    let got: HashMap<&str, f64> = by_commune
        .column("geo")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .zip(by_commune.column("value").unwrap().f64().unwrap().iter().flatten())
        .collect();
    assert_eq!(got, census, "the split of each commune adds up to its census population");
    assert!(!got.contains_key("75056") && got.contains_key("75101"), "Paris comes by arrondissement");
    assert!(!got.keys().any(|g| g.starts_with("976")), "Mayotte");
    let r = Referential::embedded().unwrap();
    let units = r.communes().filter(|c| c.in_france()).flat_map(|c| r.base_units(&c.code)).count();
    // Besides Mayotte's 17, the 5 communes restored in 2025 from communes nouvelles of the
    // 2024 file (15031, 15035, 15047, 15171, 27676), counted there in their former commune.
    assert_eq!(units - got.len(), 22, "{} of {units} units", got.len());

    // National plausibility (INSEE 2023: 21.3 % aged 65+; about 9-10 deaths per 1,000;
    // Assurance Maladie: about 11 % of patients aged 17+ without médecin traitant).
    let population = total(&facts, "population", None);
    assert!((67.0e6..70.0e6).contains(&population), "{population}");
    let share_65 = total(&facts, "population", Some(65)) / population;
    assert!((0.19..0.235).contains(&share_65), "{share_65}");
    let deaths_per_1000 = 1000.0 * total(&facts, "deaths_all_causes", None) / population;
    assert!((8.5..11.0).contains(&deaths_per_1000), "{deaths_per_1000}");
    let without = total(&facts, "patients_17p_without_gp", None) / total(&facts, "patients_17p", None);
    assert!((0.08..0.14).contains(&without), "{without}");
    let screened = total(&facts, "breast_screening_done", None) / total(&facts, "breast_screening_eligible", None);
    assert!((0.35..0.6).contains(&screened), "{screened}");

    let roster = parquet(&a.join("roster.parquet"));
    let density = roster.height() as f64 / population * 1e5;
    assert!((70.0..95.0).contains(&density), "GPs per 100,000: {density}");
    let old = roster.column("birth_year").unwrap().i32().unwrap().iter().flatten().filter(|&y| 2023 - y >= 60).count();
    let share_old = old as f64 / roster.height() as f64;
    assert!((0.2..0.4).contains(&share_old), "GPs aged 60+: {share_old}");
}

#[test]
fn demo_data_goes_to_the_cache_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = diagsante().env("DIAGSANTE_CACHE", dir.path()).args(["demo-data", "--seed", "3"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cached = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    assert!(cached.file_name().unwrap().to_str().unwrap().ends_with("seed3"), "{cached:?}");
    assert!(cached.join("facts-demo.parquet").exists() && cached.join("roster.parquet").exists());
}
