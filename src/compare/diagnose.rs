//! The diagnostic table of a territory: every indicator of the catalogue for the territory
//! and its comparators (département, région, France), with the territory's intervals and
//! its comparison against each comparator at 95 % and 99.8 %.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde_json::json;

use super::secrecy;
use crate::error::Result;
use crate::facts::Provenance;
use crate::geo::{ComparatorOptions, France, Referential, Territory};
use crate::indicators::evaluate::{self, departement_rows, Geography, Interned, Value};
use crate::indicators::{series, Indicator, Method};
use crate::stats::compare::{compare, Comparison};
use crate::stats::trend::Trend;

/// The comparators, in column order (France's column is named after the France compared
/// with: see [`France::column`]).
pub const COMPARATORS: [&str; 3] = ["departement", "region", "france"];

/// One row of the diagnostic.
#[derive(Debug, Clone)]
pub struct Row {
    pub indicator: Indicator,
    pub territory: Value,
    /// Département, région, France.
    pub comparators: [Value; 3],
    /// Comparison with each comparator at 95 % and 99.8 %.
    pub flags: [[Comparison; 2]; 3],
    /// The other départements the territory touches, when asked
    /// ([`ComparatorOptions::all_departements`]), in the order of
    /// [`Diagnosis::other_departements`]: each value and the comparison with it.
    pub other_departements: Vec<(Value, [Comparison; 2])>,
    /// The indicator over the years (see `indicators::series`) in the territory (withheld
    /// as its latest value is, by difference with the geographies nested with it) and its
    /// three comparators: (year, value), in order of year; empty when it has no series.
    pub series: [Vec<(i32, Value)>; 4],
    /// The territory's recent trend (Fingertips' test on its series).
    pub trend: Trend,
}

impl Row {
    /// Territory minus comparator, in [`Row::difference_unit`]: points for percentages, years
    /// for a life expectancy, otherwise % of the comparator's value.
    pub fn difference(&self, k: usize) -> Option<f64> {
        self.difference_with(&self.comparators[k])
    }

    /// Territory minus `comparator` (see [`Row::difference`]).
    pub fn difference_with(&self, comparator: &Value) -> Option<f64> {
        let (t, c) = (self.territory.estimate.value?, comparator.estimate.value?);
        match self.difference_unit() {
            "" => None,
            "%" => (c != 0.0).then(|| 100.0 * (t - c) / c),
            _ => Some(t - c),
        }
    }

    /// Comparator `k` in [`Diagnosis::comparator_keys`]'s order: its value and the comparison
    /// with it.
    pub fn compared(&self, k: usize) -> (&Value, [Comparison; 2]) {
        match k {
            0..3 => (&self.comparators[k], self.flags[k]),
            _ => {
                let (v, f) = &self.other_departements[k - 3];
                (v, *f)
            }
        }
    }

    /// The territory's value (`k` = 0) or its `k`-th comparator's (1: the département, 2:
    /// the région, 3: France).
    pub fn compared_or_territory(&self, k: usize) -> &Value {
        if k == 0 {
            &self.territory
        } else {
            &self.comparators[k - 1]
        }
    }

    /// Fingertips' flag « moins bon et en dégradation »: worse than France at 95 % and
    /// worsening (see [`series::WORSE_AND_WORSENING`]); empty otherwise.
    pub fn flag(&self) -> &'static str {
        let worsening = series::label(&self.indicator, &self.trend) == "en dégradation";
        if worsening && self.flags[2][0] == Comparison::Worse {
            series::WORSE_AND_WORSENING
        } else {
            ""
        }
    }

    /// The unit of [`Row::difference`]: see [`Method::difference_unit`].
    pub fn difference_unit(&self) -> &'static str {
        self.indicator.method.difference_unit(&self.indicator.unit)
    }
}

/// A territory's diagnostic.
pub struct Diagnosis {
    pub territory: String,
    pub comparator_names: [String; 3],
    pub comparator_note: Option<String>,
    /// The France compared with, and the reference of the ICM.
    pub france: France,
    pub icm_reference: France,
    /// The other départements the territory touches, compared with when asked: (code, name).
    pub other_departements: Vec<(String, String)>,
    pub rows: Vec<Row>,
    /// Said in every output (e.g. that the data is synthetic); a row's `data` when the
    /// provenance of its measures is not known.
    pub data_label: String,
    /// Where each measure comes from (`Data::provenance`; empty: not known), for the `data`
    /// of each row: see [`Diagnosis::row_data`].
    pub provenance: BTreeMap<String, Provenance>,
    /// The indicators whose comparators (département, région, France) read the département
    /// rows of their numerator (see [`evaluate::Geography`]), and where each measure's
    /// département rows come from (`Data::departement_provenance`).
    pub from_departements: std::collections::BTreeSet<String>,
    pub departement_provenance: BTreeMap<String, Provenance>,
}

/// The geographies of a diagnostic.
pub struct Geographies {
    /// The territory, its département, its région and the France compared with.
    pub main: [Geography; 4],
    /// The other départements the territory touches, when asked, most populated first.
    pub other_departements: Vec<Geography>,
    /// The reference of the ICM when it is not the France compared with.
    pub reference: Option<Geography>,
}

/// The geographies of a diagnostic of `t` under `options`. With `by_departement`, the
/// comparators are given as département sums (`dep:30`, as in the demo cache's
/// `departements-demo.parquet`): the territory keeps its communes.
pub fn geographies(t: &Territory, r: &Referential, options: &ComparatorOptions, by_departement: bool) -> Geographies {
    let c = t.comparators_with(r, options.all_departements);
    let code = |d: &str| format!("{}{d}", crate::demo::frames::DEPARTEMENT_PREFIX);
    let codes = |units: Vec<&crate::geo::Unit>| units.into_iter().map(|u| u.code.clone()).collect::<Vec<_>>();
    let rows = |deps: Vec<String>| deps.iter().map(|d| departement_rows(d)).collect::<Vec<_>>();
    let departement = |d: &str| Geography {
        id: d.to_owned(),
        name: r.departements.get(d).map_or_else(String::new, |d| d.name.clone()),
        units: [if by_departement { vec![code(d)] } else { with_whole_communes(codes(r.base_units_of_departement(d)), r) }, rows(vec![d.to_owned()])]
            .concat(),
    };
    let region_deps: Vec<String> = r.departements.values().filter(|d| d.region == c.region && d.zone != "com").map(|d| d.code.clone()).collect();
    let reg_name = r.regions.get(&c.region).map_or_else(String::new, |d| d.name.clone());
    let region = Geography {
        id: c.region.clone(),
        name: reg_name,
        units: [
            if by_departement {
                region_deps.iter().map(|d| code(d)).collect()
            } else {
                with_whole_communes(codes(r.base_units_of_region(&c.region)), r)
            },
            rows(region_deps.clone()),
        ]
        .concat(),
    };
    let france = |f: France| Geography {
        id: f.code().into(),
        name: f.name().into(),
        units: [
            if by_departement { f.departements(r).iter().map(|d| code(d)).collect() } else { with_whole_communes(f.units(r), r) },
            rows(f.departements(r).iter().map(|d| d.to_string()).collect()),
        ]
        .concat(),
    };
    let territory = Geography { id: t.id.clone(), name: t.name.clone(), units: with_whole_communes(t.units.clone(), r) };
    let other_departements = if options.all_departements {
        t.departements(r).iter().filter(|s| s.code != c.departement).map(|s| departement(&s.code)).collect()
    } else {
        Vec::new()
    };
    Geographies {
        main: [territory, departement(&c.departement), region, france(options.france)],
        other_departements,
        reference: (options.icm_reference != options.france).then(|| france(options.icm_reference)),
    }
}

/// The indicators with the ICM's label naming its reference when it is not the default's
/// (« (France = 100) » when France entière is both the reference and the France compared
/// with; else « (France entière = 100) », « (France hexagonale = 100) »).
pub fn with_icm_reference(catalogue: &[Indicator], options: &ComparatorOptions) -> Vec<Indicator> {
    let default = options.icm_reference == France::Entiere && options.france == France::Entiere;
    catalogue
        .iter()
        .map(|i| match i.method {
            Method::Icm if !default => {
                Indicator { label: i.label.replace("(France = 100)", &format!("({} = 100)", options.icm_reference.label())), ..i.clone() }
            }
            _ => i.clone(),
        })
        .collect()
}

/// The published geographies nested with `t` (see [`secrecy::nested_geographies`]); with
/// `by_departement`, départements and régions as the département sums of the demo cache.
pub fn nested_geographies(t: &Territory, r: &Referential, by_departement: bool) -> Vec<Geography> {
    let code = |d: &str| format!("{}{d}", crate::demo::frames::DEPARTEMENT_PREFIX);
    secrecy::nested_geographies(&with_whole_communes(t.units.clone(), r), r)
        .into_iter()
        .map(|(kind, g)| {
            let deps: Vec<String> = match kind {
                "departement" => vec![g.id.clone()],
                "region" => r.departements.values().filter(|d| d.region == g.id && d.zone != "com").map(|d| d.code.clone()).collect(),
                _ => return g,
            };
            let rows = deps.iter().map(|d| departement_rows(d));
            let units = if by_departement { deps.iter().map(|d| code(d)).chain(rows).collect() } else { g.units.into_iter().chain(rows).collect() };
            Geography { units, ..g }
        })
        .collect()
}

/// The base units whose facts a diagnostic of `t` reads besides the comparators' sums: its
/// own, and those of the EPCI nested with it (secrecy by difference).
pub fn units_read(t: &Territory, r: &Referential) -> Vec<String> {
    let mut units = with_whole_communes(t.units.clone(), r);
    for (kind, g) in secrecy::nested_geographies(&units.clone(), r) {
        if kind == "epci" {
            units.extend(g.units);
        }
    }
    units.sort();
    units.dedup();
    units
}

/// Add Paris, Lyon or Marseille as a whole (75056, 69123, 13055) to a geography holding
/// all of its arrondissements, so that data given for the whole city counts there. (The
/// ingestion refuses a file giving both the city and its arrondissements.)
pub(crate) fn with_whole_communes(mut units: Vec<String>, r: &Referential) -> Vec<String> {
    let set: std::collections::HashSet<&str> = units.iter().map(String::as_str).collect();
    let parents: Vec<String> = split_communes(r)
        .iter()
        .filter(|(_, arrondissements)| arrondissements.iter().all(|a| set.contains(a.as_str())))
        .map(|(c, _)| c.clone())
        .collect();
    units.extend(parents);
    units
}

/// The communes split into arrondissements, with them (the referential is embedded and
/// the same for the whole run: computed once).
fn split_communes(r: &Referential) -> &'static [(String, Vec<String>)] {
    static SPLIT: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    SPLIT.get_or_init(|| {
        r.communes()
            .filter(|c| r.has_arrondissements(&c.code))
            .map(|c| (c.code.clone(), r.base_units(&c.code).iter().map(|u| u.code.clone()).collect()))
            .collect()
    })
}

/// Compute the diagnostic of `t` from `facts` (the fact table, GP roster included as `gp`
/// facts), for the indicators of `catalogue`, against the comparators of `options`.
///
/// `published`: indicators published already computed (Rezone exports: `indicator,
/// territory, value, count, departement, region, france`), appended as they are, with no
/// interval and no comparison (their counts are not known; Rezone's France is France
/// entière, not shown beside France hexagonale).
#[allow(clippy::too_many_arguments)]
pub fn diagnose(
    t: &Territory,
    r: &Referential,
    facts: &Interned,
    catalogue: &[Indicator],
    data_label: &str,
    published: Option<&DataFrame>,
    comparators_by_departement: bool,
    options: &ComparatorOptions,
) -> Result<Diagnosis> {
    let geos = geographies(t, r, options, comparators_by_departement);
    let catalogue = with_icm_reference(catalogue, options);
    // The published geographies nested with the territory: a difference with one of them
    // under the threshold withholds the territory's value (see `secrecy`).
    let nested = nested_geographies(t, r, comparators_by_departement);
    let all: Vec<Geography> = geos.main.iter().chain(&nested).chain(&geos.other_departements).chain(&geos.reference).cloned().collect();
    let first_other = 4 + nested.len();
    // The ICM's reference: the France compared with, or its own geography, last.
    let reference = if geos.reference.is_some() { all.len() - 1 } else { 3 };
    // France is published with the territory's values: a difference with it would give a
    // secret value back, when the territory lies inside it.
    let in_france = options.france == France::Entiere || t.units(r).all(|u| options.france.holds(u));
    let agg = facts.aggregate(&all)?;
    let rows = catalogue
        .iter()
        .map(|ind| {
            let mut territory = evaluate::compute(ind, &agg, 0, reference);
            let comparators = [1, 2, 3].map(|g| evaluate::compute(ind, &agg, g, reference));
            let others: Vec<Value> = (0..nested.len()).map(|k| evaluate::compute(ind, &agg, 4 + k, reference)).collect();
            let measure = &ind.numerator.measure;
            let between = |g: usize| agg.covered(g, measure) != agg.covered(0, measure);
            let france = secrecy::Neighbour { name: &geos.main[3].name, value: &comparators[2], between_has_data: between(3) };
            let neighbours: Vec<secrecy::Neighbour> = (0..nested.len())
                .map(|k| secrecy::Neighbour { name: &nested[k].name, value: &others[k], between_has_data: between(4 + k) })
                .chain(in_france.then_some(france))
                .collect();
            secrecy::withhold_by_difference(&mut territory, &neighbours, ind.min_count);
            let against = |c: &Value| {
                [0, 1].map(|level| match c.estimate.value {
                    Some(v) if ind.method.is_compared() => compare(&territory.estimate, level, v, ind.polarity),
                    _ => Comparison::NotCompared,
                })
            };
            let flags = [0, 1, 2].map(|k| against(&comparators[k]));
            let other_departements = (0..geos.other_departements.len())
                .map(|k| {
                    let v = evaluate::compute(ind, &agg, first_other + k, reference);
                    let flags = against(&v);
                    (v, flags)
                })
                .collect();
            // The same over the years: each year's territory withheld by difference as its
            // latest value is.
            let at = series::at_years(ind, &agg);
            let mut series: [Vec<(i32, Value)>; 4] = [0, 1, 2, 3].map(|g| series::values(&at, &agg, g, reference));
            let [territory_series, _, _, france_series] = &mut series;
            for (k, (_, v)) in territory_series.iter_mut().enumerate() {
                let nested_at: Vec<Value> =
                    (0..nested.len()).map(|n| evaluate::compute(&agg.series_for(&at[k].1, 4 + n), &agg, 4 + n, reference)).collect();
                let france = secrecy::Neighbour { name: &geos.main[3].name, value: &france_series[k].1, between_has_data: between(3) };
                let neighbours: Vec<secrecy::Neighbour> = (0..nested.len())
                    .map(|n| secrecy::Neighbour { name: &nested[n].name, value: &nested_at[n], between_has_data: between(4 + n) })
                    .chain(in_france.then_some(france))
                    .collect();
                secrecy::withhold_by_difference(v, &neighbours, ind.min_count);
            }
            let trend =
                if at.is_empty() { series::trend_of(ind, &[(latest_year(ind, &agg), territory.clone())]) } else { series::trend_of(ind, &series[0]) };
            Row { indicator: ind.clone(), territory, comparators, flags, other_departements, series, trend }
        })
        .collect::<Vec<Row>>();
    let mut rows = rows;
    if let Some(p) = published {
        rows.extend(published_rows(p, t, options.france, geos.other_departements.len())?);
    }
    let c = t.comparators_with(r, options.all_departements);
    let [_, dep, reg, france] = &geos.main;
    let from_departements = catalogue.iter().filter(|i| agg.from_departements(1, &i.numerator.measure)).map(|i| i.id.clone()).collect();
    Ok(Diagnosis {
        territory: t.name.clone(),
        comparator_names: [format!("{} {}", dep.id, dep.name), format!("{} {}", reg.id, reg.name), france.name.clone()],
        comparator_note: c.note,
        france: options.france,
        icm_reference: options.icm_reference,
        other_departements: geos.other_departements.iter().map(|g| (g.id.clone(), g.name.clone())).collect(),
        rows,
        data_label: data_label.to_owned(),
        provenance: BTreeMap::new(),
        from_departements,
        departement_provenance: BTreeMap::new(),
    })
}

/// The year of an indicator's latest value: the latest of its terms' years (0 when unknown).
fn latest_year(indicator: &Indicator, agg: &evaluate::Aggregated) -> i32 {
    indicator.terms().filter_map(|t| agg.years.get(&t.measure).copied()).max().unwrap_or(0)
}

/// The provenances of what `indicator` reads (numerator, denominator: a measure, or its
/// breakdown by sex and age, see [`Indicator::provenance_keys`]), joined, or `None` when
/// `provenance` knows none of them.
pub fn provenance_of(indicator: &Indicator, provenance: &BTreeMap<String, Provenance>) -> Option<String> {
    let keys = indicator.provenance_keys();
    let known: Vec<&Provenance> = keys.iter().filter_map(|k| crate::facts::provenance_of(provenance, k)).collect();
    (!known.is_empty()).then(|| Provenance::join(known))
}

/// Where the values of `indicator` come from in a geography that reads its numerator's
/// département rows (see [`evaluate::Geography`]): their source, and the denominator's; `None`
/// when they are not known or are the same as the communes' (nothing to tell apart).
pub fn departement_data(
    indicator: &Indicator,
    provenance: &BTreeMap<String, Provenance>,
    departement_provenance: &BTreeMap<String, Provenance>,
) -> Option<String> {
    let departements = departement_provenance.get(&indicator.numerator.measure)?;
    if provenance.get(&indicator.numerator.measure) == Some(departements) {
        return None;
    }
    let keys = indicator.provenance_keys();
    let denominator: Vec<&Provenance> = keys.iter().skip(1).filter_map(|k| crate::facts::provenance_of(provenance, k)).collect();
    Some(Provenance::join(std::iter::once(departements).chain(denominator)))
}

/// Published values (Rezone) of territory `t` as rows of the diagnostic: the rows whose
/// `territory` is the territory's name or id (case and spaces ignored), or empty. Their France
/// (France entière) is left out when the diagnostic compares with France hexagonale; they have
/// no value for the other départements.
fn published_rows(p: &DataFrame, t: &Territory, france: France, other_departements: usize) -> Result<Vec<Row>> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let names = [norm(&t.name), norm(&t.id)];
    let territories: Vec<String> = p.column("territory")?.str()?.iter().map(|v| norm(v.unwrap_or_default())).collect();
    let keep: Vec<usize> = (0..p.height()).filter(|&i| territories[i].is_empty() || names.contains(&territories[i])).collect();
    let text = |c: &str| -> Result<Vec<String>> { Ok(p.column(c)?.str()?.iter().map(|v| v.unwrap_or_default().to_owned()).collect()) };
    let num = |c: &str| -> Result<Vec<Option<f64>>> { Ok(p.column(c)?.f64()?.iter().collect()) };
    let (labels, sources) = (text("indicator")?, text("source")?);
    let (values, counts) = (num("value")?, num("count")?);
    let comparators = [num("departement")?, num("region")?, num("france")?];
    let value = |v: Option<f64>, count: Option<f64>, note: Option<String>| Value {
        count,
        denominator: None,
        estimate: crate::stats::Estimate { value: v, limits: vec![None; 2], method: crate::stats::Method::Exact, note },
        withheld: None,
    };
    Ok(keep
        .into_iter()
        .map(|i| Row {
            indicator: Indicator {
                id: format!("publie_{}", i + 1),
                label: labels[i].clone(),
                theme: "valeurs publiées (Rezone)".into(),
                method: Method::Count,
                numerator: crate::indicators::catalogue::Term { measure: String::new(), sex: None, age_min: None, age_max: None },
                denominator: None,
                births: None,
                deaths: None,
                standard: None,
                multiplier: 1.0,
                unit: String::new(),
                polarity: crate::stats::compare::Polarity::Neutral,
                min_count: 0.0,
                source: sources[i].clone(),
                peers: None,
                funnel: false,
                overdispersion: false,
            },
            territory: value(values[i], counts[i], Some("valeur publiée, reprise telle quelle (sans intervalle)".into())),
            comparators: [0, 1, 2].map(|k| value(comparators[k][i].filter(|_| k < 2 || france == France::Entiere), None, None)),
            flags: [[Comparison::NotCompared; 2]; 3],
            other_departements: vec![(value(None, None, None), [Comparison::NotCompared; 2]); other_departements],
            series: Default::default(),
            trend: Trend {
                points: 0,
                slope: None,
                statistic: None,
                direction: crate::stats::trend::Direction::NotComputable,
                note: Some("valeur publiée : pas de série".into()),
            },
        })
        .collect())
}

/// French words for a comparison.
pub fn french(c: Comparison) -> &'static str {
    match c {
        Comparison::Higher => "plus élevé",
        Comparison::Lower => "plus bas",
        Comparison::Similar => "similaire",
        Comparison::Better => "meilleur",
        Comparison::Worse => "moins bon",
        Comparison::NotCompared => "",
    }
}

impl Diagnosis {
    /// The same diagnosis, each row's `data` telling where its measures come from.
    pub fn with_provenance(self, provenance: &BTreeMap<String, Provenance>) -> Diagnosis {
        Diagnosis { provenance: provenance.clone(), ..self }
    }

    /// The same diagnosis, knowing where each measure's département rows come from.
    pub fn with_departement_provenance(self, provenance: &BTreeMap<String, Provenance>) -> Diagnosis {
        Diagnosis { departement_provenance: provenance.clone(), ..self }
    }

    /// Where a row's values come from: the provenances of the measures its indicator reads
    /// (« INSEE, RP 2021 ; Assurance Maladie, patientèle 2024 »), or the data's label when
    /// none is known (published rows, a diagnosis without provenance). When the comparators
    /// read the numerator's département rows, from another source than the territory's
    /// communes, each side says its own: « territoire : données synthétiques… ; département,
    /// région, France : Assurance Maladie, démographie des professionnels de santé libéraux
    /// 2024 ; INSEE… ».
    pub fn row_data(&self, row: &Row) -> String {
        let own = provenance_of(&row.indicator, &self.provenance).unwrap_or_else(|| self.data_label.clone());
        if !self.from_departements.contains(&row.indicator.id) {
            return own;
        }
        match departement_data(&row.indicator, &self.provenance, &self.departement_provenance) {
            Some(theirs) if provenance_of(&row.indicator, &self.provenance).is_some() => {
                format!("territoire : {own} ; département, région, France : {theirs}")
            }
            Some(theirs) => format!("département, région, France : {theirs}"),
            None => own,
        }
    }

    /// The comparators' keys in tables, in column order: `departement`, `region`, France's
    /// ([`France::column`]), then `departement_<code>` for each other département.
    pub fn comparator_keys(&self) -> Vec<String> {
        let main = [COMPARATORS[0], COMPARATORS[1], self.france.column()].map(str::to_owned);
        main.into_iter().chain(self.other_departements.iter().map(|(code, _)| format!("departement_{code}"))).collect()
    }

    /// The table: one row per indicator.
    pub fn frame(&self) -> Result<DataFrame> {
        let rows = &self.rows;
        let text = |f: &dyn Fn(&Row) -> String| rows.iter().map(f).collect::<Vec<_>>();
        let num = |f: &dyn Fn(&Row) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
        let limit = |level: usize, upper: bool| {
            num(&|r: &Row| r.territory.estimate.limits.get(level).copied().flatten().map(|l| if upper { l.upper } else { l.lower }))
        };
        let mut columns = vec![
            Column::new("id".into(), text(&|r| r.indicator.id.clone())),
            Column::new("theme".into(), text(&|r| r.indicator.theme.clone())),
            Column::new("label".into(), text(&|r| r.indicator.label.clone())),
            Column::new("unit".into(), text(&|r| r.indicator.unit.clone())),
            Column::new("count".into(), num(&|r| r.territory.count)),
            Column::new("value".into(), num(&|r| r.territory.estimate.value)),
            Column::new("lower_95".into(), limit(0, false)),
            Column::new("upper_95".into(), limit(0, true)),
            Column::new("lower_99_8".into(), limit(1, false)),
            Column::new("upper_99_8".into(), limit(1, true)),
        ];
        columns.push(Column::new("difference_unit".into(), text(&|r| r.difference_unit().to_owned())));
        for (k, name) in self.comparator_keys().iter().enumerate() {
            columns.push(Column::new(format!("{name}_value").into(), num(&|r| r.compared(k).0.estimate.value)));
            columns.push(Column::new(format!("difference_{name}").into(), num(&|r| r.difference_with(r.compared(k).0))));
            for (l, level) in ["95", "99_8"].iter().enumerate() {
                columns.push(Column::new(format!("comparison_{name}_{level}").into(), text(&|r| french(r.compared(k).1[l]).to_owned())));
            }
        }
        columns.push(Column::new("method".into(), text(&|r| r.territory.estimate.method.to_string())));
        columns.push(Column::new("status".into(), text(&|r| r.territory.status().to_owned())));
        columns.push(Column::new("note".into(), text(&|r| r.territory.note().unwrap_or_default())));
        columns.push(Column::new("source".into(), text(&|r| r.indicator.source.clone())));
        columns.push(Column::new("data".into(), text(&|r| self.row_data(r))));
        let mut trends = series::Columns::new();
        for r in rows {
            trends.push(&r.indicator, &r.trend);
        }
        columns.extend(trends.into_columns());
        columns.push(Column::new("trend_flag".into(), text(&|r| r.flag().to_owned())));
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// The same as JSON, with the comparators named.
    pub fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let e = &r.territory.estimate;
                let limits: Vec<serde_json::Value> =
                    e.limits.iter().map(|l| l.map_or(serde_json::Value::Null, |l| json!([l.lower, l.upper]))).collect();
                let comparators: serde_json::Map<String, serde_json::Value> = self
                    .comparator_keys()
                    .into_iter()
                    .enumerate()
                    .map(|(k, name)| {
                        let (value, flags) = r.compared(k);
                        (
                            name,
                            json!({
                                "value": value.estimate.value,
                                "difference": r.difference_with(value),
                                "comparison_95": french(flags[0]),
                                "comparison_99_8": french(flags[1]),
                            }),
                        )
                    })
                    .collect();
                json!({
                    "id": r.indicator.id, "theme": r.indicator.theme, "label": r.indicator.label, "unit": r.indicator.unit,
                    "count": r.territory.count, "value": e.value, "limits_95_99_8": limits,
                    "method": e.method.to_string(), "status": r.territory.status(), "note": r.territory.note(), "source": r.indicator.source,
                    "difference_unit": r.difference_unit(),
                    "comparators": comparators,
                    "data": self.row_data(r),
                    "trend": {
                        "points": r.trend.points, "slope": series::slope_in_unit(&r.indicator, &r.trend), "statistic": r.trend.statistic,
                        "trend": r.trend.direction.code(), "label": series::label(&r.indicator, &r.trend), "note": r.trend.note,
                        "flag": r.flag(),
                        "series": r.series[0].iter().map(|(y, v)| json!([y, v.estimate.value])).collect::<Vec<_>>(),
                    },
                })
            })
            .collect();
        let keys = self.comparator_keys();
        let names: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .zip(self.comparator_names.iter().cloned().chain(self.other_departements.iter().map(|(code, name)| format!("{code} {name}"))))
            .map(|(k, n)| (k.clone(), n.into()))
            .collect();
        let mut out = json!({
            "territory": self.territory,
            "comparators": names,
            "comparator_note": self.comparator_note,
            "data": self.data_label,
            "indicators": rows,
        });
        // Said when it is not France entière (the key is absent from the default's output).
        if self.icm_reference != France::Entiere {
            out["icm_reference"] = self.icm_reference.label().into();
        }
        out
    }

    /// The indicators where the territory differs significantly from France, worst first:
    /// "moins bon" at 99.8 %, then at 95 %, then other differences.
    pub fn significant(&self) -> Vec<&Row> {
        let rank = |r: &Row| match (r.flags[2][1], r.flags[2][0]) {
            (Comparison::Worse, _) => 0,
            (_, Comparison::Worse) => 1,
            (Comparison::Higher | Comparison::Lower, _) => 2,
            (_, Comparison::Higher | Comparison::Lower) => 3,
            (Comparison::Better, _) => 4,
            (_, Comparison::Better) => 5,
            _ => 9,
        };
        let mut out: Vec<&Row> = self.rows.iter().filter(|r| rank(r) < 9).collect();
        out.sort_by_key(|r| rank(r));
        out
    }
}
