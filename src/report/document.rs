//! The report's words: the model ([`super::model::Report`]) as sections of paragraphs,
//! tables and figures, in the order and the French wording of the CLS/CPTS diagnostics.
//! The HTML page ([`super::page`]) and the Word document ([`super::docx`]) are two
//! renderings of it: a section written here appears in both, worded the same. Text is plain
//! (each renderer escapes it); numbers are already in French format.

use super::html::number;
use super::model::{plural, Differences, Figure, Presentation, Projection, Report, Similar, Theme};
use super::Synthetic;
use crate::compare::diagnose::{french, Row};
use crate::indicators::{Method, Value};
use crate::project::territory::REFERENCE_YEAR;
use crate::stats::compare::Comparison;

/// The sections after the themes: id, title.
const PRESENTATION: (&str, &str) = ("presentation", "Présentation du territoire");
const PROJECTION: (&str, &str) = ("projection", "Projection démographique médicale");
const SIMILAR: (&str, &str) = ("territoires-similaires", "Comparaison aux territoires similaires");
const METHODS_AND_SOURCES: (&str, &str) = ("methodes-et-sources", "Méthodes et sources");

/// The report as words, tables and figures.
pub struct Document<'a> {
    /// « Diagnostic territorial de santé — <territoire> ».
    pub title: String,
    /// The territory's name.
    pub name: &'a str,
    /// The warning that (some of) the data is synthetic.
    pub banner: Option<&'static str>,
    /// Data, comparators and version, on one line under the title.
    pub meta: String,
    pub sections: Vec<Section<'a>>,
}

/// A section: a main one (in the table of contents) or a sub-section of the one before.
pub struct Section<'a> {
    pub id: &'static str,
    pub title: String,
    pub main: bool,
    pub blocks: Vec<Block<'a>>,
}

/// What a section is made of.
pub enum Block<'a> {
    /// A paragraph.
    Text(Vec<Span>),
    /// A paragraph in small print (a note, a detail).
    Small(Vec<Span>),
    /// A sub-heading.
    Heading(String),
    /// A list.
    List(Vec<Vec<Span>>),
    Figure(&'a Figure),
    /// The indicators of a theme against the comparators, with their significance.
    Indicators(Indicators<'a>),
    Table(Table),
    /// A table folded under its summary on screen (open, so that it prints).
    Folded {
        summary: String,
        table: Table,
    },
    /// The legend of the significance colours.
    Legend,
}

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Plain(String),
    Strong(String),
    /// A title of a journal or a book.
    Italic(String),
    /// A command.
    Code(String),
    /// In smaller print.
    Small(String),
}

impl Span {
    pub fn text(&self) -> &str {
        match self {
            Span::Plain(t) | Span::Strong(t) | Span::Italic(t) | Span::Code(t) | Span::Small(t) => t,
        }
    }
}

/// A plain paragraph.
fn plain(text: impl Into<String>) -> Vec<Span> {
    vec![Span::Plain(text.into())]
}

/// The values published already computed by their producers (INSEE, ATIH, ameli…), as
/// published: no interval, no test; « — » where a geography has none, « s » where withheld.
fn published(report: &Report) -> Section<'_> {
    let mut header = vec!["Indicateur".to_owned(), "Période".to_owned(), "Unité".to_owned(), "Territoire".to_owned()];
    header.extend(report.comparators.iter().cloned());
    header.push("Source".to_owned());
    let rows = report
        .published
        .iter()
        .map(|p| {
            let mut row: Vec<Cell> = vec![p.label().into(), p.period.to_string().into(), p.unit.clone().into()];
            for v in &p.values {
                row.push(
                    match v {
                        None => "—".to_owned(),
                        Some(None) => "s".to_owned(),
                        Some(Some(x)) => super::html::number(*x, published_decimals(*x)),
                    }
                    .into(),
                );
            }
            row.push(p.provenance.to_string().into());
            row
        })
        .collect();
    Section {
        id: "valeurs-publiees",
        title: "Valeurs publiées par les producteurs".into(),
        main: false,
        blocks: vec![
            Block::Small(plain(
                "Valeurs calculées et publiées par leurs producteurs, reprises telles quelles (sans intervalle de confiance ni test) pour le territoire \
                 quand il est lui-même une zone publiée (commune, EPCI, département), et pour ses comparateurs.",
            )),
            Block::Table(Table { header, rows }),
        ],
    }
}

/// Decimals of a published value: as many as its size usually carries (3,12 ; 82,5 ; 21 350).
fn published_decimals(x: f64) -> usize {
    match x.abs() {
        a if a < 10.0 => 2,
        a if a < 1000.0 => 1,
        _ => 0,
    }
}

/// A plain table.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell of a plain table: its text, and the comparison it shows (at 95 % and 99.8 %), if any.
pub struct Cell {
    pub spans: Vec<Span>,
    pub against: Option<[Comparison; 2]>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { spans: plain(text), against: None }
    }
}

/// A theme's table: its rows, where each comes from, the comparators' names.
pub struct Indicators<'a> {
    pub rows: &'a [Row],
    pub data: &'a [String],
    pub comparators: &'a [String; 3],
}

impl Indicators<'_> {
    /// Where all rows come from, when they share it: said once under the table; else each
    /// row says it under its label.
    pub fn shared_data(&self) -> Option<&String> {
        self.data.first().filter(|first| self.data.iter().all(|d| d == *first))
    }
}

/// The background colour of a cell showing comparison `c` (the charts' Okabe-Ito colours
/// lightened by half, so that black text stays readable on them), or none.
pub fn shade(c: Comparison) -> Option<&'static str> {
    match c {
        Comparison::Worse => Some("EAAF80"),
        Comparison::Better => Some("80CEB9"),
        Comparison::Higher => Some("E6BCD3"),
        Comparison::Lower => Some("ABDAF4"),
        Comparison::Similar => Some("F8F2A1"),
        Comparison::NotCompared => None,
    }
}

/// The comparisons of the legend, in its order, with their words.
pub const LEGEND: [(Comparison, &str); 5] = [
    (Comparison::Worse, "moins bon"),
    (Comparison::Better, "meilleur"),
    (Comparison::Higher, "plus élevé"),
    (Comparison::Lower, "plus bas"),
    (Comparison::Similar, "similaire"),
];

/// Whether a comparison at 99.8 % is a difference.
pub fn strong(at_99_8: Comparison) -> bool {
    at_99_8 != Comparison::Similar && at_99_8 != Comparison::NotCompared
}

/// A number with the decimals of its method and its unit (non-breaking space between them).
pub fn quantity(x: f64, method: Method, unit: &str) -> String {
    let n = number(x, method.decimals(x));
    if unit.is_empty() {
        n
    } else {
        format!("{n}\u{a0}{unit}")
    }
}

/// A value as the tables show it: the number with its unit, « s » (withheld for statistical
/// secrecy) or « n.d. » (not available).
pub fn value_text(v: &Value, method: Method, unit: &str) -> String {
    match v.estimate.value {
        Some(x) => quantity(x, method, unit),
        None if v.is_secret() => "s".to_owned(),
        None => "n.d.".to_owned(),
    }
}

/// A row's 95 % interval (« 12,1 – 14,3 »), or « — ».
pub fn interval_text(r: &Row) -> String {
    let m = r.indicator.method;
    r.territory
        .estimate
        .limits
        .first()
        .cloned()
        .flatten()
        .filter(|l| l.lower.is_finite() && l.upper.is_finite())
        .map_or_else(|| "—".to_owned(), |l| format!("{}\u{a0}–\u{a0}{}", number(l.lower, m.decimals(l.lower)), number(l.upper, m.decimals(l.upper))))
}

/// A row's count, or « — »: a count's own value is its count, shown once; a numerator that is
/// no headcount ([`Method::counts_heads`]) is not shown.
/// The territory's trend as the indicator tables say it, beside the note (« Tendance
/// 2019-2023 : en dégradation — moins bon et en dégradation »), when the indicator has a
/// series of at least two points (a value of one year says nothing of a trend).
pub fn trend_text(r: &Row) -> Option<String> {
    let years: Vec<i32> = r.series[0].iter().filter(|(_, v)| v.estimate.value.is_some()).map(|(y, _)| *y).collect();
    let (first, last) = (*years.first()?, *years.last()?);
    if first == last {
        return None;
    }
    let label = crate::indicators::series::label(&r.indicator, &r.trend);
    let flag = r.flag();
    Some(if flag.is_empty() { format!("Tendance {first}-{last} : {label}") } else { format!("Tendance {first}-{last} : {label} — {flag}") })
}

/// The note of an indicator's row: the territory's note, then its trend ([`trend_text`]).
pub fn note_text(r: &Row) -> String {
    [r.territory.note(), trend_text(r)].into_iter().flatten().collect::<Vec<_>>().join(" ; ")
}

pub fn count_text(r: &Row) -> String {
    let (ind, e) = (&r.indicator, &r.territory.estimate);
    r.territory
        .count
        .filter(|c| ind.method.counts_heads() && (ind.method.is_compared() || Some(*c) != e.value))
        .map_or("—".to_owned(), |c| number(c, 0))
}

/// The report's document.
pub fn build(report: &Report) -> Document<'_> {
    let [dep, reg, _] = &report.comparators;
    let mut sections = vec![presentation(report)];
    for theme in &report.themes {
        sections.push(theme_section(report, theme));
    }
    if !report.others.is_empty() {
        sections.push(Section {
            id: "autres",
            title: "Autres indicateurs (dont valeurs publiées)".into(),
            main: false,
            blocks: std::iter::once(Block::Indicators(Indicators {
                rows: &report.others,
                data: &report.others_data,
                comparators: &report.comparators,
            }))
            .chain(maps_of(report, &report.others))
            .collect(),
        });
    }
    if !report.published.is_empty() {
        sections.push(published(report));
    }
    sections.push(projection(report));
    sections.push(similar(report));
    sections.push(methods_and_sources(report));
    Document {
        title: format!("Diagnostic territorial de santé — {}", report.name),
        name: &report.name,
        banner: match report.synthetic {
            Synthetic::All => Some("Données synthétiques de démonstration : ces chiffres sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ce territoire. Seules les communes et leurs populations légales sont réelles."),
            Synthetic::Some => Some("Données en partie synthétiques : les chiffres marqués « données synthétiques de démonstration » sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ce territoire ; les autres sont des données publiques réelles. Chaque ligne des tableaux et chaque graphique dit d'où viennent ses chiffres (source et année)."),
            Synthetic::None => None,
        },
        meta: format!("Données : {} · comparateurs : {dep}, {reg}, {} · diagsante {}", report.data_label, report.comparators[2], env!("CARGO_PKG_VERSION")),
        sections,
    }
}

fn section<'a>((id, title): (&'static str, &str), blocks: Vec<Block<'a>>) -> Section<'a> {
    Section { id, title: title.to_owned(), main: true, blocks }
}

/// The maps of the indicators of `rows` (`carte-<id>`), the APL's aside (in its own section).
fn maps_of<'a>(report: &'a Report, rows: &[crate::compare::diagnose::Row]) -> Vec<Block<'a>> {
    rows.iter().filter(|r| r.indicator.id != "apl_mg").filter_map(|r| figure(report, &format!("carte-{}", r.indicator.id))).collect()
}

/// The figure `stem` of the model, if it was made.
fn figure<'a>(report: &'a Report, stem: &str) -> Option<Block<'a>> {
    report.figures.iter().find(|f| f.stem == stem).map(Block::Figure)
}

/// The territory: communes, population, départements, growth and density, the list of
/// communes.
fn presentation(report: &Report) -> Section<'_> {
    let p: &Presentation = &report.presentation;
    let mut blocks = vec![Block::Text(vec![
        Span::Plain(format!("{} ({}) regroupe ", report.name, p.kind)),
        Span::Strong(plural(p.communes, "commune", "communes")),
        Span::Plain(" et ".into()),
        Span::Strong(plural(p.population as usize, "habitant", "habitants")),
        Span::Plain(format!(
            " (populations légales du référentiel des communes).{}",
            p.description.as_deref().map_or(String::new(), |s| format!(" {s}"))
        )),
    ])];
    let deps = &p.departements;
    let dep_text: Vec<String> = if deps.len() == 1 {
        deps.iter().map(|s| format!("{} ({})", s.name, s.code)).collect()
    } else {
        deps.iter().map(|s| format!("{} ({}) : {} du territoire", s.name, s.code, plural(s.population as usize, "habitant", "habitants"))).collect()
    };
    let d = &report.diagnosis;
    let others: String = d.other_departements.iter().map(|(code, name)| format!(", {name} ({code})")).collect();
    blocks.push(Block::Text(plain(format!(
        "Département{} : {}. Comparateurs retenus : {}{others}, {} et la {} ({}). Indices comparatifs de mortalité : population de référence de la {}.",
        if deps.len() > 1 { "s" } else { "" },
        dep_text.join(" ; "),
        report.comparators[0],
        report.comparators[1],
        d.france.label(),
        d.france.scope(),
        d.icm_reference.label(),
    ))));
    if let Some(note) = &p.comparator_note {
        blocks.push(Block::Small(plain(note.clone())));
    }
    let signed = |v: f64| format!("{}{}", if v > 0.0 { "+" } else { "" }, number(v, 2));
    let mut text = match &p.growth {
        Ok(g) => {
            let fr = g.france.map_or(String::new(), |f| format!(" (France : {} % par an)", signed(f)));
            vec![
                Span::Plain(format!("Évolution annuelle moyenne de la population de {} à {} : ", g.from, g.to)),
                Span::Strong(format!("{} % par an", signed(g.value))),
                Span::Plain(format!("{fr}. ")),
            ]
        }
        Err(why) => plain(format!("Évolution de la population : non calculée ({why}). ")),
    };
    match &p.density {
        Ok(d) => {
            let fr = d.france.map_or(String::new(), |f| format!(" (France : {})", number(f, 0)));
            text.push(Span::Plain("Densité : ".into()));
            text.push(Span::Strong(format!("{} habitants par km²", number(d.value, if d.value < 100.0 { 1 } else { 0 }))));
            text.push(Span::Plain(format!("{fr}.")));
        }
        Err(why) => text.push(Span::Plain(format!("Densité : non calculée ({why})."))),
    }
    if let Some((area, source)) = &p.area {
        text.push(Span::Plain(" Superficie : ".into()));
        text.push(Span::Strong(format!("{} km²", number(*area, 2))));
        text.push(Span::Plain(format!(" ({source}).")));
    }
    blocks.push(Block::Text(text));
    let mut units: Vec<&(String, String, Option<u64>)> = p.units.iter().collect();
    // By name.
    units.sort_by(|a, b| a.1.cmp(&b.1));
    blocks.push(Block::Folded {
        summary: plural(p.units.len(), "commune", "communes"),
        table: Table {
            header: vec!["Code".into(), "Commune".into(), "Population".into()],
            rows: units
                .into_iter()
                .map(|(code, name, population)| {
                    vec![code.clone().into(), name.clone().into(), population.map_or("—".into(), |p| number(p as f64, 0)).into()]
                })
                .collect(),
        },
    });
    section(PRESENTATION, blocks)
}

/// A theme: what differs from France, the table of its indicators, its figures.
fn theme_section<'a>(report: &'a Report, theme: &'a Theme) -> Section<'a> {
    let mut blocks = Vec::new();
    if theme.theme == "démographie" {
        blocks.extend(figure(report, "pyramide"));
    }
    if theme.rows.is_empty() {
        blocks.push(Block::Text(plain("Aucun indicateur de ce thème dans le catalogue.")));
    } else {
        blocks.push(Block::Text(plain(differences(&theme.differences))));
        blocks.push(Block::Indicators(Indicators { rows: &theme.rows, data: &theme.data, comparators: &report.comparators }));
        blocks.push(Block::Legend);
    }
    blocks.extend(figure(report, &format!("comparaison-{}", theme.id)));
    blocks.extend(figure(report, &format!("evolution-{}", theme.id)));
    blocks.extend(maps_of(report, &theme.rows));
    if theme.theme == "offre de soins" {
        blocks.extend(supply_blocks(report));
        blocks.extend(figure(report, "ages-medecins"));
    }
    if theme.theme == "accès aux soins" {
        blocks.extend(apl_blocks(report));
    }
    section((theme.id, theme.title), blocks)
}

/// The « Offre de soins » table: each profession or facility by rows, its headcount and
/// density for the territory, its département, its région and France by columns, as the
/// diagnostics quote them; and where the values come from.
fn supply_blocks(report: &Report) -> Vec<Block<'_>> {
    if report.supply.is_empty() {
        return Vec::new();
    }
    let mut header = vec!["Profession ou équipement".to_owned(), "Densité".to_owned()];
    for name in std::iter::once("Territoire").chain(report.comparators.iter().map(String::as_str)) {
        header.push(format!("{name} : effectif"));
        header.push(format!("{name} : densité"));
    }
    let rows = report.supply.iter().flat_map(|line| {
        let mut row: Vec<Cell> = vec![line.label.clone().into(), line.per.clone().into()];
        for k in 0..4 {
            let count = line.headcount.compared_or_territory(k);
            row.push(value_text(count, line.headcount.indicator.method, "").into());
            row.push(line.density.as_ref().map_or_else(|| "—".to_owned(), |d| value_text(d.compared_or_territory(k), d.indicator.method, "")).into());
        }
        // The share aged 60+ on a line of its own: its headcount, and its share as the density.
        let share = line.share.as_ref().map(|s| {
            let mut row: Vec<Cell> = vec![format!("{} : 60 ans et plus", line.label).into(), "part de l'effectif (%)".to_owned().into()];
            for k in 0..4 {
                let v = s.compared_or_territory(k);
                row.push(v.count.filter(|_| v.withheld.is_none()).map_or_else(|| value_text(v, s.indicator.method, ""), |c| number(c, 0)).into());
                row.push(value_text(v, s.indicator.method, "").into());
            }
            row
        });
        std::iter::once(row).chain(share)
    });
    let mut sources: Vec<&str> = Vec::new();
    for line in &report.supply {
        if !sources.contains(&line.data.as_str()) {
            sources.push(&line.data);
        }
    }
    vec![
        Block::Heading("Professionnels de santé et équipements : effectifs et densités".into()),
        Block::Table(Table { header, rows: rows.collect() }),
        Block::Small(plain(format!(
            "Effectifs de professionnels libéraux (Assurance Maladie) et d'équipements (base permanente des équipements de l'INSEE, FINESS) ; densité : effectif rapporté à la population indiquée ; « 60 ans et plus » : leur effectif et leur part parmi les professionnels d'âge connu. Données : {}.",
            sources.join(" | ")
        ))),
    ]
}

/// DREES's APL to GPs: each year the data gives for the territory and its comparators, how
/// DREES says to aggregate it, the communes' values and their map; or how to get it.
fn apl_blocks(report: &Report) -> Vec<Block<'_>> {
    let Some(apl) = &report.apl else {
        return vec![Block::Small(plain(
            "Accessibilité potentielle localisée (APL) aux médecins généralistes : absente des données chargées. \
             Le classeur de la DREES (« Indicateur d'accessibilité potentielle localisée (APL) aux médecins généralistes ») \
             se lit par diagsante ingest, puis --data.",
        ))];
    };
    let mut header = vec!["Année".to_owned(), "Indicateur".to_owned(), "Territoire".to_owned()];
    header.extend(report.comparators.iter().cloned());
    let shown = |v: Option<f64>, decimals: usize| v.map_or_else(|| "—".to_owned(), |x| number(x, decimals));
    let rows = apl
        .years
        .iter()
        .flat_map(|y| {
            y.lines.iter().map(move |(label, decimals, values)| {
                let mut row: Vec<Cell> = vec![y.year.to_string().into(), label.clone().into()];
                row.extend(values.iter().map(|v| Cell::from(shown(*v, *decimals))));
                row
            })
        })
        .collect();
    let under = |share: Option<f64>| match share {
        None => "—".to_owned(),
        Some(s) if s <= 0.0 => "non".to_owned(),
        Some(s) if s >= 1.0 => "oui".to_owned(),
        Some(s) => format!("en partie ({} % de sa population)", number(100.0 * s, 0)),
    };
    let communes = apl
        .communes
        .iter()
        .map(|c| {
            vec![
                c.code.clone().into(),
                c.name.clone().into(),
                shown(c.apl, 2).into(),
                shown(c.apl_65, 2).into(),
                shown(c.standardised, 0).into(),
                under(c.under_2_5).into(),
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::Heading("Accessibilité potentielle localisée (APL) aux médecins généralistes, par année".into()),
        Block::Table(Table { header, rows }),
        Block::Small(plain(format!(
            "APL : consultations ou visites de médecine générale accessibles par an et par habitant standardisé (DREES). \
             Comme l'indique la note du classeur de la DREES, l'APL d'un territoire est la moyenne des APL de ses communes pondérée par leur \
             population standardisée, et la population sous un seuil d'APL se compte en population totale (non standardisée) ; \
             sous 2,5, une commune est dite sous-dense. Valeurs sans intervalle de confiance : l'APL est calculé pour toutes les communes, \
             ce n'est pas un échantillon. Source : {}.",
            apl.source
        ))),
        Block::Folded {
            summary: format!("APL {} des {}", apl.year, plural(apl.communes.len(), "commune", "communes")),
            table: Table {
                header: vec![
                    "Code".into(),
                    "Commune".into(),
                    "APL".into(),
                    "APL (médecins de 65 ans ou moins)".into(),
                    "Population standardisée".into(),
                    "Sous 2,5".into(),
                ],
                rows: communes,
            },
        },
    ];
    blocks.extend(figure(report, "carte-apl"));
    blocks
}

/// The sentence over a theme's table: what differs from France.
pub fn differences(d: &Differences) -> String {
    if !d.compared {
        return "Pas de données comparables à la France sur ce thème.".into();
    }
    let quoted = |labels: &[String]| labels.iter().map(|l| format!("« {l} »")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !d.worse.is_empty() {
        parts.push(format!("moins bon que la France : {}", quoted(&d.worse)));
    }
    if !d.better.is_empty() {
        parts.push(format!("meilleur : {}", quoted(&d.better)));
    }
    if !d.other.is_empty() {
        parts.push(format!("différent : {}", quoted(&d.other)));
    }
    if parts.is_empty() {
        "Aucun écart significatif avec la France (à 95 %) sur ce thème.".into()
    } else {
        format!("Écarts significatifs avec la France (à 95 %) — {}.", parts.join(" ; "))
    }
}

/// The GP projection: why there is none, or the GPs, the chart and the table.
fn projection(report: &Report) -> Section<'_> {
    let mut blocks = Vec::new();
    match &report.projection {
        Projection::Withheld { .. } | Projection::Missing => blocks.extend(why_no_projection(&report.projection).map(|why| Block::Text(plain(why)))),
        Projection::Projected(p) => {
            blocks.push(Block::Text(plain(format!(
                "{} exercent sur le territoire en {REFERENCE_YEAR}{}. Chaque scénario fixe quand ils cessent leur activité ; ceux qui ont déjà dépassé l'âge d'un scénario y sont comptés comme partis dès {REFERENCE_YEAR}, d'où des effectifs de départ différents selon les scénarios. Aucune installation nouvelle n'est supposée, pour montrer ce qu'il faut remplacer ; la dernière colonne dit combien d'installations par an garderaient la densité d'aujourd'hui. Le besoin suit le vieillissement de la population : consultations par âge (pondérations de l'APL, DREES), {} consultations par habitant et {} par ETP de médecin.",
                plural(p.gps, "médecin généraliste", "médecins généralistes"),
                if p.gps == 0 { String::new() } else { format!(" : {} ont 62 ans ou plus, {} atteindront 62 ans d'ici cinq ans", p.past, p.soon) },
                number(p.assumptions.consultations_per_person, 1),
                number(p.assumptions.consultations_per_fte, 0),
            ))));
            blocks.extend(figure(report, "projection-medecins"));
            let rows = p
                .table
                .iter()
                .map(|(scenario, row)| {
                    let y = &row.supply;
                    let mut headcount = vec![Span::Plain(number(y.headcount, 0))];
                    let (low, high) = (number(y.headcount_low, 0), number(y.headcount_high, 0));
                    if low != high {
                        headcount.push(Span::Plain(" ".into()));
                        headcount.push(Span::Small(format!("({low} – {high})")));
                    }
                    vec![
                        scenario.clone().into(),
                        y.year.to_string().into(),
                        Cell { spans: headcount, against: None },
                        number(y.fte, 1).into(),
                        number(row.demand_fte, 1).into(),
                        number(row.shortfall_fte, 1).into(),
                        number(row.density_per_10000, 1).into(),
                        row.entries_to_keep_density.map_or("—".into(), |v| number(v, 1)).into(),
                    ]
                })
                .collect();
            blocks.push(Block::Table(Table {
                header: [
                    "Scénario",
                    "Année",
                    "Médecins (IC 95 %)",
                    "ETP",
                    "Besoin (ETP)",
                    "Manque (ETP ; négatif : excédent)",
                    "Pour 10 000 hab.",
                    "Installations par an pour garder la densité",
                ]
                .map(String::from)
                .into(),
                rows,
            }));
            blocks.extend(apl_outlook(report, p));
        }
    }
    section(PROJECTION, blocks)
}

/// The APL computed and projected, in sentences: « L'APL de la CPTS passerait de 3,1 à 2,4
/// en 2029 et 2,0 en 2034 (départ à 62 ans) ».
fn apl_outlook<'a>(report: &Report, p: &super::model::Projected) -> Vec<Block<'a>> {
    let Some(a) = &p.apl else { return Vec::new() };
    let mut blocks = vec![Block::Text(plain(format!(
        "Accessibilité potentielle localisée (APL) aux médecins généralistes calculée par diagsante pour toutes les communes de France, selon la méthode et les paramètres de la DREES (plafonds d'activité, décroissance avec le temps de trajet jusqu'à 20 minutes, pondérations par âge ; {}) : {} consultations par habitant standardisé en {REFERENCE_YEAR}{}. Projection sans installation nouvelle, les médecins partant selon chaque scénario, le besoin suivant le vieillissement de la population :",
        a.times,
        number(a.now, 1),
        if a.synthetic { " — calculée sur des médecins ou une population synthétiques : une illustration de la méthode, pas l'APL du territoire, à ne pas comparer à celle publiée par la DREES" } else { "" },
    )))];
    for (scenario, years) in &a.lines {
        let steps: Vec<String> = years.iter().map(|(y, v)| format!("{} en {y}", number(*v, 1))).collect();
        blocks.push(Block::Text(plain(format!(
            "L'APL de {} passerait de {} à {} ({scenario}{}).",
            report.name,
            number(a.now, 1),
            steps.join(" et "),
            if a.synthetic { ", synthétique" } else { "" }
        ))));
    }
    blocks
}

/// Why there are no peers nor ranks.
pub const NO_PEERS: &str = "Pas de comparaison aux EPCI avec ces données : le profil socio-démographique du territoire (structure d'âge, chômage, part de bénéficiaires de la C2S) n'y est pas complet.";

/// Why there is no projection, if there is none.
pub fn why_no_projection(p: &Projection) -> Option<String> {
    match p {
        Projection::Withheld { min_count } => Some(format!(
            "Moins de {min_count} médecins généralistes exercent sur le territoire : leurs âges et leur projection ne sont pas diffusés (secret statistique)."
        )),
        Projection::Missing => Some("Pas de projection : les données chargées n'ont pas de population par sexe et âge pour ce territoire.".into()),
        Projection::Projected(_) => None,
    }
}

/// The territory among the EPCI of France: its profile, peers and ranks (or why there are
/// none), its funnel plots.
fn similar(report: &Report) -> Section<'_> {
    let mut blocks: Vec<Block> = figure(report, "profil-epci").into_iter().collect();
    match &report.similar {
        Ok(s) => blocks.extend(similar_blocks(s)),
        Err(why) => {
            blocks.push(Block::Text(plain(NO_PEERS)));
            blocks.push(Block::Small(plain(format!("Détail : {why}"))));
        }
    }
    blocks.extend(report.figures.iter().filter(|f| f.stem.starts_with("entonnoir-")).map(Block::Figure));
    section(SIMILAR, blocks)
}

/// The peers and the ranks among the EPCI of France.
fn similar_blocks(s: &Similar) -> Vec<Block<'static>> {
    let peers =
        s.peers.iter().map(|p| vec![p.code.clone().into(), p.name.clone().into(), p.distance.map_or("—".into(), |v| number(v, 2)).into()]).collect();
    let ranks = s
        .ranks
        .iter()
        .map(|row| {
            let ind = &row.indicator;
            let shown = |v: Option<f64>| v.map_or("—".into(), |v| quantity(v, ind.method, &ind.unit));
            vec![
                ind.label.clone().into(),
                shown(row.value).into(),
                row.rank_text().into(),
                row.quintile.map_or("—".into(), |q| q.to_string()).into(),
                shown(row.peers_value).into(),
                Cell { spans: plain(french(row.against_peers[0])), against: Some(row.against_peers) },
            ]
        })
        .collect();
    vec![
        Block::Heading(format!("Les {} EPCI les plus proches par le profil", s.peers.len())),
        Block::Small(plain("Proximité sur la structure d'âge (moins de 15 ans, 65 ans et plus), le chômage, la part de bénéficiaires de la C2S et l'ordre de grandeur de la densité (de la population quand les données n'ont pas la superficie des communes), en distance entre scores centrés réduits.")),
        Block::Table(Table { header: ["Code", "EPCI", "Distance"].map(String::from).into(), rows: peers }),
        Block::Heading("Rang parmi les EPCI de France".into()),
        Block::Small(plain("Rang 1 : la valeur la plus élevée ; quintile 5 : parmi les 20 % de valeurs les plus élevées, quintile 1 : parmi les 20 % les plus basses (qu'une valeur élevée soit bonne ou mauvaise dépend de l'indicateur : voir les thèmes ci-dessus). « Pairs » : les EPCI ci-dessus pris ensemble.")),
        Block::Table(Table {
            header: ["Indicateur", "Valeur", "Rang", "Quintile", "Pairs", "Écart avec les pairs (95 %)"].map(String::from).into(),
            rows: ranks,
        }),
    ]
}

/// The methods with their references, and the sources of the data.
fn methods_and_sources(report: &Report) -> Section<'_> {
    let sources = report.sources.iter().map(|(s, years)| vec![s.clone().into(), years.join(", ").into()]).collect();
    section(
        METHODS_AND_SOURCES,
        vec![
            Block::Heading("Méthodes".into()),
            Block::List(METHODS.iter().map(|m| spans(m)).collect()),
            Block::Heading("Cartes".into()),
            // Plain: file names and properties have underscores.
            Block::List(report.map_notes.iter().map(|m| vec![Span::Plain(m.clone())]).collect()),
            Block::Heading("Sources des données".into()),
            Block::Text(plain(format!("Données chargées : {}. Référentiel des communes : {}.", report.data_label, crate::geo::referential::SOURCE))),
            Block::Table(Table { header: ["Source", "Année des données"].map(String::from).into(), rows: sources }),
        ],
    )
}

/// A text with `_titles_` in italics and `` `commands` `` as code.
fn spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['_', '`']) {
        let mark = &rest[at..at + 1];
        let Some(len) = rest[at + 1..].find(mark) else { break };
        if at > 0 {
            out.push(Span::Plain(rest[..at].to_owned()));
        }
        let inner = rest[at + 1..at + 1 + len].to_owned();
        out.push(if mark == "_" { Span::Italic(inner) } else { Span::Code(inner) });
        rest = &rest[at + 2 + len..];
    }
    if !rest.is_empty() {
        out.push(Span::Plain(rest.to_owned()));
    }
    out
}

/// The methods, each with its reference (`_…_`: a title, in italics; `` `…` ``: a command).
const METHODS: [&str; 11] = [
    "Proportions : intervalle de Wilson (Wilson E.B., 1927, _J. Am. Stat. Assoc._ 22:209-212).",
    "Taux bruts : intervalle de Poisson exact (Garwood) sous 10 événements, approximation de Byar au-delà (Breslow & Day, 1987, _Statistical Methods in Cancer Research_ vol. II), comme les profils de santé publique anglais.",
    "Taux standardisés (méthode directe) : intervalle de Dobson et al. (1991, _Stat. Med._ 10:457-462), population standard européenne 2013 ou France.",
    "Indices comparatifs de mortalité (méthode indirecte, France = 100) : décès observés / attendus × 100, intervalle de Poisson (exact ou Byar) sur les décès observés.",
    "Espérance de vie : table de mortalité abrégée, méthode II de Chiang (1984), variance de la dernière classe ouverte selon Silcocks, Jenner & Reza (2001, _J. Epidemiol. Community Health_ 55:38-43).",
    "Écarts : un territoire est « moins bon » ou « meilleur » quand la valeur du comparateur est hors de son intervalle de confiance (95 % et 99,8 %).",
    "Entonnoirs : limites de contrôle à 95 % et 99,8 % (Spiegelhalter D.J., 2005, _Stat. Med._ 24:1185-1202). Parmi les EPCI de France, quand les points varient plus que le hasard ne le voudrait (dispersion φ des z-scores winsorisés à 10 % au-delà de (I − 1)/I), les limites sont élargies d'une variance entre territoires τ² (effets aléatoires additifs, DerSimonian-Laird ; échelle angulaire pour les proportions, racine carrée pour les ratios et les taux : Spiegelhalter D.J., 2005, _Qual. Saf. Health Care_ 14:347-351) ; φ est indiqué sur le graphique.",
    "Secret statistique : une valeur dont l'effectif est sous le seuil du catalogue n'est pas affichée (« s ») ; dans les tableaux nationaux (`diagsante national`), une valeur qui permettrait de la retrouver par différence ne l'est pas non plus. Les âges des médecins ne sont détaillés que par classes d'au moins autant de médecins que ce seuil ; sous ce seuil pour tout le territoire, ni leurs âges ni leur projection ne sont diffusés. « n.d. » : donnée absente des données chargées.",
    "Projection des médecins : départs selon l'âge (62 ans, réforme des retraites de 2023, 67 ans, ou probabilités de départ observées calibrées sur DREES, Études et Résultats n° 1097) ; besoin en consultations par âge selon les pondérations de l'accessibilité potentielle localisée (APL, DREES).",
    "Territoires similaires : les plus proches par distance euclidienne entre profils centrés réduits.",
    "Couleurs : palette d'Okabe et Ito (2008), lisible par les personnes daltoniennes.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differences_are_said_in_one_sentence() {
        let d = Differences { compared: true, worse: vec!["A <b>".into()], better: vec![], other: vec!["C".into(), "D".into()] };
        assert_eq!(differences(&d), "Écarts significatifs avec la France (à 95 %) — moins bon que la France : « A <b> » ; différent : « C », « D ».");
        let none = Differences { compared: true, worse: vec![], better: vec![], other: vec![] };
        assert!(differences(&none).contains("Aucun écart significatif"));
        assert!(differences(&Differences { compared: false, ..none }).contains("Pas de données comparables"));
    }

    #[test]
    fn titles_and_commands_are_marked_in_the_methods() {
        assert_eq!(
            spans("a (_J. Stat._ 1) `diagsante national` b"),
            [
                Span::Plain("a (".into()),
                Span::Italic("J. Stat.".into()),
                Span::Plain(" 1) ".into()),
                Span::Code("diagsante national".into()),
                Span::Plain(" b".into())
            ]
        );
        // An unpaired mark is text.
        assert_eq!(spans("x_y"), [Span::Plain("x_y".into())]);
        for m in METHODS {
            let text: String = spans(m).iter().map(Span::text).collect();
            assert!(!text.contains(['_', '`']), "{m}");
        }
    }
}
