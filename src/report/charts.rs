//! The report's charts, drawn with plotters as SVG (the HTML report inlines them; text stays
//! text) and rasterised to PNG with resvg and the DejaVu Sans font compiled into the binary,
//! so that a PNG has its labels on a machine without any font installed.
//!
//! Colours come from the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
//! distinguishable with the common colour-vision deficiencies. Every chart has a title, a
//! source line, and the « données synthétiques » mark when drawn from the demo data.

use plotters::coord::types::{RangedCoordf64, RangedCoordu32};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::stats::compare::Comparison;
use crate::stats::funnel::FunnelLimit;

/// Width of every chart, in SVG pixels (an A4 page's text width at ~115 dpi); PNGs are drawn
/// at twice this size.
pub const WIDTH: u32 = 1000;
/// PNG pixels per SVG pixel.
pub const PNG_SCALE: f32 = 2.0;

/// Okabe–Ito colours.
pub mod palette {
    use plotters::style::RGBColor;
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const GREY: RGBColor = RGBColor(153, 153, 153);
    pub const LIGHT: RGBColor = RGBColor(225, 225, 225);
    pub const DARK: RGBColor = RGBColor(64, 64, 64);
    /// One colour per series (scenarios), in order.
    pub const SERIES: [RGBColor; 6] = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY];
}

/// The colour of a comparison, shared by charts and tables (`html::STYLE`): vermillion
/// worse, green better, purple higher and sky blue lower (no judgement), yellow similar.
pub fn comparison_colour(c: Comparison) -> RGBColor {
    match c {
        Comparison::Worse => palette::VERMILLION,
        Comparison::Better => palette::GREEN,
        Comparison::Higher => palette::PURPLE,
        Comparison::Lower => palette::SKY,
        Comparison::Similar => palette::YELLOW,
        Comparison::NotCompared => RGBColor(255, 255, 255),
    }
}

/// What every chart says besides its data.
#[derive(Debug, Clone)]
pub struct Frame {
    pub title: String,
    /// « Source : … » line.
    pub source: String,
    /// Marks the chart « données synthétiques ».
    pub synthetic: bool,
}

pub(super) type Draw = std::result::Result<(), Box<dyn std::error::Error>>;
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

const FONT: &str = "sans-serif";
pub(super) const TITLE_HEIGHT: u32 = 52;
const MARK_HEIGHT: u32 = 28;
pub(super) const FOOT_HEIGHT: u32 = 34;

/// Draw a chart of `height` SVG pixels (plus a line for the synthetic mark): title, mark and
/// source line around the body drawn by `body`.
pub(super) fn render(frame: &Frame, height: u32, body: impl FnOnce(&Area) -> Draw) -> Result<String> {
    let mut svg = String::new();
    // A long source line is wrapped (a theme's chart names a dozen publishers), each line
    // beyond the first adding to the height.
    let source = wrap(&frame.source, SOURCE_CHARS);
    let extra = (source.len().max(1) as u32 - 1) * SOURCE_LINE_HEIGHT;
    let drawn: Draw = (|| {
        let header = if frame.synthetic { TITLE_HEIGHT + MARK_HEIGHT } else { TITLE_HEIGHT };
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height + header - TITLE_HEIGHT + extra)).into_drawing_area();
        root.fill(&WHITE)?;
        // The synthetic mark has a line of its own under the title: long titles never hide it.
        let (top, rest) = root.split_vertically(header);
        let (main, foot) = rest.split_vertically(height - TITLE_HEIGHT - FOOT_HEIGHT);
        let left_top = Pos::new(HPos::Left, VPos::Top);
        let title = clip(&frame.title, 68);
        top.draw_text(&title, &TextStyle::from((FONT, 20.0 * TEXT_SCALE).into_font().style(FontStyle::Bold)).pos(left_top), (16, 12))?;
        if frame.synthetic {
            let mark = TextStyle::from((FONT, 14.0 * TEXT_SCALE).into_font().style(FontStyle::Bold)).color(&palette::VERMILLION).pos(left_top);
            top.draw_text("DONNÉES SYNTHÉTIQUES — ne décrivent pas le territoire réel", &mark, (16, TITLE_HEIGHT as i32 - 2))?;
        }
        for (i, line) in source.iter().enumerate() {
            foot.draw_text(line, &label_style(13).color(&palette::DARK).pos(left_top), (16, 6 + (i as u32 * SOURCE_LINE_HEIGHT) as i32))?;
        }
        body(&main)?;
        root.present()?;
        Ok(())
    })();
    drawn.map_err(|e| Error::Internal(format!("chart «{}»: {e}", frame.title)))?;
    Ok(svg)
}

/// Rasterise an SVG chart to PNG at [`PNG_SCALE`], with the embedded DejaVu Sans as the only
/// font (the machine's fonts are never consulted: the same PNG everywhere).
pub fn png(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    // The embedded fonts, parsed once for every chart.
    static FONTS: std::sync::OnceLock<std::sync::Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        std::sync::Arc::new(db)
    });
    let options = usvg::Options { fontdb: fonts.clone(), font_family: "DejaVu Sans".into(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| Error::Internal(format!("chart SVG: {e}")))?;
    let size = tree.size().to_int_size().scale_by(PNG_SCALE).ok_or_else(|| Error::Internal("chart size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| Error::Internal("chart size".into()))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| Error::Internal(format!("PNG: {e}")))
}

/// Characters of a source line that fit the chart's width (DejaVu Sans at 13 × [`TEXT_SCALE`]
/// averages about 7.5 px a character; 1000 px less the margins), and the height of a line.
const SOURCE_CHARS: usize = 120;
const SOURCE_LINE_HEIGHT: u32 = 19;

/// Break `text` into lines of at most `n` characters, at spaces (a word longer than `n` has a
/// line of its own).
fn wrap(text: &str, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > n {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shorten a label to `n` characters with an ellipsis.
pub(crate) fn clip(label: &str, n: usize) -> String {
    if label.chars().count() <= n {
        label.to_owned()
    } else {
        format!("{}…", label.chars().take(n - 1).collect::<String>())
    }
}

/// Text `size` as designed, enlarged by [`TEXT_SCALE`] (plotters writes SVG font sizes as
/// size / 1.24: 14 × 1.3 gives 14.7 px in a 1000 px chart, about 7.5 pt once the chart is
/// printed across an A4 page's text width).
fn label_style(size: i32) -> TextStyle<'static> {
    TextStyle::from((FONT, f64::from(size) * TEXT_SCALE).into_font())
}

/// See [`label_style`].
const TEXT_SCALE: f64 = 1.3;

/// Population pyramid: the territory's men (left) and women (right) by age band, in % of its
/// population, with France's shape as a line.
///
/// `bands`: (label, men, women) of the territory; `france`: the same bands for France.
pub fn pyramid(frame: &Frame, bands: &[(String, f64, f64)], france: &[(f64, f64)]) -> Result<String> {
    if bands.is_empty() || bands.len() != france.len() {
        return Err(Error::Internal(format!("pyramid «{}»: {} bands, {} for France", frame.title, bands.len(), france.len())));
    }
    let n = bands.len() as u32;
    let total: f64 = bands.iter().map(|b| b.1 + b.2).sum::<f64>().max(1.0);
    let fr_total: f64 = france.iter().map(|b| b.0 + b.1).sum::<f64>().max(1.0);
    let pct: Vec<(f64, f64)> = bands.iter().map(|b| (100.0 * b.1 / total, 100.0 * b.2 / total)).collect();
    let fr: Vec<(f64, f64)> = france.iter().map(|b| (100.0 * b.0 / fr_total, 100.0 * b.1 / fr_total)).collect();
    let m = pct.iter().chain(&fr).map(|p| p.0.max(p.1)).fold(1.0_f64, f64::max) * 1.1;
    let height = 150 + 32 * n.max(4);
    render(frame, height, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(110)
            .build_cartesian_2d(-m..m, (0u32..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_y_mesh()
            .y_labels(n as usize)
            .x_label_formatter(&|x| format!("{:.0} %", x.abs()))
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => bands.get(*i as usize).map_or(String::new(), |b| b.0.clone()),
                _ => String::new(),
            })
            .x_desc("Part de la population (%) — hommes à gauche, femmes à droite")
            .label_style(label_style(15))
            .axis_desc_style(label_style(15))
            .draw()?;
        let bar = |i: u32, x0: f64, x1: f64| [(x0, SegmentValue::Exact(i)), (x1, SegmentValue::Exact(i + 1))];
        chart
            .draw_series(pct.iter().enumerate().map(|(i, p)| Rectangle::new(bar(i as u32, -p.0, 0.0), palette::BLUE.mix(0.85).filled())))?
            .label("Hommes")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], palette::BLUE.filled()));
        chart
            .draw_series(pct.iter().enumerate().map(|(i, p)| Rectangle::new(bar(i as u32, 0.0, p.1), palette::ORANGE.mix(0.85).filled())))?
            .label("Femmes")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], palette::ORANGE.filled()));
        // France as a stepped outline on each side.
        for side in [-1.0, 1.0] {
            let steps: Vec<(f64, SegmentValue<u32>)> = fr
                .iter()
                .enumerate()
                .flat_map(|(i, p)| {
                    let x = side * if side < 0.0 { p.0 } else { p.1 };
                    [(x, SegmentValue::Exact(i as u32)), (x, SegmentValue::Exact(i as u32 + 1))]
                })
                .collect();
            let series = chart.draw_series(LineSeries::new(steps, BLACK.stroke_width(2)))?;
            if side > 0.0 {
                series.label("France").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2)));
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(palette::GREY)
            .label_font(label_style(15))
            .draw()?;
        Ok(())
    })
}

/// One indicator of a comparison chart: its label, the territory's value and interval, and
/// the département's, région's and France's values.
#[derive(Debug, Clone)]
pub struct Compared {
    pub label: String,
    pub value: f64,
    pub interval: Option<(f64, f64)>,
    /// Département, région, France.
    pub comparators: [Option<f64>; 3],
    /// The territory against France at 95 %.
    pub against_france: Comparison,
}

/// The indicators of a theme as indices (France = 100): the territory's bar, coloured by its
/// comparison with France, with its 95 % interval, beside the département's and the région's.
/// Indices put indicators of different units on one axis.
pub fn comparison(frame: &Frame, items: &[Compared], names: [&str; 2]) -> Result<String> {
    let rows: Vec<(&Compared, f64)> = items.iter().filter_map(|c| c.comparators[2].filter(|f| *f > 0.0).map(|f| (c, f))).collect();
    let n = rows.len().max(1) as u32;
    let index = |v: f64, fr: f64| 100.0 * v / fr;
    let mut lo: f64 = 95.0;
    let mut hi: f64 = 105.0;
    for (c, fr) in &rows {
        let mut vs = vec![c.value];
        vs.extend(c.interval.map_or(vec![], |(a, b)| vec![a, b]));
        vs.extend(c.comparators[..2].iter().flatten());
        for v in vs {
            lo = lo.min(index(v, *fr));
            hi = hi.max(index(v, *fr));
        }
    }
    let pad = (hi - lo) * 0.06;
    let (lo, hi) = (lo - pad, hi + pad);
    let height = 180 + 64 * n;
    render(frame, height, |area| {
        let (legend_area, area) = area.split_vertically(60);
        legend(&legend_area, 0, &significance_legend("territoire, écart avec la France :"))?;
        legend(
            &legend_area,
            30,
            &[("comparateurs :", None), (&clip(names[0], 32), Some(palette::GREY.to_rgba())), (&clip(names[1], 32), Some(palette::DARK.to_rgba()))],
        )?;
        let mut chart = ChartBuilder::on(&area)
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(500)
            .build_cartesian_2d(lo..hi, (0u32..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => rows.get((n - 1 - i) as usize).map_or(String::new(), |r| clip(&r.0.label, 52)),
                _ => String::new(),
            })
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("Indice, France = 100 (trait vertical) ; trait fin : intervalle à 95 %")
            .label_style(label_style(14))
            .axis_desc_style(label_style(14))
            .draw()?;
        // Row i (from the top) sits in segment n-1-i, with three bars inside: the territory,
        // the département, the région. Bars are drawn in pixels from the segment's bounds.
        let plot = chart.plotting_area();
        let to_px = |x: f64, s: u32, f: f64| segment_pixel(plot, x, s, f);
        let canvas = plot.strip_coord_spec();
        for (i, (c, fr)) in rows.iter().enumerate() {
            let s = n - 1 - i as u32;
            let values = [Some(c.value), c.comparators[0], c.comparators[1]];
            for (k, (a, b)) in [(0.62, 0.90), (0.38, 0.58), (0.14, 0.34)].into_iter().enumerate() {
                let Some(v) = values[k] else { continue };
                let (x100, ya) = to_px(100.0, s, a);
                let (xv, yb) = to_px(index(v, *fr), s, b);
                let corners = [(x100.min(xv), yb), (x100.max(xv).max(x100.min(xv) + 1), ya)];
                let fill: ShapeStyle = match k {
                    0 => comparison_colour(c.against_france).filled(),
                    1 => palette::GREY.filled(),
                    _ => palette::DARK.filled(),
                };
                canvas.draw(&Rectangle::new(corners, fill))?;
                if k == 0 {
                    canvas.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
                    if let Some((l, u)) = c.interval {
                        let (xl, ym) = to_px(index(l, *fr), s, (a + b) / 2.0);
                        let (xu, _) = to_px(index(u, *fr), s, (a + b) / 2.0);
                        canvas.draw(&PathElement::new(vec![(xl, ym), (xu, ym)], BLACK.stroke_width(2)))?;
                        canvas.draw(&PathElement::new(vec![(xl, ym - 5), (xl, ym + 5)], BLACK.stroke_width(2)))?;
                        canvas.draw(&PathElement::new(vec![(xu, ym - 5), (xu, ym + 5)], BLACK.stroke_width(2)))?;
                    }
                }
            }
        }
        let (x100, top) = to_px(100.0, n, 0.0);
        let (_, bottom) = to_px(100.0, 0, 0.0);
        canvas.draw(&PathElement::new(vec![(x100, top), (x100, bottom)], BLACK.stroke_width(2)))?;
        Ok(())
    })
}

/// The pixel, relative to the plotting area, of value `x` at fraction `f` (0 bottom, 1 top)
/// of segment `s`: rows of a segmented axis hold several bars.
fn segment_pixel(
    plot: &DrawingArea<SVGBackend, Cartesian2d<RangedCoordf64, plotters::coord::ranged1d::SegmentedCoord<RangedCoordu32>>>,
    x: f64,
    s: u32,
    f: f64,
) -> (i32, i32) {
    let (base_x, base_y) = plot.get_base_pixel();
    let (px, y_bottom) = plot.map_coordinate(&(x, SegmentValue::Exact(s)));
    let (_, y_top) = plot.map_coordinate(&(x, SegmentValue::Exact(s + 1)));
    (px - base_x, y_bottom + ((y_top - y_bottom) as f64 * f) as i32 - base_y)
}

/// The legend of the comparison colours, after `lead`.
fn significance_legend(lead: &str) -> Vec<(&str, Option<RGBAColor>)> {
    let mut items = vec![(lead, None)];
    for (text, c) in [
        ("moins bon", Comparison::Worse),
        ("meilleur", Comparison::Better),
        ("plus élevé", Comparison::Higher),
        ("plus bas", Comparison::Lower),
        ("similaire", Comparison::Similar),
    ] {
        items.push((text, Some(comparison_colour(c).to_rgba())));
    }
    items
}

/// A one-line legend at height `y` of `area`: text, with a colour swatch before it when given.
fn legend(area: &Area, y: i32, items: &[(&str, Option<RGBAColor>)]) -> Draw {
    let mut x = 16;
    for (text, colour) in items {
        if let Some(c) = colour {
            area.draw(&Rectangle::new([(x, y + 6), (x + 16, y + 22)], c.filled()))?;
            area.draw(&Rectangle::new([(x, y + 6), (x + 16, y + 22)], palette::GREY.stroke_width(1)))?;
            x += 21;
        }
        area.draw_text(text, &label_style(13).pos(Pos::new(HPos::Left, VPos::Top)), (x, y + 6))?;
        x += 14 + (text.chars().count() as f64 * 8.6) as i32;
    }
    Ok(())
}

/// One row of a spine chart.
#[derive(Debug, Clone)]
pub struct Spine {
    pub label: String,
    pub value: f64,
    pub france: f64,
    pub departement: Option<f64>,
    /// The values of every EPCI of France (or of the set benchmarked against).
    pub distribution: Vec<f64>,
    /// Whether high values are good (`Some(true)`), bad (`Some(false)`) or neither (`None`).
    pub high_is_good: Option<bool>,
    pub against_france: Comparison,
}

/// Quantile of sorted values (linear interpolation between order statistics, R's type 7).
pub(super) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// Spine chart in the manner of the English public-health profiles (PHE Fingertips): for
/// each indicator, France at the centre, the worst EPCI at the left end and the best at the
/// right (lowest and highest for a neutral indicator), the EPCI's middle half (25th–75th
/// percentiles) darker, the département as a black diamond and the territory as a circle
/// coloured by its comparison with France. Each half of a row has its own scale.
pub fn spine(frame: &Frame, rows: &[Spine], names: [&str; 2]) -> Result<String> {
    let rows: Vec<&Spine> = rows.iter().filter(|r| r.distribution.len() >= 2).collect();
    let n = rows.len().max(1) as u32;
    let height = 170 + 36 * n;
    render(frame, height, |area| {
        let (legend_area, area) = area.split_vertically(60);
        legend(&legend_area, 0, &significance_legend(&format!("● {} :", clip(names[0], 30))))?;
        legend(&legend_area, 30, &[(&format!("◆ {}", clip(names[1], 40)), None), ("│ France", None)])?;
        let mut chart = ChartBuilder::on(&area)
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(500)
            .build_cartesian_2d(-1.08..1.08, (0u32..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_mesh()
            .y_labels(n as usize)
            .x_labels(3)
            .x_label_formatter(&|x: &f64| if x.abs() < 0.5 { "France".into() } else { String::new() })
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => rows.get((n - 1 - i) as usize).map_or(String::new(), |r| clip(&r.label, 52)),
                _ => String::new(),
            })
            .label_style(label_style(14))
            .axis_desc_style(label_style(14))
            .draw()?;
        // The ends of the axis, under it, beside « France ».
        for (x, text, h) in [(-1.0, "◀ moins bon (ou plus bas)", HPos::Left), (1.0, "meilleur (ou plus haut) ▶", HPos::Right)] {
            chart.draw_series([
                EmptyElement::at((x, SegmentValue::Exact(0))) + Text::new(text, (0, 10), label_style(14).pos(Pos::new(h, VPos::Top)))
            ])?;
        }
        let plot = chart.plotting_area();
        let at = |x: f64, s: u32, f: f64| segment_pixel(plot, x, s, f);
        let canvas = plot.strip_coord_spec();
        for (i, r) in rows.iter().enumerate() {
            let s = n - 1 - i as u32;
            let mut sorted = r.distribution.clone();
            sorted.sort_by(f64::total_cmp);
            let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
            // Left end = worst (or lowest), right end = best (or highest).
            let (left, right) = if r.high_is_good == Some(false) { (max, min) } else { (min, max) };
            // Each side of France has its own scale: France to the best (or highest) end on
            // the right, France to the worst (or lowest) end on the left. A value beyond an
            // end (France itself may lie outside the EPCI's range) sits just past it.
            let dir = if r.high_is_good == Some(false) { -1.0 } else { 1.0 };
            let position = |v: f64| -> f64 {
                let d = dir * (v - r.france);
                let reach = if d >= 0.0 { dir * (right - r.france) } else { dir * (r.france - left) };
                let x = if d == 0.0 {
                    0.0
                } else if reach > 0.0 {
                    d / reach
                } else {
                    d.signum() * 1.05
                };
                x.clamp(-1.05, 1.05)
            };
            let (x_l, y_a) = at(position(left), s, 0.25);
            let (x_r, y_b) = at(position(right), s, 0.75);
            canvas.draw(&Rectangle::new([(x_l, y_b), (x_r, y_a)], palette::LIGHT.filled()))?;
            let (q1, q3) = (position(quantile(&sorted, 0.25)), position(quantile(&sorted, 0.75)));
            let (x1, _) = at(q1.min(q3), s, 0.25);
            let (x3, _) = at(q1.max(q3), s, 0.75);
            canvas.draw(&Rectangle::new([(x1, y_b), (x3, y_a)], palette::GREY.filled()))?;
            let (x0, y_top) = at(0.0, s, 0.95);
            let (_, y_bottom) = at(0.0, s, 0.05);
            canvas.draw(&PathElement::new(vec![(x0, y_top), (x0, y_bottom)], BLACK.stroke_width(2)))?;
            if let Some(d) = r.departement {
                let (xd, yd) = at(position(d), s, 0.5);
                canvas.draw(&Polygon::new(vec![(xd, yd - 7), (xd + 6, yd), (xd, yd + 7), (xd - 6, yd)], BLACK.filled()))?;
            }
            let (xt, yt) = at(position(r.value), s, 0.5);
            canvas.draw(&Circle::new((xt, yt), 8, comparison_colour(r.against_france).filled()))?;
            canvas.draw(&Circle::new((xt, yt), 8, BLACK.stroke_width(1)))?;
        }
        Ok(())
    })
}

/// One point of a funnel plot.
#[derive(Debug, Clone)]
pub struct FunnelPoint {
    pub denominator: f64,
    pub value: f64,
    pub is_territory: bool,
}

/// Funnel plot (Spiegelhalter 2005): every territory's value against its size (log scale),
/// with the 95 % (dashed) and 99.8 % (solid) control `limits` around France's value
/// (`target`, drawn with the limits), the territory highlighted and labelled. `widened`: the
/// dispersion φ when the limits were widened for overdispersion, said in the legend.
pub fn funnel(
    frame: &Frame,
    points: &[FunnelPoint],
    limits: &[FunnelLimit],
    target: f64,
    territory: &str,
    axes: [&str; 2],
    widened: Option<f64>,
) -> Result<String> {
    let outer = match widened {
        Some(phi) => format!("limites à 99,8 %, élargies (φ = {})", crate::report::html::number(phi, 1)),
        None => "limites à 99,8 %".to_owned(),
    };
    // France's line goes with its limits.
    let target = (!limits.is_empty()).then_some(target);
    let xs = points.iter().map(|p| p.denominator).filter(|d| *d > 0.0);
    let (x_min, x_max) = xs.fold((f64::INFINITY, 0.0_f64), |(a, b), d| (a.min(d), b.max(d)));
    if !(x_min.is_finite() && x_max > 0.0) {
        return Err(Error::Internal(format!("funnel «{}»: no point", frame.title)));
    }
    let (x_min, x_max) = (x_min / 1.3, x_max * 1.3);
    let mut ys: Vec<f64> = points.iter().map(|p| p.value).collect();
    ys.sort_by(f64::total_cmp);
    // The axis holds the points (from the 1st to the 99th percentile, so that one extreme
    // EPCI does not flatten the rest) and the territory; limits are clipped to it.
    let mut y_lo = quantile(&ys, 0.01);
    let mut y_hi = quantile(&ys, 0.99);
    for p in points.iter().filter(|p| p.is_territory) {
        y_lo = y_lo.min(p.value);
        y_hi = y_hi.max(p.value);
    }
    if let Some(target) = target {
        y_lo = y_lo.min(target);
        y_hi = y_hi.max(target);
    }
    let pad = ((y_hi - y_lo) * 0.08).max(1e-9);
    let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);
    render(frame, 680, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d((x_min..x_max).log_scale(), y_lo..y_hi)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc(axes[0])
            .y_desc(axes[1])
            .x_label_formatter(&|x| super::html::number(*x, 0))
            .y_label_formatter(&|y| axis_number(*y, y_hi - y_lo))
            .label_style(label_style(14))
            .axis_desc_style(label_style(15))
            .draw()?;
        let (lower_95, upper_95, lower_99_8, upper_99_8) =
            (|l: &FunnelLimit| l.lower_95, |l: &FunnelLimit| l.upper_95, |l: &FunnelLimit| l.lower_99_8, |l: &FunnelLimit| l.upper_99_8);
        let inside = |l: &&FunnelLimit| l.denominator >= x_min && l.denominator <= x_max;
        // A limit is drawn where it lies inside the axis, as runs of points: leaving the
        // axis ends a run (a clamped line would read as a limit along the frame).
        let line = |f: fn(&FunnelLimit) -> f64| -> Vec<Vec<(f64, f64)>> {
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for l in limits.iter().filter(inside) {
                let y = f(l);
                if (y_lo..=y_hi).contains(&y) {
                    if let Some(r) = runs.last_mut() {
                        r.push((l.denominator, y));
                    }
                } else if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(Vec::new());
                }
            }
            runs.retain(|r| r.len() >= 2);
            runs
        };
        for f in [lower_99_8 as fn(&FunnelLimit) -> f64, upper_99_8] {
            for run in line(f) {
                chart.draw_series(LineSeries::new(run, BLACK.stroke_width(2)))?;
            }
        }
        for f in [lower_95 as fn(&FunnelLimit) -> f64, upper_95] {
            for run in line(f) {
                chart.draw_series(DashedLineSeries::new(run, 6, 5, palette::DARK.stroke_width(2)))?;
            }
        }
        // Legend entries without data (the runs above may be cut in several pieces).
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label(outer.as_str())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?.label("limites à 95 % (tirets)").legend(|(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (7, 0)], palette::DARK.stroke_width(2))
                + PathElement::new(vec![(12, 0), (20, 0)], palette::DARK.stroke_width(2))
        });
        if let Some(target) = target {
            chart
                .draw_series(LineSeries::new([(x_min, target), (x_max, target)], palette::GREEN.stroke_width(2)))?
                .label("France")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], palette::GREEN.stroke_width(2)));
        }
        let in_view = |p: &&FunnelPoint| p.denominator > 0.0 && p.value >= y_lo && p.value <= y_hi;
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| !p.is_territory)
                    .filter(in_view)
                    .map(|p| Circle::new((p.denominator, p.value), 3, palette::GREY.mix(0.6).filled())),
            )?
            .label("EPCI")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, palette::GREY.filled()));
        for p in points.iter().filter(|p| p.is_territory && p.denominator > 0.0) {
            chart.draw_series([Circle::new((p.denominator, p.value), 8, palette::BLUE.filled())])?;
            chart.draw_series([Text::new(
                clip(territory, 40),
                (p.denominator, p.value),
                label_style(16).color(&palette::BLUE).pos(Pos::new(HPos::Left, VPos::Bottom)),
            )])?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(palette::GREY)
            .label_font(label_style(14))
            .draw()?;
        Ok(())
    })
}

/// An axis label the French way, with one decimal on an axis spanning less than 20 units.
fn axis_number(v: f64, span: f64) -> String {
    let text = if span < 20.0 { format!("{v:.1}") } else { format!("{v:.0}") };
    text.replace('.', ",")
}

/// One scenario of the GP projection: (year, headcount, FTE) per year.
#[derive(Debug, Clone)]
pub struct ScenarioLine {
    pub name: String,
    pub years: Vec<(i32, f64, f64)>,
}

/// GP projection: headcount per year under each scenario (left); FTE under each scenario
/// against the FTE the population's consultations need (right), the shortfall of the first
/// scenario shaded.
pub fn projection(frame: &Frame, scenarios: &[ScenarioLine], demand_fte: &[(i32, f64)]) -> Result<String> {
    let years: Vec<i32> = demand_fte.iter().map(|d| d.0).collect();
    let (Some(&y0), Some(&y1)) = (years.first(), years.last()) else {
        return Err(Error::Internal("projection chart: no year".into()));
    };
    let top = |f: &dyn Fn(&(i32, f64, f64)) -> f64| scenarios.iter().flat_map(|s| s.years.iter().map(f)).fold(1.0_f64, f64::max);
    let head_max = top(&|y| y.1) * 1.1;
    let fte_max = top(&|y| y.2).max(demand_fte.iter().map(|d| d.1).fold(0.0, f64::max)) * 1.1;
    render(frame, 620, |area| {
        let (left, right) = area.split_horizontally(WIDTH / 2);
        for (panel, is_fte) in [(left, false), (right, true)] {
            let mut chart = ChartBuilder::on(&panel)
                .margin(14)
                .margin_right(32)
                .caption(if is_fte { "Équivalents temps plein et besoin" } else { "Médecins généralistes en activité" }, (FONT, 16.0 * TEXT_SCALE))
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(y0..y1, 0.0..if is_fte { fte_max } else { head_max })?;
            chart
                .configure_mesh()
                .light_line_style(TRANSPARENT)
                .x_labels(6)
                .x_label_formatter(&|y| y.to_string())
                .y_label_formatter(&|v| {
                    if is_fte {
                        axis_number(*v, fte_max)
                    } else if v.fract().abs() < 1e-9 {
                        format!("{v:.0}")
                    } else {
                        String::new()
                    }
                })
                .label_style(label_style(14))
                .draw()?;
            if is_fte {
                if let Some(first) = scenarios.first() {
                    // Shortfall: between the demand and the first scenario's FTE where the
                    // demand is higher.
                    let upper: Vec<(i32, f64)> = first.years.iter().zip(demand_fte).map(|(s, d)| (s.0, d.1.max(s.2))).collect();
                    let lower: Vec<(i32, f64)> = first.years.iter().rev().map(|s| (s.0, s.2)).collect();
                    chart
                        .draw_series([Polygon::new(upper.into_iter().chain(lower).collect::<Vec<_>>(), palette::VERMILLION.mix(0.18).filled())])?
                        .label(format!("manque ({})", clip(&first.name, 16)))
                        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], palette::VERMILLION.mix(0.3).filled()));
                }
                chart
                    .draw_series(DashedLineSeries::new(demand_fte.iter().copied(), 8, 5, BLACK.stroke_width(3)))?
                    .label("besoin (ETP)")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3)));
            }
            for (k, s) in scenarios.iter().enumerate() {
                let colour = palette::SERIES[k % palette::SERIES.len()];
                let points: Vec<(i32, f64)> = s.years.iter().map(|y| (y.0, if is_fte { y.2 } else { y.1 })).collect();
                let series = chart.draw_series(LineSeries::new(points, colour.stroke_width(3)))?;
                if !is_fte {
                    series.label(s.name.clone()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3)));
                }
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerLeft)
                .background_style(WHITE.mix(0.9))
                .border_style(palette::GREY)
                .label_font(label_style(13))
                .draw()?;
        }
        Ok(())
    })
}

/// One indicator of a theme's trend chart: its label, the territory's trend (« en
/// dégradation »…) and its values over the years in the territory, its département, its
/// région and France (in that order; a line may be empty).
#[derive(Debug, Clone)]
pub struct TrendPanel {
    pub label: String,
    pub trend: String,
    pub lines: [Vec<(i32, f64)>; 4],
}

/// How many panels a trend chart draws side by side, and the height of a row of them.
const TREND_COLUMNS: usize = 2;
const TREND_ROW_HEIGHT: u32 = 290;
/// The characters a trend panel's caption holds (label, dash and trend) in half the chart's width.
const TREND_CAPTION: usize = 60;

/// A theme's indicators over the years: one panel per indicator (two a row), the territory
/// (black, thick) against its département, région and France (`names`, in that order), the
/// territory's trend under each panel's title.
pub fn trends(frame: &Frame, panels: &[TrendPanel], names: [&str; 4]) -> Result<String> {
    let rows = panels.len().div_ceil(TREND_COLUMNS).max(1) as u32;
    let legend = 40;
    render(frame, TITLE_HEIGHT + FOOT_HEIGHT + legend + rows * TREND_ROW_HEIGHT, |area| {
        let (key, grid) = area.split_vertically(legend);
        let colours = [BLACK, palette::BLUE, palette::ORANGE, palette::GREEN];
        let mut x = 16;
        for (k, name) in names.iter().enumerate() {
            let width = if k == 0 { 4 } else { 2 };
            key.draw(&PathElement::new(vec![(x, 20), (x + 28, 20)], colours[k].stroke_width(width)))?;
            let text = clip(name, 30);
            key.draw_text(&text, &label_style(13).pos(Pos::new(HPos::Left, VPos::Center)), (x + 34, 20))?;
            x += 40 + 8 * text.chars().count() as i32;
        }
        let cells = grid.split_evenly((rows as usize, TREND_COLUMNS));
        for (panel, cell) in panels.iter().zip(cells) {
            let points = panel.lines.iter().flatten();
            let (y0, y1) = points.clone().fold((i32::MAX, i32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (v0, v1) = points.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
            if y0 > y1 {
                continue;
            }
            let pad = ((v1 - v0) * 0.1).max(v1.abs() * 0.02).max(1e-9);
            let (lo, hi) = (v0 - pad, v1 + pad);
            let mut chart = ChartBuilder::on(&cell)
                .margin(10)
                .margin_right(24)
                // One line within the panel's width: the label gives way to the trend's words.
                .caption(
                    format!("{} — {}", clip(&panel.label, TREND_CAPTION.saturating_sub(panel.trend.chars().count()).max(16)), panel.trend),
                    (FONT, 13.0 * TEXT_SCALE),
                )
                .x_label_area_size(30)
                .y_label_area_size(60)
                .build_cartesian_2d(y0..y1.max(y0 + 1), lo..hi)?;
            chart
                .configure_mesh()
                .light_line_style(TRANSPARENT)
                .x_labels(((y1 - y0) as usize + 1).min(10))
                .x_label_formatter(&|y| y.to_string())
                .y_labels(5)
                .y_label_formatter(&|v| axis_number(*v, hi - lo))
                .label_style(label_style(12))
                .draw()?;
            // France first, the territory last (on top).
            for k in (0..4).rev() {
                let line = &panel.lines[k];
                let width = if k == 0 { 4 } else { 2 };
                chart.draw_series(LineSeries::new(line.iter().copied(), colours[k].stroke_width(width)))?;
                chart.draw_series(line.iter().map(|&p| Circle::new(p, if k == 0 { 4 } else { 3 }, colours[k].filled())))?;
            }
        }
        Ok(())
    })
}

/// The GPs' ages by 5-year band (25-29 … 70-74, 75 and over), with the ages at which the
/// scenarios stop them marked. Statistical secrecy: a band of fewer than `min_count` GPs (but
/// not none) is drawn as a pale bar of that height marked « < n », its count withheld.
pub fn gp_ages(frame: &Frame, ages: &[i32], marks: &[(f64, &str)], min_count: u32) -> Result<String> {
    const FIRST: i32 = 25;
    const LAST: usize = 10; // the index of the open band, 75+
    let mut counts = [0u32; LAST + 1];
    for &a in ages {
        counts[(((a.max(FIRST) - FIRST) / 5) as usize).min(LAST)] += 1;
    }
    let shown = |c: u32| if c > 0 && c < min_count { min_count } else { c };
    let top = counts.iter().map(|&c| shown(c)).max().unwrap_or(0).max(1) as f64 * 1.25;
    render(frame, 540, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .x_label_area_size(60)
            .y_label_area_size(76)
            .build_cartesian_2d(FIRST as f64..(FIRST + 5 * (LAST as i32 + 1)) as f64, 0.0..top)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .x_labels(LAST + 2)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| if y.fract().abs() < 1e-9 { format!("{y:.0}") } else { String::new() })
            .x_desc("Âge (classes de 5 ans ; la dernière : 75 ans et plus)")
            .y_desc("Médecins généralistes")
            .label_style(label_style(14))
            .axis_desc_style(label_style(15))
            .draw()?;
        for (i, &c) in counts.iter().enumerate() {
            let x0 = (FIRST + 5 * i as i32) as f64;
            let secret = c > 0 && c < min_count;
            let style = if secret { palette::SKY.mix(0.35).filled() } else { palette::BLUE.mix(0.85).filled() };
            chart.draw_series([Rectangle::new([(x0 + 0.3, 0.0), (x0 + 4.7, shown(c) as f64)], style)])?;
            if secret {
                chart.draw_series([EmptyElement::at((x0 + 2.5, shown(c) as f64))
                    + Text::new(format!("< {min_count}"), (0, -4), label_style(13).pos(Pos::new(HPos::Center, VPos::Bottom)))])?;
            }
        }
        for (k, (age, label)) in marks.iter().enumerate() {
            let colour = [palette::VERMILLION, palette::DARK, palette::GREEN][k % 3];
            chart.draw_series(DashedLineSeries::new([(*age, 0.0), (*age, top)], 6, 4, colour.stroke_width(2)))?;
            let y = top * (0.96 - 0.09 * k as f64);
            chart.draw_series([EmptyElement::at((*age, y)) + Text::new(label.to_string(), (5, 0), label_style(13).color(&colour))])?;
        }
        Ok(())
    })
}

/// Equirectangular projection of (latitude, longitude) points: x = longitude × cos(mean
/// latitude), y = latitude (north up), both in degrees of latitude, so that distances are true
/// near the mean latitude; then scaled into a `width` × `height` box (pixels, y down) with the
/// aspect ratio kept and the points centred. One point (or all at one place) goes to the centre.
pub fn project(points: &[(f64, f64)], width: f64, height: f64) -> Vec<(f64, f64)> {
    if points.is_empty() {
        return Vec::new();
    }
    let mean_lat = points.iter().map(|p| p.0).sum::<f64>() / points.len() as f64;
    let k = mean_lat.to_radians().cos();
    let xy: Vec<(f64, f64)> = points.iter().map(|&(lat, lng)| (lng * k, lat)).collect();
    let (x0, x1) = xy.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = xy.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (dx, dy) = (x1 - x0, y1 - y0);
    let scale = match (dx > 0.0, dy > 0.0) {
        (true, true) => (width / dx).min(height / dy),
        (true, false) => width / dx,
        (false, true) => height / dy,
        (false, false) => 0.0,
    };
    // Centred: the unused width (or height) split on both sides.
    let (ox, oy) = ((width - dx * scale) / 2.0, (height - dy * scale) / 2.0);
    xy.iter().map(|&(x, y)| (ox + (x - x0) * scale, oy + (y1 - y) * scale)).collect()
}

/// A round number (1, 2 or 5 × 10^k) at most `v`.
pub(super) fn round_down(v: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|&r| r <= v).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame { title: "Titre <é>".into(), source: "Source : essai".into(), synthetic: true }
    }

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-12);
        assert!((quantile(&v, 0.5) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn a_chart_is_an_svg_with_its_title_mark_and_labels_and_a_png_twice_its_size() {
        let bands = vec![("0-4 ans".to_owned(), 100.0, 95.0), ("5-9 ans".to_owned(), 110.0, 104.0), ("10 ans et +".to_owned(), 900.0, 950.0)];
        let svg = pyramid(&frame(), &bands, &[(10.0, 10.0), (11.0, 10.0), (80.0, 85.0)]).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("width=\"1000\""), "{}", &svg[..80]);
        assert!(svg.contains("Titre &lt;é&gt;") && svg.contains("DONNÉES SYNTHÉTIQUES") && svg.contains("5-9 ans"));
        let png = png(&svg).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        assert_eq!(width, 2 * WIDTH);
    }

    #[test]
    fn a_long_source_is_wrapped_at_spaces_and_the_chart_grows_to_hold_it() {
        assert_eq!(wrap("Source : a b", 120), vec!["Source : a b"]);
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("aaaaaaaaaa b", 4), vec!["aaaaaaaaaa", "b"], "a long word keeps its line");
        assert_eq!(wrap("", 4), vec![""]);
        let long = format!("Source : {}", ["INSEE, recensement de la population"; 8].join(" ; "));
        let lines = wrap(&long, SOURCE_CHARS);
        assert!(lines.len() == 3 && lines.iter().all(|l| l.chars().count() <= SOURCE_CHARS), "{lines:?}");
        assert_eq!(lines.join(" "), long, "nothing lost");
        let height = |svg: &str| -> u32 {
            let at = svg.find("height=\"").unwrap() + 8;
            svg[at..].split('"').next().unwrap().parse().unwrap()
        };
        let short = gp_ages(&frame(), &[34, 45, 61], &[], 1).unwrap();
        let wrapped = gp_ages(&Frame { source: long.clone(), ..frame() }, &[34, 45, 61], &[], 1).unwrap();
        assert_eq!(height(&wrapped), height(&short) + 2 * SOURCE_LINE_HEIGHT);
        assert!(lines.iter().all(|l| wrapped.contains(l.as_str())), "every line drawn");
    }

    #[test]
    fn without_demo_data_there_is_no_synthetic_mark() {
        let f = Frame { synthetic: false, ..frame() };
        let svg = gp_ages(&f, &[34, 45, 61, 66, 70], &[(62.0, "62 ans")], 1).unwrap();
        assert!(!svg.contains("SYNTHÉTIQUES"));
        assert!(svg.contains("62 ans"));
    }

    #[test]
    fn small_age_bands_are_withheld() {
        // Two GPs aged 60-64 (under a threshold of 3), five aged 45-49.
        let svg = gp_ages(&frame(), &[61, 63, 45, 46, 47, 48, 49], &[], 3).unwrap();
        assert_eq!(svg.matches("&lt; 3").count(), 1);
        let open = gp_ages(&frame(), &[61, 63, 45, 46, 47, 48, 49], &[], 1).unwrap();
        assert!(!open.contains("&lt; "));
    }

    #[test]
    fn a_funnel_without_points_is_an_error_not_a_panic() {
        assert!(funnel(&frame(), &[], &[], 100.0, "T", ["x", "y"], None).is_err());
    }

    #[test]
    fn a_spine_row_needs_a_distribution() {
        let row = Spine {
            label: "x".into(),
            value: 5.0,
            france: 4.0,
            departement: Some(4.5),
            distribution: vec![1.0, 3.0, 4.0, 9.0],
            high_is_good: Some(false),
            against_france: Comparison::Worse,
        };
        let svg = spine(&frame(), &[row.clone(), Spine { distribution: vec![], ..row }], ["T", "D"]).unwrap();
        // One territory circle (radius 8) for the one row with a distribution.
        assert_eq!(svg.matches("r=\"8\"").count(), 2, "filled and outlined circle of one row");
    }

    #[test]
    fn the_projection_shrinks_longitudes_by_the_cosine_of_the_mean_latitude_and_keeps_the_aspect() {
        // Two points one degree of longitude apart at latitude 60 (cos = 0.5) and one degree
        // of latitude apart: the box is 0.5 wide for 1 high, so in a 100 × 100 frame it is
        // 50 × 100, centred (x from 25 to 75), north up.
        let xy = project(&[(59.5, 10.0), (60.5, 11.0)], 100.0, 100.0);
        let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
        assert!(close(xy[0], (25.0, 100.0)) && close(xy[1], (75.0, 0.0)), "{xy:?}");
        // Wider than high: the width fills, the height is centred.
        let xy = project(&[(-0.5, 0.0), (0.5, 4.0)], 200.0, 200.0);
        assert!(close(xy[0], (0.0, 125.0)) && close(xy[1], (200.0, 75.0)), "{xy:?}");
        // One point: the centre.
        assert!(close(project(&[(45.0, 3.0)], 80.0, 60.0)[0], (40.0, 30.0)));
        assert!(project(&[], 10.0, 10.0).is_empty());
    }
}
