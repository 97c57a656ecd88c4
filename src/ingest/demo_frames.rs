//! The synthetic demo dataset as the pipeline reads it: the referential's base units
//! (communes, and the arrondissements of Paris, Lyon and Marseille instead of their
//! commune) fed to [`super::demo::generate`], turned into the canonical fact table and
//! roster, and cached on disk so later commands generate it once.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::demo::{self, DemoCommune, DemoData, DemoOptions, DEMO_LABEL, DEMO_SOURCE, GENERATOR_VERSION};
use crate::error::{Error, Result};
use crate::geo::Referential;
use crate::ingest::facts::{read_parquet, write_parquet};

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

/// The units the demo data is generated for: every base unit of France (metropolitan
/// France and DROM) with its municipal population.
pub fn demo_communes(r: &Referential) -> Vec<DemoCommune> {
    r.communes()
        .filter(|c| c.in_france())
        .flat_map(|c| r.base_units(&c.code))
        .map(|u| DemoCommune { code: u.code.clone(), departement: u.departement.clone(), population: u.population.unwrap_or(0) })
        .collect()
}

/// Generate the dataset (zero counts omitted: a missing row of a measure other than
/// `population` means 0), with each commune's population [`BASE_GAP`] years earlier.
pub fn generate(r: &Referential, seed: u64) -> DemoData {
    dataset(&demo_communes(r), seed)
}

/// [`generate`] for a list of communes.
pub fn dataset(communes: &[DemoCommune], seed: u64) -> DemoData {
    let mut data = demo::generate_with_options(communes, seed, &DemoOptions { omit_zero_counts: true });
    data.facts = data.facts.into_iter().flat_map(split_15_19).collect();
    data.facts.extend(communes.iter().flat_map(|c| {
        let mut draw = normals(c, seed);
        [base_population(c, draw()), area(c, draw())]
    }));
    data.facts.sort_by(|a, b| a.geo.cmp(&b.geo));
    data
}

/// The population's 15-19 band as 15-17 and 18-19 (three fifths and two fifths, rounded), so
/// that the shares of the 0-17 and the 18-39 that the diagnostics quote can be computed; the
/// other measures keep 15-19 (the standardisations group bands that nest in theirs).
fn split_15_19(f: demo::Fact) -> Vec<demo::Fact> {
    if f.measure != "population" || f.age_min != Some(15) || f.age_max != Some(19) {
        return vec![f];
    }
    let young = (f.value * 0.6).round();
    let older = demo::Fact { age_min: Some(18), age_max: Some(19), value: f.value - young, ..f.clone() };
    vec![demo::Fact { age_max: Some(17), value: young, ..f }, older]
}

/// Years between `population_base` and `population`: six, as between the two censuses of an
/// INSEE evolution base (P21_POP and P15_POP).
pub const BASE_GAP: i32 = 6;

/// Standard normal draws for a commune, from a hash of the seed and its code (splitmix64,
/// then Box–Muller): a stream of its own, so that the generator's other draws are unchanged.
fn normals(c: &DemoCommune, seed: u64) -> impl FnMut() -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in c.code.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut uniform = move || {
        h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    move || {
        let (u1, u2) = (uniform().max(1e-12), uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// A commune's area (`area_km2`, synthetic like the rest of the demo data): its density
/// follows its size, log10(density) = −0.6 + 0.8 × log10(population) ± 0.25 (about 10
/// inhabitants per km² for 100 inhabitants, 400 for 10,000, 2,500 for 100,000: orders of
/// magnitude of INSEE's comparateur de territoires), so that France's communes cover about
/// 600,000 km² (INSEE: 632,000 with the DROM; the demo has no large empty communes); at least
/// 0.5 km². Peers are not chosen on these areas (see `compare::benchmark`).
fn area(c: &DemoCommune, normal: f64) -> demo::Fact {
    let n = (c.population as f64).max(20.0);
    let density = 10f64.powf(-0.6 + 0.8 * n.log10() + 0.25 * normal);
    demo::Fact {
        geo: c.code.clone(),
        year: demo::DEMO_YEAR,
        measure: "area_km2",
        sex: crate::ingest::Sex::All,
        age_min: None,
        age_max: None,
        value: ((n / density).max(0.5) * 100.0).round() / 100.0,
    }
}

/// A commune's population [`BASE_GAP`] years before the demo year (`population_base`, all
/// sexes and ages), for the annual growth rate: growth around France's +0.3 % a year (INSEE,
/// 2015-2021), wider in small communes (sd from 0.4 to 1.2 points), clamped to −3 / +4 %.
fn base_population(c: &DemoCommune, normal: f64) -> demo::Fact {
    let n = c.population as f64;
    let sd = 0.004 + 0.008 * 5000.0 / (5000.0 + n);
    let g = (0.003 + sd * normal).clamp(-0.03, 0.04);
    demo::Fact {
        geo: c.code.clone(),
        year: demo::DEMO_YEAR - BASE_GAP,
        measure: "population_base",
        sex: crate::ingest::Sex::All,
        age_min: None,
        age_max: None,
        value: (n / (1.0 + g).powi(BASE_GAP)).round(),
    }
}

/// The canonical fact table of the demo data (see [`crate::ingest::facts`]).
pub fn facts_frame(data: &DemoData) -> Result<DataFrame> {
    let f = &data.facts;
    let n = f.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("geo".into(), f.iter().map(|x| x.geo.as_str()).collect::<Vec<_>>()),
        Column::new("level".into(), vec!["commune"; n]),
        Column::new("year".into(), f.iter().map(|x| x.year).collect::<Vec<_>>()),
        Column::new("measure".into(), f.iter().map(|x| x.measure).collect::<Vec<_>>()),
        Column::new("sex".into(), f.iter().map(|x| x.sex.code()).collect::<Vec<_>>()),
        Column::new("age_min".into(), f.iter().map(|x| x.age_min).collect::<Vec<_>>()),
        Column::new("age_max".into(), f.iter().map(|x| x.age_max).collect::<Vec<_>>()),
        Column::new("value".into(), f.iter().map(|x| Some(x.value)).collect::<Vec<_>>()),
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
    let fnv = |h: u64, bytes: &[u8]| bytes.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    r.units().iter().fold(fnv(0xcbf2_9ce4_8422_2325, b"referential"), |h, u| {
        let population = u.population.map_or_else(|| "-".to_owned(), |p| p.to_string());
        [u.code.as_str(), u.commune.as_str(), u.departement.as_str(), u.zone.as_str(), population.as_str()]
            .iter()
            .fold(h, |h, field| fnv(fnv(h, field.as_bytes()), b"\x1f"))
    })
}

/// The demo facts (GP roster as `gp` facts) summed by département.
pub fn departement_aggregates(facts: &DataFrame, roster: &DataFrame, r: &Referential) -> Result<DataFrame> {
    let columns = ["geo", "year", "measure", "sex", "age_min", "age_max", "value"];
    let gp = crate::ingest::load::roster_facts(roster, demo::DEMO_YEAR)?;
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
    let gp = crate::ingest::load::roster_facts(&roster, demo::DEMO_YEAR)?;
    let gp = gp.lazy().select(columns).collect()?;
    let deps = read_parquet(&dir.join(DEPARTEMENTS_FILE))?.select(["geo", "year", "measure", "sex", "age_min", "age_max", "value"])?;
    // The same reading of years as the full table (`load::fact_table`).
    Ok(crate::ingest::load::by_period(own.vstack(&gp)?.vstack(&deps)?)?.0)
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
