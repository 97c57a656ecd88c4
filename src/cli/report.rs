//! `diagsante report` (one territory's HTML report) and `diagsante demo` (the reports of the
//! five shipped territories on the demo data, with an index page).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::Result;
use crate::geo::perimeter::SHIPPED;
use crate::geo::{Referential, Territory};
use crate::indicators::catalogue;
use crate::report::manifest::Output;
use crate::report::{self, REPORT_FILE};

/// Write the report of a territory: a self-contained French HTML page, its charts (SVG and
/// PNG) and its tables.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    inputs: super::Inputs,
    /// Output folder (rapport.html, graphiques/, tables).
    #[arg(long)]
    out: PathBuf,
}

/// The reports of the five shipped territories on the synthetic demo data.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder: one sub-folder per territory and index.html.
    #[arg(long, default_value = "diagsante-demo")]
    out: PathBuf,
}

/// Steps of one report (see `report::write`).
const STEPS: u64 = 6;

pub fn run_report(args: ReportArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let (t, indicators) = args.inputs.territory_and_catalogue(&r)?;
    let bar = super::progress(STEPS + 1, "chargement des données");
    let data = super::data(args.inputs.data.as_deref(), &r)?;
    bar.inc(1);
    let written = report::write(&t, &r, &data, &indicators, &args.out, &|step| {
        bar.set_message(step.to_owned());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    say!("{} — {}", t.name, data.label);
    say!("rapport : {}", display(&written.html));
    say!("graphiques (SVG et PNG) : {} ; tables (CSV pour Excel et parquet) : {}", args.out.join(report::CHARTS_DIR).display(), args.out.display());
    Ok(())
}

pub fn run_demo(args: DemoArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let indicators = catalogue::load(None)?;
    let bar = super::progress(1 + STEPS * SHIPPED.len() as u64, "données de démonstration (générées au premier lancement)");
    let data = crate::demo::data(&r, crate::demo::DEFAULT_SEED)?;
    bar.inc(1);
    let mut entries = Vec::new();
    for (id, _) in SHIPPED {
        let t = Territory::find(id, &r)?;
        let out = args.out.join(id);
        report::write(&t, &r, &data, &indicators, &out, &|step| {
            bar.set_message(format!("{} : {step}", t.name));
            bar.inc(1);
        })?;
        entries.push((t, format!("{id}/{REPORT_FILE}")));
    }
    let index = report::index_page(&entries, &r, &data.label, report::synthetic(&data));
    // The index through the folder's manifest too: a report written there before is replaced.
    let index_path = args.out.join("index.html");
    report::manifest::replace(&args.out, vec![Output::File("index.html".into(), index.into_bytes())])?;
    bar.finish_and_clear();
    say!("{} — {} territoires", data.label, entries.len());
    for (t, link) in &entries {
        say!("  {:<40} {}", t.name, args.out.join(link).display());
    }
    say!("\nouvrir : {}", display(&index_path));
    Ok(())
}

/// A path as a `file://` address when it can be made absolute (to click in a terminal).
fn display(path: &Path) -> String {
    std::path::absolute(path).map_or_else(|_| path.display().to_string(), |p| format!("file://{}", p.display()))
}
