//! `diagsante apl`: DREES's APL to GPs computed for every commune of France (2SFCA with the
//! parameters of DREES's workbook), the territory's communes and aggregate written, and its
//! projection under retirement scenarios.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::apl::national::{self, Options};
use crate::apl::travel::Estimate;
use crate::error::{Error, Location, Result};
use crate::geo::{Referential, Territory};
use crate::ingest::{cpam, Summary, TextTable};
use crate::output::{write_atomic, write_csv_fr};
use crate::project::demand::DemandAssumptions;
use crate::project::territory::{EntryCount, Scenario, REFERENCE_YEAR};

/// Compute the APL (accessibilité potentielle localisée) to GPs of every commune of France,
/// and write the territory's communes, its aggregate and its projection.
#[derive(Debug, Args)]
pub struct AplArgs {
    /// Territory file (.toml) or shipped territory name; default: every commune of France
    /// (`--roster` then replaces every GP: a national commune GP file).
    #[arg(long)]
    territory: Option<String>,
    /// Folder of ingested data (population by sex and age, roster.parquet); default: the demo
    /// data (its national roster is synthetic).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The territory's own GP roster (CSV or XLSX: identifiant, profession, commune, âge or
    /// année de naissance, activité in consultations, année d'installation): replaces the GPs
    /// of its communes; its neighbours' come from the data.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Commune × commune travel times (origine, destination, minutes), as INSEE's Metric
    /// gives them; default: estimated from the communes' centroids.
    #[arg(long)]
    times: Option<PathBuf>,
    /// Road detour factor of the estimated times (road distance / straight-line distance).
    #[arg(long, default_value_t = Estimate::default().detour)]
    detour: f64,
    /// Speed of the estimated times, km/h.
    #[arg(long, default_value_t = Estimate::default().speed_kmh)]
    speed: f64,
    /// The APL's year: GPs' ages and the age weights of DREES's workbook (2022's up to 2022,
    /// 2023's after).
    #[arg(long, default_value_t = REFERENCE_YEAR)]
    year: i32,
    /// Retirement scenarios of the projection (as `project`); repeat for several.
    #[arg(long = "scenario", default_values_t = ["legal-62".to_owned(), "reform-2023".to_owned(), "full-rate-67".to_owned(), "observed".to_owned()])]
    scenarios: Vec<String>,
    /// New GPs per year in the territory (default 0; the same rate per GP elsewhere).
    #[arg(long, default_value_t = 0.0, conflicts_with = "entries_rate")]
    entries: f64,
    /// New GPs per year as a share of today's headcount (0.03 = 3 %).
    #[arg(long)]
    entries_rate: Option<f64>,
    /// Output folder (apl-communes.csv, apl.json).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: AplArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let (name, units) = match &args.territory {
        Some(name) => {
            let t = Territory::find(name, &r)?;
            (t.name.clone(), crate::compare::diagnose::with_whole_communes(t.units.clone(), &r))
        }
        None => ("la France".to_owned(), r.communes().filter(|u| u.in_france()).map(|u| u.code.clone()).collect()),
    };
    for (flag, v, ok) in [
        ("--detour", args.detour, args.detour >= 1.0 && args.detour < 5.0),
        ("--speed", args.speed, args.speed > 0.0 && args.speed < 200.0),
        ("--entries", args.entries, args.entries >= 0.0),
        ("--entries-rate", args.entries_rate.unwrap_or(0.0), args.entries_rate.unwrap_or(0.0) >= 0.0),
    ] {
        if !(v.is_finite() && ok) {
            return Err(Error::input(Location::file("command line"), format!("{flag} {v} is out of range"), "see --help"));
        }
    }
    let scenarios = args.scenarios.iter().map(|s| Scenario::parse(s)).collect::<Result<Vec<_>>>()?;
    let bar = super::progress(0, "calcul de l'APL de toutes les communes");
    let data = super::data(args.data.as_deref(), &r, None)?;
    let own = args
        .roster
        .as_ref()
        .map(|f| cpam::read_roster(&TextTable::read(f, crate::ingest::Encoding::Auto)?, Some(args.year), &r, false, &mut Summary::default()))
        .transpose()?;
    let options = Options {
        year: args.year,
        times: args.times.clone(),
        estimate: Estimate { detour: args.detour, speed_kmh: args.speed },
        scenarios,
        offsets: vec![5, 10],
        entries: args.entries_rate.map_or(EntryCount::PerYear(args.entries), EntryCount::Rate),
        assumptions: DemandAssumptions::default(),
    };
    let o = national::run(&data, &data.facts, &r, &units, own.as_ref(), &options)?;
    let entries = match (args.entries_rate, args.entries) {
        (Some(rate), _) => format!("installations : {} % des effectifs par an", (rate * 100.0).to_string().replace('.', ",")),
        (None, n) if n > 0.0 => format!("{} installations par an", n.to_string().replace('.', ",")),
        _ => "sans installation nouvelle, sauf celles d'un fichier de scénario".to_owned(),
    };
    bar.finish_and_clear();
    let mut df = national::frame(&o)?;
    write_csv_fr(&mut df, &args.out.join("apl-communes.csv"))?;
    let sentences = national::sentences(&o, &name, &entries);
    let doc = json!({
        "territory": name, "year": o.inputs.year, "data": data.label,
        "apl_mg": o.aggregate, "apl_mg_moins_65ans": o.aggregate_under_65,
        "synthetic_roster": o.synthetic_roster, "synthetic_population": o.synthetic_population,
        "population_source": o.population_source, "supply_source": o.supply_source, "times": o.times_source, "pairs": o.pairs,
        "communes": o.inputs.communes.len(), "gps": o.inputs.gps.len(), "imputed_activity": o.inputs.imputed_activity, "imputed_gps": o.inputs.imputed_gps,
        "projection": o.projected.iter().map(|p| json!({"scenario": p.scenario, "year": p.year, "year_offset": p.offset, "apl_mg": p.apl})).collect::<Vec<_>>(),
        "sentences": sentences,
    });
    write_atomic(&args.out.join("apl.json"), serde_json::to_string_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?.as_bytes())?;
    let synthetic = if o.synthetic_roster { " — médecins synthétiques : ne pas comparer à l'APL de la DREES" } else { "" };
    let fr = |v: Option<f64>| v.map_or("n.d.".to_owned(), |v| format!("{v:.2}").replace('.', ","));
    say!(
        "{name} — APL {} : {} (moins de 65 ans : {}) consultations par habitant standardisé{synthetic}",
        o.inputs.year,
        fr(o.aggregate),
        fr(o.aggregate_under_65)
    );
    say!("population : {} ; {} ; médecins : {}, {}", o.population_source, o.times_source, o.supply_source, o.inputs.gps.len());
    for s in &sentences {
        say!("{s}");
    }
    say!("écrit : {}", args.out.join("apl-communes.csv, apl.json").display());
    Ok(())
}
