//! The demo dataset as the pipeline reads it: the canonical fact table and roster, written
//! to a folder, and cached on disk so that later commands generate it once.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::rng::{fnv1a, fnv1a_from};
use super::{generate, real, DemoData, DATA_LABEL, DEMO_LABEL, DEMO_SOURCE, DEMO_YEAR, GENERATOR_VERSION};
use crate::error::{Error, Result};
use crate::facts::schema::complete;
use crate::facts::{current_year, read_parquet, write_parquet, Kind, Level, Origin};
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
/// The embedded real counts summed by département (see [`DEPARTEMENTS_FILE`]), computed on
/// first use. Not named `facts-*` either.
pub const REAL_DEPARTEMENTS_FILE: &str = "departements-real.parquet";
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
        Column::new("synthetic".into(), vec![true; g.len()]),
    ])?)
}

/// Write the demo dataset into `dir` (each file atomically): the synthetic facts and roster,
/// the embedded real fact files beside them (so that the folder, given as `--data`, is the
/// data every command reads by default), and a French notice saying which is which.
pub fn write(data: &DemoData, dir: &Path, seed: u64) -> Result<()> {
    write_parquet(&mut facts_frame(data)?, &dir.join(FACTS_FILE))?;
    write_parquet(&mut roster_frame(data)?, &dir.join(ROSTER_FILE))?;
    for (name, bytes) in real::FILES {
        crate::output::write_atomic(&dir.join(name), bytes)?;
    }
    let real_files: Vec<&str> = real::FILES.iter().map(|(n, _)| *n).collect();
    let notice = format!(
        "{DEMO_LABEL}\n\n{FACTS_FILE} et {ROSTER_FILE} sont générés par diagsante (graine {seed}) pour montrer le \
         fonctionnement de l'outil. Ils ne décrivent aucun territoire réel : ne les citez pas dans un diagnostic.\n\
         Les autres fichiers ({}) sont des données publiques réelles (INSEE…), dont ces données synthétiques \
         complètent ce qu'elles ne donnent pas : leurs sources sont dans data/README.md du projet diagsante.\n\
         Hypothèses de génération : voir data/README.md du projet diagsante.\n",
        if real_files.is_empty() { "aucun".to_owned() } else { real_files.join(", ") }
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

/// The identity of the referential and the real data as the demo reads them: a hash
/// (FNV-1a, stable across Rust versions) of every unit's code, commune, département, zone and
/// population, in order, and of the embedded real files ([`real::fingerprint`]); the base
/// units and their real populations are the generator's input, the départements the keys of
/// the cached sums. Another referential or other real data, even under the same version
/// name, gives another cache; so does another vocabulary of measures ([`super::MEASURES`]),
/// so that two branches of the source that both bumped the version to the same number, one
/// adding measures, do not share a cache.
fn referential_fingerprint(r: &Referential) -> u64 {
    let real = real::fingerprint().to_le_bytes();
    let vocabulary =
        super::MEASURES.iter().fold(fnv1a(b"measures"), |h, (name, meaning)| fnv1a_from(fnv1a_from(h, name.as_bytes()), meaning.as_bytes()));
    r.units().iter().fold(fnv1a_from(fnv1a_from(fnv1a(b"referential"), &real), &vocabulary.to_le_bytes()), |h, u| {
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

/// The default data a single territory's diagnostic needs (see [`super::data`]): its units'
/// own rows (GPs included) and the département sums (see [`DEPARTEMENTS_FILE`]), of the
/// synthetic data (generated into the cache on first use) and of the embedded real data, read
/// by [`load::by_period`] as the whole data is; with the data's label.
pub fn for_territory(r: &Referential, seed: u64, units: &[String]) -> Result<(load::Periods, &'static str)> {
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
    let synthetic = complete(own.vstack(&gp)?.vstack(&deps)?, &Origin::Synthetic, &dir)?.select(load::LOAD_COLUMNS)?;
    // The same reading of years as the full table (`load::from_frames`).
    if real::FILES.is_empty() {
        return Ok((load::by_period(vec![synthetic], current_year())?, DEMO_LABEL));
    }
    let real = real_for_territory(&dir, units, r)?;
    Ok((load::by_period(vec![synthetic, real], current_year())?, DATA_LABEL))
}

/// The real facts a territory's diagnostic reads (see [`for_territory`]): the commune counts
/// of `units`, read from the copies of the real files in the cache folder `dir` (written there
/// from the embedded ones when absent), and those of every département summed
/// ([`real_departement_sums`], cached in [`REAL_DEPARTEMENTS_FILE`]).
fn real_for_territory(dir: &Path, units: &[String], r: &Referential) -> Result<DataFrame> {
    let wanted = Series::new("units".into(), units.to_vec());
    // In the files' order, as `real::facts` reads them (not merged, which reorders rows):
    // decimal sums (areas) must come out the same to the last bit as the national pass's.
    let mut own: Option<DataFrame> = None;
    for (name, bytes) in real::FILES {
        let path = dir.join(name);
        if !path.exists() {
            crate::output::write_atomic(&path, bytes)?;
        }
        let scan = LazyFrame::scan_parquet(PlRefPath::from(path.display().to_string().as_str()), ScanArgsParquet::default())?;
        let df = load::fact_file(scan.filter(col("geo").is_in(lit(wanted.clone()).implode(false), false)).collect()?, name, &path)?;
        match &mut own {
            Some(all) => all.vstack_mut(&df).map(|_| ())?,
            None => own = Some(df),
        }
    }
    let own = own.ok_or_else(|| Error::Internal("no embedded real file".into()))?;
    let own = own.lazy().filter(col("level").eq(lit(Level::Commune.code())).and(col("kind").eq(lit(Kind::Count.code())))).collect()?;
    let sums = dir.join(REAL_DEPARTEMENTS_FILE);
    if !sums.exists() {
        let Some(facts) = real::facts()? else { return Ok(own) };
        write_parquet(&mut real_departement_sums(&facts, r)?, &sums)?;
    }
    let deps = read_parquet(&sums)?;
    let deps = deps
        .lazy()
        .select(load::LOAD_COLUMNS.map(|c| col(c).cast(own.column(c).map(|x| x.dtype().clone()).unwrap_or(DataType::String))))
        .collect()?;
    Ok(own.vstack(&deps)?)
}

/// The real commune counts of every département summed (`dep:30`…; a sum with a withheld cell
/// is withheld), and the real département rows of the measures given by département only,
/// with the columns of [`load::LOAD_COLUMNS`]. The sums add the communes in the
/// order of the facts, as the national aggregation does (`indicators::evaluate::aggregate`),
/// so that a département's value is the same to the last bit whichever way it is computed
/// (decimal areas).
fn real_departement_sums(facts: &DataFrame, r: &Referential) -> Result<DataFrame> {
    let counts = facts.clone().lazy().filter(col("level").eq(lit(Level::Commune.code())).and(col("kind").eq(lit(Kind::Count.code())))).collect()?;
    let departement: std::collections::HashMap<&str, &str> = r.units().iter().map(|u| (u.code.as_str(), u.departement.as_str())).collect();
    type Key = (String, i32, i32, String, String, Option<u32>, Option<u32>, String, String);
    let mut sums: std::collections::BTreeMap<Key, Option<f64>> = std::collections::BTreeMap::new();
    let text = |c: &str| -> Result<Vec<String>> { Ok(counts.column(c)?.str()?.iter().map(|v| v.unwrap_or_default().to_owned()).collect()) };
    let (geo, measure, sex, publisher, dataset) = (text("geo")?, text("measure")?, text("sex")?, text("publisher")?, text("dataset")?);
    let (year, start) = (counts.column("year")?.cast(&DataType::Int32)?, counts.column("year_start")?.cast(&DataType::Int32)?);
    let (year, start) = (year.i32()?, start.i32()?);
    let (age_min, age_max) = (counts.column("age_min")?.cast(&DataType::UInt32)?, counts.column("age_max")?.cast(&DataType::UInt32)?);
    let (age_min, age_max, value) = (age_min.u32()?, age_max.u32()?, counts.column("value")?.f64()?);
    for i in 0..counts.height() {
        let Some(dep) = departement.get(geo[i].as_str()) else { continue };
        let key = (
            format!("{DEPARTEMENT_PREFIX}{dep}"),
            year.get(i).unwrap_or_default(),
            start.get(i).unwrap_or_default(),
            measure[i].clone(),
            sex[i].clone(),
            age_min.get(i),
            age_max.get(i),
            publisher[i].clone(),
            dataset[i].clone(),
        );
        let sum = sums.entry(key).or_insert(Some(0.0));
        *sum = sum.zip(value.get(i)).map(|(a, b)| a + b);
    }
    let n = sums.len();
    let keys: Vec<&Key> = sums.keys().collect();
    let deps = DataFrame::new_infer_height(vec![
        Column::new("geo".into(), keys.iter().map(|k| k.0.as_str()).collect::<Vec<_>>()),
        Column::new("level".into(), vec![Level::Commune.code(); n]),
        Column::new("year".into(), keys.iter().map(|k| k.1).collect::<Vec<_>>()),
        Column::new("year_start".into(), keys.iter().map(|k| k.2).collect::<Vec<_>>()),
        Column::new("measure".into(), keys.iter().map(|k| k.3.as_str()).collect::<Vec<_>>()),
        Column::new("sex".into(), keys.iter().map(|k| k.4.as_str()).collect::<Vec<_>>()),
        Column::new("age_min".into(), keys.iter().map(|k| k.5).collect::<Vec<_>>()),
        Column::new("age_max".into(), keys.iter().map(|k| k.6).collect::<Vec<_>>()),
        Column::new("value".into(), sums.values().copied().collect::<Vec<_>>()),
        Column::new("kind".into(), vec![Kind::Count.code(); n]),
        Column::new("unit".into(), vec![None::<&str>; n]),
        Column::new("publisher".into(), keys.iter().map(|k| k.7.as_str()).collect::<Vec<_>>()),
        Column::new("dataset".into(), keys.iter().map(|k| k.8.as_str()).collect::<Vec<_>>()),
        Column::new("synthetic".into(), vec![false; n]),
    ])?;
    // The types of the fact table's columns.
    let deps = deps
        .lazy()
        .select(load::LOAD_COLUMNS.map(|c| col(c).cast(counts.column(c).map(|x| x.dtype().clone()).unwrap_or(DataType::String))))
        .collect()?;
    // And the département rows of the measures the real data gives by département only
    // (ameli's headcounts…), as they are: the comparators read them
    // (`indicators::evaluate::Geography`).
    let at_communes = counts.column("measure")?.unique()?.as_materialized_series().clone();
    let departement_rows = facts
        .clone()
        .lazy()
        .filter(
            col("level")
                .eq(lit(Level::Departement.code()))
                .and(col("kind").eq(lit(Kind::Count.code())))
                .and(col("measure").is_in(lit(at_communes).implode(false), false).not()),
        )
        .select(load::LOAD_COLUMNS.map(|c| col(c).cast(counts.column(c).map(|x| x.dtype().clone()).unwrap_or(DataType::String))))
        .collect()?;
    Ok(deps.vstack(&departement_rows)?)
}

/// The demo fact table and roster, generated into the cache on first use.
pub fn cached(r: &Referential, seed: u64) -> Result<(DataFrame, DataFrame)> {
    cached_columns(r, seed, None)
}

/// The demo fact table (only `columns`, when given: the others are constant, see
/// [`facts_frame`]) and roster, generated into the cache on first use.
pub fn cached_columns(r: &Referential, seed: u64, columns: Option<&[&str]>) -> Result<(DataFrame, DataFrame)> {
    let dir = cache_dir(r, seed);
    if !dir.join(FACTS_FILE).exists() || !dir.join(ROSTER_FILE).exists() {
        write(&generate(r, seed)?, &dir, seed)?;
    }
    let facts = match columns {
        None => read_parquet(&dir.join(FACTS_FILE))?,
        Some(columns) => crate::facts::schema::read_parquet_columns(&dir.join(FACTS_FILE), columns)?,
    };
    let roster = read_parquet(&dir.join(ROSTER_FILE))?;
    if facts.height() == 0 {
        return Err(Error::Internal(format!("the demo cache {} is empty: delete it and run again", dir.display())));
    }
    Ok((facts, roster))
}
