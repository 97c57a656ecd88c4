//! `diagsante project`: GP supply under retirement scenarios against the demand of the
//! territory's ageing population.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use polars::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Location, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::evaluate::{aggregate, Geography};
use crate::ingest::facts::read_parquet;
use crate::ingest::{cpam, demo_frames, load, Sex, Summary, TextTable};
use crate::project::demand::{self, Band, DemandAssumptions};
use crate::project::supply::{self, Entries, Gp, Rule};
use crate::output::{write_atomic, write_csv_fr, write_parquet_and_csv};

/// Project the territory's GPs over the coming years under retirement scenarios, against the
/// consultations its ageing population will need.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Territory file (.toml) or shipped territory name.
    #[arg(long)]
    territory: String,
    /// GP roster (CSV or XLSX, one row per GP: identifiant, commune, annee_naissance or age,
    /// sexe, etp…); default: the roster of --data, else the synthetic demo roster.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Folder of ingested data (population, deaths, roster.parquet); default: the demo data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Scenarios: legal-62, reform-2023, full-rate-67, observed (exit probabilities by age
    /// calibrated on DREES), or a scenario file (.toml); repeat the option for several.
    #[arg(long = "scenario", default_values_t = ["legal-62".to_owned(), "reform-2023".to_owned(), "full-rate-67".to_owned(), "observed".to_owned()])]
    scenarios: Vec<String>,
    /// Number of years projected.
    #[arg(long, default_value_t = 10)]
    horizon: u32,
    /// New GPs per year (default 0: the "no new arrivals" case is explicit).
    #[arg(long, default_value_t = 0.0, conflicts_with = "entries_rate")]
    entries: f64,
    /// New GPs per year as a share of today's headcount (0.03 = 3 %).
    #[arg(long)]
    entries_rate: Option<f64>,
    /// A roster given only as counts by age band (columns `age` with bands such as 55-59 or
    /// 65+, and `count` / `effectif`): each GP is placed at the middle of its band.
    #[arg(long, conflicts_with = "roster")]
    roster_counts: Option<PathBuf>,
    /// Year 0 of the projection (and the year ages in the roster were taken).
    #[arg(long, default_value_t = 2024)]
    reference_year: i32,
    /// Net migration per year, as a share of the population (0.004 = +0.4 %).
    #[arg(long, default_value_t = 0.0)]
    net_migration: f64,
    /// Births per year (default: today's yearly inflow into the youngest band, kept constant).
    #[arg(long)]
    births: Option<f64>,
    /// Output folder (projection.parquet, projection.csv, projection.json, past-age.csv).
    #[arg(long)]
    out: PathBuf,
}

/// A scenario file: `name`, one of `stop_at = 62`, `reform_2023 = true` or
/// `exits = { 60 = 0.05, 62 = 0.3, 67 = 0.6, 70 = 1.0 }` (probability of stopping during the
/// year from that age on), and optionally `[entries] per_year, age, fte`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    stop_at: Option<f64>,
    #[serde(default)]
    reform_2023: Option<bool>,
    #[serde(default)]
    exits: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    entries: Option<EntriesFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesFile {
    #[serde(default)]
    per_year: Option<f64>,
    /// A share of today's headcount instead of a number.
    #[serde(default)]
    rate: Option<f64>,
    #[serde(default)]
    age: Option<u32>,
    #[serde(default)]
    fte: Option<f64>,
}

struct Scenario {
    name: String,
    rule: Rule,
    /// Entries of a scenario file: (per year, or as a rate of today's headcount), age, FTE.
    entries: Option<(EntryCount, u32, f64)>,
}

#[derive(Debug, Clone, Copy)]
enum EntryCount {
    PerYear(f64),
    Rate(f64),
}

impl EntryCount {
    fn per_year(self, headcount: usize) -> f64 {
        match self {
            EntryCount::PerYear(n) => n,
            EntryCount::Rate(r) => r * headcount as f64,
        }
    }
}

fn scenario(spec: &str) -> Result<Scenario> {
    let preset = |name: &str, rule| Ok(Scenario { name: name.to_owned(), rule, entries: None });
    match spec {
        "legal-62" => preset(spec, Rule::StopAt(62.0)),
        "reform-2023" => preset(spec, Rule::Reform2023),
        "full-rate-67" => preset(spec, Rule::StopAt(67.0)),
        "observed" => preset(spec, Rule::Exits(supply::observed_exits())),
        file => {
            let path = PathBuf::from(file);
            let text = std::fs::read_to_string(&path).map_err(|_| {
                Error::input(
                    Location::file("--scenario"),
                    format!("«{file}» is neither a preset nor a readable file"),
                    "use legal-62, reform-2023, full-rate-67, observed or a scenario .toml file",
                )
            })?;
            let bad = |m: String| Error::input(Location::file(file), m, "see `diagsante project --help` for the scenario file format");
            let s: ScenarioFile = toml::from_str(&text).map_err(|e| bad(format!("invalid scenario file: {}", e.message())))?;
            let rule = match (s.stop_at, s.reform_2023, s.exits) {
                (Some(a), None, None) if a > 0.0 => Rule::StopAt(a),
                (None, Some(true), None) => Rule::Reform2023,
                (None, None, Some(table)) => {
                    let mut t = BTreeMap::new();
                    for (age, p) in table {
                        let a: u32 = age.parse().map_err(|_| bad(format!("exits: «{age}» is not an age")))?;
                        if !(0.0..=1.0).contains(&p) {
                            return Err(bad(format!("exits: probability {p} at {a} is not between 0 and 1")));
                        }
                        t.insert(a, p);
                    }
                    Rule::Exits(t)
                }
                _ => return Err(bad("give exactly one of stop_at, reform_2023 = true or exits".into())),
            };
            let entries = match s.entries {
                None => None,
                Some(e) => {
                    let count = match (e.per_year, e.rate) {
                        (Some(n), None) if n.is_finite() && n >= 0.0 => EntryCount::PerYear(n),
                        (None, Some(r)) if r.is_finite() && r >= 0.0 => EntryCount::Rate(r),
                        _ => return Err(bad("[entries] needs one of per_year or rate, ≥ 0".into())),
                    };
                    let fte = e.fte.unwrap_or(1.0);
                    if !(fte > 0.0 && fte <= 2.0) {
                        return Err(bad(format!("[entries] fte {fte} is not between 0 and 2")));
                    }
                    Some((count, e.age.unwrap_or(35), fte))
                }
            };
            Ok(Scenario { name: s.name, rule, entries })
        }
    }
}

/// A roster frame from counts by age band (`age`, `count`): one GP per unit of count at the
/// middle of its band (an open band such as 65+ at its start + 2), in the territory's first
/// commune (the counts are the territory's).
fn roster_from_counts(table: &TextTable, year: i32, units: &[String]) -> Result<DataFrame> {
    let age_col = table.require_column("age band", &["age", "tranche_age", "tranche d'âge", "classe_age"])?;
    let count_col = table.require_column("count", &["count", "effectif", "nombre", "n"])?;
    let (labels, counts) = (table.texts(&age_col)?, table.counts(&count_col)?);
    let (mut id, mut birth) = (Vec::new(), Vec::new());
    for row in 0..table.height() {
        let (min, max) = crate::ingest::table::parse_age_band(&labels[row])
            .and_then(|(a, z)| a.map(|a| (a, z)))
            .ok_or_else(|| Error::input(Location::file(&table.file).at(table.line_of(row), age_col.as_str()), format!("«{}» is not an age band", labels[row]), "write bands such as 55-59 or 65+"))?;
        let mid = max.map_or(min + 2, |z| (min + z) / 2);
        let n = counts[row].value().ok_or_else(|| {
            Error::input(Location::file(&table.file).at(table.line_of(row), count_col.as_str()), "the count is empty or secret", "give every band's count")
        })?;
        if n > 1_000_000.0 {
            return Err(Error::input(Location::file(&table.file).at(table.line_of(row), count_col.as_str()), format!("{n} GPs in one band"), "a territory's GPs count in hundreds: check the column"));
        }
        for k in 0..n.round() as usize {
            id.push(format!("{}-{k}", labels[row]));
            birth.push(Some(year - mid as i32));
        }
    }
    let geo = units.first().cloned().unwrap_or_default();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("id".into(), id.clone()),
        Column::new("geo".into(), vec![geo; id.len()]),
        Column::new("birth_year".into(), birth),
    ])?)
}

/// The territory's GPs from a roster frame (`id, geo, birth_year`, optional `activity`).
/// An activity of at most 2 is read as an FTE (`etp`); a larger one is a number of
/// consultations, and the GP counts as one FTE.
fn gps_of(roster: &DataFrame, units: &[String]) -> Result<Vec<Gp>> {
    let set: std::collections::HashSet<&str> = units.iter().map(String::as_str).collect();
    let (id, geo, birth) = (roster.column("id")?.str()?, roster.column("geo")?.str()?, roster.column("birth_year")?.i32()?);
    let activity = roster.column("activity").ok().map(|c| c.cast(&DataType::Float64)).transpose()?;
    let activity = activity.as_ref().map(|c| c.f64()).transpose()?;
    let mut out = Vec::new();
    for i in 0..roster.height() {
        if let (Some(code), Some(b)) = (geo.get(i), birth.get(i)) {
            if set.contains(code) {
                let fte = activity.and_then(|a| a.get(i)).filter(|a| *a > 0.0 && *a <= 2.0).unwrap_or(1.0);
                out.push(Gp { id: id.get(i).unwrap_or_default().to_owned(), birth_year: b, fte });
            }
        }
    }
    Ok(out)
}

pub fn run(args: ProjectArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let t = Territory::find(&args.territory, &r)?;
    let scenarios = args.scenarios.iter().map(|s| scenario(s)).collect::<Result<Vec<_>>>()?;
    let units = crate::compare::diagnose::with_whole_communes(t.units.clone(), &r);
    let data = load::fact_table(args.data.as_deref(), &r)?;
    let roster = match (&args.roster_counts, &args.roster, &args.data) {
        (Some(file), _, _) => roster_from_counts(&TextTable::read(file, crate::ingest::Encoding::Auto)?, args.reference_year, &units)?,
        (None, roster, data) => match (roster, data) {
        (Some(file), _) => {
            let table = TextTable::read(file, crate::ingest::Encoding::Auto)?;
            cpam::read_roster(&table, Some(args.reference_year), &r, false, &mut Summary::default())?
        }
        (None, Some(dir)) => read_parquet(&dir.join("roster.parquet"))?,
        (None, None) => demo_frames::cached(&r, crate::ingest::demo::DEFAULT_SEED)?.1,
        },
    };
    let gps = gps_of(&roster, &units)?;
    if gps.is_empty() && (args.roster.is_some() || args.roster_counts.is_some()) {
        return Err(Error::input(
            Location::file(args.roster.as_ref().or(args.roster_counts.as_ref()).map(|r| r.display().to_string()).unwrap_or_default()),
            format!("no GP of the roster practises in {} (or none has a birth year)", t.name),
            "check the communes of the roster and the territory",
        ));
    }
    for (flag, v) in [("--entries", args.entries), ("--entries-rate", args.entries_rate.unwrap_or(0.0)), ("--births", args.births.unwrap_or(0.0))] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::input(Location::file("command line"), format!("{flag} {v} must be a number ≥ 0"), "see --help"));
        }
    }
    if !(args.net_migration.is_finite() && args.net_migration > -0.5 && args.net_migration < 0.5) {
        return Err(Error::input(Location::file("command line"), format!("--net-migration {} is not a yearly share (e.g. 0.004)", args.net_migration), "see --help"));
    }

    // Demand: the territory's pyramid and France's death rates, by sex and band.
    let geos = [
        Geography { id: t.id.clone(), name: t.name.clone(), units: units.clone() },
        crate::compare::benchmark::national_geographies(&r)[3][0].clone(),
    ];
    let agg = aggregate(&data.facts, &geos)?;
    let mut pyramids = Vec::new();
    for sex in [Sex::Male, Sex::Female] {
        let pop = agg.breakdown(0, "population", sex);
        let fr_pop = agg.breakdown(1, "population", sex);
        let fr_deaths = agg.breakdown(1, "deaths_all_causes", sex);
        let mut bands: Vec<Band> = pop
            .iter()
            .filter_map(|&(a, z, v)| {
                let start = a?;
                let rate = |cells: &[(Option<u32>, Option<u32>, Option<f64>)]| cells.iter().find(|c| c.0 == a && c.1 == z).and_then(|c| c.2);
                let death_rate = match (rate(&fr_deaths), rate(&fr_pop)) {
                    (Some(d), Some(p)) if p > 0.0 => (d / p).min(1.0),
                    _ => 0.0,
                };
                Some(Band { start, end: z, people: v.unwrap_or(0.0), death_rate })
            })
            .collect();
        bands.sort_by_key(|b| b.start);
        pyramids.push(bands);
    }
    if pyramids.iter().all(Vec::is_empty) {
        return Err(Error::input(
            Location::file(args.data.as_ref().map_or("demo data".into(), |d| d.display().to_string())),
            "no population by sex and age band for this territory",
            "ingest a population table by sex and age (ingest insee-long) into --data",
        ));
    }
    let assumptions = DemandAssumptions { net_migration: args.net_migration, births: args.births, ..DemandAssumptions::default() };
    let demand = demand::project(&pyramids, args.horizon, &assumptions);

    let mut records = Vec::new();
    let mut first_years: Option<Vec<supply::Year>> = None;
    let (mut c_s, mut c_y, mut c_o, mut c_h, mut c_lo, mut c_hi, mut c_fte, mut c_dep, mut c_pop, mut c_dfte, mut c_short, mut c_dens, mut c_keep) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut c_flo, mut c_fhi) = (vec![], vec![]);
    for s in &scenarios {
        let entries = match s.entries {
            Some((count, age, fte)) => Entries { per_year: count.per_year(gps.len()), age, fte },
            None => {
                let count = args.entries_rate.map_or(EntryCount::PerYear(args.entries), EntryCount::Rate);
                Entries { per_year: count.per_year(gps.len()), ..Entries::none() }
            }
        };
        let years = supply::project(&gps, args.reference_year, args.horizon, &s.rule, &entries, 0.95);
        // Today's density: every GP of the roster, before the scenario's first departures.
        let density0 = gps.len() as f64 / demand[0].0.max(1.0) * 1e4;
        for y in &years {
            let (people, consultations) = demand[y.offset as usize];
            let demand_fte = consultations / assumptions.consultations_per_fte;
            let density = y.headcount / people.max(1.0) * 1e4;
            // New GPs a year that would keep today's density (none needed at year 0).
            let keep = (y.offset > 0).then(|| ((density0 * people / 1e4 - y.headcount) / f64::from(y.offset)).max(0.0));
            c_s.push(s.name.clone());
            c_y.push(y.year);
            c_o.push(y.offset);
            c_h.push(y.headcount);
            c_lo.push(y.headcount_low);
            c_hi.push(y.headcount_high);
            c_fte.push(y.fte);
            c_flo.push(y.fte_low);
            c_fhi.push(y.fte_high);
            c_dep.push(y.departures);
            c_pop.push(people);
            c_dfte.push(demand_fte);
            c_short.push(demand_fte - y.fte);
            c_dens.push(density);
            c_keep.push(keep);
            records.push(json!({
                "scenario": s.name, "year": y.year, "year_offset": y.offset,
                "headcount": y.headcount, "headcount_low": y.headcount_low, "headcount_high": y.headcount_high,
                "fte": y.fte, "fte_low": y.fte_low, "fte_high": y.fte_high, "departures": y.departures, "population": people,
                "demand_consultations": consultations, "demand_fte": demand_fte, "shortfall_fte": demand_fte - y.fte,
                "density_per_10000": density, "entries_to_keep_density": keep,
            }));
        }
        first_years.get_or_insert(years);
    }
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("scenario".into(), c_s),
        Column::new("year".into(), c_y),
        Column::new("year_offset".into(), c_o),
        Column::new("headcount".into(), c_h),
        Column::new("headcount_low".into(), c_lo),
        Column::new("headcount_high".into(), c_hi),
        Column::new("fte".into(), c_fte),
        Column::new("fte_low".into(), c_flo),
        Column::new("fte_high".into(), c_fhi),
        Column::new("departures".into(), c_dep),
        Column::new("population".into(), c_pop),
        Column::new("demand_fte".into(), c_dfte),
        Column::new("shortfall_fte".into(), c_short),
        Column::new("density_per_10000".into(), c_dens),
        Column::new("entries_to_keep_density".into(), c_keep),
        Column::new("data".into(), vec![data.label.as_str(); records.len()]),
    ])?;
    write_parquet_and_csv(&mut df, &args.out, "projection")?;
    let doc = json!({ "territory": t.name, "data": data.label, "gps": gps.len(), "years": records });
    write_atomic(&args.out.join("projection.json"), serde_json::to_string_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?.as_bytes())?;
    if let Some(first) = scenarios.first() {
        let past = supply::past_age(&gps, args.reference_year, &first.rule);
        let mut past_df = DataFrame::new_infer_height(vec![
            Column::new("id".into(), past.iter().map(|g| g.id.clone()).collect::<Vec<_>>()),
            Column::new("birth_year".into(), past.iter().map(|g| g.birth_year).collect::<Vec<_>>()),
            Column::new("age".into(), past.iter().map(|g| args.reference_year - g.birth_year).collect::<Vec<_>>()),
        ])?;
        write_csv_fr(&mut past_df, &args.out.join("past-age.csv"))?;
        let years = first_years.unwrap_or_default();
        let k = 5.min(args.horizon as usize);
        let demand_change = 100.0 * (demand[k].1 / demand[0].1.max(1e-9) - 1.0);
        let shortfall = demand[k].1 / assumptions.consultations_per_fte - years[k].fte;
        say!("{} — {} ({} GPs)", t.name, data.label, gps.len());
        say!(
            "{} : {:+.0} médecins généralistes en {k} ans, {:.0} restants ; demande {:+.0} % ; {} {:.0} ETP",
            first.name,
            years[k].headcount - years[0].headcount,
            years[k].headcount,
            demand_change,
            if shortfall >= 0.0 { "manque" } else { "excédent" },
            shortfall.abs()
        );
        say!("{} médecins ont déjà dépassé l'âge du scénario (comptés partis en année 0 : past-age.csv)", past.len());
    }
    say!("écrit : {}", args.out.join("projection.{parquet,csv,json}").display());
    Ok(())
}
