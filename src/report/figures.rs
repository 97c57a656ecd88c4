//! The report's figures drawn: each figure of the model ([`super::model::Figure`]) as an SVG
//! (inlined in the page) and a PNG (beside it), by the chart of its kind ([`super::charts`]).
//! The charts get typed data only; nothing here decides what is shown.

use rayon::prelude::*;

use super::charts;
use super::model::{Chart, Figure};
use crate::error::Result;

/// A figure drawn.
pub struct Drawn {
    pub stem: String,
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Draw every figure, in the same order. Rasterising is the slow part of drawing: one figure
/// per core.
pub fn draw(figures: &[Figure]) -> Result<Vec<Drawn>> {
    figures
        .par_iter()
        .map(|f| {
            let svg = svg(f)?;
            let png = charts::png(&svg)?;
            Ok(Drawn { stem: f.stem.clone(), caption: f.caption.clone(), svg, png })
        })
        .collect()
}

/// A figure as SVG.
fn svg(f: &Figure) -> Result<String> {
    let frame = &f.frame;
    match &f.chart {
        Chart::Pyramid { bands, france } => charts::pyramid(frame, bands, france),
        Chart::Comparison { items, names } => charts::comparison(frame, items, [&names[0], &names[1]]),
        Chart::Spine { rows, names } => charts::spine(frame, rows, [&names[0], &names[1]]),
        Chart::Funnel { points, limits, target, territory, axes, widened } => {
            charts::funnel(frame, points, limits, *target, territory, [&axes[0], &axes[1]], *widened)
        }
        Chart::Projection { scenarios, demand } => charts::projection(frame, scenarios, demand),
        Chart::GpAges { ages, marks, min_count } => {
            let marks: Vec<(f64, &str)> = marks.iter().map(|(a, l)| (*a, l.as_str())).collect();
            charts::gp_ages(frame, ages, &marks, *min_count)
        }
        Chart::Map(map) => super::maps::draw(frame, map),
        Chart::Trends { panels, names } => charts::trends(frame, panels, [&names[0], &names[1], &names[2], &names[3]]),
    }
}
