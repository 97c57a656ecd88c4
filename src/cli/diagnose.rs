//! `diagsante diagnose --territory T --out DIR`: the diagnostic table of a territory.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use polars::prelude::*;

use crate::compare::diagnose;
use crate::error::{Error, Location, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::{catalogue, evaluate};
use crate::ingest::demo::{DEFAULT_SEED, DEMO_LABEL};
use crate::ingest::demo_frames;
use crate::ingest::facts::{read_parquet, write_parquet};
use crate::output::{write_atomic, write_atomic_with};

/// Compute every indicator of the catalogue for a territory, against its département, its
/// région and France.
#[derive(Debug, Args)]
pub struct Diagnose {
    /// Territory file (.toml) or shipped territory name.
    #[arg(long)]
    territory: String,
    /// Folder of ingested data (facts-*.parquet, roster.parquet from `diagsante ingest`);
    /// the synthetic demo data if absent.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Indicator catalogue (default: the shipped data/indicators.toml).
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Folder for diagnostic.parquet, diagnostic.csv (French Excel) and diagnostic.json.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Diagnose) -> Result<()> {
    let r = Referential::embedded()?;
    let t = Territory::find(&args.territory, &r)?;
    for w in &t.warnings {
        eprintln!("warning: {w}");
    }
    let indicators = catalogue::load(args.catalogue.as_deref())?;
    let (facts, label) = load_data(args.data.as_deref(), &r)?;
    let d = diagnose::diagnose(&t, &r, &facts, &indicators, &label)?;
    let mut df = d.frame()?;
    write_parquet(&mut df, &args.out.join("diagnostic.parquet"))?;
    write_atomic_with(&args.out.join("diagnostic.csv"), |f| {
        CsvWriter::new(f)
            .include_bom(true)
            .with_separator(b';')
            .with_decimal_comma(true)
            .finish(&mut df)
            .map_err(std::io::Error::other)
    })?;
    let json = serde_json::to_string_pretty(&d.json()).map_err(|e| Error::Internal(e.to_string()))?;
    write_atomic(&args.out.join("diagnostic.json"), json.as_bytes())?;

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{} — {}", d.territory, d.data_label);
    let _ = writeln!(out, "comparateurs : {}, {}, {}", d.comparator_names[0], d.comparator_names[1], d.comparator_names[2]);
    if let Some(note) = &d.comparator_note {
        let _ = writeln!(out, "note : {note}");
    }
    let _ = writeln!(out, "\nécarts significatifs avec la France (du moins bon au meilleur) :");
    for row in d.significant() {
        let v = |x: Option<f64>| x.map_or("—".to_owned(), |x| format!("{x:.1}"));
        let _ = writeln!(
            out,
            "  {:<70} {:>8} {:<3} France {:>8}  {} (99,8 % : {})",
            row.indicator.label,
            v(row.territory.estimate.value),
            row.indicator.unit,
            v(row.comparators[2].estimate.value),
            diagnose::french(row.flags[2][0]),
            diagnose::french(row.flags[2][1]),
        );
    }
    let _ = writeln!(out, "\nécrit : {}", args.out.join("diagnostic.{parquet,csv,json}").display());
    Ok(())
}

/// The fact table (with the GP roster as `gp` facts) and what to say about its origin.
fn load_data(dir: Option<&Path>, r: &Referential) -> Result<(DataFrame, String)> {
    let (facts, roster, label) = match dir {
        None => {
            let (facts, roster) = demo_frames::cached(r, DEFAULT_SEED)?;
            (facts, Some(roster), DEMO_LABEL.to_owned())
        }
        Some(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
            let mut frames = Vec::new();
            let mut roster = None;
            for entry in entries {
                let path = entry.map_err(|e| Error::read(dir, e))?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                if name.starts_with("facts-") && name.ends_with(".parquet") {
                    frames.push(read_parquet(&path)?.select(["geo", "year", "measure", "sex", "age_min", "age_max", "value"])?);
                } else if name == "roster.parquet" {
                    roster = Some(read_parquet(&path)?);
                }
            }
            if frames.is_empty() {
                return Err(Error::input(
                    Location::file(dir.display().to_string()),
                    "no facts-*.parquet in this folder",
                    "fill it with `diagsante ingest … --out` first",
                ));
            }
            let mut facts = frames.remove(0);
            for f in frames {
                facts.vstack_mut(&f)?;
            }
            (facts, roster, format!("données de {}", dir.display()))
        }
    };
    let year = facts.column("year")?.i32()?.max().unwrap_or(2023);
    let mut facts = facts.select(["geo", "measure", "sex", "age_min", "age_max", "value"])?;
    if let Some(roster) = roster {
        let gp = evaluate::roster_facts(&roster, year)?;
        let gp = gp.select(["geo", "measure", "sex", "age_min", "age_max", "value"])?;
        facts = facts.vstack(&gp.lazy().with_columns([col("age_min").cast(facts.column("age_min")?.dtype().clone()), col("age_max").cast(facts.column("age_max")?.dtype().clone())]).collect()?)?;
    }
    Ok((facts, label))
}
