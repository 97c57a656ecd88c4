//! Reports (`diagsante report`, `diagsante demo`): the diagnostic, the benchmark and the GP
//! projection of a territory as charts (SVG and PNG) and one self-contained French HTML page
//! whose sections follow the CLS/CPTS diagnostics coordinators write.
//!
//! A report is made in three parts, so that what it says, how its charts are drawn and how
//! its page reads can each be changed alone:
//! - [`model`]: the numbers to show, typed — computed once from the diagnosis, the benchmark
//!   and the projection, with each section's rows and each figure's data;
//! - [`figures`]: the model's figures drawn by [`charts`], as SVG and PNG;
//! - [`page`]: the model rendered as HTML ([`html`]: escaping, French numbers, tables), the
//!   figures inline.
//!
//! Everything is computed and drawn in memory first, then written file by file atomically:
//! an error leaves no half-written report. The folder's manifest ([`manifest`]) lists what a
//! run wrote: a new report into the same folder removes the previous run's files it does not
//! rewrite, and never a file diagsante did not write.

pub mod charts;
mod figures;
mod html;
pub mod manifest;
mod model;
mod page;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::Indicator;
use crate::ingest::load::Data;
use crate::project::territory as projection;
use manifest::Output;

pub use page::index_page;

/// The report's file name in its folder.
pub const REPORT_FILE: &str = "rapport.html";
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

/// What [`write`] wrote.
pub struct Written {
    pub html: PathBuf,
    /// Every file written (the manifest aside).
    pub files: Vec<PathBuf>,
}

/// Compute, draw and write the report of `t` into `out`: `rapport.html`, the charts (SVG and
/// PNG) in `graphiques/`, and the tables (parquet and French-Excel CSV). `step` hears what is
/// being done (for a progress bar).
pub fn write(t: &Territory, r: &Referential, data: &Data, catalogue: &[Indicator], out: &Path, step: &dyn Fn(&str)) -> Result<Written> {
    let report = model::build(t, r, data, catalogue, step)?;
    step("graphiques");
    let figures = figures::draw(&report.figures)?;
    step("rapport");
    let html = page::render(&report, &figures);
    step("écriture");
    let files = manifest::replace(out, outputs(report, figures, html)?)?;
    Ok(Written { html: out.join(REPORT_FILE), files })
}

/// The files of a report: the tables (diagnostic, benchmark and peers when there are peers,
/// projection when there is one), the charts, the diagnostic as JSON, and the page.
fn outputs(report: model::Report, figures: Vec<figures::Drawn>, html: String) -> Result<Vec<Output>> {
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
    files.push(Output::File(REPORT_FILE.into(), html.into_bytes()));
    Ok(files)
}
