//! `diagsante project`: GP supply under retirement scenarios against the demand of the
//! territory's ageing population.

use std::path::PathBuf;

use clap::Args;
use polars::prelude::*;
use serde_json::json;

use crate::error::{Error, Location, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::evaluate::Geography;
use crate::ingest::{cpam, Summary, TextTable};
use crate::output::{write_atomic, write_csv_fr, write_parquet_and_csv};
use crate::project::demand::DemandAssumptions;
use crate::project::supply;
use crate::project::territory::{self, gps_of, EntryCount, Scenario};

/// Project the territory's GPs over the coming years under retirement scenarios, against the
/// consultations its ageing population will need.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Territory file (.toml) or shipped territory name.
    #[arg(long)]
    territory: String,
    /// GP roster (CSV or XLSX, one row per professional: identifiant, profession, commune,
    /// annee_naissance or age, sexe, etp…; only GPs are projected); default: the roster of
    /// --data, else the synthetic demo roster.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Folder of ingested data (population, deaths, roster.parquet); default: the demo data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Scenarios: legal-62, reform-2023, full-rate-67, observed (exit probabilities by age
    /// calibrated on DREES), or a scenario file (.toml); repeat the option for several.
    #[arg(long = "scenario", default_values_t = ["legal-62".to_owned(), "reform-2023".to_owned(), "full-rate-67".to_owned(), "observed".to_owned()])]
    scenarios: Vec<String>,
    /// Number of years projected, 1 to 50 (beyond, the scenarios and the population's ageing
    /// mean nothing).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=50))]
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
    #[arg(long, default_value_t = territory::REFERENCE_YEAR)]
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

/// A roster frame from counts by age band (`age`, `count`): one GP per unit of count at the
/// middle of its band (an open band such as 65+ at its start + 2), in the territory's first
/// commune (the counts are the territory's).
fn roster_from_counts(table: &TextTable, year: i32, units: &[String]) -> Result<DataFrame> {
    let age_col = table.require_column("age band", &["age", "tranche_age", "tranche d'âge", "classe_age"])?;
    let count_col = table.require_column("count", &["count", "effectif", "nombre", "n"])?;
    let (labels, counts) = (table.texts(&age_col)?, table.counts(&count_col)?);
    let (mut id, mut birth) = (Vec::new(), Vec::new());
    for row in 0..table.height() {
        let (min, max) = crate::facts::AgeBand::parse(&labels[row]).and_then(|b| b.min.map(|a| (a, b.max))).ok_or_else(|| {
            Error::input(
                Location::file(&table.file).at(table.line_of(row), age_col.as_str()),
                format!("«{}» is not an age band", labels[row]),
                "write bands such as 55-59 or 65+",
            )
        })?;
        let mid = max.map_or(min + 2, |z| (min + z) / 2);
        let n = counts[row].value().ok_or_else(|| {
            Error::input(
                Location::file(&table.file).at(table.line_of(row), count_col.as_str()),
                "the count is empty or secret",
                "give every band's count",
            )
        })?;
        if n > 1_000_000.0 {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), count_col.as_str()),
                format!("{n} GPs in one band"),
                "a territory's GPs count in hundreds: check the column",
            ));
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

pub fn run(args: ProjectArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let t = Territory::find(&args.territory, &r)?;
    let scenarios = args.scenarios.iter().map(|s| Scenario::parse(s)).collect::<Result<Vec<_>>>()?;
    let units = crate::compare::diagnose::with_whole_communes(t.units.clone(), &r);
    let bar = super::progress(0, "chargement des données et projection");
    let data = super::data(args.data.as_deref(), &r, Some(&t))?;
    let roster = match (&args.roster_counts, &args.roster, &args.data) {
        (Some(file), _, _) => roster_from_counts(&TextTable::read(file, crate::ingest::Encoding::Auto)?, args.reference_year, &units)?,
        (None, Some(file), _) => {
            let table = TextTable::read(file, crate::ingest::Encoding::Auto)?;
            cpam::read_roster(&table, Some(args.reference_year), &r, false, &mut Summary::default())?
        }
        // The roster loaded with the facts (the demo's, or `roster.parquet` of --data).
        (None, None, dir) => match &data.roster {
            Some(roster) => roster.clone(),
            // No roster.parquet in --data: the read says so.
            None => crate::facts::read_parquet(&dir.as_deref().unwrap_or(std::path::Path::new(".")).join("roster.parquet"))?,
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
        return Err(Error::input(
            Location::file("command line"),
            format!("--net-migration {} is not a yearly share (e.g. 0.004)", args.net_migration),
            "see --help",
        ));
    }

    // Demand: the territory's pyramid and France's death rates, by sex and band.
    let me = Geography { id: t.id.clone(), name: t.name.clone(), units: units.clone() };
    let france = crate::compare::benchmark::national_geographies(&r)[3][0].clone();
    let pyramids = territory::pyramids(&data.facts, me, france)?;
    if pyramids.iter().all(Vec::is_empty) {
        return Err(Error::input(
            Location::file(args.data.as_ref().map_or("demo data".into(), |d| d.display().to_string())),
            "no population by sex and age band for this territory",
            "ingest a population table by sex and age (ingest insee-long) into --data",
        ));
    }
    let assumptions = DemandAssumptions { net_migration: args.net_migration, births: args.births, ..DemandAssumptions::default() };
    let default_entries = args.entries_rate.map_or(EntryCount::PerYear(args.entries), EntryCount::Rate);
    let rows = territory::project(&gps, &pyramids, &scenarios, args.reference_year, args.horizon, default_entries, &assumptions);
    let mut df = territory::frame(&rows, &data.label)?;
    bar.finish_and_clear();
    write_parquet_and_csv(&mut df, &args.out, "projection")?;
    let records: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let y = &r.supply;
            json!({
                "scenario": r.scenario, "year": y.year, "year_offset": y.offset,
                "headcount": y.headcount, "headcount_low": y.headcount_low, "headcount_high": y.headcount_high,
                "fte": y.fte, "fte_low": y.fte_low, "fte_high": y.fte_high, "departures": y.departures, "population": r.population,
                "demand_consultations": r.demand_consultations, "demand_fte": r.demand_fte, "shortfall_fte": r.shortfall_fte,
                "density_per_10000": r.density_per_10000, "entries_to_keep_density": r.entries_to_keep_density,
            })
        })
        .collect();
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
        // The first scenario's rows are the first `horizon + 1`.
        let years = &rows[..=args.horizon as usize];
        let k = 5.min(args.horizon as usize);
        let demand_change = 100.0 * (years[k].demand_consultations / years[0].demand_consultations.max(1e-9) - 1.0);
        let shortfall = years[k].shortfall_fte;
        say!("{} — {} ({} GPs)", t.name, data.label, gps.len());
        say!(
            "{} : {:+.0} médecins généralistes en {k} ans, {:.0} restants ; demande {:+.0} % ; {} {:.0} ETP",
            first.name,
            years[k].supply.headcount - years[0].supply.headcount,
            years[k].supply.headcount,
            demand_change,
            if shortfall >= 0.0 { "manque" } else { "excédent" },
            shortfall.abs()
        );
        say!("{} médecins ont déjà dépassé l'âge du scénario (comptés partis en année 0 : past-age.csv)", past.len());
    }
    say!("écrit : {}", args.out.join("projection.{parquet,csv,json}").display());
    Ok(())
}
