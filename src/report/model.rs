//! The report's model: every number the report shows, typed, decided once from the
//! diagnosis, the benchmark against the EPCI of France and the GP projection — the page's
//! sections with their table rows, and each figure's data. The figures ([`super::figures`])
//! only draw it and the page ([`super::page`]) only renders it: what the report says is
//! decided here, how it looks there, so that either side can change without the other.

use std::collections::BTreeMap;

use crate::compare::benchmark::{self, Benchmark, Ranked};
use crate::compare::diagnose::{self, Diagnosis, Row};
use crate::error::{Error, Result};
use crate::facts::Provenance;
use crate::geo::perimeter::{Share, TerritoryKind};
use crate::geo::{ComparatorOptions, Referential, Territory};
use crate::indicators::evaluate::{Aggregated, Geography, Interned};
use crate::indicators::{Indicator, Method, Withheld};
use crate::ingest::load::Data;
use crate::ingest::Sex;
use crate::project::demand::DemandAssumptions;
use crate::project::supply::Gp;
use crate::project::territory::{self as projection, EntryCount, Scenario, PRESETS, REFERENCE_YEAR};
use crate::stats::compare::{Comparison, Polarity};
use crate::stats::funnel::FunnelLimit;

use super::charts::{self, Frame};
use super::{synthetic, HORIZON};

/// The themes, in the order of the diagnostics: theme of the catalogue, section id, title.
pub const THEMES: [(&str, &str, &str); 6] = [
    ("démographie", "contexte-demographique", "Contexte démographique"),
    ("social", "contexte-socio-economique", "Contexte socio-économique"),
    ("besoins de santé", "besoins-de-sante", "Besoins de santé"),
    ("accès aux soins", "acces-aux-soins", "Accès aux soins"),
    ("prévention", "prevention", "Prévention"),
    ("offre de soins", "offre-de-soins", "Offre de soins"),
];

/// Ages at which the scenarios stop GPs, marked on the chart of their ages.
const RETIREMENT_MARKS: [(f64, &str); 3] = [(62.0, "62 ans"), (64.0, "64 ans (réforme 2023)"), (67.0, "67 ans (taux plein)")];

/// A territory's report, before drawing and rendering.
pub struct Report {
    /// The territory's name.
    pub name: String,
    /// How much of the data is synthetic: the page says so.
    pub synthetic: super::Synthetic,
    /// What data the numbers come from.
    pub data_label: String,
    /// The comparators as the report names them: « Gard (30) », « Occitanie », « France ».
    pub comparators: [String; 3],
    pub presentation: Presentation,
    /// One per theme of [`THEMES`], in order.
    pub themes: Vec<Theme>,
    /// Indicators of no theme (published values among them).
    pub others: Vec<Row>,
    /// Where each of `others` comes from.
    pub others_data: Vec<String>,
    /// Values published already computed by their producers, for the territory (when it is
    /// a published geography) and its comparators.
    pub published: Vec<crate::compare::published::Published>,
    pub projection: Projection,
    /// The peers and ranks among the EPCI of France, or why there are none.
    pub similar: std::result::Result<Similar, String>,
    /// Each source of the indicators (sorted) with the years of its data.
    pub sources: Vec<(String, Vec<String>)>,
    /// The year each measure is read at.
    pub years: BTreeMap<String, i32>,
    /// The figures, in the order they are drawn.
    pub figures: Vec<Figure>,
    /// What the methods section says of the maps: their contours (the codes remapped, those
    /// not matched) or their circles, and the maps not drawn.
    pub map_notes: Vec<String>,
    /// What the tables beside the page are made of.
    pub diagnosis: Diagnosis,
    pub benchmark: Option<Benchmark>,
    pub projected: Vec<projection::Row>,
    /// DREES's APL to GPs for every year the data gives and per commune, when the data has it.
    pub apl: Option<Apl>,
    /// The « Offre de soins » table: each profession or facility of the catalogue with a
    /// headcount, and its density.
    pub supply: Vec<SupplyLine>,
}

/// A line of the « Offre de soins » table, as the diagnostics quote them (a profession by
/// rows, the territory, its département, its région and France by columns): the catalogue's
/// headcount of a profession or facility and its first density (same numerator).
pub struct SupplyLine {
    /// The profession, as the headcount's label says it (« Infirmiers »).
    pub label: String,
    /// What the density is per (« pour 10 000 habitants »).
    pub per: String,
    pub headcount: Row,
    pub density: Option<Row>,
    /// The share aged 60 or more, where the catalogue has one (a `proportion` of the theme
    /// over the same professionals, or over those of known age: the roster's `gp_by_age`).
    pub share: Option<Row>,
    /// Where the values come from (see `Diagnosis::row_data`).
    pub data: String,
}

/// The « Offre de soins » table's lines: each headcount (`count`) of the theme, in the
/// catalogue's order, with the first density (`crude_rate`) of the same numerator and the
/// first share (`proportion`) of those professionals.
fn supply_lines(d: &Diagnosis) -> Vec<SupplyLine> {
    let rows: Vec<&Row> = d.rows.iter().filter(|r| r.indicator.theme == "offre de soins").collect();
    rows.iter()
        .filter(|r| r.indicator.method == Method::Count)
        .map(|count| {
            let density = rows
                .iter()
                .find(|r| r.indicator.method == Method::CrudeRate && r.indicator.numerator == count.indicator.numerator)
                .map(|r| (*r).clone());
            let label = count.indicator.label.trim_end_matches(" (effectif)").trim_end_matches(" (nombre)").to_owned();
            let per = density
                .as_ref()
                .map_or_else(String::new, |r| r.indicator.label.strip_prefix(label.as_str()).unwrap_or(&r.indicator.label).trim().to_owned());
            let data = d.row_data(density.as_ref().unwrap_or(count));
            let of_known_age = format!("{}_by_age", count.indicator.numerator.measure);
            let share = rows
                .iter()
                .find(|r| {
                    r.indicator.method == Method::Proportion
                        && r.indicator.denominator.as_ref().is_some_and(|t| *t == count.indicator.numerator || t.measure == of_known_age)
                })
                .map(|r| (*r).clone());
            SupplyLine { label, per, headcount: (*count).clone(), density, share, data }
        })
        .collect()
}

/// DREES's APL to GPs (accessibility section): every year the data gives, and the communes.
/// The values are the catalogue's (the indicators whose numerators are the APL's counts),
/// computed the same way at each year: the communes' APL weighted by their standardised
/// population, the share of the (total) population in communes under 2.5 (DREES's note).
pub struct Apl {
    /// Earliest first.
    pub years: Vec<AplYear>,
    /// The year of the per-commune values (the latest).
    pub year: i32,
    /// The territory's base units, by name.
    pub communes: Vec<AplCommune>,
    /// Where the values come from (publisher, dataset, years).
    pub source: String,
}

/// One year of the APL for the territory, its département, its région and France.
pub struct AplYear {
    pub year: i32,
    /// Each line: its label, its unit's decimals, and the four values.
    pub lines: Vec<(String, usize, [Option<f64>; 4])>,
}

/// A commune's APL at the latest year.
pub struct AplCommune {
    pub code: String,
    pub name: String,
    pub apl: Option<f64>,
    pub apl_65: Option<f64>,
    pub standardised: Option<f64>,
    /// The share (0 to 1) of its population living under 2.5: 0 or 1 for a commune as DREES
    /// gives it, in between for one merged since from communes on both sides.
    pub under_2_5: Option<f64>,
}

/// The measures the APL section reads: the numerators of the catalogue's APL indicators.
const APL_NUMERATORS: [(&str, &str); 3] = [
    ("apl_mg_x_popstd", "APL aux médecins généralistes"),
    ("apl_mg65_x_popstd", "APL aux médecins généralistes de 65 ans ou moins"),
    ("apl_mg_population_under_2_5", "Part de la population en commune d'APL inférieure à 2,5"),
];

/// The APL section's numbers, `None` when the data has no APL (or the catalogue no APL
/// indicator).
fn apl(t: &Territory, r: &Referential, data: &Data, facts: &Interned, catalogue: &[Indicator], options: &ComparatorOptions) -> Result<Option<Apl>> {
    let Some(&latest) = data.years.get(APL_NUMERATORS[0].0) else { return Ok(None) };
    let indicators: Vec<(&Indicator, &str)> =
        APL_NUMERATORS.iter().filter_map(|(m, label)| Some((catalogue.iter().find(|i| i.numerator.measure == *m)?, *label))).collect();
    if indicators.is_empty() {
        return Ok(None);
    }
    // An indicator at the year before the latest: its terms' `_base` measures (see `load::by_period`).
    let at_base = |i: &Indicator| {
        let mut i = i.clone();
        for term in std::iter::once(&mut i.numerator).chain(i.denominator.as_mut()) {
            term.measure.push_str("_base");
        }
        i
    };
    let mut measures: Vec<String> = indicators.iter().flat_map(|(i, _)| i.terms().map(|t| t.measure.clone())).collect();
    measures.extend(measures.clone().into_iter().map(|m| format!("{m}_base")));
    let units: Vec<&crate::geo::Unit> = t.units(r).collect();
    // The territory, its département, its région and the France of the report, then its communes.
    let mut geographies = diagnose::geographies(t, r, options, false).main.to_vec();
    geographies.extend(units.iter().map(|u| Geography { id: u.code.clone(), name: u.name.clone(), units: vec![u.code.clone()] }));
    let agg = facts.aggregate_only(&geographies, &measures)?;
    let value = |i: &Indicator, g: usize| crate::indicators::compute(i, &agg, g, 3).estimate.value;
    let mut years = Vec::new();
    if let Some(&before) = data.years.get(&format!("{}_base", APL_NUMERATORS[0].0)) {
        let based: Vec<(Indicator, &str)> = indicators.iter().map(|(i, l)| (at_base(i), *l)).collect();
        years.push(AplYear { year: before, lines: based.iter().map(|(i, l)| apl_line(i, l, &value)).collect() });
    }
    years.push(AplYear { year: latest, lines: indicators.iter().map(|(i, l)| apl_line(i, l, &value)).collect() });
    let find = |m: &str| indicators.iter().find(|(i, _)| i.numerator.measure == m).map(|(i, _)| *i);
    let mut communes: Vec<AplCommune> = units
        .iter()
        .enumerate()
        .map(|(k, u)| {
            let g = 4 + k;
            AplCommune {
                code: u.code.clone(),
                name: u.name.clone(),
                apl: find(APL_NUMERATORS[0].0).and_then(|i| value(i, g)),
                apl_65: find(APL_NUMERATORS[1].0).and_then(|i| value(i, g)),
                standardised: agg.whole(g, "apl_population_standardised"),
                under_2_5: find(APL_NUMERATORS[2].0).and_then(|i| Some(value(i, g)? / i.multiplier)),
            }
        })
        .collect();
    communes.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
    // « DREES, APL aux médecins généralistes, 2022 et 2023 »: the source once, every year shown.
    let source = match data.provenance.get(APL_NUMERATORS[0].0) {
        Some(Provenance::Source { publisher, dataset, .. }) => {
            format!("{publisher}, {dataset}, {}", years.iter().map(|y| y.year.to_string()).collect::<Vec<_>>().join(" et "))
        }
        Some(p) => p.to_string(),
        None => data.label.clone(),
    };
    Ok(Some(Apl { years, year: latest, communes, source }))
}

/// One line of the APL's yearly table: label, decimals, the four geographies' values.
fn apl_line(i: &Indicator, label: &str, value: &dyn Fn(&Indicator, usize) -> Option<f64>) -> (String, usize, [Option<f64>; 4]) {
    let values = [0, 1, 2, 3].map(|g| value(i, g));
    let label = if i.unit.is_empty() { label.to_owned() } else { format!("{label} ({})", i.unit) };
    (label, i.method.decimals(1.0), values)
}

/// The territory: what it is made of, its population's growth and density.
pub struct Presentation {
    pub kind: &'static str,
    pub description: Option<String>,
    /// Current communes (Paris once, however many arrondissements).
    pub communes: usize,
    pub population: u64,
    /// Départements touched, most populated first.
    pub departements: Vec<Share>,
    /// Why the comparators are what they are, when the territory straddles several.
    pub comparator_note: Option<String>,
    /// Mean annual growth of the population, or why it is missing.
    pub growth: std::result::Result<Growth, String>,
    /// Inhabitants per km², or why it is missing.
    pub density: std::result::Result<Density, String>,
    /// The territory's area in km² (the sum of its communes'), with its source, when the data
    /// has every commune's.
    pub area: Option<(f64, String)>,
    /// The base units (communes, arrondissements): code, name, population.
    pub units: Vec<(String, String, Option<u64>)>,
}

/// Mean annual growth of the population (% a year) from one year to another.
pub struct Growth {
    pub from: i32,
    pub to: i32,
    pub value: f64,
    pub france: Option<f64>,
}

/// Inhabitants per km².
pub struct Density {
    pub value: f64,
    pub france: Option<f64>,
}

/// A theme's section: its indicators and how they differ from France.
pub struct Theme {
    /// Theme of the catalogue.
    pub theme: &'static str,
    /// Section id (also in its comparison chart's file name).
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<Row>,
    /// Where each row's values come from (see `Diagnosis::row_data`), in the rows' order.
    pub data: Vec<String>,
    pub differences: Differences,
}

/// The labels of a theme's indicators that differ from France at 95 %.
pub struct Differences {
    /// Whether any indicator of the theme could be compared with France.
    pub compared: bool,
    pub worse: Vec<String>,
    pub better: Vec<String>,
    /// Higher or lower, neither good nor bad.
    pub other: Vec<String>,
}

/// The GP projection section.
pub enum Projection {
    /// Fewer GPs than the secrecy threshold: neither their ages nor a projection are shown.
    Withheld {
        min_count: f64,
    },
    /// No population by sex and age in the data.
    Missing,
    Projected(Projected),
}

/// The GPs projected under each scenario against the population's needs.
pub struct Projected {
    /// GPs of the territory in [`REFERENCE_YEAR`].
    pub gps: usize,
    /// GPs already 62 or over, and reaching 62 within five years.
    pub past: usize,
    pub soon: usize,
    pub assumptions: DemandAssumptions,
    /// The table's lines: each scenario (French label) at years 0, 5 and [`HORIZON`].
    pub table: Vec<(String, projection::Row)>,
    /// The territory's APL computed by diagsante (`crate::apl`), today and projected.
    pub apl: Option<AplOutlook>,
}

/// The territory's APL to GPs computed (DREES's method, every commune of France) in
/// [`REFERENCE_YEAR`], and in 5 and 10 years under each scenario.
pub struct AplOutlook {
    pub now: f64,
    /// Each scenario (French label) and its (year, APL).
    pub lines: Vec<(String, Vec<(i32, f64)>)>,
    /// The GPs (supply) or the population by age are synthetic: an illustration of the
    /// method, not the territory's APL.
    pub synthetic: bool,
    /// How travel times were had, in French.
    pub times: String,
}

/// The territory among the EPCI of France.
pub struct Similar {
    /// The nearest EPCI by profile.
    pub peers: Vec<Peer>,
    /// Rank, quintile and peers' value of each indicator, in catalogue order.
    pub ranks: Vec<Ranked>,
}

/// One of the nearest EPCI.
pub struct Peer {
    pub code: String,
    pub name: String,
    pub distance: Option<f64>,
}

/// A figure: its file stem, caption, frame (title, source) and data.
pub struct Figure {
    pub stem: String,
    pub caption: String,
    pub frame: Frame,
    pub chart: Chart,
}

/// A figure's data, one variant per kind of chart (see [`charts`]).
pub enum Chart {
    /// (label, men, women) of the territory by age band; (men, women) of France.
    Pyramid { bands: Vec<(String, f64, f64)>, france: Vec<(f64, f64)> },
    /// A theme's indicators against the département and région (named).
    Comparison { items: Vec<charts::Compared>, names: [String; 2] },
    /// The territory (named) and its département (named) among the EPCI of France.
    Spine { rows: Vec<charts::Spine>, names: [String; 2] },
    /// An indicator's funnel around France's value (`target`), the territory named.
    Funnel { points: Vec<charts::FunnelPoint>, limits: Vec<FunnelLimit>, target: f64, territory: String, axes: [String; 2], widened: Option<f64> },
    /// GPs under each scenario, and the FTE needed each year.
    Projection { scenarios: Vec<charts::ScenarioLine>, demand: Vec<(i32, f64)> },
    /// The GPs' ages in [`REFERENCE_YEAR`], ages marked, bands under `min_count` withheld.
    GpAges { ages: Vec<i32>, marks: Vec<(f64, String)>, min_count: u32 },
    /// An indicator by commune of the territory (see [`super::maps`]).
    Map(super::maps::Map),
    /// A theme's indicators over the years: the territory, département, région and France (named).
    Trends { panels: Vec<charts::TrendPanel>, names: [String; 4] },
}

/// The GPs of the territory and the projection of their numbers.
struct Gps {
    list: Vec<Gp>,
    /// Fewer than the secrecy threshold (but some).
    secret: bool,
    min_count: f64,
    scenarios: Vec<Scenario>,
    assumptions: DemandAssumptions,
    /// Empty when withheld or without population by sex and age.
    rows: Vec<projection::Row>,
}

/// Compute the diagnosis, the benchmark and the projection of `t`, and decide what the
/// report shows. `shared`: what the reports of a run on `data` share (the benchmark's set,
/// the APL of France). `step` hears each computation begin.
#[allow(clippy::too_many_arguments)]
pub fn build(
    t: &Territory,
    r: &Referential,
    data: &Data,
    shared: &super::Shared,
    catalogue: &[Indicator],
    options: &ComparatorOptions,
    maps: &super::maps::MapOptions,
    step: &dyn Fn(&str),
) -> Result<Report> {
    let facts = &data.facts;
    let synthetic = synthetic(data);
    step("diagnostic");
    let diagnosis = diagnose::diagnose(t, r, facts, catalogue, &data.label, data.published.as_ref(), false, options)?
        .with_provenance(&data.provenance)
        .with_departement_provenance(&data.departement_provenance);
    step("comparaison aux EPCI");
    // Data without the socio-demographic profile (partial real data) has no peers: the
    // report says so instead of failing.
    crate::timing::mark("report: diagnostic");
    let bench = match shared.benchmark(t, r, facts, catalogue, options) {
        Ok(b) => Ok(b),
        Err(Error::Input(e)) => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    crate::timing::mark("report: benchmark");
    step("projection");
    let units = diagnose::with_whole_communes(t.units.clone(), r);
    let me = Geography { id: t.id.clone(), name: t.name.clone(), units: units.clone() };
    let france = benchmark::national_geographies(r)[3][0].clone();
    // One aggregation for the pyramid chart, the demand side and the area, of the measures
    // they read only.
    let ages = facts.aggregate_only(&[me, france], &["population", "deaths_all_causes", "area_km2"])?;
    let gps = project(data, catalogue, &units, &ages)?;
    crate::timing::mark("report: projection");

    let names = display_names(&diagnosis, t, r);
    let apl = apl(t, r, data, facts, catalogue, options)?;
    crate::timing::mark("report: APL");
    let (figures, map_notes) = figures(t, data, facts, catalogue, &diagnosis, &names, bench.as_ref().ok(), &ages, &gps, r, options, maps)?;
    crate::timing::mark("report: figures' data");
    let supply = supply_lines(&diagnosis);
    let outlook = apl_outlook(data, shared, r, &units, &gps)?;
    crate::timing::mark("report: APL projected");
    let published = crate::compare::published::published(t, r, shared.published.as_ref(), options.france)?;
    crate::timing::mark("report: published values");
    Ok(Report {
        name: t.name.clone(),
        synthetic,
        data_label: diagnosis.data_label.clone(),
        comparators: [names[0].clone(), names[1].clone(), diagnosis.comparator_names[2].clone()],
        presentation: presentation(t, r, data, &diagnosis, &ages),
        themes: THEMES
            .iter()
            .map(|&(theme, id, title)| {
                let rows: Vec<Row> = diagnosis.rows.iter().filter(|r| r.indicator.theme == theme).cloned().collect();
                let data = rows.iter().map(|r| diagnosis.row_data(r)).collect();
                Theme { theme, id, title, differences: differences(&rows), rows, data }
            })
            .collect(),
        others: diagnosis.rows.iter().filter(|r| !THEMES.iter().any(|t| t.0 == r.indicator.theme)).cloned().collect(),
        others_data: diagnosis.rows.iter().filter(|r| !THEMES.iter().any(|t| t.0 == r.indicator.theme)).map(|r| diagnosis.row_data(r)).collect(),
        published,
        projection: projection_section(&gps, outlook),
        similar: match &bench {
            Ok(b) => Ok(similar(b)?),
            Err(why) => Err(why.clone()),
        },
        sources: sources(data, &diagnosis),
        years: data.years.clone(),
        figures,
        map_notes,
        diagnosis,
        benchmark: bench.ok(),
        projected: gps.rows,
        apl,
        supply,
    })
}

/// The territory's GPs, and their projection under the preset scenarios unless withheld.
fn project(data: &Data, catalogue: &[Indicator], units: &[String], ages: &Aggregated) -> Result<Gps> {
    let list = data.roster.as_ref().map(|roster| projection::gps_of(roster, units)).transpose()?.unwrap_or_default();
    let pyramids = projection::pyramids_of(ages, 0, 1);
    let scenarios = PRESETS.iter().map(|s| Scenario::parse(s)).collect::<Result<Vec<_>>>()?;
    let assumptions = DemandAssumptions::default();
    // Statistical secrecy of the GPs' ages: the threshold of the catalogue's indicators on
    // them. Below it, neither their ages nor a projection (which tells how many are past an
    // age) are shown.
    let min_count = catalogue.iter().filter(|i| i.numerator.measure == "gp_by_age").map(|i| i.min_count).fold(1.0, f64::max);
    let secret = !list.is_empty() && (list.len() as f64) < min_count;
    // No GP at all is a result: the demand with no supply.
    let rows = if secret || pyramids.iter().all(Vec::is_empty) {
        Vec::new()
    } else {
        projection::project(&list, &pyramids, &scenarios, REFERENCE_YEAR, HORIZON, EntryCount::PerYear(0.0), &assumptions)
    };
    Ok(Gps { list, secret, min_count, scenarios, assumptions, rows })
}

/// The comparators as the report names them: « Gard (30) », « Occitanie ».
fn display_names(d: &Diagnosis, t: &Territory, r: &Referential) -> [String; 2] {
    let c = t.comparators(r);
    let name = |full: &str, code: &str| full.strip_prefix(code).map_or(full, str::trim).to_owned();
    [format!("{} ({})", name(&d.comparator_names[0], &c.departement), c.departement), name(&d.comparator_names[1], &c.region)]
}

/// The kind of a territory, in French.
fn kind_label(kind: TerritoryKind) -> &'static str {
    match kind {
        TerritoryKind::Cpts => "CPTS",
        TerritoryKind::Cls => "CLS",
        TerritoryKind::Epci => "EPCI",
        TerritoryKind::Custom => "périmètre personnalisé",
    }
}

fn presentation(t: &Territory, r: &Referential, data: &Data, d: &Diagnosis, agg: &Aggregated) -> Presentation {
    let growth = d.rows.iter().find(|r| r.indicator.method == Method::AnnualGrowth).and_then(|r| {
        let base = &r.indicator.denominator.as_ref()?.measure;
        let (from, to) = (*data.years.get(base)?, *data.years.get(&r.indicator.numerator.measure)?);
        Some(Growth { from, to, value: r.territory.estimate.value?, france: r.comparators[2].estimate.value })
    });
    let density = d
        .rows
        .iter()
        .find(|r| r.indicator.method == Method::Ratio && r.indicator.denominator.as_ref().is_some_and(|t| t.measure == "area_km2"))
        .and_then(|r| Some(Density { value: r.territory.estimate.value?, france: r.comparators[2].estimate.value }));
    Presentation {
        kind: kind_label(t.kind),
        description: t.description.clone(),
        communes: t.commune_count(r),
        population: t.population(r),
        departements: t.departements(r),
        comparator_note: d.comparator_note.clone(),
        growth: growth.ok_or_else(|| why_missing(d, Method::AnnualGrowth, "les données chargées n'ont qu'une année de population")),
        density: density
            .ok_or_else(|| why_missing(d, Method::Ratio, "les données chargées n'ont pas la superficie des communes, colonne SUPERF de l'INSEE")),
        area: agg.whole(0, "area_km2").map(|a| {
            let source = crate::facts::provenance_of(&data.provenance, "area_km2").map_or_else(|| data.label.clone(), |p| p.to_string());
            ((a * 100.0).round() / 100.0, source)
        }),
        units: t.units(r).map(|u| (u.code.clone(), u.name.clone(), u.population)).collect(),
    }
}

/// Why the first indicator of `method` has no value: its status, else (its measure is not in
/// the data) `otherwise`, which says what to ingest.
fn why_missing(d: &Diagnosis, method: Method, otherwise: &str) -> String {
    d.rows
        .iter()
        .find(|r| r.indicator.method == method)
        .and_then(|r| match &r.territory.withheld {
            None | Some(Withheld::MissingInput { .. }) => None,
            Some(w) => Some(w.french()),
        })
        .unwrap_or_else(|| otherwise.to_owned())
}

/// What differs from France at 95 % among `rows`.
fn differences(rows: &[Row]) -> Differences {
    let pick = |c: &[Comparison]| -> Vec<String> { rows.iter().filter(|r| c.contains(&r.flags[2][0])).map(|r| r.indicator.label.clone()).collect() };
    Differences {
        compared: rows.iter().any(|r| r.flags[2][0] != Comparison::NotCompared),
        worse: pick(&[Comparison::Worse]),
        better: pick(&[Comparison::Better]),
        other: pick(&[Comparison::Higher, Comparison::Lower]),
    }
}

/// The APL computed for every commune of France, the territory's today and under each
/// scenario in 5 and [`HORIZON`] years (no entries, as the GP projection), unless the GP
/// projection is withheld or missing, or no GP nor population is in the data.
fn apl_outlook(data: &Data, shared: &super::Shared, r: &Referential, units: &[String], gps: &Gps) -> Result<Option<AplOutlook>> {
    if gps.secret || gps.rows.is_empty() || data.roster.is_none() {
        return Ok(None);
    }
    let options = crate::apl::national::Options {
        year: REFERENCE_YEAR,
        times: None,
        estimate: crate::apl::travel::Estimate::default(),
        scenarios: gps.scenarios.clone(),
        offsets: vec![5, HORIZON],
        entries: EntryCount::PerYear(0.0),
        assumptions: gps.assumptions.clone(),
    };
    let o = shared.apl_today(data, r, &options)?.outcome(r, units, &options);
    let Some(now) = o.aggregate else { return Ok(None) };
    let lines = gps
        .scenarios
        .iter()
        .map(|s| (scenario_label(&s.name), o.projected.iter().filter(|p| p.scenario == s.name).filter_map(|p| Some((p.year, p.apl?))).collect()))
        .collect();
    Ok(Some(AplOutlook { now, lines, synthetic: o.synthetic_roster || o.synthetic_population, times: o.times_source }))
}

fn projection_section(gps: &Gps, apl: Option<AplOutlook>) -> Projection {
    if gps.secret {
        return Projection::Withheld { min_count: gps.min_count };
    }
    if gps.rows.is_empty() {
        return Projection::Missing;
    }
    let age = |g: &Gp| REFERENCE_YEAR - g.birth_year;
    let mut table = Vec::new();
    for s in &gps.scenarios {
        for offset in [0, 5, HORIZON] {
            if let Some(row) = gps.rows.iter().find(|r| r.scenario == s.name && r.supply.offset == offset) {
                table.push((scenario_label(&s.name), row.clone()));
            }
        }
    }
    Projection::Projected(Projected {
        gps: gps.list.len(),
        past: gps.list.iter().filter(|g| age(g) >= 62).count(),
        soon: gps.list.iter().filter(|g| (57..62).contains(&age(g))).count(),
        assumptions: gps.assumptions.clone(),
        table,
        apl,
    })
}

/// The peers and ranks of a benchmark.
fn similar(b: &Benchmark) -> Result<Similar> {
    let p = &b.peers;
    let (codes, names, distances) = (p.column("code")?.str()?, p.column("name")?.str()?, p.column("distance")?.f64()?);
    let peers = (0..p.height())
        .map(|i| Peer {
            code: codes.get(i).unwrap_or_default().to_owned(),
            name: names.get(i).unwrap_or_default().to_owned(),
            distance: distances.get(i),
        })
        .collect();
    Ok(Similar { peers, ranks: b.ranks.clone() })
}

/// Each source of the diagnosis's indicators with the years of its measures' data.
fn sources(data: &Data, d: &Diagnosis) -> Vec<(String, Vec<String>)> {
    let mut by_source: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for row in &d.rows {
        let year = data.years.get(&row.indicator.numerator.measure).map_or(String::new(), |y| y.to_string());
        let e = by_source.entry(row.indicator.source.as_str()).or_default();
        if !year.is_empty() && !e.contains(&year) {
            e.push(year);
        }
    }
    by_source.into_iter().map(|(s, y)| (s.to_owned(), y)).collect()
}

/// French label of a scenario preset.
pub fn scenario_label(name: &str) -> String {
    match name {
        "legal-62" => "départ à 62 ans".into(),
        "reform-2023" => "réforme 2023 (62-64 ans)".into(),
        "full-rate-67" => "départ à 67 ans".into(),
        "observed" => "départs observés (DREES)".into(),
        other => other.to_owned(),
    }
}

/// « 1 commune », « 25 communes ».
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", super::html::number(n as f64, 0), if n == 1 { one } else { many })
}

/// The panels of a theme's trend chart: its indicators with a series of at least two years
/// for the territory (at most eight, in catalogue order; not the counts), each line the values shown.
/// Whether the territory or one of its comparators has two values over the years: INSEE's
/// estimates give the département, the région and France yearly populations where the
/// territory's communes have their censuses only, and the comparators' ageing is worth drawing.
fn has_series(r: &Row) -> bool {
    r.series.iter().any(|s| s.iter().filter(|(_, v)| v.estimate.value.is_some()).count() >= 2)
}

fn trend_panels(d: &Diagnosis, theme: &str) -> Vec<charts::TrendPanel> {
    d.rows
        .iter()
        // Levels, not sizes: a count's territory beside France's is a flat line at 0.
        .filter(|r| r.indicator.theme == theme && r.indicator.method.is_compared())
        .filter(|r| has_series(r))
        .take(8)
        .map(|r| charts::TrendPanel {
            label: chart_label(&r.indicator.label),
            trend: crate::indicators::series::label(&r.indicator, &r.trend).to_owned(),
            lines: [0, 1, 2, 3].map(|k| r.series[k].iter().filter_map(|(y, v)| Some((*y, v.estimate.value?))).collect()),
        })
        .collect()
}

/// The figures of the report, in the order they are drawn: pyramid, each theme against the
/// comparators, the spine among the EPCI, funnels, the GP projection, the GPs' ages and the
/// maps of the communes ([`super::maps`]), with what the methods section says of the maps.
#[allow(clippy::too_many_arguments)]
fn figures(
    t: &Territory,
    data: &Data,
    facts: &crate::indicators::Interned,
    catalogue: &[Indicator],
    d: &Diagnosis,
    names: &[String; 2],
    bench: Option<&Benchmark>,
    ages: &Aggregated,
    gps: &Gps,
    r: &Referential,
    options: &ComparatorOptions,
    maps: &super::maps::MapOptions,
) -> Result<(Vec<Figure>, Vec<String>)> {
    // Each chart says where its numbers come from: the provenance of the measures it draws
    // (the data's label where a measure's is not known), and is marked when one is synthetic.
    let frame = |title: String, s: &str, measures: &[String]| {
        let known: Vec<&Provenance> = measures.iter().filter_map(|m| crate::facts::provenance_of(&data.provenance, m)).collect();
        let (origin, synthetic) = if known.is_empty() {
            (data.label.clone(), synthetic(data) != super::Synthetic::None)
        } else {
            (Provenance::join(known.iter().copied()), known.iter().any(|p| p.is_synthetic()))
        };
        Frame { title, source: format!("Source : {s} — {origin} — diagsante"), synthetic }
    };
    let measures = |rows: &mut dyn Iterator<Item = &Row>| -> Vec<String> { rows.flat_map(|r| measures_of(&r.indicator)).collect() };
    let mut figures = Vec::new();
    if let Some((bands, france)) = pyramid(ages) {
        figures.push(Figure {
            stem: "pyramide".into(),
            caption: "Pyramide des âges du territoire (barres) et de la France (trait), en % de la population.".into(),
            frame: frame(format!("Pyramide des âges — {}", t.name), "INSEE, recensement", &[crate::facts::breakdown_key("population")]),
            chart: Chart::Pyramid { bands, france },
        });
    }
    for (theme, stem, title) in THEMES {
        let items = compared(d, theme);
        if items.iter().any(|i| i.comparators[2].is_some()) {
            figures.push(Figure {
                stem: format!("comparaison-{stem}"),
                caption: format!(
                    "{title} : indicateurs du territoire, du département ({}) et de la région ({}), en indice (France = 100).",
                    names[0], names[1]
                ),
                frame: frame(
                    format!("{title} — {}", t.name),
                    &theme_sources(d, theme),
                    &measures(&mut d.rows.iter().filter(|r| r.indicator.theme == theme && r.indicator.method.is_indexed_in_charts())),
                ),
                chart: Chart::Comparison { items, names: names.clone() },
            });
        }
    }
    for (theme, stem, title) in THEMES {
        let panels = trend_panels(d, theme);
        if !panels.is_empty() {
            figures.push(Figure {
                stem: format!("evolution-{stem}"),
                caption: format!(
                    "{title} : évolution des indicateurs donnés pour plusieurs années, pour le territoire (trait épais), le département ({}), la région ({}) et la France ; sous chaque titre, la tendance du territoire sur les cinq dernières années (test de Fingertips).",
                    names[0], names[1]
                ),
                frame: frame(
                    format!("{title} : évolution — {}", t.name),
                    &theme_sources(d, theme),
                    &measures(&mut d.rows.iter().filter(|r| r.indicator.theme == theme && r.indicator.method.is_compared() && has_series(r))),
                ),
                chart: Chart::Trends {
                    panels,
                    names: [t.name.clone(), names[0].clone(), names[1].clone(), d.comparator_names[2].clone()],
                },
            });
        }
    }
    let rows = spine(d, catalogue, bench);
    if !rows.is_empty() {
        figures.push(Figure {
            stem: "profil-epci".into(),
            caption: "Profil du territoire parmi les EPCI de France : au centre la France, à gauche l'EPCI le moins bien placé (ou la valeur la plus basse), à droite le mieux placé ; gris clair : tous les EPCI, gris foncé : leur moitié centrale (du 1er au 3e quartile) ; losange : le département ; cercle : le territoire, coloré selon son écart avec la France.".into(),
            frame: frame(
                format!("Profil parmi les EPCI de France — {}", t.name),
                "indicateurs du catalogue",
                &measures(&mut d.rows.iter().filter(|r| r.indicator.method.is_compared())),
            ),
            chart: Chart::Spine { rows, names: [t.name.clone(), names[0].clone()] },
        });
    }
    if let Some(bench) = bench {
        for id in funnel_indicators(d) {
            if let Some(f) = funnel(bench, d, &id, t, &frame) {
                figures.push(f);
            }
        }
    }
    if !gps.rows.is_empty() {
        let rows = &gps.rows;
        let scenarios = gps
            .scenarios
            .iter()
            .map(|s| charts::ScenarioLine {
                name: scenario_label(&s.name),
                years: rows.iter().filter(|r| r.scenario == s.name).map(|r| (r.supply.year, r.supply.headcount, r.supply.fte)).collect(),
            })
            .collect();
        let demand = rows.iter().filter(|r| r.scenario == gps.scenarios[0].name).map(|r| (r.supply.year, r.demand_fte)).collect();
        figures.push(Figure {
            stem: "projection-medecins".into(),
            caption: "Médecins généralistes projetés selon les scénarios de départ (sans installation nouvelle), et ETP nécessaires pour la population vieillissante.".into(),
            frame: frame(
                format!("Projection des médecins généralistes — {}", t.name),
                "répertoire des médecins, INSEE, DREES (APL)",
                &["gp".to_owned(), crate::facts::breakdown_key("population")],
            ),
            chart: Chart::Projection { scenarios, demand },
        });
    }
    if !gps.list.is_empty() && !gps.secret {
        figures.push(Figure {
            stem: "ages-medecins".into(),
            caption: format!(
                "Âge des {} en {REFERENCE_YEAR} ; tirets : âges de départ des scénarios. Une classe de moins de {} médecins n'est pas détaillée (secret statistique).",
                plural(gps.list.len(), "médecin généraliste du territoire", "médecins généralistes du territoire"),
                gps.min_count
            ),
            frame: frame(format!("Âge des médecins généralistes — {}", t.name), "répertoire des médecins", &["gp_by_age".to_owned()]),
            chart: Chart::GpAges {
                ages: gps.list.iter().map(|g| REFERENCE_YEAR - g.birth_year).collect(),
                marks: RETIREMENT_MARKS.iter().map(|&(a, l)| (a, l.to_owned())).collect(),
                min_count: gps.min_count as u32,
            },
        });
    }
    let (maps, notes) = super::maps::figures(t, r, data, facts, catalogue, options, maps, &frame)?;
    figures.extend(maps);
    Ok((figures, notes))
}

/// The territory's and France's population by sex and age band, bands narrower than five
/// years joined; `None` when the data has no population by sex and age.
#[allow(clippy::type_complexity)]
fn pyramid(agg: &Aggregated) -> Option<(Vec<(String, f64, f64)>, Vec<(f64, f64)>)> {
    let bands = |g: usize| -> BTreeMap<(u32, Option<u32>), (f64, f64)> {
        let mut out: BTreeMap<(u32, Option<u32>), (f64, f64)> = BTreeMap::new();
        for (k, sex) in [Sex::Male, Sex::Female].into_iter().enumerate() {
            for (a, z, v) in agg.breakdown(g, "population", sex) {
                if let Some(a) = a {
                    let e = out.entry((a, z)).or_default();
                    if k == 0 {
                        e.0 += v.unwrap_or(0.0)
                    } else {
                        e.1 += v.unwrap_or(0.0)
                    }
                }
            }
        }
        out
    };
    let (mine, fr) = (bands(0), bands(1));
    if mine.is_empty() {
        return None;
    }
    // Bands narrower than five years (0, 1-4 in life-table data) join the next ones, so
    // that every bar has the same height.
    let (mut rows, mut france): (Vec<(String, f64, f64)>, Vec<(f64, f64)>) = (Vec::new(), Vec::new());
    let mut open: Option<(u32, f64, f64, f64, f64)> = None;
    for (&(a, z), &(m, w)) in &mine {
        let f = fr.get(&(a, z)).copied().unwrap_or((0.0, 0.0));
        let acc = open.get_or_insert((a, 0.0, 0.0, 0.0, 0.0));
        *acc = (acc.0, acc.1 + m, acc.2 + w, acc.3 + f.0, acc.4 + f.1);
        if z.is_none_or(|z| (z + 1) % 5 == 0) {
            let (start, m, w, fm, fw) = *acc;
            rows.push((z.map_or(format!("{start} ans et +"), |z| format!("{start}-{z} ans")), m, w));
            france.push((fm, fw));
            open = None;
        }
    }
    if let Some((start, m, w, fm, fw)) = open {
        rows.push((format!("{start} ans et +"), m, w));
        france.push((fm, fw));
    }
    Some((rows, france))
}

/// A theme's indicators for its comparison chart: all but counts, growth rates (indices
/// around 0 would mean nothing) and ratios (a density's hundreds would flatten the bars).
fn compared(d: &Diagnosis, theme: &str) -> Vec<charts::Compared> {
    d.rows
        .iter()
        .filter(|row| row.indicator.theme == theme && row.indicator.method.is_indexed_in_charts())
        .filter_map(|row| {
            let e = &row.territory.estimate;
            Some(charts::Compared {
                label: chart_label(&row.indicator.label),
                value: e.value?,
                interval: e.limits.first().cloned().flatten().filter(|l| l.lower.is_finite() && l.upper.is_finite()).map(|l| (l.lower, l.upper)),
                comparators: [0, 1, 2].map(|k| row.comparators[k].estimate.value),
                against_france: row.flags[2][0],
            })
        })
        .collect()
}

/// The spine chart's rows: each indicator but counts with a value for the territory and
/// France and the values of at least two EPCI.
fn spine(d: &Diagnosis, catalogue: &[Indicator], bench: Option<&Benchmark>) -> Vec<charts::Spine> {
    // The set's values come in catalogue order.
    let set_of = |id: &str| -> Option<&Vec<f64>> { catalogue.iter().position(|i| i.id == id).and_then(|k| bench?.set_values.get(k)) };
    d.rows
        .iter()
        .filter(|row| row.indicator.method.is_compared())
        .filter_map(|row| {
            let set = set_of(&row.indicator.id)?;
            let france = row.comparators[2].estimate.value?;
            Some(charts::Spine {
                label: chart_label(&row.indicator.label),
                value: row.territory.estimate.value?,
                france,
                departement: row.comparators[0].estimate.value,
                distribution: set.clone(),
                high_is_good: match row.indicator.polarity {
                    Polarity::HighIsGood => Some(true),
                    Polarity::LowIsGood => Some(false),
                    Polarity::Neutral => None,
                },
                against_france: row.flags[2][0],
            })
        })
        .filter(|s| s.distribution.len() >= 2)
        .collect()
}

/// An indicator's label shortened for a chart's axis (the tables keep the full label).
fn chart_label(label: &str) -> String {
    [
        ("Indice comparatif de mortalité", "ICM"),
        ("Prévalence standardisée de l'ALD", "ALD"),
        ("Prévalence standardisée des ALD", "ALD"),
        (", taux standardisé", ", taux std."),
        (" (France = 100)", ""),
        (" (pour 100 000)", ""),
        ("Mortalité prématurée (avant 65 ans)", "Mortalité avant 65 ans"),
        ("maladies de l'appareil circulatoire", "maladies circulatoires"),
        ("Participation au dépistage", "Dépistage"),
        ("Part des patients de", "Patients de"),
        ("Accessibilité potentielle localisée (APL)", "APL"),
        ("Part de la population en commune d'APL", "Pop. en commune d'APL"),
        ("aux médecins généralistes", "aux MG"),
        ("aux médecins de 65 ans ou moins", "MG ≤ 65 ans"),
        (" sans médecin traitant", " sans MT"),
        (" inférieure à ", " < "),
    ]
    .iter()
    .fold(label.to_owned(), |l, (long, short)| l.replace(long, short))
}

/// The sources of a theme's indicators, joined.
fn theme_sources(d: &Diagnosis, theme: &str) -> String {
    // A source may name several publishers (« Assurance Maladie (RPPS) ; INSEE »): each once.
    let mut s: Vec<&str> = d.rows.iter().filter(|r| r.indicator.theme == theme).flat_map(|r| r.indicator.source.split(" ; ")).collect();
    s.sort_unstable();
    s.dedup();
    s.join(" ; ")
}

/// The indicators given a funnel plot: health indicators on which the territory differs from
/// France at 99.8 %, else at 95 %, else the defaults; four at most.
fn funnel_indicators(d: &Diagnosis) -> Vec<String> {
    // Outcomes, not the population's profile: the health themes only.
    let funnelled = |r: &&Row| {
        r.indicator.method.funnel().is_some() && THEMES[2..].iter().any(|t| t.0 == r.indicator.theme) && r.territory.estimate.value.is_some()
    };
    let differs = |level: usize| -> Vec<String> {
        d.rows
            .iter()
            .filter(funnelled)
            .filter(|r| !matches!(r.flags[2][level], Comparison::Similar | Comparison::NotCompared))
            .map(|r| r.indicator.id.clone())
            .collect()
    };
    let mut ids = differs(1);
    // The catalogue's defaults (`funnel = true`), in catalogue order.
    let defaults = d.rows.iter().filter(funnelled).filter(|r| r.indicator.funnel).map(|r| r.indicator.id.clone());
    for id in differs(0).into_iter().chain(defaults) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.truncate(4);
    ids
}

/// The measures an indicator reads.
fn measures_of(ind: &Indicator) -> Vec<String> {
    ind.provenance_keys()
}

/// The funnel plot of indicator `id` among the EPCI of France, if it has one.
fn funnel(b: &Benchmark, d: &Diagnosis, id: &str, t: &Territory, frame: &dyn Fn(String, &str, &[String]) -> Frame) -> Option<Figure> {
    let row = d.rows.iter().find(|r| r.indicator.id == id)?;
    let f = b.funnel(id)?;
    if f.points.len() < 2 || f.limits.is_empty() {
        return None;
    }
    let unit = if row.indicator.unit.is_empty() { String::new() } else { format!(" ({})", row.indicator.unit) };
    // What the points are set against (see `benchmark::funnels`).
    let x = f.statistic.axis_label();
    // Limits widened for overdispersion are said on the chart and in its caption.
    let phi = f.dispersion.filter(|d| d.tau2 > 0.0).map(|d| d.phi);
    let widened = phi.map_or_else(String::new, |phi| {
        format!(
            " Les EPCI varient plus que le hasard ne le voudrait (dispersion φ = {}) : les limites sont élargies d'une variance entre territoires τ² (Spiegelhalter 2005, effets aléatoires additifs).",
            super::html::number(phi, 1)
        )
    });
    let title = format!("Entonnoir — {}", charts::clip(&row.indicator.label, 60));
    Some(Figure {
        stem: format!("entonnoir-{id}"),
        caption: format!(
            "{} : chaque point est un EPCI de France ; hors des limites à 99,8 %, un écart a peu de chances d'être dû au hasard (Spiegelhalter 2005).{widened}",
            row.indicator.label
        ),
        frame: frame(title, &row.indicator.source, &measures_of(&row.indicator)),
        chart: Chart::Funnel {
            points: f.points.iter().map(|p| charts::FunnelPoint { denominator: p.denominator, value: p.value, is_territory: p.is_territory }).collect(),
            limits: f.limits.clone(),
            target: f.target,
            territory: t.name.clone(),
            axes: [x.to_owned(), format!("Valeur{unit}")],
            widened: phi,
        },
    })
}
