//! Maps of the territory's communes in the report: DREES's APL (with the communes within 20
//! minutes around the territory), the GP density, the share of people aged 75 and over, and
//! any catalogue indicator asked for (`--map id,…`), each commune's value computed by the
//! catalogue as for a one-commune geography (withheld values shown hatched, « secret », never
//! as zero; a single secret commune of the territory takes the smallest other with it, since
//! the territory's total is published: `compare::secrecy::suppress_partitions`).
//!
//! With contours (`--contours FILE`, [`super::contours`]) a choropleth: each commune filled
//! with the colour of its class, the features of one current commune drawn as one shape (no
//! border inside it), the territory's outline emphasised. Without, proportional circles at
//! the communes' centroids (COG 2024), their area by population.
//!
//! Classes: DREES's thresholds for the APL (under 2.5 strictly a commune is under-served, 4
//! and over well served), quantiles of the territory's communes otherwise (five classes, fewer
//! when few communes or values). Projection: equirectangular, longitudes scaled by the cosine
//! of the mean latitude ([`charts::project`]): distances are true to about 1 % across a
//! territory of a few tens of kilometres.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use plotters::style::RGBColor;

use super::charts::{self, palette, Frame};
use super::contours::{Contours, Polygon};
use super::html::{esc, number};
use super::model::{Chart, Figure};
use crate::error::{Error, Location, Result};
use crate::geo::{ComparatorOptions, Referential, Territory};
use crate::indicators::evaluate::Geography;
use crate::indicators::{Indicator, Interned, Method};
use crate::ingest::load::Data;

/// The maps every report draws, when the catalogue has them and the data gives values.
pub const DEFAULT_MAPS: [&str; 3] = ["apl_mg", "densite_mg", "part_75_plus"];
/// The indicator whose map shows the neighbours within [`crate::apl::CUTOFF_MINUTES`].
const APL: &str = "apl_mg";
/// The communes named on a map: the most populated.
const NAMED: usize = 5;
/// Classes by quantiles, at most.
const QUANTILE_CLASSES: usize = 5;

/// What the report's maps are drawn with.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// The communes' contours; proportional circles without.
    pub contours: Option<Contours>,
    /// Indicators mapped besides [`DEFAULT_MAPS`] (catalogue ids).
    pub indicators: Vec<String>,
}

/// Check that every id asked for is in the catalogue.
pub fn check(ids: &[String], catalogue: &[Indicator]) -> Result<()> {
    for id in ids {
        if !catalogue.iter().any(|i| &i.id == id) {
            return Err(Error::input(
                Location::file("--map"),
                format!("no indicator «{id}» in the catalogue"),
                "give the ids of the catalogue's indicators (the `id` of each [[indicator]] in data/indicators.toml, or of --catalogue; \
                 also the `id` column of diagnostic.csv), separated by commas: --map densite_infirmiers,part_80_plus",
            ));
        }
    }
    Ok(())
}

/// A commune's value on a map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    Value(f64),
    /// Withheld for statistical secrecy.
    Secret,
    /// Not available (not in the data, or not computable).
    Missing,
}

/// A commune on a map.
#[derive(Debug, Clone)]
pub struct Place {
    pub code: String,
    pub name: String,
    /// Its centroid (latitude, longitude).
    pub point: Option<(f64, f64)>,
    /// Its contours' polygons ((longitude, latitude) rings), with contours.
    pub shape: Option<Vec<Polygon>>,
    /// Its population, for the circles' area and the names shown.
    pub population: f64,
    pub shown: Shown,
    /// A commune around the territory, not in it.
    pub neighbour: bool,
}

/// The classes of a map: ascending bounds (a value at a bound is in the class above it),
/// each class's French label and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub bounds: Vec<f64>,
    pub labels: Vec<String>,
    pub colours: Vec<RGBColor>,
    /// How they were made, for the legend: « quantiles », « seuils de la DREES ».
    pub how: String,
}

/// ColorBrewer's sequential Blues (5 classes), light to dark: neutral indicators.
const BLUES: [RGBColor; 5] =
    [RGBColor(239, 243, 255), RGBColor(189, 215, 231), RGBColor(107, 174, 214), RGBColor(49, 130, 189), RGBColor(8, 81, 156)];
/// ColorBrewer's sequential OrRd (5 classes), light to dark: the dark end is the worse one.
const ORANGES: [RGBColor; 5] = [RGBColor(254, 240, 217), RGBColor(253, 204, 138), RGBColor(252, 141, 89), RGBColor(227, 74, 51), RGBColor(179, 0, 0)];

impl Classes {
    /// The class of `v`: how many bounds it reaches.
    pub fn of(&self, v: f64) -> usize {
        self.bounds.iter().filter(|b| v >= **b).count()
    }

    /// Classes at fixed `bounds`, labelled with `decimals`; `colours` one per class.
    pub fn thresholds(bounds: &[f64], decimals: usize, colours: Vec<RGBColor>, how: &str) -> Classes {
        Classes { bounds: bounds.to_vec(), labels: labels(bounds, decimals, None), colours, how: how.to_owned() }
    }

    /// At most `max` classes of about as many values each: the bounds are the quantiles
    /// (R's type 7) of `values` at 1/k, 2/k…, rounded to `decimals` and kept when above the
    /// lowest value and distinct, so that no class is empty for rounding; `dark_is_worse`:
    /// the colours run to the dark end where values are worse (`Some(true)`: high is bad,
    /// `Some(false)`: low is bad), blues for a neutral indicator.
    pub fn quantiles(values: &[f64], max: usize, decimals: usize, high_is_bad: Option<bool>) -> Classes {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let mut distinct = sorted.clone();
        distinct.dedup();
        let k = max.min(distinct.len()).max(1);
        let scale = 10f64.powi(decimals as i32);
        let mut bounds: Vec<f64> = Vec::new();
        let round = |v: f64| (v * scale).round() / scale;
        for j in 1..k {
            // A bound at (or under) the class below's would leave that class empty: the next
            // value above it instead (ties at the bottom: the zeros of small communes).
            let lower = bounds.last().copied().unwrap_or(sorted[0]);
            let b = round(charts::quantile(&sorted, j as f64 / k as f64));
            let b = if b > lower { Some(b) } else { distinct.iter().map(|v| round(*v)).find(|v| *v > lower) };
            if let Some(b) = b.filter(|b| *b <= round(sorted[sorted.len() - 1])) {
                bounds.push(b);
            }
        }
        let palette = match high_is_bad {
            None => BLUES,
            Some(_) => ORANGES,
        };
        let n = bounds.len() + 1;
        let mut colours: Vec<RGBColor> = (0..n).map(|i| palette[if n == 1 { 2 } else { (i * 4 + (n - 1) / 2) / (n - 1) }]).collect();
        if high_is_bad == Some(false) {
            colours.reverse();
        }
        let range = (!sorted.is_empty()).then(|| (sorted[0], sorted[sorted.len() - 1]));
        Classes { labels: labels(&bounds, decimals, range), bounds, colours, how: "classes par quantiles des communes du territoire".into() }
    }
}

/// « < 2,5 », « 2,5 – 4 », « ≥ 4 »; one class: its range.
fn labels(bounds: &[f64], decimals: usize, range: Option<(f64, f64)>) -> Vec<String> {
    let n = |v: f64| number(v, decimals);
    if bounds.is_empty() {
        return vec![match range {
            Some((a, b)) if n(a) != n(b) => format!("{} – {}", n(a), n(b)),
            Some((a, _)) => n(a),
            None => "toutes".into(),
        }];
    }
    let mut out = vec![format!("< {}", n(bounds[0]))];
    out.extend(bounds.windows(2).map(|w| format!("{} – {}", n(w[0]), n(w[1]))));
    out.push(format!("≥ {}", n(bounds[bounds.len() - 1])));
    out
}

/// A map's data: the indicator, the classes, the communes.
#[derive(Debug, Clone)]
pub struct Map {
    /// The legend's title (the indicator, short).
    pub label: String,
    pub unit: String,
    pub decimals: usize,
    pub classes: Classes,
    pub places: Vec<Place>,
    /// The `named` most populated communes of the territory are named.
    pub named: usize,
}

/// The report's maps as figures, and what the methods section says of them.
#[allow(clippy::too_many_arguments)]
pub fn figures(
    t: &Territory,
    r: &Referential,
    data: &Data,
    facts: &Interned,
    catalogue: &[Indicator],
    options: &ComparatorOptions,
    maps: &MapOptions,
    frame: &dyn Fn(String, &str, &[String]) -> Frame,
) -> Result<(Vec<Figure>, Vec<String>)> {
    check(&maps.indicators, catalogue)?;
    let mut ids: Vec<&str> = DEFAULT_MAPS.iter().copied().filter(|id| catalogue.iter().any(|i| i.id == *id)).collect();
    for id in &maps.indicators {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    let indicators: Vec<&Indicator> = ids.iter().filter_map(|id| catalogue.iter().find(|i| i.id == *id)).collect();
    let centroids = crate::geo::centroids(r);
    let point = |code: &str| centroids.get(code).copied().or_else(|| crate::geo::coordinates(code));
    let units: Vec<&crate::geo::Unit> = t.units(r).collect();
    let inside: HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    // The communes within 20 minutes of one of the territory's (estimated from the centroids),
    // the arrondissements of Paris, Lyon and Marseille as the APL gives them.
    let estimate = crate::apl::travel::Estimate::default();
    let points: Vec<(f64, f64)> = units.iter().filter_map(|u| point(&u.code)).collect();
    let mut neighbours: Vec<&crate::geo::Unit> = if indicators.iter().any(|i| i.id == APL) {
        r.units()
            .iter()
            .filter(|u| u.in_france() && !inside.contains(u.code.as_str()) && !r.has_arrondissements(&u.code))
            .filter(|u| point(&u.code).is_some_and(|p| points.iter().any(|q| estimate.minutes(p, *q) <= crate::apl::CUTOFF_MINUTES)))
            .collect()
    } else {
        Vec::new()
    };
    neighbours.sort_by(|a, b| a.code.cmp(&b.code));
    let measures: Vec<String> = indicators.iter().flat_map(|i| i.terms().map(|t| t.measure.clone())).collect();
    // The territory, its département, its région and France (the ICM's reference), then each
    // commune as a geography of its own.
    let mut geographies = crate::compare::diagnose::geographies(t, r, options, false).main.to_vec();
    let first = geographies.len();
    let all: Vec<(&crate::geo::Unit, bool)> = units.iter().map(|u| (*u, false)).chain(neighbours.iter().map(|u| (*u, true))).collect();
    geographies.extend(all.iter().map(|(u, _)| Geography { id: u.code.clone(), name: u.name.clone(), units: vec![u.code.clone()] }));
    let agg = facts.aggregate_only(&geographies, &measures)?;
    let mut figures = Vec::new();
    let mut notes = Vec::new();
    if let Some(c) = &maps.contours {
        let mut text = format!(
            "Contours des communes : {} ({} contours, code INSEE lu dans la propriété « {} »), projection équirectangulaire (longitudes \
             multipliées par le cosinus de la latitude moyenne).",
            c.file,
            number(c.features as f64, 0),
            c.key
        );
        // The territory's remapped codes listed, the file's others counted (a national file
        // of 2018 has hundreds).
        let (mine, others): (Vec<_>, Vec<_>) = c.remapped.iter().partition(|(_, to)| inside.contains(to.as_str()));
        if !mine.is_empty() {
            let list: Vec<String> = mine.iter().map(|(from, to)| format!("{from} → {to}")).collect();
            write!(
                text,
                " Codes d'anciennes communes ou de communes déléguées du territoire rattachés à leur commune actuelle (leurs contours réunis) : {}.",
                list.join(", ")
            )
            .ok();
        }
        if !others.is_empty() {
            write!(text, " Ailleurs dans le fichier, {} rattachés de même.", super::model::plural(others.len(), "code", "codes")).ok();
        }
        if c.unmatched.is_empty() {
            text.push_str(" Tous les codes du fichier ont été reconnus.");
        } else {
            const LISTED: usize = 100;
            let mut list = c.unmatched.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
            if c.unmatched.len() > LISTED {
                write!(list, " et {} autres", c.unmatched.len() - LISTED).ok();
            }
            write!(text, " Codes du fichier non reconnus dans le Code officiel géographique, non dessinés : {list}.").ok();
        }
        notes.push(text);
    } else {
        notes.push(
            "Cartes sans contours : un cercle au centroïde de chaque commune (INSEE, COG 2024), d'aire proportionnelle à sa population, \
             projection équirectangulaire (longitudes multipliées par le cosinus de la latitude moyenne) ; des contours de communes \
             (GeoJSON ou TopoJSON, par exemple IGN Admin Express COG) se donnent avec l'option --contours."
                .into(),
        );
    }
    for indicator in indicators {
        let neighbours_too = indicator.id == APL;
        let kept: Vec<usize> = (0..all.len()).filter(|&k| neighbours_too || !all[k].1).collect();
        let mut values: Vec<crate::indicators::Value> = kept.iter().map(|&k| crate::indicators::compute(indicator, &agg, first + k, 3)).collect();
        // The territory's value is published beside its communes': a single secret commune
        // would be its total minus the others (secondary secrecy, as across EPCI).
        let territory: Vec<usize> = kept.iter().enumerate().filter(|(_, &k)| !all[k].1).map(|(i, _)| i).collect();
        crate::compare::secrecy::suppress_partitions(&mut values, &[territory]);
        let places: Vec<Place> = kept
            .iter()
            .zip(&values)
            .map(|(&k, v)| {
                let (u, neighbour) = all[k];
                let shown = match v.estimate.value {
                    Some(x) if v.withheld.is_none() && x.is_finite() => Shown::Value(x),
                    _ if v.is_secret() => Shown::Secret,
                    _ => Shown::Missing,
                };
                Place {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    point: point(&u.code),
                    shape: maps.contours.as_ref().and_then(|c| c.shape(&u.code)).map(<[Polygon]>::to_vec),
                    population: u.population.unwrap_or(0) as f64,
                    shown,
                    neighbour,
                }
            })
            .collect();
        let values: Vec<f64> =
            places.iter().filter(|p| !p.neighbour).filter_map(|p| if let Shown::Value(v) = p.shown { Some(v) } else { None }).collect();
        if values.is_empty() && !places.iter().any(|p| !p.neighbour && p.shown == Shown::Secret) {
            notes.push(format!("Pas de carte de l'indicateur « {} » : aucune valeur par commune dans les données chargées.", indicator.label));
            continue;
        }
        let year = data.years.get(&indicator.numerator.measure).copied();
        if let Some(f) = figure(indicator, places, &values, year, maps.contours.as_ref(), frame) {
            figures.push(f);
        }
    }
    Ok((figures, notes))
}

/// The map of one indicator, `None` when no commune can be placed.
fn figure(
    indicator: &Indicator,
    places: Vec<Place>,
    values: &[f64],
    year: Option<i32>,
    contours: Option<&Contours>,
    frame: &dyn Fn(String, &str, &[String]) -> Frame,
) -> Option<Figure> {
    let apl = indicator.id == APL;
    let median = values.get(values.len() / 2).copied().unwrap_or(0.0);
    let decimals = if apl { 1 } else { indicator.method.decimals(median) };
    let classes = if apl {
        let [(under, _), (well, _)] = crate::ingest::apl::GP_THRESHOLDS;
        let mut c = Classes::thresholds(&[under, well], 1, vec![palette::VERMILLION, palette::YELLOW, palette::GREEN], "seuils de la DREES");
        c.labels[0].push_str(" (sous-dense)");
        c
    } else {
        let high_is_bad = match indicator.polarity {
            crate::stats::compare::Polarity::HighIsGood => Some(false),
            crate::stats::compare::Polarity::LowIsGood => Some(true),
            crate::stats::compare::Polarity::Neutral => None,
        };
        Classes::quantiles(values, QUANTILE_CLASSES, decimals, high_is_bad)
    };
    let (mut missing, mut drawn) = (Vec::new(), Vec::new());
    let with_contours = contours.is_some() && places.iter().any(|p| !p.neighbour && p.shape.is_some());
    let mut unshaped_neighbours = 0;
    for p in places {
        // With contours, a neighbour outside the file (another département's) is left out.
        let placed = if with_contours { p.shape.is_some() || (p.point.is_some() && !p.neighbour) } else { p.point.is_some() };
        unshaped_neighbours += usize::from(with_contours && p.neighbour && p.shape.is_none());
        if placed {
            drawn.push(p);
        } else if !p.neighbour {
            missing.push(format!("{} ({})", p.name, p.code));
        }
    }
    if !drawn.iter().any(|p| !p.neighbour) {
        return None;
    }
    let without_shape: Vec<String> = if with_contours {
        drawn.iter().filter(|p| !p.neighbour && p.shape.is_none()).map(|p| format!("{} ({})", p.name, p.code)).collect()
    } else {
        Vec::new()
    };
    let unit = if indicator.unit.is_empty() { unit_of(indicator) } else { indicator.unit.clone() };
    // « Taux de natalité (pour 1 000 habitants) »: the unit has a line of its own in the legend.
    let label = chart_label(indicator);
    // (« … (pour 100 000) » over « pour 100 000 habitants » too.)
    let label = match label.strip_suffix(')').and_then(|l| l.rsplit_once(" (")) {
        Some((head, inside)) if !unit.is_empty() && unit.starts_with(inside) => head.to_owned(),
        _ => label.clone(),
    };
    let at = year.map_or_else(String::new, |y| format!(", {y}"));
    let title = if apl { format!("APL aux médecins généralistes par commune{at}") } else { format!("{} par commune{at}", indicator.label) };
    let source = match contours {
        Some(c) if with_contours => format!("contours {}", c.file),
        _ => "INSEE, COG 2024 (centroïdes)".to_owned(),
    };
    let mut measures = indicator.provenance_keys();
    if apl {
        measures.push("apl_population_total".into());
    }
    let neighbours = drawn.iter().filter(|p| p.neighbour).count();
    let secret = drawn.iter().filter(|p| !p.neighbour && p.shown == Shown::Secret).count();
    let mut caption = format!(
        "{} des communes du territoire{}{} : {} ; {} ; les {NAMED} communes les plus peuplées sont nommées.",
        indicator.label,
        if neighbours > 0 { " et des communes à moins de 20 minutes (plus claires ; temps estimé à vol d'oiseau × 1,3 à 60 km/h)" } else { "" },
        year.map_or_else(String::new, |y| format!(" en {y}")),
        if with_contours {
            "chaque commune coloriée selon sa classe, le contour du territoire en trait épais".to_owned()
        } else {
            "un cercle au centroïde de chaque commune, d'aire proportionnelle à sa population, coloré selon sa classe".to_owned()
        },
        if apl {
            "seuils de la DREES (sous 2,5 : commune sous-dense)".to_owned()
        } else {
            format!("{} classes par quantiles des communes du territoire", classes.labels.len())
        },
    );
    if secret > 0 {
        write!(caption, " Valeur couverte par le secret statistique (hachures) : {}.", super::model::plural(secret, "commune", "communes")).ok();
    }
    if !without_shape.is_empty() {
        write!(caption, " Sans contour dans le fichier, représentées par un cercle : {}.", without_shape.join(", ")).ok();
    }
    if !missing.is_empty() {
        write!(caption, " Sans coordonnées, non représentées : {}.", missing.join(", ")).ok();
    }
    if unshaped_neighbours > 0 {
        write!(caption, " Communes voisines absentes du fichier de contours, non représentées : {unshaped_neighbours}.").ok();
    }
    let stem = if apl { "carte-apl".to_owned() } else { format!("carte-{}", indicator.id) };
    Some(Figure {
        stem,
        caption,
        frame: frame(title, &source, &measures),
        chart: Chart::Map(Map { label, unit, decimals, classes, places: drawn, named: NAMED }),
    })
}

/// What a rate without a unit is per: « pour 10 000 habitants ».
fn unit_of(i: &Indicator) -> String {
    match i.method {
        Method::CrudeRate | Method::Dsr if i.multiplier > 1.0 => format!("pour {} habitants", number(i.multiplier, 0)),
        _ => String::new(),
    }
}

/// The legend's short label of an indicator.
fn chart_label(i: &Indicator) -> String {
    i.label.replace("Accessibilité potentielle localisée (APL)", "APL").replace(" pour 10 000 habitants", "")
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

fn rgb(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// An edge between two points, quantised to 10⁻⁶ degree, either way round.
type Edge = ((i64, i64), (i64, i64));

fn edge(a: (f64, f64), b: (f64, f64)) -> Edge {
    let q = |p: (f64, f64)| ((p.0 * 1e6).round() as i64, (p.1 * 1e6).round() as i64);
    let (a, b) = (q(a), q(b));
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Each edge of `polygons` with how many of their rings have it: an edge had twice is inside
/// the group (the border of two features of one commune, or of two communes of a territory).
fn edge_counts<'a>(polygons: impl Iterator<Item = &'a Polygon>) -> HashMap<Edge, u32> {
    let mut counts = HashMap::new();
    for ring in polygons.flatten() {
        for w in ring.windows(2) {
            if w[0] != w[1] {
                *counts.entry(edge(w[0], w[1])).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// The path (`M … L …`) of the edges of `polygons` had once in `counts`: the outline of the
/// group without its inner borders.
fn outline<'a>(polygons: impl Iterator<Item = &'a Polygon>, counts: &HashMap<Edge, u32>, px: &dyn Fn((f64, f64)) -> (f64, f64)) -> String {
    let mut d = String::new();
    for ring in polygons.flatten() {
        let mut open = false;
        for w in ring.windows(2) {
            if w[0] != w[1] && counts.get(&edge(w[0], w[1])) == Some(&1) {
                let ((x0, y0), (x1, y1)) = (px(w[0]), px(w[1]));
                if !open {
                    write!(d, "M{x0:.1} {y0:.1}").ok();
                }
                write!(d, "L{x1:.1} {y1:.1}").ok();
                open = true;
            } else {
                open = false;
            }
        }
    }
    d
}

const MAP_WIDTH: f64 = 660.0;
const MAP_HEIGHT: f64 = 560.0;
const R_MAX: f64 = 38.0;
const R_MIN: f64 = 2.5;
/// Opacity of the communes around the territory.
const NEIGHBOUR_OPACITY: f64 = 0.4;

/// The map as SVG: the frame (title, mark, source) by [`charts`], the map and its legend as
/// SVG elements of their own — one `<path class="commune">` per commune of the territory with
/// contours (its fill; its outline apart, without the borders inside it), or one `<circle
/// class="commune">` without; the neighbours' elements are of class `voisine`.
pub fn draw(frame: &Frame, map: &Map) -> Result<String> {
    if map.places.is_empty() {
        return Err(Error::Internal(format!("map «{}»: no commune", frame.title)));
    }
    let hatch = format!("hachures-{:x}", frame.title.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))));
    let fill = |p: &Place| match p.shown {
        Shown::Value(v) => rgb(map.classes.colours[map.classes.of(v).min(map.classes.colours.len() - 1)]),
        Shown::Secret => format!("url(#{hatch})"),
        Shown::Missing => rgb(palette::LIGHT),
    };
    let shown = |p: &Place| match p.shown {
        Shown::Value(v) => format!("{} {}", number(v, map.decimals), map.unit),
        Shown::Secret => "secret statistique".into(),
        Shown::Missing => "non disponible".into(),
    };
    let with_contours = map.places.iter().any(|p| p.shape.is_some());
    let margin = if with_contours { 10.0 } else { R_MAX + 8.0 };
    // Every point drawn, projected together.
    let mut points: Vec<(f64, f64)> = Vec::new();
    for p in &map.places {
        match (&p.shape, with_contours) {
            (Some(shape), true) => points.extend(shape.iter().flatten().flatten().map(|&(lng, lat)| (lat, lng))),
            _ => points.extend(p.point),
        }
    }
    // The projection of a (latitude, longitude) point is found by its index in `points`: the
    // same points in the same order below.
    let xy = charts::project(&points, MAP_WIDTH - 2.0 * margin, MAP_HEIGHT - 2.0 * margin);
    let mut next = 0usize;
    let mut take = || {
        let (x, y) = xy[next];
        next += 1;
        (margin + x, margin + y)
    };
    // Each commune's polygons in pixels (empty when drawn as a circle).
    let mut shapes: Vec<Vec<Polygon>> = Vec::new();
    let mut centres: Vec<Option<(f64, f64)>> = Vec::new();
    for p in &map.places {
        match (&p.shape, with_contours) {
            (Some(shape), true) => {
                shapes.push(shape.iter().map(|poly| poly.iter().map(|ring| ring.iter().map(|_| take()).collect()).collect()).collect());
                centres.push(None);
            }
            _ => {
                shapes.push(Vec::new());
                centres.push(p.point.map(|_| take()));
            }
        }
    }
    // Projected (x, y) of a (longitude, latitude) vertex: looked up by the exact vertex.
    let mut lookup: HashMap<(u64, u64), (f64, f64)> = HashMap::new();
    for (p, s) in map.places.iter().zip(&shapes) {
        if let Some(shape) = p.shape.as_ref().filter(|_| with_contours) {
            for (poly, sp) in shape.iter().zip(s) {
                for (ring, sr) in poly.iter().zip(sp) {
                    for (v, q) in ring.iter().zip(sr) {
                        lookup.insert((v.0.to_bits(), v.1.to_bits()), *q);
                    }
                }
            }
        }
    }
    let px = |v: (f64, f64)| lookup.get(&(v.0.to_bits(), v.1.to_bits())).copied().unwrap_or((0.0, 0.0));
    let top_population = map.places.iter().map(|p| p.population).fold(0.0, f64::max);
    let radius = |p: f64| if top_population > 0.0 { (R_MAX * (p.max(0.0) / top_population).sqrt()).max(R_MIN) } else { R_MIN };
    // Where each commune's name goes: its centroid's projection (circles), else the middle of
    // its shape's box.
    let label_at = |i: usize| -> Option<(f64, f64)> {
        centres[i].or_else(|| {
            let pts: Vec<&(f64, f64)> = shapes[i].iter().flatten().flatten().collect();
            let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
            (!pts.is_empty()).then(|| ((x0 + x1) / 2.0, (y0 + y1) / 2.0))
        })
    };

    let mut body = String::new();
    let mut svg_map = String::new();
    write!(
        svg_map,
        r##"<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#E1E1E1"/><line x1="0" y1="0" x2="0" y2="6" stroke="#404040" stroke-width="2"/></pattern></defs>"##
    )
    .ok();
    write!(svg_map, r##"<rect x="0" y="0" width="{}" height="{MAP_HEIGHT}" fill="none" stroke="#E1E1E1"/>"##, MAP_WIDTH - 8.0).ok();
    // Neighbours first, under the territory; the largest circles first, under the smaller.
    let mut order: Vec<usize> = (0..map.places.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&map.places[a], &map.places[b]);
        pb.neighbour.cmp(&pa.neighbour).then(pb.population.total_cmp(&pa.population)).then(pa.code.cmp(&pb.code))
    });
    for &i in &order {
        let p = &map.places[i];
        let class = if p.neighbour { "voisine" } else { "commune" };
        let opacity = if p.neighbour { NEIGHBOUR_OPACITY } else { 0.9 };
        let title = format!("<title>{} ({}) : {}</title>", esc(&p.name), esc(&p.code), esc(&shown(p)));
        if !shapes[i].is_empty() {
            let mut d = String::new();
            for ring in shapes[i].iter().flatten() {
                for (k, (x, y)) in ring.iter().enumerate() {
                    write!(d, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { "L" }).ok();
                }
                d.push('Z');
            }
            write!(
                svg_map,
                r#"<path class="{class}" data-code="{}" d="{d}" fill="{}" fill-opacity="{opacity}" fill-rule="evenodd" stroke="none">{title}</path>"#,
                esc(&p.code),
                fill(p)
            )
            .ok();
        } else if let Some((x, y)) = centres[i] {
            let r = if with_contours { 5.0 } else { radius(p.population) };
            let stroke = if p.neighbour { "#999999" } else { "#404040" };
            write!(
                svg_map,
                r#"<circle class="{class}" data-code="{}" cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="1">{title}</circle>"#,
                esc(&p.code),
                fill(p)
            )
            .ok();
        }
    }
    if with_contours {
        // Each commune's outline without the borders between its own features, then the
        // territory's outline without the borders between its communes.
        for &i in &order {
            let p = &map.places[i];
            if let Some(shape) = p.shape.as_ref().filter(|_| !shapes[i].is_empty()) {
                let d = outline(shape.iter(), &edge_counts(shape.iter()), &px);
                let stroke = if p.neighbour { r##"stroke="#999999" stroke-width="0.6""## } else { r##"stroke="#404040" stroke-width="0.8""## };
                write!(svg_map, r#"<path class="limite" d="{d}" fill="none" {stroke}/>"#).ok();
            }
        }
        let territory = || map.places.iter().filter(|p| !p.neighbour).filter_map(|p| p.shape.as_ref()).flatten();
        let d = outline(territory(), &edge_counts(territory()), &px);
        write!(svg_map, r##"<path class="territoire" d="{d}" fill="none" stroke="#000000" stroke-width="2.2" stroke-linejoin="round"/>"##).ok();
    }
    // The names of the most populated communes, each where it overlaps no name written.
    let mut named: Vec<usize> = (0..map.places.len()).filter(|&i| !map.places[i].neighbour).collect();
    named.sort_by(|&a, &b| map.places[b].population.total_cmp(&map.places[a].population).then(map.places[a].code.cmp(&map.places[b].code)));
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    for &i in named.iter().take(map.named) {
        let Some((x, y)) = label_at(i) else { continue };
        let name = charts::clip(&map.places[i].name, 28);
        let (w, h) = (name.chars().count() as f64 * 8.6, 18.0);
        let r = if centres[i].is_some() && !with_contours { radius(map.places[i].population) } else { 0.0 };
        let candidates = if with_contours {
            vec![(x - w / 2.0, y - h / 2.0)]
        } else {
            vec![(x + r + 4.0, y - h / 2.0), (x - r - 4.0 - w, y - h / 2.0), (x - w / 2.0, y - r - 2.0 - h), (x - w / 2.0, y + r + 2.0)]
        };
        let fits = |b: &(f64, f64)| {
            b.0 >= 2.0
                && b.0 + w <= MAP_WIDTH - 10.0
                && b.1 >= 2.0
                && b.1 + h <= MAP_HEIGHT - 2.0
                && placed.iter().all(|q| b.0 + w <= q.0 || q.2 <= b.0 || b.1 + h <= q.1 || q.3 <= b.1)
        };
        let Some(&(lx, ly)) = candidates.iter().find(|b| fits(b)) else { continue };
        placed.push((lx, ly, lx + w, ly + h));
        write!(
            svg_map,
            r##"<rect x="{:.1}" y="{ly:.1}" width="{:.1}" height="{h}" fill="#FFFFFF" fill-opacity="0.75"/><text x="{lx:.1}" y="{:.1}" font-family="sans-serif" font-size="15">{}</text>"##,
            lx - 2.0,
            w + 2.0,
            ly + 14.0,
            esc(&name)
        )
        .ok();
    }

    // The legend.
    let mut legend = String::new();
    let mut y = 8.0;
    let text = |s: &mut String, x: f64, y: f64, size: u32, bold: bool, t: &str| {
        write!(
            s,
            r#"<text x="{x:.1}" y="{y:.1}" font-family="sans-serif" font-size="{size}"{}>{}</text>"#,
            if bold { r#" font-weight="bold""# } else { "" },
            esc(t)
        )
        .ok();
    };
    for line in wrap(&map.label, 28).iter().take(3) {
        y += 20.0;
        text(&mut legend, 12.0, y, 17, true, line);
    }
    for line in wrap(&map.unit, 34).iter().take(2) {
        y += 18.0;
        text(&mut legend, 12.0, y, 14, false, line);
    }
    y += 14.0;
    let swatch = |s: &mut String, y: &mut f64, fill: &str, opacity: f64, label: &str| {
        write!(s, r##"<rect x="14" y="{:.1}" width="18" height="18" fill="{fill}" fill-opacity="{opacity}" stroke="#404040"/>"##, *y).ok();
        text(s, 42.0, *y + 15.0, 15, false, label);
        *y += 28.0;
    };
    for (label, colour) in map.classes.labels.iter().zip(&map.classes.colours) {
        swatch(&mut legend, &mut y, &rgb(*colour), 0.9, label);
    }
    if map.places.iter().any(|p| p.shown == Shown::Secret) {
        swatch(&mut legend, &mut y, &format!("url(#{hatch})"), 1.0, "secret statistique");
    }
    swatch(&mut legend, &mut y, &rgb(palette::LIGHT), 0.9, "non disponible");
    for line in wrap(&map.classes.how, 38) {
        text(&mut legend, 12.0, y + 8.0, 13, false, &line);
        y += 17.0;
    }
    y += 8.0;
    if map.places.iter().any(|p| p.neighbour) {
        swatch(&mut legend, &mut y, &rgb(palette::GREY), NEIGHBOUR_OPACITY, "commune à moins de 20 min");
    }
    if with_contours {
        write!(legend, r##"<path d="M14 {:.1}L32 {:.1}" stroke="#000000" stroke-width="2.2"/>"##, y + 9.0, y + 9.0).ok();
        text(&mut legend, 42.0, y + 15.0, 15, false, "limite du territoire");
    } else {
        y += 16.0;
        text(&mut legend, 12.0, y + 4.0, 17, true, "Population (habitants)");
        let big = charts::round_down(top_population);
        let mut keys: Vec<f64> = Vec::new();
        for v in [big, charts::round_down(big / 4.0), charts::round_down(big / 25.0)] {
            if v >= 1.0 && !keys.contains(&v) {
                keys.push(v);
            }
        }
        let (cx, base) = (14.0 + R_MAX, y + 24.0 + 2.0 * R_MAX);
        for v in &keys {
            let r = radius(*v);
            write!(legend, r##"<circle cx="{cx:.1}" cy="{:.1}" r="{r:.1}" fill="none" stroke="#404040"/>"##, base - r).ok();
            write!(legend, r##"<path d="M{cx:.1} {:.1}L{:.1} {:.1}" stroke="#999999"/>"##, base - 2.0 * r, cx + R_MAX + 12.0, base - 2.0 * r).ok();
            text(&mut legend, cx + R_MAX + 16.0, base - 2.0 * r + 5.0, 14, false, &number(*v, 0));
        }
        text(&mut legend, 12.0, base + 22.0, 14, false, "aire proportionnelle à la population");
    }

    let svg = charts::render(frame, MAP_HEIGHT as u32 + charts::TITLE_HEIGHT + charts::FOOT_HEIGHT + 10, |area| {
        let (x0, y0) = area.get_base_pixel();
        write!(body, r#"<g class="carte" transform="translate({} {y0})">{svg_map}</g>"#, x0 + 16).ok();
        write!(body, r#"<g class="legende" transform="translate({} {y0})">{legend}</g>"#, x0 + MAP_WIDTH as i32 + 16).ok();
        Ok(())
    })?;
    let end = svg.rfind("</svg>").ok_or_else(|| Error::Internal("map SVG without its end".into()))?;
    Ok(format!("{}{body}{}", &svg[..end], &svg[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame { title: "Carte <é>".into(), source: "Source : essai".into(), synthetic: false }
    }

    fn place(code: &str, point: (f64, f64), population: f64, shown: Shown, shape: Option<Vec<Polygon>>, neighbour: bool) -> Place {
        Place { code: code.into(), name: format!("Commune {code}"), point: Some(point), shape, population, shown, neighbour }
    }

    /// A square of side 0.1° at (lng, lat), as one polygon.
    fn square(lng: f64, lat: f64) -> Polygon {
        vec![vec![(lng, lat), (lng + 0.1, lat), (lng + 0.1, lat + 0.1), (lng, lat + 0.1), (lng, lat)]]
    }

    #[test]
    fn quantile_classes_on_hand_checked_values() {
        // 1..10: quantiles (type 7) at 0.2, 0.4, 0.6, 0.8 are 2.8, 4.6, 6.4, 8.2.
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let c = Classes::quantiles(&v, 5, 1, None);
        assert_eq!(c.bounds, vec![2.8, 4.6, 6.4, 8.2]);
        assert_eq!(c.labels, ["< 2,8", "2,8 – 4,6", "4,6 – 6,4", "6,4 – 8,2", "≥ 8,2"]);
        assert_eq!(c.colours, BLUES.to_vec());
        assert_eq!((c.of(1.0), c.of(2.8), c.of(5.0), c.of(10.0)), (0, 1, 2, 4), "a value at a bound is in the class above");
        // Rounded to no decimal: 3, 5, 6, 8.
        assert_eq!(Classes::quantiles(&v, 5, 0, None).bounds, vec![3.0, 5.0, 6.0, 8.0]);
        // Three communes: three classes at most (quantiles 1/3 and 2/3 of 1, 2, 4: 1.67, 2.67),
        // high being good, the worse (low) end dark.
        let c = Classes::quantiles(&[4.0, 1.0, 2.0], 5, 2, Some(false));
        assert_eq!(c.bounds, vec![1.67, 2.67]);
        assert_eq!(c.colours, vec![ORANGES[4], ORANGES[2], ORANGES[0]]);
        // All equal: one class, its value.
        let c = Classes::quantiles(&[3.0, 3.0, 3.0], 5, 1, None);
        assert!(c.bounds.is_empty());
        assert_eq!(c.labels, ["3,0"]);
        // Ties at the bottom (the median is 0): the zeros a class of their own.
        let c = Classes::quantiles(&[0.0, 0.0, 0.0, 0.0, 5.0], 5, 0, None);
        assert_eq!(c.bounds, vec![5.0]);
        assert_eq!(c.labels, ["< 5", "≥ 5"]);
    }

    #[test]
    fn thresholds_are_strict_below_and_labelled_the_french_way() {
        let c = Classes::thresholds(&[2.5, 4.0], 1, vec![palette::VERMILLION, palette::YELLOW, palette::GREEN], "seuils de la DREES");
        assert_eq!(c.labels, ["< 2,5", "2,5 – 4,0", "≥ 4,0"]);
        assert_eq!((c.of(2.49), c.of(2.5), c.of(3.99), c.of(4.0)), (0, 1, 1, 2));
    }

    #[test]
    fn the_inner_border_of_a_dissolved_commune_is_not_drawn() {
        // Two squares sharing the edge x = 0.1: its outline has 6 edges, not 8.
        let shape = [square(0.0, 45.0), square(0.1, 45.0)];
        let counts = edge_counts(shape.iter());
        assert_eq!(counts.len(), 7);
        assert_eq!(counts.values().filter(|n| **n == 1).count(), 6);
        let d = outline(shape.iter(), &counts, &|p| p);
        assert_eq!(d.matches('L').count(), 6, "{d}");
    }

    fn map(places: Vec<Place>) -> Map {
        Map {
            label: "Part des 75 ans et plus".into(),
            unit: "%".into(),
            decimals: 1,
            classes: Classes::quantiles(&[5.0, 10.0, 15.0], 5, 1, None),
            places,
            named: 2,
        }
    }

    #[test]
    fn a_choropleth_has_one_path_per_commune_hatches_secrets_and_emphasises_the_territory() {
        let places = vec![
            place("30003", (45.05, 0.05), 8000.0, Shown::Value(5.0), Some(vec![square(0.0, 45.0)]), false),
            // Two features of one commune, dissolved.
            place("30133", (45.05, 0.15), 9000.0, Shown::Value(15.0), Some(vec![square(0.1, 45.0), square(0.2, 45.0)]), false),
            place("30028", (45.15, 0.05), 100.0, Shown::Secret, Some(vec![square(0.0, 45.1)]), false),
            place("30011", (45.15, 0.15), 500.0, Shown::Missing, Some(vec![square(0.1, 45.1)]), true),
        ];
        let svg = draw(&frame(), &map(places)).unwrap();
        assert_eq!(svg.matches("<path class=\"commune\"").count(), 3, "{svg}");
        assert_eq!(svg.matches("<path class=\"voisine\"").count(), 1);
        assert_eq!(svg.matches("class=\"territoire\"").count(), 1);
        assert_eq!(svg.matches("fill=\"url(#hachures-").count(), 2, "the secret commune and its legend entry");
        assert!(svg.contains("secret statistique") && svg.contains("non disponible") && svg.contains("commune à moins de 20 min"));
        assert!(svg.contains("Carte &lt;é&gt;") && svg.contains("Commune 30133") && svg.contains("limite du territoire"));
        assert!(!svg.contains("Population (habitants)"));
        // The dissolved commune's outline: 6 edges (the two squares' shared one left out).
        let outlines: Vec<&str> = svg.split("<path class=\"limite\" d=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
        assert_eq!(outlines.len(), 4);
        assert_eq!(outlines.iter().map(|d| d.matches('L').count()).collect::<Vec<_>>().iter().filter(|n| **n == 6).count(), 1, "{outlines:?}");
        assert_eq!(&charts::png(&svg).unwrap()[1..4], b"PNG");
    }

    #[test]
    fn without_contours_the_communes_are_circles_sized_by_population() {
        let places = vec![
            place("30003", (43.5, 4.2), 20000.0, Shown::Value(5.0), None, false),
            place("30133", (43.6, 4.3), 5000.0, Shown::Value(15.0), None, false),
            place("30028", (43.55, 4.1), 300.0, Shown::Secret, None, false),
        ];
        let svg = draw(&frame(), &map(places)).unwrap();
        assert_eq!(svg.matches("<circle class=\"commune\"").count(), 3);
        assert!(svg.contains(&format!("r=\"{R_MAX:.1}\"")), "the most populated has the largest circle");
        assert!(svg.contains("Population (habitants)") && svg.contains("secret statistique"));
        assert!(!svg.contains("class=\"territoire\""));
        assert!(draw(&frame(), &map(vec![])).is_err());
    }

    #[test]
    fn an_unknown_indicator_is_an_error_saying_where_the_ids_are() {
        let catalogue = crate::indicators::catalogue::load(None).unwrap();
        assert!(check(&["densite_mg".into()], &catalogue).is_ok());
        let e = check(&["densite_mgg".into()], &catalogue).unwrap_err().to_string();
        assert!(e.contains("densite_mgg") && e.contains("indicators.toml"), "{e}");
    }
}
