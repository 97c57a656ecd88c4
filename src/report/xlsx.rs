//! The report's tables as an Excel workbook (`tableaux.xlsx`), rendered from the model: one
//! sheet per theme (and the indicators of no theme), the GP projection, the ranks among the
//! EPCI of France, the nearest EPCI, and « Méthodes » (each indicator's definition, terms,
//! method, source and year). Numbers are numbers, shown with French separators by Excel's
//! own number formats (`#,##0.0` reads « 1 234,5 » in a French Excel); intervals have their
//! own columns; a withheld value is « s » or « n.d. » as in the page; the comparisons are
//! coloured by conditional formats (so that they follow a user's edits); every sheet has its
//! header row frozen, an autofilter and set column widths.

use rust_xlsxwriter::{Color, ConditionalFormatFormula, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::document::{self, LEGEND};
use super::model::{scenario_label, Apl, Report, THEMES};
use crate::compare::diagnose::{french, Row};
use crate::indicators::catalogue::Term;
use crate::indicators::{Indicator, Method, Value};

/// The file's name in the report's folder.
pub const FILE: &str = "tableaux.xlsx";

/// The workbook of `report`.
pub fn render(report: &Report) -> crate::error::Result<Vec<u8>> {
    workbook(report).map_err(|e| crate::error::Error::Internal(format!("{FILE} : {e}")))
}

/// A cell's content.
enum Cell {
    Text(String),
    /// A number shown with so many decimals.
    Number(f64, usize),
    /// A whole number shown without thousands separator (a year, a rank).
    Whole(f64),
    Blank,
}

/// The formats of the workbook.
struct Formats {
    header: Format,
    /// Numbers with 0, 1 and 2 decimals.
    numbers: [Format; 3],
    /// « s », « n.d. »: right-aligned like the numbers they stand for.
    withheld: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_border_bottom(FormatBorder::Thin),
            numbers: ["#,##0", "#,##0.0", "#,##0.00"].map(|f| Format::new().set_num_format(f)),
            withheld: Format::new().set_align(FormatAlign::Right),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// A column: its header, its width (in characters), whether its text wraps.
struct Column {
    header: String,
    width: f64,
    wrap: bool,
}

fn col(header: impl Into<String>, width: f64) -> Column {
    Column { header: header.into(), width, wrap: false }
}

fn wrapped(header: impl Into<String>, width: f64) -> Column {
    Column { header: header.into(), width, wrap: true }
}

fn workbook(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_title(format!("Tableaux du diagnostic territorial de santé — {}", report.name)).set_comment(format!(
            "Données : {} — diagsante {}",
            report.data_label,
            env!("CARGO_PKG_VERSION")
        )),
    );
    let f = Formats::new();
    for theme in &report.themes {
        indicators(wb.add_worksheet().set_name(theme.title)?, &theme.rows, &theme.data, report, &f)?;
    }
    if !report.others.is_empty() {
        indicators(wb.add_worksheet().set_name("Autres indicateurs")?, &report.others, &report.others_data, report, &f)?;
    }
    if !report.supply.is_empty() {
        supply(wb.add_worksheet().set_name("Effectifs et densités")?, report, &f)?;
    }
    if let Some(apl) = &report.apl {
        apl_years(wb.add_worksheet().set_name("APL par année")?, apl, report, &f)?;
        apl_communes(wb.add_worksheet().set_name("APL par commune")?, apl, &f)?;
    }
    projection(wb.add_worksheet().set_name("Projection des médecins")?, report, &f)?;
    ranks(wb.add_worksheet().set_name("Rang parmi les EPCI")?, report, &f)?;
    peers(wb.add_worksheet().set_name("EPCI les plus proches")?, report, &f)?;
    methods(wb.add_worksheet().set_name("Méthodes")?, report, &f)?;
    wb.save_to_buffer()
}

/// Write a table: its header row (frozen, with an autofilter) and its rows.
fn table(ws: &mut Worksheet, columns: &[Column], rows: &[Vec<Cell>], f: &Formats) -> Result<(), XlsxError> {
    for (k, c) in columns.iter().enumerate() {
        let k = k as u16;
        ws.write_string_with_format(0, k, &c.header, &f.header)?;
        ws.set_column_width(k, c.width)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (k, cell) in row.iter().enumerate() {
            let c = k as u16;
            match cell {
                Cell::Text(t) if columns.get(k).is_some_and(|c| c.wrap) => ws.write_string_with_format(r, c, t, &f.wrap)?,
                Cell::Text(t) if t == "s" || t == "n.d." => ws.write_string_with_format(r, c, t, &f.withheld)?,
                Cell::Text(t) => ws.write_string(r, c, t)?,
                Cell::Number(v, d) => ws.write_number_with_format(r, c, *v, &f.numbers[(*d).min(2)])?,
                Cell::Whole(v) => ws.write_number(r, c, *v)?,
                Cell::Blank => ws,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, columns.len().saturating_sub(1) as u16)?;
    // The header's words on three lines at most.
    ws.set_row_height(0, 45)?;
    // Printed: A4 landscape, the header on every page.
    ws.set_paper_size(9).set_landscape();
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// A sheet that has nothing to show but why.
fn only(ws: &mut Worksheet, why: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.set_column_width(0, 120)?;
    ws.write_string_with_format(0, 0, why, &f.wrap)?;
    Ok(())
}

/// A value as a number with its decimals, or « s » / « n.d. » as the page shows it.
fn value(v: &Value, method: Method) -> Cell {
    match v.estimate.value {
        Some(x) => Cell::Number(x, method.decimals(x)),
        None => Cell::Text(document::value_text(v, method, "")),
    }
}

fn number(v: Option<f64>, method: Method) -> Cell {
    v.map_or(Cell::Blank, |x| Cell::Number(x, method.decimals(x)))
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The name of column `k` (0: A).
fn letter(k: usize) -> String {
    rust_xlsxwriter::utility::column_number_to_name(k as u16)
}

/// Colour the cells of `columns` over `rows` rows by the comparison written in column
/// `against` of the same row.
fn colour_by(ws: &mut Worksheet, rows: usize, columns: &[usize], against: usize) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    for &(c, words) in &LEGEND {
        let Some(rgb) = document::shade(c).and_then(|h| u32::from_str_radix(h, 16).ok()) else { continue };
        let cf = ConditionalFormatFormula::new()
            .set_rule(format!("=${}2=\"{words}\"", letter(against)).as_str())
            .set_format(Format::new().set_background_color(Color::RGB(rgb)));
        for &k in columns {
            ws.add_conditional_format(1, k as u16, rows as u32, k as u16, &cf)?;
        }
    }
    Ok(())
}

/// A theme's indicators: value, count, intervals, each comparator's value and the
/// territory's difference with it at 95 % and 99.8 %, note, source, provenance.
fn indicators(ws: &mut Worksheet, rows: &[Row], data: &[String], report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let mut columns = vec![
        col("Indicateur", 50.0),
        col("Unité", 10.0),
        col("Effectif", 11.0),
        col("Valeur", 11.0),
        col("IC 95 % bas", 10.0),
        col("IC 95 % haut", 10.0),
        col("IC 99,8 % bas", 10.0),
        col("IC 99,8 % haut", 10.0),
    ];
    for name in &report.comparators {
        columns.push(col(name.clone(), 13.0));
        columns.push(col(format!("Écart avec {name} (95 %)"), 14.0));
        columns.push(col(format!("Écart avec {name} (99,8 %)"), 14.0));
    }
    // Long texts on one line: rows keep one height, the whole text is in the cell.
    columns.extend([col("Note", 40.0), col("Source", 40.0), col("Données", 40.0), col("Identifiant", 22.0)]);
    // The territory's recent trend (Fingertips' test, see `indicators::series`) and its flag.
    columns.extend([col("Tendance", 22.0), col("Tendance : points", 10.0), col("Tendance : note", 30.0), col("Alerte", 22.0)]);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .zip(data)
        .map(|(r, data)| {
            let (ind, e) = (&r.indicator, &r.territory.estimate);
            let limit =
                |level: usize, upper: bool| number(e.limits.get(level).copied().flatten().map(|l| if upper { l.upper } else { l.lower }), ind.method);
            let mut row = vec![
                text(ind.label.clone()),
                text(ind.unit.clone()),
                r.territory.count.filter(|_| ind.method.counts_heads()).map_or(Cell::Blank, |c| Cell::Number(c, Method::Count.decimals(c))),
                value(&r.territory, ind.method),
                limit(0, false),
                limit(0, true),
                limit(1, false),
                limit(1, true),
            ];
            for k in 0..3 {
                row.push(value(&r.comparators[k], ind.method));
                row.push(text(french(r.flags[k][0])));
                row.push(text(french(r.flags[k][1])));
            }
            row.extend([text(r.territory.note().unwrap_or_default()), text(ind.source.clone()), text(data.clone()), text(ind.id.clone())]);
            row.extend([
                text(crate::indicators::series::label(ind, &r.trend).to_owned()),
                Cell::Number(r.trend.points as f64, 0),
                text(r.trend.note.clone().unwrap_or_default()),
                text(r.flag().to_owned()),
            ]);
            row
        })
        .collect();
    table(ws, &columns, &cells, f)?;
    for k in 0..3 {
        let first = 8 + 3 * k;
        colour_by(ws, cells.len(), &[first, first + 1], first + 1)?;
        colour_by(ws, cells.len(), &[first + 2], first + 2)?;
    }
    Ok(())
}

/// Every year of the projection under each scenario.
fn projection(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    if let Some(why) = document::why_no_projection(&report.projection) {
        return only(ws, &why, f);
    }
    let columns = [
        col("Scénario", 26.0),
        col("Année", 8.0),
        col("Médecins", 10.0),
        col("Médecins, IC 95 % bas", 11.0),
        col("Médecins, IC 95 % haut", 11.0),
        col("ETP", 9.0),
        col("ETP, IC 95 % bas", 10.0),
        col("ETP, IC 95 % haut", 10.0),
        col("Départs dans l'année", 11.0),
        col("Population", 12.0),
        col("Besoin (consultations)", 14.0),
        col("Besoin (ETP)", 10.0),
        col("Manque (ETP ; négatif : excédent)", 14.0),
        col("Médecins pour 10 000 hab.", 12.0),
        col("Installations par an pour garder la densité", 16.0),
        col("Données", 40.0),
    ];
    let rows: Vec<Vec<Cell>> = report
        .projected
        .iter()
        .map(|r| {
            let y = &r.supply;
            vec![
                text(scenario_label(&r.scenario)),
                Cell::Whole(y.year as f64),
                Cell::Number(y.headcount, 1),
                Cell::Number(y.headcount_low, 1),
                Cell::Number(y.headcount_high, 1),
                Cell::Number(y.fte, 1),
                Cell::Number(y.fte_low, 1),
                Cell::Number(y.fte_high, 1),
                Cell::Number(y.departures, 1),
                Cell::Number(r.population, 0),
                Cell::Number(r.demand_consultations, 0),
                Cell::Number(r.demand_fte, 1),
                Cell::Number(r.shortfall_fte, 1),
                Cell::Number(r.density_per_10000, 1),
                r.entries_to_keep_density.map_or(Cell::Blank, |v| Cell::Number(v, 1)),
                text(report.data_label.clone()),
            ]
        })
        .collect();
    table(ws, &columns, &rows, f)
}

/// Rank, quintile and the peers' value of each indicator among the EPCI of France.
fn ranks(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let similar = match &report.similar {
        Ok(s) => s,
        Err(why) => return only(ws, &format!("{} Détail : {why}", document::NO_PEERS), f),
    };
    let columns = [
        col("Indicateur", 50.0),
        col("Unité", 10.0),
        col("Valeur", 11.0),
        col("Rang (1 : la plus élevée)", 11.0),
        col("Territoires classés", 11.0),
        col("Quintile (5 : les plus élevées)", 11.0),
        col("Valeur des EPCI les plus proches", 13.0),
        col("Écart avec les EPCI les plus proches (95 %)", 16.0),
        col("Écart avec les EPCI les plus proches (99,8 %)", 16.0),
        col("Identifiant", 22.0),
    ];
    let rows: Vec<Vec<Cell>> = similar
        .ranks
        .iter()
        .map(|r| {
            let m = r.indicator.method;
            vec![
                text(r.indicator.label.clone()),
                text(r.indicator.unit.clone()),
                number(r.value, m),
                r.rank.map_or(Cell::Blank, |k| Cell::Whole(k as f64)),
                r.rank.map_or(Cell::Blank, |_| Cell::Whole((r.among + 1) as f64)),
                r.quintile.map_or(Cell::Blank, |q| Cell::Whole(q as f64)),
                number(r.peers_value, m),
                text(french(r.against_peers[0])),
                text(french(r.against_peers[1])),
                text(r.indicator.id.clone()),
            ]
        })
        .collect();
    table(ws, &columns, &rows, f)?;
    colour_by(ws, rows.len(), &[6, 7], 7)?;
    colour_by(ws, rows.len(), &[8], 8)
}

/// The nearest EPCI by profile.
fn peers(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let similar = match &report.similar {
        Ok(s) => s,
        Err(why) => return only(ws, &format!("{} Détail : {why}", document::NO_PEERS), f),
    };
    let columns = [col("Code", 12.0), col("EPCI", 50.0), col("Distance", 10.0)];
    let rows: Vec<Vec<Cell>> = similar
        .peers
        .iter()
        .map(|p| vec![text(p.code.clone()), text(p.name.clone()), p.distance.map_or(Cell::Blank, |d| Cell::Number(d, 2))])
        .collect();
    table(ws, &columns, &rows, f)
}

/// The « Offre de soins » table: each profession or facility, its headcount and density for
/// the territory and its comparators, and where they come from.
fn supply(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let mut columns = vec![wrapped("Profession ou équipement", 36.0), wrapped("Densité", 26.0)];
    for name in std::iter::once("Territoire").chain(report.comparators.iter().map(String::as_str)) {
        columns.push(wrapped(format!("{name} : effectif"), 14.0));
        columns.push(wrapped(format!("{name} : densité"), 14.0));
    }
    columns.push(wrapped("Données", 60.0));
    let rows: Vec<Vec<Cell>> = report
        .supply
        .iter()
        .flat_map(|line| {
            let mut row = vec![text(line.label.clone()), text(line.per.clone())];
            for k in 0..4 {
                row.push(value(line.headcount.compared_or_territory(k), line.headcount.indicator.method));
                row.push(line.density.as_ref().map_or(Cell::Blank, |d| value(d.compared_or_territory(k), d.indicator.method)));
            }
            row.push(text(line.data.clone()));
            // The share aged 60+ on a line of its own: its headcount, and its share as the density.
            let share = line.share.as_ref().map(|s| {
                let mut row = vec![text(format!("{} : 60 ans et plus", line.label)), text("part de l'effectif (%)".to_owned())];
                for k in 0..4 {
                    let v = s.compared_or_territory(k);
                    row.push(v.count.filter(|_| v.withheld.is_none()).map_or(Cell::Blank, Cell::Whole));
                    row.push(value(v, s.indicator.method));
                }
                row.push(text(report.diagnosis.row_data(s)));
                row
            });
            std::iter::once(row).chain(share)
        })
        .collect();
    table(ws, &columns, &rows, f)
}

/// DREES's APL at each year for the territory and its comparators.
fn apl_years(ws: &mut Worksheet, apl: &Apl, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let mut columns = vec![col("Année", 8.0), wrapped("Indicateur", 60.0), col("Territoire", 14.0)];
    columns.extend(report.comparators.iter().map(|c| col(c.clone(), 14.0)));
    let rows: Vec<Vec<Cell>> = apl
        .years
        .iter()
        .flat_map(|y| {
            y.lines.iter().map(move |(label, decimals, values)| {
                let mut row = vec![Cell::Whole(f64::from(y.year)), text(label.clone())];
                row.extend(values.iter().map(|v| v.map_or(Cell::Blank, |x| Cell::Number(x, *decimals))));
                row
            })
        })
        .collect();
    table(ws, &columns, &rows, f)
}

/// DREES's APL of each commune of the territory at the latest year.
fn apl_communes(ws: &mut Worksheet, apl: &Apl, f: &Formats) -> Result<(), XlsxError> {
    let columns = [
        col("Code", 10.0),
        col("Commune", 36.0),
        col(format!("APL {}", apl.year), 12.0),
        col("APL (médecins de 65 ans ou moins)", 16.0),
        col("Population standardisée", 16.0),
        col("Part de la population sous 2,5 (%)", 16.0),
    ];
    let n = |v: Option<f64>, d: usize| v.map_or(Cell::Blank, |x| Cell::Number(x, d));
    let rows: Vec<Vec<Cell>> = apl
        .communes
        .iter()
        .map(|c| {
            vec![text(c.code.clone()), text(c.name.clone()), n(c.apl, 2), n(c.apl_65, 2), n(c.standardised, 0), n(c.under_2_5.map(|s| 100.0 * s), 0)]
        })
        .collect();
    table(ws, &columns, &rows, f)
}

/// Each indicator: its definition, numerator, denominator, method, source and year.
fn methods(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let columns = [
        wrapped("Thème", 18.0),
        wrapped("Indicateur", 40.0),
        wrapped("Définition", 50.0),
        wrapped("Numérateur", 30.0),
        wrapped("Dénominateur", 30.0),
        wrapped("Méthode", 40.0),
        wrapped("Source", 30.0),
        col("Année", 11.0),
        wrapped("Données", 30.0),
        col("Identifiant", 22.0),
    ];
    let d = &report.diagnosis;
    let rows: Vec<Vec<Cell>> = d
        .rows
        .iter()
        .map(|r| {
            let ind = &r.indicator;
            let theme = THEMES.iter().find(|t| t.0 == ind.theme).map_or(ind.theme.clone(), |t| t.2.to_owned());
            vec![
                text(theme),
                text(ind.label.clone()),
                text(definition(ind)),
                text(term(&ind.numerator)),
                text(ind.denominator.as_ref().map_or(String::new(), term)),
                text(method(ind)),
                text(ind.source.clone()),
                year(report, ind),
                text(d.row_data(r)),
                text(ind.id.clone()),
            ]
        })
        .collect();
    table(ws, &columns, &rows, f)
}

/// A term in words: its measure, sex and ages.
fn term(t: &Term) -> String {
    if t.measure.is_empty() {
        return String::new();
    }
    let mut s = t.measure.clone();
    match t.sex.as_deref() {
        Some("M") => s.push_str(", hommes"),
        Some("F") => s.push_str(", femmes"),
        _ => {}
    }
    match (t.age_min, t.age_max) {
        (Some(a), Some(b)) => s.push_str(&format!(", {a}-{b} ans")),
        (Some(a), None) => s.push_str(&format!(", {a} ans et plus")),
        (None, Some(b)) => s.push_str(&format!(", moins de {} ans", b + 1)),
        (None, None) => {}
    }
    s
}

/// How an indicator is computed, in words.
fn definition(ind: &Indicator) -> String {
    let times = super::html::number(ind.multiplier, 0);
    let unit = if ind.unit.is_empty() { String::new() } else { format!(" ({})", ind.unit) };
    let standard = match ind.standard.as_deref() {
        Some("france") => "la population de la France",
        Some("esp2013") | None => "la population standard européenne 2013",
        Some(other) => other,
    };
    match ind.method {
        Method::Count => "Somme sur les communes du territoire.".to_owned(),
        Method::Proportion | Method::CrudeRate => format!("Numérateur / dénominateur × {times}{unit}."),
        Method::Dsr => format!("Taux par âge du territoire appliqués à {standard}, × {times}{unit}."),
        Method::Icm => "Décès observés / décès attendus aux taux par âge de la France × 100 (France = 100).".to_owned(),
        Method::LifeExpectancy => "Espérance de vie à la naissance, d'après les décès et la population par âge (table de mortalité abrégée).".to_owned(),
        Method::AnnualGrowth => {
            "Taux d'évolution annuel moyen entre l'année du dénominateur et celle du numérateur : (numérateur / dénominateur)^(1 / années) − 1, × 100."
                .to_owned()
        }
        Method::Ratio if ind.multiplier != 1.0 => format!("Numérateur / dénominateur × {times}{unit}."),
        Method::Ratio => format!("Numérateur / dénominateur{unit}."),
        Method::WeightedMean => "Moyenne des valeurs communales pondérée : Σ valeur × poids / Σ poids.".to_owned(),
        Method::NaturalGrowth => "Solde naturel annuel moyen (naissances − décès entre les deux recensements, par an) / population moyenne des deux recensements, × 100 (INSEE : taux dû au solde naturel).".to_owned(),
        Method::MigratoryGrowth => "Taux d'évolution annuel moyen − taux dû au solde naturel (INSEE : taux dû au solde apparent des entrées-sorties) ; les deux parts s'additionnent au taux d'évolution.".to_owned(),
        Method::MeanAge => "Moyenne des âges, chaque tranche comptée en son milieu (0-4 ans : 2,5 ; 95 ans et plus : 97,5).".to_owned(),
    }
}

/// The method and its interval, in words.
fn method(ind: &Indicator) -> String {
    match ind.method {
        Method::Count => "Effectif, sans intervalle.",
        Method::Proportion => "Proportion, intervalle de Wilson.",
        Method::CrudeRate => "Taux brut, intervalle de Poisson exact (Garwood) sous 10 événements, de Byar au-delà.",
        Method::Dsr => "Taux standardisé (méthode directe), intervalle de Dobson et al. (1991).",
        Method::Icm => "Indice comparatif (méthode indirecte), intervalle de Poisson (exact ou Byar) sur les décès observés.",
        Method::LifeExpectancy => "Table de mortalité abrégée, méthode II de Chiang, variance de la dernière classe selon Silcocks et al. (2001).",
        Method::AnnualGrowth => "Taux annuel moyen (INSEE), sans intervalle (recensements).",
        Method::NaturalGrowth | Method::MigratoryGrowth => "Composante du taux annuel moyen (INSEE), sans intervalle (recensements et état civil).",
        Method::Ratio => "Rapport simple, sans intervalle.",
        Method::WeightedMean => "Moyenne pondérée, sans intervalle (valeurs publiées par commune).",
        Method::MeanAge => "Âge moyen (INSEE), sans intervalle (recensement).",
    }
    .to_owned()
}

/// The year of an indicator's data: its numerator's, or the two years of a growth rate.
fn year(report: &Report, ind: &Indicator) -> Cell {
    let of = |t: &Term| report.years.get(&t.measure).copied();
    match (of(&ind.numerator), ind.denominator.as_ref().and_then(of)) {
        (Some(n), Some(d)) if d < n => text(format!("{d}-{n}")),
        (Some(n), _) => Cell::Whole(n as f64),
        (None, _) => Cell::Blank,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_say_sex_and_ages() {
        let t = |sex: Option<&str>, a, b| term(&Term { measure: "population".into(), sex: sex.map(String::from), age_min: a, age_max: b });
        assert_eq!(t(None, None, None), "population");
        assert_eq!(t(Some("F"), Some(50), Some(74)), "population, femmes, 50-74 ans");
        assert_eq!(t(Some("M"), Some(65), None), "population, hommes, 65 ans et plus");
        assert_eq!(t(None, None, Some(64)), "population, moins de 65 ans");
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!([letter(0), letter(9), letter(25), letter(26)], ["A", "J", "Z", "AA"]);
    }
}
