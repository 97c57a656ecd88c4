//! Reports (`diagsante report`, `diagsante demo`): the diagnostic, the benchmark and the GP
//! projection of a territory as charts (SVG and PNG), a self-contained French HTML page and
//! the same report as a Word document, whose sections follow the CLS/CPTS diagnostics
//! coordinators write, and its tables as an Excel workbook.
//!
//! A report is made in parts, so that what it says, how its charts are drawn and how its
//! documents read can each be changed alone:
//! - [`model`]: the numbers to show, typed — computed once from the diagnosis, the benchmark
//!   and the projection, with each section's rows and each figure's data;
//! - [`figures`]: the model's figures drawn by [`charts`], as SVG and PNG;
//! - [`document`]: the model's sections in words (paragraphs, tables, figures), rendered as
//!   HTML by [`page`] ([`html`]: escaping, French numbers, tables; the figures inline) and as
//!   Word by [`docx`] (the figures as PNG): a section written there appears in both;
//! - [`xlsx`]: the model's tables as an Excel workbook.
//!
//! Everything is computed and drawn in memory first, then written file by file atomically:
//! an error leaves no half-written report. The folder's manifest ([`manifest`]) lists what a
//! run wrote: a new report into the same folder removes the previous run's files it does not
//! rewrite, and never a file diagsante did not write.

pub mod charts;
pub mod contours;
mod document;
mod docx;
mod figures;
mod html;
pub mod manifest;
pub mod maps;
mod model;
mod page;
mod xlsx;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::compare::benchmark;
use crate::error::{Error, Result};
use crate::geo::{ComparatorOptions, Referential, Territory};
use crate::indicators::{Indicator, Interned};
use crate::ingest::load::Data;
use crate::project::territory as projection;
use manifest::Output;

pub use contours::Contours;
pub use maps::MapOptions;
pub use page::index_page;

/// The report's file name in its folder.
pub const REPORT_FILE: &str = "rapport.html";
/// The report as a Word document.
pub const DOCX_FILE: &str = "rapport.docx";
/// The report's tables as an Excel workbook.
pub const XLSX_FILE: &str = xlsx::FILE;
/// The charts' folder inside the report's folder.
pub const CHARTS_DIR: &str = "graphiques";
/// Years projected.
pub const HORIZON: u32 = 10;
/// Size of the peer group.
pub const PEERS: usize = 10;

/// How much of `data` is synthetic, from its measures' provenance: all of it (the demo data),
/// some (real files beside the demo's), or none. The page and every chart say so.
pub fn synthetic(data: &Data) -> Synthetic {
    let synthetic = data.provenance.values().filter(|p| p.is_synthetic()).count();
    match synthetic {
        0 => Synthetic::None,
        n if n == data.provenance.len() => Synthetic::All,
        _ => Synthetic::Some,
    }
}

/// See [`synthetic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synthetic {
    All,
    Some,
    None,
}

/// A document a report writes beside its charts and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The page, `rapport.html`.
    Html,
    /// The same report as a Word document, `rapport.docx`.
    Docx,
    /// Its tables as an Excel workbook, `tableaux.xlsx`.
    Xlsx,
}

/// Every format, in the order they are written.
pub const FORMATS: [Format; 3] = [Format::Html, Format::Docx, Format::Xlsx];

impl Format {
    /// The document's file name in the report's folder.
    pub fn file(self) -> &'static str {
        match self {
            Format::Html => REPORT_FILE,
            Format::Docx => DOCX_FILE,
            Format::Xlsx => XLSX_FILE,
        }
    }
}

/// What the reports of one run share, computed once (besides the facts, interned as loaded:
/// `Data::facts`): the benchmark's set (every EPCI of France computed,
/// [`benchmark::Set`]) and the APL of every commune of France today
/// ([`crate::apl::national::Today`]), which the demo's five reports would otherwise each
/// compute again.
pub struct Shared {
    set: Mutex<Option<Arc<benchmark::Set>>>,
    apl: Mutex<Option<Arc<crate::apl::national::Today>>>,
    /// The published values among the rows the facts did not read (`Data::not_read`), picked
    /// once: each report then looks up its own geographies among them.
    published: Option<polars::prelude::DataFrame>,
}

impl Shared {
    /// Nothing computed yet; the published values of `data` picked.
    pub fn new(data: &Data) -> Result<Shared> {
        use polars::prelude::{col, lit, IntoLazy};
        let published = match &data.not_read {
            Some(df) => Some(df.clone().lazy().filter(col("kind").eq(lit("published"))).collect()?),
            None => None,
        };
        Ok(Shared { set: Mutex::new(None), apl: Mutex::new(None), published })
    }

    /// The benchmark of `t` against the EPCI of France and its peers, the set computed once
    /// for the options and catalogue asked.
    fn benchmark(
        &self,
        t: &Territory,
        r: &Referential,
        facts: &Interned,
        catalogue: &[Indicator],
        options: &ComparatorOptions,
    ) -> Result<benchmark::Benchmark> {
        let against = benchmark::Against::Epci;
        let indicators = crate::compare::diagnose::with_icm_reference(catalogue, options);
        let cached = self.set.lock().ok().and_then(|s| s.clone()).filter(|s| s.fits(against, options, &indicators));
        let set = match cached {
            Some(s) => s,
            None => {
                let s = Arc::new(benchmark::Set::new(r, facts, catalogue, against, options)?);
                if let Ok(mut slot) = self.set.lock() {
                    *slot = Some(s.clone());
                }
                s
            }
        };
        benchmark::benchmark_in(t, r, facts, &set, against, None, PEERS)
    }

    /// The APL of every commune of France today, computed once: a report's `options` are
    /// always the same (the reference year, estimated times, the data's roster).
    fn apl_today(&self, data: &Data, r: &Referential, options: &crate::apl::national::Options) -> Result<Arc<crate::apl::national::Today>> {
        if let Some(today) = self.apl.lock().ok().and_then(|a| a.clone()) {
            return Ok(today);
        }
        let today = Arc::new(crate::apl::national::today(data, &data.facts, r, &[], None, options)?);
        if let Ok(mut slot) = self.apl.lock() {
            *slot = Some(today.clone());
        }
        Ok(today)
    }
}

/// What [`write`] wrote.
pub struct Written {
    /// The documents, in the order of the formats asked.
    pub documents: Vec<PathBuf>,
    /// Every file written (the manifest aside).
    pub files: Vec<PathBuf>,
}

/// Compute, draw and write the report of `t` into `out` from `data` (`shared`: what the
/// reports of a run on `data` share, [`Shared::new`]): the documents of `formats`
/// (`rapport.html`, `rapport.docx`, `tableaux.xlsx`), the charts (SVG and PNG) in
/// `graphiques/`, and the tables (parquet and French-Excel CSV). `step` hears what is being
/// done (for a progress bar). `options`: the comparators (which France, the ICM's reference,
/// every département of a territory straddling several); the report says which. `maps`: the
/// communes' contours, if given, and the indicators mapped besides the default ones.
#[allow(clippy::too_many_arguments)]
pub fn write(
    t: &Territory,
    r: &Referential,
    data: &Data,
    shared: &Shared,
    catalogue: &[Indicator],
    out: &Path,
    formats: &[Format],
    options: &ComparatorOptions,
    maps: &MapOptions,
    step: &dyn Fn(&str),
) -> Result<Written> {
    let report = model::build(t, r, data, shared, catalogue, options, maps, step)?;
    crate::timing::mark("report: model");
    step("graphiques");
    let figures = figures::draw(&report.figures)?;
    crate::timing::mark("report: figures");
    step("rapport");
    let mut documents = Vec::new();
    {
        let doc = document::build(&report);
        let wants = |f: Format| formats.contains(&f);
        // The Word document and the workbook are zipped: each on its own core.
        let ((mut html, mut docx), mut xlsx) = rayon::join(
            || {
                rayon::join(
                    || wants(Format::Html).then(|| page::render(&doc, &figures)),
                    || wants(Format::Docx).then(|| docx::render(&doc, &figures)),
                )
            },
            || wants(Format::Xlsx).then(|| xlsx::render(&report)),
        );
        for f in FORMATS.iter().filter(|f| wants(**f)) {
            let bytes = match f {
                Format::Html => html.take().map(String::into_bytes),
                Format::Docx => docx.take().transpose()?,
                Format::Xlsx => xlsx.take().transpose()?,
            };
            documents.extend(bytes.map(|b| Output::File(f.file().to_owned(), b)));
        }
    }
    crate::timing::mark("report: documents");
    step("écriture");
    let paths = formats.iter().map(|f| out.join(f.file())).collect();
    let files = manifest::replace(out, outputs(report, figures, documents)?)?;
    Ok(Written { documents: paths, files })
}

/// The files of a report: the tables (diagnostic, benchmark and peers when there are peers,
/// projection when there is one), the charts, the diagnostic as JSON, and the documents.
fn outputs(report: model::Report, figures: Vec<figures::Drawn>, documents: Vec<Output>) -> Result<Vec<Output>> {
    let mut files = vec![Output::Table("diagnostic".into(), report.diagnosis.frame()?)];
    if let Some(mut b) = report.benchmark {
        b.label(&report.data_label, &report.diagnosis.provenance)?;
        files.push(Output::Table("benchmark".into(), b.summary));
        files.push(Output::Table("peers".into(), b.peers));
    }
    if !report.projected.is_empty() {
        files.push(Output::Table("projection".into(), projection::frame(&report.projected, &report.data_label)?));
    }
    for f in figures {
        files.push(Output::File(format!("{CHARTS_DIR}/{}.svg", f.stem), f.svg.into_bytes()));
        files.push(Output::File(format!("{CHARTS_DIR}/{}.png", f.stem), f.png));
    }
    let json = serde_json::to_string_pretty(&report.diagnosis.json()).map_err(|e| Error::Internal(e.to_string()))?;
    files.push(Output::File("diagnostic.json".into(), json.into_bytes()));
    files.extend(documents);
    Ok(files)
}
