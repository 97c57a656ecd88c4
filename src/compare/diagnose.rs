//! The diagnostic table of a territory: every indicator of the catalogue for the territory
//! and its comparators (département, région, France), with the territory's intervals and
//! its comparison against each comparator at 95 % and 99.8 %.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde_json::json;

use super::secrecy;
use crate::error::Result;
use crate::facts::Provenance;
use crate::geo::{Referential, Territory};
use crate::indicators::evaluate::{self, Geography, Value};
use crate::indicators::{Indicator, Method};
use crate::stats::compare::{compare, Comparison};

/// The comparators, in column order.
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
}

impl Row {
    /// Territory minus comparator, in [`Row::difference_unit`]: points for percentages, years
    /// for a life expectancy, otherwise % of the comparator's value.
    pub fn difference(&self, k: usize) -> Option<f64> {
        let (t, c) = (self.territory.estimate.value?, self.comparators[k].estimate.value?);
        match self.difference_unit() {
            "" => None,
            "%" => (c != 0.0).then(|| 100.0 * (t - c) / c),
            _ => Some(t - c),
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
    pub rows: Vec<Row>,
    /// Said in every output (e.g. that the data is synthetic); a row's `data` when the
    /// provenance of its measures is not known.
    pub data_label: String,
    /// Where each measure comes from (`Data::provenance`; empty: not known), for the `data`
    /// of each row: see [`Diagnosis::row_data`].
    pub provenance: BTreeMap<String, Provenance>,
}

/// The geographies of a diagnostic: the territory, its département, région and France.
pub fn geographies(t: &Territory, r: &Referential) -> [Geography; 4] {
    let c = t.comparators(r);
    let codes = |units: Vec<&crate::geo::Unit>| units.into_iter().map(|u| u.code.clone()).collect::<Vec<_>>();
    let dep_name = r.departements.get(&c.departement).map_or_else(String::new, |d| d.name.clone());
    let reg_name = r.regions.get(&c.region).map_or_else(String::new, |d| d.name.clone());
    let france: Vec<String> = r.communes().filter(|u| u.in_france()).flat_map(|u| r.base_units(&u.code)).map(|u| u.code.clone()).collect();
    [
        Geography { id: t.id.clone(), name: t.name.clone(), units: with_whole_communes(t.units.clone(), r) },
        Geography { id: c.departement.clone(), name: dep_name, units: with_whole_communes(codes(r.base_units_of_departement(&c.departement)), r) },
        Geography { id: c.region.clone(), name: reg_name, units: with_whole_communes(codes(r.base_units_of_region(&c.region)), r) },
        Geography { id: "FR".into(), name: "France".into(), units: with_whole_communes(france, r) },
    ]
}

/// The same geographies with the comparators given as département sums (`dep:30`, as in
/// the demo cache's `departements-demo.parquet`): the territory keeps its communes.
pub fn geographies_by_departement(t: &Territory, r: &Referential) -> [Geography; 4] {
    let [territory, dep, reg, _] = geographies(t, r);
    let code = |d: &str| format!("{}{d}", crate::demo::frames::DEPARTEMENT_PREFIX);
    let in_france: Vec<&crate::geo::referential::Departement> = r.departements.values().filter(|d| d.zone != "com").collect();
    [
        territory,
        Geography { units: vec![code(&dep.id)], ..dep },
        Geography { units: in_france.iter().filter(|d| d.region == reg.id).map(|d| code(&d.code)).collect(), ..reg },
        Geography { id: "FR".into(), name: "France".into(), units: in_france.iter().map(|d| code(&d.code)).collect() },
    ]
}

/// The published geographies nested with `t` (see [`secrecy::nested_geographies`]); with
/// `by_departement`, départements and régions as the département sums of the demo cache.
pub fn nested_geographies(t: &Territory, r: &Referential, by_departement: bool) -> Vec<Geography> {
    let code = |d: &str| format!("{}{d}", crate::demo::frames::DEPARTEMENT_PREFIX);
    secrecy::nested_geographies(&with_whole_communes(t.units.clone(), r), r)
        .into_iter()
        .map(|(kind, g)| match (by_departement, kind) {
            (true, "departement") => Geography { units: vec![code(&g.id)], ..g },
            (true, "region") => {
                let deps = r.departements.values().filter(|d| d.region == g.id && d.zone != "com").map(|d| code(&d.code)).collect();
                Geography { units: deps, ..g }
            }
            _ => g,
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
/// facts), for the indicators of `catalogue`.
///
/// `published`: indicators published already computed (Rezone exports: `indicator,
/// territory, value, count, departement, region, france`), appended as they are, with no
/// interval and no comparison (their counts are not known).
pub fn diagnose(
    t: &Territory,
    r: &Referential,
    facts: &DataFrame,
    catalogue: &[Indicator],
    data_label: &str,
    published: Option<&DataFrame>,
    comparators_by_departement: bool,
) -> Result<Diagnosis> {
    let geos = if comparators_by_departement { geographies_by_departement(t, r) } else { geographies(t, r) };
    // The published geographies nested with the territory: a difference with one of them
    // under the threshold withholds the territory's value (see `secrecy`).
    let nested = nested_geographies(t, r, comparators_by_departement);
    let all: Vec<Geography> = geos.iter().cloned().chain(nested.iter().cloned()).collect();
    let agg = evaluate::aggregate(facts, &all)?;
    let rows = catalogue
        .iter()
        .map(|ind| {
            let mut territory = evaluate::compute(ind, &agg, 0, 3);
            let comparators = [1, 2, 3].map(|g| evaluate::compute(ind, &agg, g, 3));
            let others: Vec<Value> = (0..nested.len()).map(|k| evaluate::compute(ind, &agg, 4 + k, 3)).collect();
            let measure = &ind.numerator.measure;
            let between = |g: usize| agg.covered(g, measure) != agg.covered(0, measure);
            let neighbours: Vec<secrecy::Neighbour> = (0..nested.len())
                .map(|k| secrecy::Neighbour { name: &nested[k].name, value: &others[k], between_has_data: between(4 + k) })
                .chain(std::iter::once(secrecy::Neighbour { name: "France", value: &comparators[2], between_has_data: between(3) }))
                .collect();
            secrecy::withhold_by_difference(&mut territory, &neighbours, ind.min_count);
            let flags = [0, 1, 2].map(|k| {
                [0, 1].map(|level| match comparators[k].estimate.value {
                    Some(v) if ind.method.is_compared() => compare(&territory.estimate, level, v, ind.polarity),
                    _ => Comparison::NotCompared,
                })
            });
            Row { indicator: ind.clone(), territory, comparators, flags }
        })
        .collect::<Vec<Row>>();
    let mut rows = rows;
    if let Some(p) = published {
        rows.extend(published_rows(p, t)?);
    }
    let c = t.comparators(r);
    Ok(Diagnosis {
        territory: t.name.clone(),
        comparator_names: [format!("{} {}", geos[1].id, geos[1].name), format!("{} {}", geos[2].id, geos[2].name), "France".into()],
        comparator_note: c.note,
        rows,
        data_label: data_label.to_owned(),
        provenance: BTreeMap::new(),
    })
}

/// The provenances of what `indicator` reads (numerator, denominator: a measure, or its
/// breakdown by sex and age, see [`Indicator::provenance_keys`]), joined, or `None` when
/// `provenance` knows none of them.
pub fn provenance_of(indicator: &Indicator, provenance: &BTreeMap<String, Provenance>) -> Option<String> {
    let keys = indicator.provenance_keys();
    let known: Vec<&Provenance> = keys.iter().filter_map(|k| crate::facts::provenance_of(provenance, k)).collect();
    (!known.is_empty()).then(|| Provenance::join(known))
}

/// Published values (Rezone) of territory `t` as rows of the diagnostic: the rows whose
/// `territory` is the territory's name or id (case and spaces ignored), or empty.
fn published_rows(p: &DataFrame, t: &Territory) -> Result<Vec<Row>> {
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
            comparators: [0, 1, 2].map(|k| value(comparators[k][i], None, None)),
            flags: [[Comparison::NotCompared; 2]; 3],
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

    /// Where a row's values come from: the provenances of the measures its indicator reads
    /// (« INSEE, RP 2021 ; Assurance Maladie, patientèle 2024 »), or the data's label when
    /// none is known (published rows, a diagnosis without provenance).
    pub fn row_data(&self, row: &Row) -> String {
        provenance_of(&row.indicator, &self.provenance).unwrap_or_else(|| self.data_label.clone())
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
        for (k, name) in COMPARATORS.iter().enumerate() {
            columns.push(Column::new(format!("{name}_value").into(), num(&|r| r.comparators[k].estimate.value)));
            columns.push(Column::new(format!("difference_{name}").into(), num(&|r| r.difference(k))));
            for (l, level) in ["95", "99_8"].iter().enumerate() {
                columns.push(Column::new(format!("comparison_{name}_{level}").into(), text(&|r| french(r.flags[k][l]).to_owned())));
            }
        }
        columns.push(Column::new("method".into(), text(&|r| r.territory.estimate.method.to_string())));
        columns.push(Column::new("status".into(), text(&|r| r.territory.status().to_owned())));
        columns.push(Column::new("note".into(), text(&|r| r.territory.note().unwrap_or_default())));
        columns.push(Column::new("source".into(), text(&|r| r.indicator.source.clone())));
        columns.push(Column::new("data".into(), text(&|r| self.row_data(r))));
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
                let comparators: serde_json::Map<String, serde_json::Value> = COMPARATORS
                    .iter()
                    .enumerate()
                    .map(|(k, name)| {
                        (
                            (*name).to_owned(),
                            json!({
                                "value": r.comparators[k].estimate.value,
                                "difference": r.difference(k),
                                "comparison_95": french(r.flags[k][0]),
                                "comparison_99_8": french(r.flags[k][1]),
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
                })
            })
            .collect();
        json!({
            "territory": self.territory,
            "comparators": { "departement": self.comparator_names[0], "region": self.comparator_names[1], "france": self.comparator_names[2] },
            "comparator_note": self.comparator_note,
            "data": self.data_label,
            "indicators": rows,
        })
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
