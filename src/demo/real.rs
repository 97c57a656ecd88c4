//! The real open data embedded as the default data: the fact files of `data/real/`, written
//! by `scripts/embed-real-data.sh` (`diagsante ingest` on the publishers' files, listed with
//! their sources in `data/README.md`) and listed by `build.rs`. They are ordinary ingest
//! outputs, every row with its provenance, read as a `--data` folder's files are
//! ([`crate::ingest::load::fact_file`], [`crate::ingest::load::merge_files`]).
//!
//! [`Held`] says what they hold, for the generator: the measures it must not produce, and
//! the real totals its breakdowns by sex and age must add up to.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use polars::prelude::*;

use super::rng::{fnv1a, fnv1a_from};
use crate::error::{Error, Result};
use crate::facts::{current_year, Level, Provenance};
use crate::ingest::load;

include!(concat!(env!("OUT_DIR"), "/real_data.rs"));

/// The folder the files come from, named in errors.
const DIR: &str = "data/real";

/// The embedded facts (the columns of [`load::LOAD_COLUMNS`]), one frame a file in their
/// fixed order (build.rs sorts their names), read once: a file's columns of one value
/// (publisher, dataset, level…) stay constant columns (`load::read_fact_columns`). `None`
/// when none is embedded.
///
/// Each file is in its own order (ingest writes its cells in their key order, geography code
/// first): the rows of one cell come from one file, in the order of their communes, so sums
/// of decimals (areas) come out the same to the last bit at every run. No fact is given by two
/// files (a test checks it with `load::merge_files`), so the costly merge of a user's folder
/// is not needed here.
pub fn parts() -> Result<Option<Vec<DataFrame>>> {
    static PARTS: OnceLock<std::result::Result<Option<Vec<DataFrame>>, String>> = OnceLock::new();
    PARTS.get_or_init(|| read_all().map_err(|e| e.to_string())).clone().map_err(|e| Error::Internal(format!("the embedded real data: {e}")))
}

/// The embedded facts in one frame: [`parts`] one after the other.
pub fn facts() -> Result<Option<DataFrame>> {
    let Some(parts) = parts()? else { return Ok(None) };
    let mut all = DataFrame::empty();
    for part in &parts {
        if all.width() == 0 {
            all = part.clone();
        } else {
            all.vstack_mut(part)?;
        }
    }
    all.rechunk_mut_par();
    Ok(Some(all))
}

fn read_all() -> Result<Option<Vec<DataFrame>>> {
    let mut parts = Vec::new();
    for (name, bytes) in FILES {
        let path = Path::new(DIR).join(name);
        let df = load::read_fact_columns(|| Ok(Cursor::new(*bytes)), &path)?;
        parts.push(load::fact_file(df, name, &path)?);
    }
    Ok((!parts.is_empty()).then_some(parts))
}

/// The identity of the embedded files (FNV-1a of their names and bytes): the demo cache is
/// generated from them.
pub fn fingerprint() -> u64 {
    FILES.iter().fold(fnv1a(b"real"), |h, (name, bytes)| fnv1a_from(fnv1a_from(fnv1a_from(h, name.as_bytes()), b"\x1f"), bytes))
}

/// A commune's value of a measure for an age band (`None`: all ages).
type Total = (String, Option<u32>, Option<u32>, f64);

/// What the real data holds that the generator needs to know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held {
    /// The count measures it gives for communes: the generator does not produce them, but
    /// the split by sex and age of `population` and `deaths_all_causes` (see `by_sex`).
    pub measures: BTreeSet<String>,
    /// The measures it gives by sex as well: their split is not generated either.
    pub by_sex: BTreeSet<String>,
    /// Each commune's population (all ages, and the 15-64 when given) at the population's
    /// latest year, `population_year`.
    pub population: BTreeMap<String, (u64, Option<u64>)>,
    pub population_year: Option<i32>,
    /// Each commune's deaths (all causes, all ages) at their latest year, `deaths_year`.
    pub deaths: BTreeMap<String, u64>,
    pub deaths_year: Option<i32>,
    /// The département headcounts of the professions and facilities the generator spreads
    /// over the communes ([`super::supply::SUPPLY`]), at their latest year.
    pub supply: super::supply::Totals,
}

impl Held {
    /// What `facts` (the columns of [`load::LOAD_COLUMNS`]) hold: their commune-level counts,
    /// each measure at its latest year (a later year being a projection, as in
    /// [`load::by_period`]).
    pub fn of(facts: &DataFrame) -> Result<Held> {
        let counts = facts
            .clone()
            .lazy()
            .filter(col("level").eq(lit(Level::Commune.code())).and(col("kind").eq(lit("count"))).and(col("year").lt_eq(lit(current_year()))))
            .collect()?;
        let mut held = Held::default();
        let by_measure = counts
            .clone()
            .lazy()
            .group_by([col("measure")])
            .agg([col("year").max().alias("latest"), col("sex").neq(lit("all")).any(true).alias("by_sex")])
            .collect()?;
        let (m, latest, by_sex) =
            (by_measure.column("measure")?.str()?, by_measure.column("latest")?.cast(&DataType::Int32)?, by_measure.column("by_sex")?.bool()?);
        let latest = latest.i32()?;
        let mut years: BTreeMap<String, i32> = BTreeMap::new();
        for i in 0..by_measure.height() {
            let Some(name) = m.get(i) else { continue };
            held.measures.insert(name.to_owned());
            if by_sex.get(i) == Some(true) {
                held.by_sex.insert(name.to_owned());
            }
            if let Some(y) = latest.get(i) {
                years.insert(name.to_owned(), y);
            }
        }
        // The totals of one measure at its latest year: (commune, age band) → value.
        let totals = |measure: &str| -> Result<Vec<Total>> {
            let Some(&year) = years.get(measure) else { return Ok(Vec::new()) };
            let df = counts
                .clone()
                .lazy()
                .filter(col("measure").eq(lit(measure)).and(col("year").cast(DataType::Int32).eq(lit(year))).and(col("sex").eq(lit("all"))))
                .select([col("geo"), col("age_min").cast(DataType::UInt32), col("age_max").cast(DataType::UInt32), col("value")])
                .collect()?;
            let (g, a, z, v) = (df.column("geo")?.str()?, df.column("age_min")?.u32()?, df.column("age_max")?.u32()?, df.column("value")?.f64()?);
            Ok((0..df.height()).filter_map(|i| Some((g.get(i)?.to_owned(), a.get(i), z.get(i), v.get(i)?))).collect())
        };
        let count = |v: f64| v.max(0.0).round() as u64;
        for (geo, a, z, v) in totals("population")? {
            match (a, z) {
                (None, None) => held.population.entry(geo).or_insert((0, None)).0 = count(v),
                (Some(15), Some(64)) => held.population.entry(geo).or_insert((0, None)).1 = Some(count(v)),
                _ => {}
            }
        }
        // A 15-64 without its total is no total.
        let all_ages: BTreeSet<String> = totals("population")?.into_iter().filter(|t| t.1.is_none() && t.2.is_none()).map(|t| t.0).collect();
        held.population.retain(|geo, _| all_ages.contains(geo));
        held.deaths = totals("deaths_all_causes")?.into_iter().filter(|t| t.1.is_none() && t.2.is_none()).map(|t| (t.0, count(t.3))).collect();
        held.population_year = years.get("population").copied();
        held.deaths_year = years.get("deaths_all_causes").copied();
        held.supply = supply_totals(facts)?;
        Ok(held)
    }
}

/// The département counts of [`super::supply::SUPPLY`]'s measures in `facts` (all sexes and
/// ages), each at its latest year.
fn supply_totals(facts: &DataFrame) -> Result<super::supply::Totals> {
    let names = Series::new("supply".into(), super::supply::SUPPLY.iter().map(|s| s.measure).collect::<Vec<_>>());
    let df = facts
        .clone()
        .lazy()
        .filter(
            col("level")
                .eq(lit(Level::Departement.code()))
                .and(col("kind").eq(lit("count")))
                .and(col("sex").eq(lit("all")))
                .and(col("age_min").is_null())
                .and(col("age_max").is_null())
                .and(col("year").lt_eq(lit(current_year())))
                .and(col("measure").is_in(lit(names).implode(false), false)),
        )
        .select([col("geo"), col("measure"), col("year").cast(DataType::Int32), col("value")])
        .collect()?;
    let (g, m, y, v) = (df.column("geo")?.str()?, df.column("measure")?.str()?, df.column("year")?.i32()?, df.column("value")?.f64()?);
    let mut latest: BTreeMap<(String, String), (i32, f64)> = BTreeMap::new();
    for i in 0..df.height() {
        let (Some(g), Some(m), Some(y), Some(v)) = (g.get(i), m.get(i), y.get(i), v.get(i)) else { continue };
        let slot = latest.entry((m.to_owned(), g.to_owned())).or_insert((y, v));
        if y > slot.0 {
            *slot = (y, v);
        }
    }
    let mut totals = super::supply::Totals::new();
    for ((m, g), (_, v)) in latest {
        totals.entry(m).or_default().insert(g, v.max(0.0).round() as u64);
    }
    Ok(totals)
}

/// The area of `units` in km² from the embedded data (the sum of their `area_km2` at its
/// latest year) with its provenance, or `None` when a unit has none.
pub fn area(units: &[String]) -> Result<Option<(f64, Provenance)>> {
    let Some(parts) = parts()? else { return Ok(None) };
    let wanted = Series::new("units".into(), units.to_vec());
    let area = parts
        .into_iter()
        .map(|part| {
            Ok(part
                .lazy()
                .filter(
                    col("measure")
                        .eq(lit("area_km2"))
                        .and(col("level").eq(lit(Level::Commune.code())))
                        .and(col("geo").is_in(lit(wanted.clone()).implode(false), false))
                        .and(col("year").lt_eq(lit(current_year()))),
                )
                .collect()?)
        })
        .collect::<Result<Vec<_>>>()?;
    let periods = load::by_period(area, current_year())?;
    let df = periods.facts.frame()?;
    let geos: BTreeSet<&str> = df.column("geo")?.str()?.iter().flatten().collect();
    if units.iter().any(|u| !geos.contains(u.as_str())) {
        return Ok(None);
    }
    let values: Vec<Option<f64>> = df.column("value")?.f64()?.iter().collect();
    let (Some(total), Some(provenance)) = (values.iter().try_fold(0.0, |acc, v| v.map(|v| acc + v)), periods.provenance.get("area_km2").cloned())
    else {
        return Ok(None);
    };
    Ok(Some(((total * 100.0).round() / 100.0, provenance)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `data/real/` is embedded (build.rs lists them), and each loads.
    #[test]
    fn every_file_of_data_real_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
        let mut on_disk: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| !n.starts_with('.')).collect();
        on_disk.sort();
        let embedded: Vec<String> = FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(embedded, on_disk, "data/real/ and the embedded files differ: rebuild (build.rs lists data/real/*.parquet)");
        for (name, bytes) in FILES {
            assert_eq!(*bytes, std::fs::read(dir.join(name)).unwrap().as_slice(), "{name} is embedded as it is on disk");
        }
        let facts = facts().unwrap().expect("real data is embedded");
        assert!(facts.height() > 300_000, "{}", facts.height());
        // As a user's folder would be merged: no fact given twice, so nothing to merge.
        let frames: Vec<(String, DataFrame)> = FILES
            .iter()
            .map(|(name, bytes)| {
                let df = ParquetReader::new(Cursor::new(*bytes)).finish().unwrap();
                ((*name).to_owned(), load::fact_file(df, name, Path::new(name)).unwrap())
            })
            .collect();
        let merged = load::merge_files(frames, Path::new(DIR)).unwrap();
        assert_eq!(merged.iter().map(DataFrame::height).sum::<usize>(), facts.height(), "a fact is given by two files of data/real");
        assert!(!facts.column("synthetic").unwrap().bool().unwrap().any(), "nothing synthetic in data/real");
    }

    /// What the generator learns from the embedded data: the commune file's measures, its
    /// 2021 populations and 2022 deaths (checked by hand: 30003 Aigues-Mortes, 8,685
    /// inhabitants, 5,017 aged 15-64, 93 deaths), Mayotte without population.
    #[test]
    fn the_real_totals_the_generator_adds_up_to() {
        let held = Held::of(&facts().unwrap().unwrap()).unwrap();
        for m in ["population", "deaths_all_causes", "area_km2", "active_15_64", "unemployed_15_64", "births", "households"] {
            assert!(held.measures.contains(m), "{m}: {:?}", held.measures);
        }
        assert!(held.by_sex.is_empty(), "no real breakdown by sex: {:?}", held.by_sex);
        assert_eq!((held.population_year, held.deaths_year), (Some(2021), Some(2022)));
        assert_eq!(held.population.get("30003"), Some(&(8685, Some(5017))));
        assert_eq!(held.deaths.get("30003"), Some(&93));
        assert!(!held.population.contains_key("97611") && held.deaths.contains_key("97611"), "Mayotte: deaths, no census");
        // The département headcounts the generator spreads (checked by hand: Gard, 1,814 liberal
        // nurses in ameli's 2024 file, 246 pharmacies and 5 emergency units in the statistiques
        // locales 2024), for every département and every measure of `SUPPLY`.
        let supply = |m: &str, d: &str| held.supply.get(m).and_then(|deps| deps.get(d)).copied();
        assert_eq!(
            (supply("professionals_infirmier", "30"), supply("bpe_pharmacy", "30"), supply("bpe_emergency", "30")),
            (Some(1814), Some(246), Some(5))
        );
        for s in super::super::supply::SUPPLY {
            assert_eq!(held.supply.get(s.measure).map(|d| d.len()), Some(101), "{}", s.measure);
        }
        let camargue: Vec<String> =
            ["30003", "30006", "30020", "30033", "30036", "30059", "30128", "30169", "30276", "30341"].iter().map(|s| s.to_string()).collect();
        let (area, provenance) = area(&camargue).unwrap().unwrap();
        assert_eq!(area, 406.49, "as the CPTS's pre-diagnostic says");
        assert_eq!(provenance.to_string(), "INSEE, comparateur de territoires (via datas.fun) 2021");
        assert_eq!(super::area(&["97611".to_owned()]).unwrap(), None);
    }
}
