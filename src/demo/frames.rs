//! The demo dataset as the pipeline reads it: the canonical fact table and roster, written
//! to a folder, and cached on disk so that later commands generate it once.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::rng::{fnv1a, fnv1a_from};
use super::{generate, DemoData, DEMO_LABEL, DEMO_SOURCE, DEMO_YEAR, GENERATOR_VERSION};
use crate::error::{Error, Result};
use crate::facts::schema::complete;
use crate::facts::{read_parquet, write_parquet, Kind, Origin};
use crate::geo::Referential;
use crate::ingest::load;

/// File names inside a demo folder.
pub const FACTS_FILE: &str = "facts-demo.parquet";
pub const ROSTER_FILE: &str = "roster.parquet";
/// The demo counts (GPs included) summed by département, so that a single territory's
/// diagnostic does not re-read the national facts for its comparators. Not named `facts-*`:
/// `--data` on this folder must not count it twice.
pub const DEPARTEMENTS_FILE: &str = "departements-demo.parquet";
/// Prefix of the département codes in that file (`dep:30`), so they never meet a commune code.
pub const DEPARTEMENT_PREFIX: &str = "dep:";
const LABEL_FILE: &str = "LISEZ-MOI.txt";

/// The canonical fact table of the demo data (see [`crate::facts::schema::FACT_COLUMNS`]),
/// every row synthetic.
pub fn facts_frame(data: &DemoData) -> Result<DataFrame> {
    let f = &data.facts;
    let n = f.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("geo".into(), f.iter().map(|x| x.geo.as_str()).collect::<Vec<_>>()),
        Column::new("level".into(), vec!["commune"; n]),
        Column::new("year".into(), f.iter().map(|x| x.year).collect::<Vec<_>>()),
        Column::new("year_start".into(), f.iter().map(|x| x.year).collect::<Vec<_>>()),
        Column::new("year_end".into(), f.iter().map(|x| x.year).collect::<Vec<_>>()),
        Column::new("measure".into(), f.iter().map(|x| x.measure).collect::<Vec<_>>()),
        Column::new("sex".into(), f.iter().map(|x| x.sex.code()).collect::<Vec<_>>()),
        Column::new("age_min".into(), f.iter().map(|x| x.age_min).collect::<Vec<_>>()),
        Column::new("age_max".into(), f.iter().map(|x| x.age_max).collect::<Vec<_>>()),
        Column::new("value".into(), f.iter().map(|x| Some(x.value)).collect::<Vec<_>>()),
        Column::new("kind".into(), vec![Kind::Count.code(); n]),
        Column::new("unit".into(), vec![None::<&str>; n]),
        Column::new("publisher".into(), vec![""; n]),
        Column::new("dataset".into(), vec![""; n]),
        Column::new("synthetic".into(), vec![true; n]),
        Column::new("source".into(), vec![DEMO_SOURCE; n]),
        Column::new("suppressed".into(), vec![false; n]),
    ])?)
}

/// The roster of the demo data, with the columns of an ingested roster.
pub fn roster_frame(data: &DemoData) -> Result<DataFrame> {
    let g = &data.roster;
    Ok(DataFrame::new_infer_height(vec![
        Column::new("id".into(), g.iter().map(|x| x.id.as_str()).collect::<Vec<_>>()),
        Column::new("profession".into(), vec!["Médecin généraliste"; g.len()]),
        Column::new("geo".into(), g.iter().map(|x| x.commune.as_str()).collect::<Vec<_>>()),
        Column::new("birth_year".into(), g.iter().map(|x| Some(x.birth_year)).collect::<Vec<_>>()),
        Column::new("sex".into(), g.iter().map(|x| x.sex.code()).collect::<Vec<_>>()),
        Column::new("activity".into(), g.iter().map(|x| Some(f64::from(x.consultations_per_year))).collect::<Vec<_>>()),
        Column::new("installation_year".into(), g.iter().map(|x| Some(x.installation_year)).collect::<Vec<_>>()),
    ])?)
}

/// Write the demo dataset into `dir` (each file atomically), with a French notice saying
/// that it is synthetic.
pub fn write(data: &DemoData, dir: &Path, seed: u64) -> Result<()> {
    write_parquet(&mut facts_frame(data)?, &dir.join(FACTS_FILE))?;
    write_parquet(&mut roster_frame(data)?, &dir.join(ROSTER_FILE))?;
    let notice = format!(
        "{DEMO_LABEL}\n\nCes fichiers sont générés par diagsante (graine {seed}) pour montrer le fonctionnement \
         de l'outil. Ils ne décrivent aucun territoire réel : ne les citez pas dans un diagnostic.\n\
         Hypothèses de génération : voir data/README.md du projet diagsante.\n"
    );
    crate::output::write_atomic(&dir.join(LABEL_FILE), notice.as_bytes())
}

/// The default cache folder of the demo data for a referential and a seed:
/// `demo-v<GENERATOR_VERSION>-<referential fingerprint>-seed<seed>` under `$DIAGSANTE_CACHE`
/// (else `$XDG_CACHE_HOME/diagsante`, `~/.cache/diagsante`, the temporary folder). The name
/// holds everything the files depend on, and nothing else: editing the source without
/// changing the data (a comment, a refactoring, a new release) keeps the cache.
pub fn cache_dir(r: &Referential, seed: u64) -> PathBuf {
    let base = std::env::var_os("DIAGSANTE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("diagsante")))
        .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/diagsante")))
        .unwrap_or_else(|| std::env::temp_dir().join("diagsante"));
    base.join(format!("demo-v{GENERATOR_VERSION}-{:016x}-seed{seed}", referential_fingerprint(r)))
}

/// The identity of the referential as the demo reads it: a hash (FNV-1a, stable across Rust
/// versions) of every unit's code, commune, département, zone and population, in order; the
/// base units and their populations are the generator's input, the départements the keys of
/// the cached sums. Another referential, even under the same version name, gives another
/// cache.
fn referential_fingerprint(r: &Referential) -> u64 {
    r.units().iter().fold(fnv1a(b"referential"), |h, u| {
        let population = u.population.map_or_else(|| "-".to_owned(), |p| p.to_string());
        [u.code.as_str(), u.commune.as_str(), u.departement.as_str(), u.zone.as_str(), population.as_str()]
            .iter()
            .fold(h, |h, field| fnv1a_from(fnv1a_from(h, field.as_bytes()), b"\x1f"))
    })
}

/// The demo facts (GP roster as `gp` facts) summed by département.
pub fn departement_aggregates(facts: &DataFrame, roster: &DataFrame, r: &Referential) -> Result<DataFrame> {
    let columns = ["geo", "year", "measure", "sex", "age_min", "age_max", "value"];
    let gp = load::roster_facts(roster, DEMO_YEAR)?;
    let all = facts.select(columns)?.vstack(&gp.select(columns)?)?;
    let units: Vec<&crate::geo::Unit> = r.units().iter().collect();
    let mapping = DataFrame::new_infer_height(vec![
        Column::new("geo".into(), units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>()),
        Column::new("dep".into(), units.iter().map(|u| format!("{DEPARTEMENT_PREFIX}{}", u.departement)).collect::<Vec<_>>()),
    ])?;
    Ok(all
        .lazy()
        .join(mapping.lazy(), [col("geo")], [col("geo")], JoinArgs::new(JoinType::Inner))
        .group_by([col("dep"), col("year"), col("measure"), col("sex"), col("age_min"), col("age_max")])
        .agg([col("value").sum()])
        .select([col("dep").alias("geo"), col("year"), col("measure"), col("sex"), col("age_min"), col("age_max"), col("value")])
        .sort(["geo", "measure", "sex"], SortMultipleOptions::default())
        .collect()?)
}

/// The demo facts a single territory's diagnostic needs: its units' own rows (GPs included)
/// and the département sums (see [`DEPARTEMENTS_FILE`]), generated into the cache on first use.
pub fn for_territory(r: &Referential, seed: u64, units: &[String]) -> Result<DataFrame> {
    let dir = cache_dir(r, seed);
    if !dir.join(DEPARTEMENTS_FILE).exists() {
        let (facts, roster) = cached(r, seed)?;
        write_parquet(&mut departement_aggregates(&facts, &roster, r)?, &dir.join(DEPARTEMENTS_FILE))?;
    }
    let wanted = Series::new("units".into(), units.to_vec());
    let columns = [col("geo"), col("year"), col("measure"), col("sex"), col("age_min"), col("age_max"), col("value")];
    let scan = |file: &str| -> Result<LazyFrame> {
        Ok(LazyFrame::scan_parquet(PlRefPath::from(dir.join(file).display().to_string().as_str()), ScanArgsParquet::default())?)
    };
    let own = scan(FACTS_FILE)?.filter(col("geo").is_in(lit(wanted.clone()).implode(false), false)).select(columns.clone()).collect()?;
    let roster = scan(ROSTER_FILE)?.filter(col("geo").is_in(lit(wanted).implode(false), false)).collect()?;
    let gp = load::roster_facts(&roster, DEMO_YEAR)?;
    let gp = gp.lazy().select(columns).collect()?;
    let deps = read_parquet(&dir.join(DEPARTEMENTS_FILE))?.select(["geo", "year", "measure", "sex", "age_min", "age_max", "value"])?;
    // The same reading of years as the full table (`load::from_frames`), every row synthetic.
    let all = complete(own.vstack(&gp)?.vstack(&deps)?, &Origin::Synthetic, &dir)?;
    Ok(load::by_period(all, DEMO_YEAR)?.facts)
}

/// The demo fact table and roster, generated into the cache on first use.
pub fn cached(r: &Referential, seed: u64) -> Result<(DataFrame, DataFrame)> {
    let dir = cache_dir(r, seed);
    if !dir.join(FACTS_FILE).exists() || !dir.join(ROSTER_FILE).exists() {
        write(&generate(r, seed), &dir, seed)?;
    }
    let facts = read_parquet(&dir.join(FACTS_FILE))?;
    let roster = read_parquet(&dir.join(ROSTER_FILE))?;
    if facts.height() == 0 {
        return Err(Error::Internal(format!("the demo cache {} is empty: delete it and run again", dir.display())));
    }
    Ok((facts, roster))
}
