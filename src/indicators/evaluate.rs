//! Evaluation of the catalogue: the commune fact table is aggregated **once** to every
//! geography needed (one polars join on a geography mapping, one group-by), then each
//! indicator is computed from the summed counts by `stats`, once per geography.

use std::collections::HashMap;

use polars::prelude::*;

use super::catalogue::{Indicator, Method, Term};
use crate::error::Result;
use crate::ingest::Sex;
use crate::stats::{self, standards, Estimate, DEFAULT_LEVELS};

/// A geography: a name and the base units (commune codes) it holds.
#[derive(Debug, Clone)]
pub struct Geography {
    pub id: String,
    pub name: String,
    pub units: Vec<String>,
}

/// One summed cell of the aggregated table.
#[derive(Debug, Clone, Copy)]
struct Cell {
    sex: Sex,
    age_min: Option<u32>,
    age_max: Option<u32>,
    value: Option<f64>,
}

/// Counts summed per geography and measure.
pub struct Aggregated {
    cells: HashMap<(usize, String), Vec<Cell>>,
}

/// Sum the facts of every geography: `facts` needs `geo, measure, sex, age_min, age_max,
/// value`. A suppressed (empty) value makes its sum empty.
pub fn aggregate(facts: &DataFrame, geographies: &[Geography]) -> Result<Aggregated> {
    let (mut unit, mut index) = (Vec::new(), Vec::new());
    for (i, g) in geographies.iter().enumerate() {
        for u in &g.units {
            unit.push(u.as_str());
            index.push(i as u32);
        }
    }
    let mapping = DataFrame::new_infer_height(vec![Column::new("geo".into(), unit), Column::new("geography".into(), index)])?;
    let facts = facts.select(["geo", "measure", "sex", "age_min", "age_max", "value"])?;
    let summed = facts
        .lazy()
        .join(mapping.lazy(), [col("geo")], [col("geo")], JoinArgs::new(JoinType::Inner))
        .group_by([col("geography"), col("measure"), col("sex"), col("age_min"), col("age_max")])
        .agg([
            col("value").sum().alias("value"),
            col("value").null_count().alias("missing"),
        ])
        .collect()?;
    let g = summed.column("geography")?.u32()?;
    let m = summed.column("measure")?.str()?;
    let s = summed.column("sex")?.str()?;
    let a = summed.column("age_min")?.cast(&DataType::UInt32)?;
    let z = summed.column("age_max")?.cast(&DataType::UInt32)?;
    let (a, z) = (a.u32()?, z.u32()?);
    let v = summed.column("value")?.f64()?;
    let missing = summed.column("missing")?.cast(&DataType::UInt32)?;
    let missing = missing.u32()?;
    let mut cells: HashMap<(usize, String), Vec<Cell>> = HashMap::new();
    for i in 0..summed.height() {
        let (Some(geo), Some(measure)) = (g.get(i), m.get(i)) else { continue };
        let value = if missing.get(i).unwrap_or(0) > 0 { None } else { v.get(i) };
        let sex = s.get(i).and_then(Sex::parse).unwrap_or(Sex::All);
        cells.entry((geo as usize, measure.to_owned())).or_default().push(Cell { sex, age_min: a.get(i), age_max: z.get(i), value });
    }
    Ok(Aggregated { cells })
}

impl Aggregated {
    /// Aggregate geographies layer by layer (each layer a partition such as all EPCI or
    /// all départements): one join per layer keeps the joined table the size of the facts.
    /// Geography indices follow the layers' order.
    pub fn by_layers(facts: &DataFrame, layers: &[&[Geography]]) -> Result<Aggregated> {
        let mut cells = HashMap::new();
        let mut offset = 0;
        for layer in layers {
            for ((g, measure), v) in aggregate(facts, layer)?.cells {
                cells.insert((g + offset, measure), v);
            }
            offset += layer.len();
        }
        Ok(Aggregated { cells })
    }
}

/// Why a term has no value.
type Missing = String;

impl Aggregated {
    /// The cells a term selects in a geography. Where the data has both totals and
    /// breakdowns (a sex `all` row and M/F rows; an all-ages row and age bands), the term
    /// takes one of them only, never both: totals when it asks for no breakdown, else the
    /// breakdown. `banded` asks for age bands whatever the term says.
    fn select(&self, geo: usize, term: &Term, banded: bool) -> std::result::Result<Vec<Cell>, Missing> {
        let cells = self
            .cells
            .get(&(geo, term.measure.clone()))
            .ok_or_else(|| format!("mesure «{}» absente des données", term.measure))?;
        let sexed: Vec<Cell> = match term.sex() {
            Some(s) => cells.iter().filter(|c| c.sex == s).copied().collect(),
            None if cells.iter().any(|c| c.sex == Sex::All) => cells.iter().filter(|c| c.sex == Sex::All).copied().collect(),
            None => cells.clone(),
        };
        let wants_total = !banded && term.age_min.is_none() && term.age_max.is_none();
        let has_total = sexed.iter().any(|c| c.age_min.is_none());
        let out: Vec<Cell> = if wants_total && has_total {
            sexed.into_iter().filter(|c| c.age_min.is_none()).collect()
        } else {
            sexed.into_iter().filter(|c| c.age_min.is_some() && term.selects_band(c.age_min, c.age_max)).collect()
        };
        if out.is_empty() {
            return Err(format!("aucune donnée de «{}» pour ces âges", term.measure));
        }
        Ok(out)
    }

    /// Σ of the selected cells (`Err` when absent or suppressed).
    fn total(&self, geo: usize, term: &Term) -> std::result::Result<f64, Missing> {
        let cells = self.select(geo, term, false)?;
        cells.iter().try_fold(0.0, |acc, c| c.value.map(|v| acc + v)).ok_or_else(|| "donnée couverte par le secret statistique".to_owned())
    }

    /// Counts summed into the bands given by `band_of` (a band index from an age band).
    fn by_band(&self, geo: usize, term: &Term, nbands: usize, band_of: fn(u32, Option<u32>) -> Option<usize>) -> std::result::Result<Vec<f64>, Missing> {
        let mut out = vec![0.0; nbands];
        for c in self.select(geo, term, true)? {
            let (Some(min), Some(v)) = (c.age_min, c.value) else {
                return Err("donnée couverte par le secret statistique".into());
            };
            let b = band_of(min, c.age_max).ok_or_else(|| format!("tranche d'âge {min}-{:?} incompatible avec la méthode", c.age_max))?;
            out[b] += v;
        }
        Ok(out)
    }
}

/// Index among the 19 standard bands (0-4 … 85-89, 90+) of a data band, if it lies in one.
fn standard_band(min: u32, max: Option<u32>) -> Option<usize> {
    let i = (min / 5).min(18) as usize;
    let end = standards::STANDARD_BAND_STARTS.get(i + 1).map(|s| s - 1);
    match (end, max) {
        (None, _) => Some(i),
        (Some(e), Some(m)) if m <= e => Some(i),
        _ => None,
    }
}

/// Index among the 20 life-table bands (0, 1-4, 5-9 … 85-89, 90+).
fn life_band(min: u32, max: Option<u32>) -> Option<usize> {
    let i = match min {
        0 => 0,
        1..=4 => 1,
        m => ((m / 5) as usize + 1).min(19),
    };
    let end = match i {
        0 => Some(0),
        1 => Some(4),
        19 => None,
        i => Some(5 * (i as u32 - 1) + 4),
    };
    match (end, max) {
        (None, _) => Some(i),
        (Some(e), Some(m)) if m <= e => Some(i),
        _ => None,
    }
}

/// An indicator computed in one geography.
#[derive(Debug, Clone)]
pub struct Value {
    /// The numerator (count of events or people), when meaningful.
    pub count: Option<f64>,
    /// What the count is set against: the denominator of a proportion or rate, the
    /// population of a DSR, the expected count of an ICM (used by funnel plots).
    pub denominator: Option<f64>,
    pub estimate: Estimate,
}

fn missing(method: stats::Method, note: impl Into<String>) -> Value {
    Value { count: None, denominator: None, estimate: Estimate::missing(method, DEFAULT_LEVELS.len(), note) }
}

/// Compute `indicator` in geography `geo`; `france` is the index of France (the reference
/// of the ICM).
pub fn compute(indicator: &Indicator, agg: &Aggregated, geo: usize, france: usize) -> Value {
    let levels = &DEFAULT_LEVELS;
    let den = indicator.denominator.as_ref();
    let result = match indicator.method {
        Method::Count => agg.total(geo, &indicator.numerator).map(|x| Value {
            count: Some(x),
            denominator: None,
            estimate: Estimate { value: Some(x), limits: vec![None; levels.len()], method: stats::Method::Exact, note: None },
        }),
        Method::Proportion | Method::CrudeRate => (|| {
            let x = agg.total(geo, &indicator.numerator)?;
            let n = agg.total(geo, den.ok_or("pas de dénominateur")?)?;
            let e = if indicator.method == Method::Proportion {
                stats::proportion::proportion(x, n, indicator.multiplier, levels)
            } else {
                stats::rate::crude_rate(x, n, indicator.multiplier, levels)
            };
            e.map(|estimate| Value { count: Some(x), denominator: Some(n), estimate }).map_err(|e| e.to_string())
        })(),
        Method::Dsr => (|| {
            let x = agg.by_band(geo, &indicator.numerator, 19, standard_band)?;
            let n = agg.by_band(geo, den.ok_or("pas de dénominateur")?, 19, standard_band)?;
            let std = standards::standard_by_name(indicator.standard.as_deref().unwrap_or("esp2013")).ok_or("standard inconnu")?;
            let bands: Vec<stats::dsr::DsrBand> = (0..19)
                .filter(|&i| n[i] > 0.0)
                .map(|i| stats::dsr::DsrBand { band: i as u64, count: x[i], population: n[i], standard: std[i], frequency: 1.0 })
                .collect();
            stats::dsr::dsr(&bands, indicator.multiplier, levels)
                .map(|r| Value { count: Some(r.observed), denominator: Some(r.population), estimate: r.estimate })
                .map_err(|e| e.to_string())
        })(),
        Method::Icm => (|| {
            let term = den.ok_or("pas de dénominateur")?;
            let x = agg.by_band(geo, &indicator.numerator, 19, standard_band)?;
            let n = agg.by_band(geo, term, 19, standard_band)?;
            let rx = agg.by_band(france, &indicator.numerator, 19, standard_band)?;
            let rn = agg.by_band(france, term, 19, standard_band)?;
            let bands: Vec<stats::isr::IsrBand> = (0..19)
                .filter(|&i| rn[i] > 0.0)
                .map(|i| stats::isr::IsrBand { count: x[i], population: n[i], ref_count: rx[i], ref_population: rn[i] })
                .collect();
            stats::isr::isr(&bands, 100.0, None, levels)
                .map(|r| Value { count: Some(r.observed), denominator: Some(r.expected), estimate: r.estimate })
                .map_err(|e| e.to_string())
        })(),
        Method::LifeExpectancy => (|| {
            let d = agg.by_band(geo, &indicator.numerator, 20, life_band)?;
            let p = agg.by_band(geo, den.ok_or("pas de dénominateur")?, 20, life_band)?;
            let starts = crate::stats::life_expectancy::LE_BAND_STARTS;
            let bands: Vec<stats::life_expectancy::LifeBand> =
                (0..20).map(|i| stats::life_expectancy::LifeBand { start_age: starts[i], deaths: d[i], population: p[i] }).collect();
            let table = stats::life_expectancy::life_expectancy(&bands, levels).map_err(|e| e.to_string())?;
            let (_, at_birth) = table.into_iter().next().ok_or("table de mortalité vide")?;
            Ok(Value { count: Some(d.iter().sum()), denominator: Some(p.iter().sum()), estimate: at_birth })
        })(),
    };
    let method = match indicator.method {
        Method::Proportion => stats::Method::Wilson,
        Method::Dsr => stats::Method::Dobson,
        Method::LifeExpectancy => stats::Method::Chiang,
        _ => stats::Method::Byar,
    };
    let value = result.unwrap_or_else(|why| missing(method, why));
    suppress(indicator, value)
}

/// Statistical secrecy: below `min_count` events the value, its interval and the count are
/// withheld. (The territory's comparators are much larger areas, and no "rest of the
/// département" is shown, so the withheld count cannot be recovered by subtraction.)
fn suppress(indicator: &Indicator, v: Value) -> Value {
    match v.count {
        Some(c) if c < indicator.min_count => missing(
            v.estimate.method,
            format!("secret statistique : effectif inférieur à {}", indicator.min_count),
        ),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_bands_map_to_standard_and_life_table_bands() {
        assert_eq!(standard_band(0, Some(0)), Some(0));
        assert_eq!(standard_band(1, Some(4)), Some(0));
        assert_eq!(standard_band(85, Some(89)), Some(17));
        assert_eq!(standard_band(90, Some(94)), Some(18));
        assert_eq!(standard_band(95, None), Some(18));
        assert_eq!(standard_band(0, Some(14)), None, "a 0-14 band does not fit the 5-year standard");
        assert_eq!(life_band(0, Some(0)), Some(0));
        assert_eq!(life_band(1, Some(4)), Some(1));
        assert_eq!(life_band(0, Some(4)), None, "0-4 cannot give the infant band");
        assert_eq!(life_band(5, Some(9)), Some(2));
        assert_eq!(life_band(90, Some(94)), Some(19));
        assert_eq!(life_band(100, None), Some(19));
    }
}
