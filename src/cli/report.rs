//! `diagsante report` (one territory's report: HTML page, Word document, Excel workbook) and
//! `diagsante demo` (the reports of the five shipped territories on the demo data, with an
//! index page).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::Result;
use crate::geo::perimeter::SHIPPED;
use crate::geo::{Referential, Territory};
use crate::indicators::catalogue;
use crate::report::manifest::Output;
use crate::report::{self, Format, FORMATS, REPORT_FILE};

/// Write the report of a territory: a self-contained French HTML page, the same report as a
/// Word document, its tables as an Excel workbook, its charts (SVG and PNG) and its tables
/// (CSV and parquet).
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    inputs: super::Inputs,
    /// A territory straddling several départements: compared with the one holding most of its
    /// population (main) or with each of them (all: named in the report, a column each in the
    /// diagnostic tables).
    #[arg(long, value_enum, default_value_t = super::DepartementsArg::Main)]
    departements: super::DepartementsArg,
    /// Output folder (rapport.html, rapport.docx, tableaux.xlsx, graphiques/, tables).
    #[arg(long)]
    out: PathBuf,
    /// Documents to write, separated by commas: html (rapport.html), docx (rapport.docx, to
    /// edit in Word or LibreOffice), xlsx (tableaux.xlsx, the tables for Excel). The charts
    /// and the CSV and parquet tables are always written.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Docx, FormatArg::Xlsx])]
    format: Vec<FormatArg>,
    /// Contours of the communes (GeoJSON or TopoJSON keyed by INSEE code, such as IGN's Admin
    /// Express COG): the maps are choropleths. Without, the embedded contours (Charente-Maritime,
    /// Gard, Vienne, COG 2018) where they draw every commune of the territory, else
    /// proportional circles at the communes' centroids. Codes of former communes go to their
    /// current commune.
    #[arg(long, value_name = "FILE")]
    contours: Option<PathBuf>,
    /// Indicators to map besides the APL, the GP density and the share aged 75 and over
    /// (catalogue ids, separated by commas: --map densite_infirmiers,part_80_plus).
    #[arg(long = "map", value_name = "ID", value_delimiter = ',')]
    maps: Vec<String>,
}

/// `--format`: the command line's names for [`Format`] (the library type does not depend on
/// clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Html,
    Docx,
    Xlsx,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Html => Format::Html,
            FormatArg::Docx => Format::Docx,
            FormatArg::Xlsx => Format::Xlsx,
        }
    }
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
    // The maps' options checked before the data is loaded: a typo fails at once.
    report::maps::check(&args.maps, &indicators)?;
    let contours = match args.contours.as_deref() {
        Some(path) => Some(report::Contours::read(path, &r)?),
        None => report::Contours::embedded_for(&t, &r)?,
    };
    let maps = report::MapOptions { contours, indicators: args.maps.clone() };
    let bar = super::progress(STEPS + 1, "chargement des données");
    let data = super::data(args.inputs.data.as_deref(), &r, Some(&t))?;
    bar.inc(1);
    let mut formats: Vec<Format> = Vec::new();
    for f in args.format.iter().map(|&f| Format::from(f)) {
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    let options = args.inputs.options(args.departements);
    let shared = report::Shared::new(&data)?;
    let written = report::write(&t, &r, &data, &shared, &indicators, &args.out, &formats, &options, &maps, &|step| {
        bar.set_message(step.to_owned());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    say!("{} — {}", t.name, data.label);
    for (format, path) in formats.iter().zip(&written.documents) {
        let what = match format {
            Format::Html => "rapport (page HTML)",
            Format::Docx => "rapport (Word)",
            Format::Xlsx => "tableaux (Excel)",
        };
        say!("{what} : {}", display(path));
    }
    say!("graphiques (SVG et PNG) : {} ; tables (CSV pour Excel et parquet) : {}", args.out.join(report::CHARTS_DIR).display(), args.out.display());
    Ok(())
}

pub fn run_demo(args: DemoArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let indicators = catalogue::load(None)?;
    let bar = super::progress(1 + STEPS * SHIPPED.len() as u64, "données de démonstration (générées au premier lancement)");
    let data = crate::demo::data(&r, crate::demo::DEFAULT_SEED)?;
    // The EPCI of France and the APL of France computed once for the five reports.
    let shared = report::Shared::new(&data)?;
    bar.inc(1);
    let mut entries = Vec::new();
    for (id, _) in SHIPPED {
        let t = Territory::find(id, &r)?;
        let out = args.out.join(id);
        // The embedded contours where they draw the territory (the Mauges, in the
        // Maine-et-Loire, have none: circles).
        let maps = report::MapOptions { contours: report::Contours::embedded_for(&t, &r)?, ..Default::default() };
        report::write(&t, &r, &data, &shared, &indicators, &out, &FORMATS, &Default::default(), &maps, &|step| {
            bar.set_message(format!("{} : {step}", t.name));
            bar.inc(1);
        })?;
        entries.push((t, id.to_string()));
    }
    let index = report::index_page(&entries, &r, &data.label, report::synthetic(&data));
    // The index through the folder's manifest too: a report written there before is replaced.
    let index_path = args.out.join("index.html");
    report::manifest::replace(&args.out, vec![Output::File("index.html".into(), index.into_bytes())])?;
    bar.finish_and_clear();
    say!("{} — {} territoires", data.label, entries.len());
    for (t, folder) in &entries {
        say!("  {:<40} {}", t.name, args.out.join(folder).join(REPORT_FILE).display());
    }
    say!("\nouvrir : {}", display(&index_path));
    Ok(())
}

/// A path as a `file://` address when it can be made absolute (to click in a terminal).
fn display(path: &Path) -> String {
    std::path::absolute(path).map_or_else(|_| path.display().to_string(), |p| format!("file://{}", p.display()))
}
