//! `diagsante diagnose --territory T --out DIR`: the diagnostic table of a territory.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::compare::diagnose;
use crate::demo::{frames, DEFAULT_SEED};
use crate::error::{Error, Result};
use crate::geo::Referential;
use crate::output::{write_atomic, write_parquet_and_csv};

/// Compute every indicator of the catalogue for a territory, against its département, its
/// région and France.
#[derive(Debug, Args)]
pub struct Diagnose {
    #[command(flatten)]
    inputs: super::Inputs,
    /// A territory straddling several départements: compared with the one holding most of its
    /// population (main) or with each of them (all: a column per other département).
    #[arg(long, value_enum, default_value_t = super::DepartementsArg::Main)]
    departements: super::DepartementsArg,
    /// Folder for diagnostic.parquet, diagnostic.csv (French Excel) and diagnostic.json.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Diagnose) -> Result<()> {
    crate::timing::mark("start");
    let r = Referential::embedded()?;
    let (t, indicators) = args.inputs.territory_and_catalogue(&r)?;
    crate::timing::mark("referential and catalogue");
    let options = args.inputs.options(args.departements);
    let mut published = Vec::new();
    let d = match &args.inputs.data {
        // The default data: the territory's own rows and the département sums (real, and
        // synthetic from the cache), instead of the national facts.
        None => {
            let units = diagnose::units_read(&t, &r);
            let (periods, label) = frames::for_territory(&r, DEFAULT_SEED, &units)?;
            crate::timing::mark("territory's facts read");
            diagnose::diagnose(&t, &r, &periods.facts, &indicators, label, None, true, &options)?
                .with_provenance(&periods.provenance)
                .with_departement_provenance(&periods.departement_provenance)
        }
        Some(dir) => {
            let bar = super::progress(0, "chargement des données");
            let data = super::data(Some(dir), &r, Some(&t))?;
            let d = diagnose::diagnose(&t, &r, &data.facts, &indicators, &data.label, data.published.as_ref(), false, &options)?
                .with_provenance(&data.provenance)
                .with_departement_provenance(&data.departement_provenance);
            published = crate::compare::published::published(&t, &r, data.not_read.as_ref(), options.france)?;
            bar.finish_and_clear();
            d
        }
    };
    crate::timing::mark("diagnostic");
    let mut df = d.frame()?;
    write_parquet_and_csv(&mut df, &args.out, "diagnostic")?;
    let json = serde_json::to_string_pretty(&d.json()).map_err(|e| Error::Internal(e.to_string()))?;
    write_atomic(&args.out.join("diagnostic.json"), json.as_bytes())?;
    crate::timing::mark("written");
    if !published.is_empty() {
        let names = [d.territory.clone(), d.comparator_names[0].clone(), d.comparator_names[1].clone(), d.comparator_names[2].clone()];
        write_parquet_and_csv(&mut crate::compare::published::frame(&published, &names)?, &args.out, "valeurs-publiees")?;
    }

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{} — {}", d.territory, d.data_label);
    let others: String = d.other_departements.iter().map(|(code, name)| format!(", {code} {name}")).collect();
    let _ = writeln!(out, "comparateurs : {}{others}, {}, {}", d.comparator_names[0], d.comparator_names[1], d.comparator_names[2]);
    let _ = writeln!(
        out,
        "France de comparaison : {} ({}) ; référence des indices comparatifs de mortalité : {}",
        d.france.label(),
        d.france.scope(),
        d.icm_reference.label()
    );
    if let Some(note) = &d.comparator_note {
        let _ = writeln!(out, "note : {note}");
    }
    let _ = writeln!(out, "\nécarts significatifs avec la {} (du moins bon au meilleur) :", d.france.label());
    for row in d.significant() {
        let v = |x: Option<f64>| x.map_or("—".to_owned(), |x| format!("{x:.1}"));
        let _ = writeln!(
            out,
            "  {:<70} {:>8} {:<3} {} {:>8}  {} (99,8 % : {})",
            row.indicator.label,
            v(row.territory.estimate.value),
            row.indicator.unit,
            d.comparator_names[2],
            v(row.comparators[2].estimate.value),
            diagnose::french(row.flags[2][0]),
            diagnose::french(row.flags[2][1]),
        );
    }
    let _ = writeln!(out, "\nécrit : {}", args.out.join("diagnostic.{parquet,csv,json}").display());
    if !published.is_empty() {
        let _ = writeln!(
            out,
            "valeurs publiées par les producteurs : {} (écrit : {})",
            published.len(),
            args.out.join("valeurs-publiees.{parquet,csv}").display()
        );
    }
    Ok(())
}
