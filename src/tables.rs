//! The statistics methods applied to the rows of a user table, grouped by some columns —
//! what `diagsante stats …` runs for ORS analysts on their own CSV files.
//!
//! This layer joins the two: the table is an [`ingest::TextTable`](crate::ingest::TextTable)
//! (read by the caller: cells as text, with their lines), the methods are the pure
//! functions of [`stats`](crate::stats), which reads no file.
//!
//! Counts are summed per group first; each method is then applied once per group. An
//! empty (suppressed) numerator or denominator gives an empty value with a note, so a
//! national file survives its suppressed cells — except inside a DSR/ISR, where an empty
//! count in one age band counts as 0 (said in the note).

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::ingest::{Cell, TextTable};
use crate::stats::{self, dsr::DsrBand, funnel::Significance, isr::IsrBand, level_suffix, life_expectancy::LifeBand, standards, Estimate};

/// Rows of a table grouped by the values of some columns, in order of first appearance.
#[derive(Debug, Clone)]
pub struct Groups {
    pub by: Vec<String>,
    pub keys: Vec<Vec<String>>,
    pub rows: Vec<Vec<usize>>,
}

impl Groups {
    /// Group the rows of `table` by the columns `by` (one group of all rows if empty).
    pub fn of(table: &TextTable, by: &[String]) -> Result<Groups> {
        let columns = by.iter().map(|c| table.texts(c)).collect::<Result<Vec<_>>>()?;
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        let mut keys = Vec::new();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for row in 0..table.height() {
            let key: Vec<String> = columns.iter().map(|c| c[row].clone()).collect();
            let g = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                rows.push(Vec::new());
                rows.len() - 1
            });
            rows[g].push(row);
        }
        Ok(Groups { by: by.to_vec(), keys, rows })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The output table under construction: group columns, numeric columns, method, note.
struct Output {
    group_names: Vec<String>,
    groups: Vec<Vec<String>>,
    numbers: Vec<(String, Vec<Option<f64>>)>,
    method: Vec<String>,
    note: Vec<Option<String>>,
}

impl Output {
    fn new(group_names: &[String], numeric: &[String]) -> Output {
        Output {
            group_names: group_names.to_vec(),
            groups: vec![Vec::new(); group_names.len()],
            numbers: numeric.iter().map(|n| (n.clone(), Vec::new())).collect(),
            method: Vec::new(),
            note: Vec::new(),
        }
    }

    fn push(&mut self, key: &[String], numbers: &[Option<f64>], method: String, note: Option<String>) {
        for (col, v) in self.groups.iter_mut().zip(key) {
            col.push(v.clone());
        }
        for ((_, col), v) in self.numbers.iter_mut().zip(numbers) {
            col.push(*v);
        }
        self.method.push(method);
        self.note.push(note);
    }

    fn finish(self) -> Result<DataFrame> {
        let mut columns: Vec<Column> = Vec::new();
        for (name, values) in self.group_names.iter().zip(self.groups) {
            columns.push(Column::new(name.as_str().into(), values));
        }
        for (name, values) in self.numbers {
            columns.push(count_column(&name, values));
        }
        columns.push(Column::new("method".into(), self.method));
        columns.push(Column::new("note".into(), self.note));
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// Summed counts are written as integers when they all are (`81`, not `81.0`); values,
/// limits, expected counts and anything fractional stay floating point.
fn count_column(name: &str, values: Vec<Option<f64>>) -> Column {
    const COUNTS: [&str; 5] = ["numerator", "denominator", "count", "population", "deaths"];
    let integral = values.iter().flatten().all(|v| v.fract() == 0.0 && v.abs() < 9e15);
    if COUNTS.contains(&name) && integral {
        let ints: Vec<Option<i64>> = values.iter().map(|v| v.map(|v| v as i64)).collect();
        Column::new(name.into(), ints)
    } else {
        Column::new(name.into(), values)
    }
}

/// Names of the value and limit columns: `value, lower_95, upper_95, lower_99_8, …`.
pub fn estimate_columns(levels: &[f64]) -> Vec<String> {
    let mut names = vec!["value".to_owned()];
    for &l in levels {
        let s = level_suffix(l);
        names.push(format!("lower_{s}"));
        names.push(format!("upper_{s}"));
    }
    names
}

fn estimate_values(e: &Estimate) -> Vec<Option<f64>> {
    let mut v = vec![e.value];
    for l in &e.limits {
        v.push(l.map(|l| l.lower));
        v.push(l.map(|l| l.upper));
    }
    v
}

/// Sum cells of some rows; `Err(line)` gives the line of the first missing cell.
fn sum(table: &TextTable, cells: &[Cell], rows: &[usize]) -> std::result::Result<f64, usize> {
    rows.iter().try_fold(0.0, |acc, &r| cells[r].value().map(|v| acc + v).ok_or(table.line_of(r)))
}

fn empty_note(what: &str, line: usize) -> String {
    format!("{what} empty or suppressed on line {line}")
}

/// A note for a group the method refused (e.g. a zero denominator).
fn refused(levels: &[f64], method: String, why: String) -> (Vec<Option<f64>>, String, Option<String>) {
    (vec![None; 1 + 2 * levels.len()], method, Some(why))
}

/// Proportions with Wilson score limits, per group.
pub fn proportions(table: &TextTable, groups: &Groups, numerator: &str, denominator: &str, multiplier: f64, levels: &[f64]) -> Result<DataFrame> {
    let x = table.counts(numerator)?;
    let n = table.counts(denominator)?;
    for row in 0..table.height() {
        if let (Cell::Value(a), Cell::Value(b)) = (x[row], n[row]) {
            if a > b {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), numerator),
                    format!("numerator {a} is above its denominator {b} ({denominator})"),
                    "a proportion's numerator counts a subset of its denominator: check both columns",
                ));
            }
        }
    }
    let mut names = vec!["numerator".to_owned(), "denominator".to_owned()];
    names.extend(estimate_columns(levels));
    let mut out = Output::new(&groups.by, &names);
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        let (sx, sn) = (sum(table, &x, rows), sum(table, &n, rows));
        let (values, method, note) = match (sx, sn) {
            (Ok(a), Ok(b)) => match stats::proportion::proportion(a, b, multiplier, levels) {
                Ok(e) => (estimate_values(&e), e.method.to_string(), e.note),
                Err(err) => refused(levels, "Wilson".into(), err.to_string()),
            },
            (Err(line), _) => refused(levels, "Wilson".into(), empty_note("numerator", line)),
            (_, Err(line)) => refused(levels, "Wilson".into(), empty_note("denominator", line)),
        };
        let mut numbers = vec![sx.ok(), sn.ok()];
        numbers.extend(values);
        out.push(key, &numbers, method, note);
    }
    out.finish()
}

/// Crude rates with Poisson limits (exact below 10 events, Byar above), per group.
pub fn crude_rates(table: &TextTable, groups: &Groups, count: &str, population: &str, multiplier: f64, levels: &[f64]) -> Result<DataFrame> {
    let x = table.counts(count)?;
    let n = table.counts(population)?;
    let mut names = vec!["count".to_owned(), "population".to_owned()];
    names.extend(estimate_columns(levels));
    let mut out = Output::new(&groups.by, &names);
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        let (sx, sn) = (sum(table, &x, rows), sum(table, &n, rows));
        let (values, method, note) = match (sx, sn) {
            (Ok(a), Ok(b)) => match stats::rate::crude_rate(a, b, multiplier, levels) {
                Ok(e) => (estimate_values(&e), e.method.to_string(), e.note),
                Err(err) => refused(levels, "Byar".into(), err.to_string()),
            },
            (Err(line), _) => refused(levels, "Byar".into(), empty_note("count", line)),
            (_, Err(line)) => refused(levels, "Byar".into(), empty_note("population", line)),
        };
        let mut numbers = vec![sx.ok(), sn.ok()];
        numbers.extend(values);
        out.push(key, &numbers, method, note);
    }
    out.finish()
}

/// Where the standard population of a DSR comes from.
#[derive(Debug, Clone)]
pub enum Standard {
    /// A built-in standard by name (`esp2013`, `france`), matched on the age band's start.
    Named(String),
    /// A column of the input holding each band's weight.
    Column(String),
}

/// Position of an age-band label among the built-in standards' 19 bands (0-4 … 85-89, 90+).
///
/// Accepted: `0-4`, `00-04`, `5 à 9 ans`, `90+`, `90 ans et plus`, or a bare start age
/// (`85`). A label whose end does not match (`0-9`, `90-94`) is refused rather than given
/// the weight of the band it starts, which would silently mis-standardise.
pub fn standard_band_index(label: &str) -> Option<usize> {
    let t = label.trim().to_lowercase();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let start: u32 = digits.parse().ok()?;
    let index = standards::band_index(start)?;
    let rest = &t[digits.len()..];
    let end: Option<u32> = {
        let d: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
        d.parse().ok()
    };
    let open = rest.contains('+') || rest.contains("plus");
    let last = index + 1 == standards::STANDARD_BAND_STARTS.len();
    let fits = match (last, open, end) {
        (true, _, None) => true,
        (false, false, None) => true,
        (false, false, Some(e)) => e == start + 4,
        _ => false,
    };
    fits.then_some(index)
}

/// Per-row counts that count as 0 when empty inside a standardisation (with a note).
fn counts_or_zero(table: &TextTable, cells: &[Cell], rows: &[usize], what: &str, notes: &mut Vec<String>) -> Vec<f64> {
    let mut empty = Vec::new();
    let values = rows
        .iter()
        .map(|&r| {
            cells[r].value().unwrap_or_else(|| {
                empty.push(table.line_of(r).to_string());
                0.0
            })
        })
        .collect();
    if !empty.is_empty() {
        notes.push(format!("empty {what} counted as 0 on line(s) {}", empty.join(", ")));
    }
    values
}

/// Rows' values that must be present; `Err(note)` names the first missing one.
fn required_values(table: &TextTable, cells: &[Cell], rows: &[usize], what: &str) -> std::result::Result<Vec<f64>, String> {
    rows.iter().map(|&r| cells[r].value().ok_or_else(|| empty_note(what, table.line_of(r)))).collect()
}

/// Directly standardised rates (Dobson et al. 1991), per group.
#[allow(clippy::too_many_arguments)]
pub fn dsrs(
    table: &TextTable,
    groups: &Groups,
    count: &str,
    population: &str,
    age_band: &str,
    standard: &Standard,
    frequency: Option<&str>,
    multiplier: f64,
    levels: &[f64],
) -> Result<DataFrame> {
    let x = table.counts(count)?;
    let n = table.counts(population)?;
    let bands = table.texts(age_band)?;
    let weights: Vec<Cell> = match standard {
        Standard::Column(col) => table.counts(col)?,
        Standard::Named(name) => {
            let std = standards::standard_by_name(name).ok_or_else(|| {
                Error::input(
                    Location::file(&table.file),
                    format!("unknown standard population «{name}»"),
                    "use esp2013 or france, or a column of the table holding each band's standard population",
                )
            })?;
            bands
                .iter()
                .enumerate()
                .map(|(row, label)| {
                    standard_band_index(label).map(|i| Cell::Value(std[i])).ok_or_else(|| {
                        Error::input(
                            Location::file(&table.file).at(table.line_of(row), age_band),
                            format!("age band «{label}» is not one of the standard's bands"),
                            "the built-in standards use 19 bands 0-4, 5-9 … 85-89, 90+: regroup the data, \
                                 or give each band's standard population in a column of the table",
                        )
                    })
                })
                .collect::<Result<_>>()?
        }
    };
    let freq = frequency.map(|f| table.counts(f)).transpose()?;
    let mut names = vec!["count".to_owned(), "population".to_owned()];
    names.extend(estimate_columns(levels));
    let mut out = Output::new(&groups.by, &names);
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        let mut notes = Vec::new();
        let counts = counts_or_zero(table, &x, rows, "count", &mut notes);
        let inputs = required_values(table, &n, rows, "population")
            .and_then(|pops| required_values(table, &weights, rows, "standard").map(|w| (pops, w)))
            .and_then(|(pops, w)| match &freq {
                Some(f) => required_values(table, f, rows, "event frequency").map(|f| (pops, w, f)),
                None => Ok((pops, w, vec![1.0; rows.len()])),
            })
            .and_then(|(pops, w, f)| dsr_bands(table, rows, &bands, &counts, &pops, &w, &f, age_band, matches!(standard, Standard::Named(_))));
        let (observed, population, values, method) = match inputs {
            Err(why) => {
                notes.push(why);
                (None, None, vec![None; 1 + 2 * levels.len()], "Dobson".to_owned())
            }
            Ok(dsr_bands) => match stats::dsr::dsr(&dsr_bands, multiplier, levels) {
                Ok(res) if matches!(standard, Standard::Named(_)) && distinct_bands(&dsr_bands) < standards::STANDARD_BAND_STARTS.len() => {
                    notes.push(format!(
                        "only {} of the standard's {} age bands present: the DSR is standardised on those bands",
                        distinct_bands(&dsr_bands),
                        standards::STANDARD_BAND_STARTS.len()
                    ));
                    notes.extend(res.estimate.note.clone());
                    (Some(res.observed), Some(res.population), estimate_values(&res.estimate), res.estimate.method.to_string())
                }
                Ok(res) => {
                    notes.extend(res.estimate.note.clone());
                    (Some(res.observed), Some(res.population), estimate_values(&res.estimate), res.estimate.method.to_string())
                }
                Err(err) => {
                    notes.push(err.to_string());
                    (None, None, vec![None; 1 + 2 * levels.len()], "Dobson".to_owned())
                }
            },
        };
        let mut numbers = vec![observed, population];
        numbers.extend(values);
        out.push(key, &numbers, method, (!notes.is_empty()).then(|| notes.join("; ")));
    }
    out.finish()
}

/// The DSR bands of one group: rows of the same age band (and event frequency) are summed,
/// so that a table with one row per sex, or per commune, standardises their total — counts
/// stay counts. `Err` is the note of a group that cannot be standardised.
#[allow(clippy::too_many_arguments)]
fn dsr_bands(
    table: &TextTable,
    rows: &[usize],
    labels: &[String],
    counts: &[f64],
    pops: &[f64],
    weights: &[f64],
    frequencies: &[f64],
    age_band: &str,
    named_standard: bool,
) -> std::result::Result<Vec<DsrBand>, String> {
    let standard_index = |label: &str| if named_standard { standard_band_index(label) } else { None };
    let mut index: HashMap<(String, u64), usize> = HashMap::new();
    let mut merged: Vec<(DsrBand, usize)> = Vec::new(); // with the first line of each band
    for (i, &r) in rows.iter().enumerate() {
        let label = labels[r].trim();
        let line = table.line_of(r);
        // With a built-in standard, `0-4` and `00-04` are the same band.
        let band_key = match standard_index(label) {
            Some(k) => format!("#{k}"),
            None => label.to_owned(),
        };
        match index.entry((band_key.clone(), frequencies[i].to_bits())) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let (band, first) = &mut merged[*e.get()];
                if band.standard != weights[i] {
                    return Err(format!(
                        "age band «{label}» has two standard weights ({} on line {first}, {} on line {line})",
                        band.standard, weights[i]
                    ));
                }
                band.count += counts[i];
                band.population += pops[i];
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(merged.len());
                let band =
                    DsrBand { band: band_id(&band_key), count: counts[i], population: pops[i], standard: weights[i], frequency: frequencies[i] };
                merged.push((band, line));
            }
        }
    }
    // Each event-frequency row of a band repeats the band's population.
    let mut populations: HashMap<u64, (f64, usize)> = HashMap::new();
    for (band, line) in &merged {
        let (p, first) = *populations.entry(band.band).or_insert((band.population, *line));
        if p != band.population {
            return Err(format!(
                "an age band has population {p} on line {first} but {} on line {line}: repeat the band's \
                 population on each of its event-frequency rows",
                band.population
            ));
        }
    }
    if let Some((band, line)) = merged.iter().find(|(b, _)| b.population <= 0.0) {
        return Err(format!("population {} in an age band ({age_band}, line {line}): a DSR needs people in every band", band.population));
    }
    Ok(merged.into_iter().map(|(band, _)| band).collect())
}

fn distinct_bands(bands: &[DsrBand]) -> usize {
    bands.iter().map(|b| b.band).collect::<std::collections::HashSet<_>>().len()
}

/// A stable numeric identifier for an age-band label (its position among distinct labels
/// would depend on order; a hash of the trimmed label does not).
fn band_id(label: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    label.trim().hash(&mut h);
    h.finish()
}

/// Indirectly standardised ratios (SMR, or the French ICM with `ref_value` 100), per group.
#[allow(clippy::too_many_arguments)]
pub fn isrs(
    table: &TextTable,
    groups: &Groups,
    count: &str,
    population: &str,
    age_band: &str,
    ref_count: &str,
    ref_population: &str,
    ref_value: f64,
    rate_multiplier: Option<f64>,
    levels: &[f64],
) -> Result<DataFrame> {
    let x = table.counts(count)?;
    let n = table.counts(population)?;
    let _ = table.texts(age_band)?; // required so that rows are read as age bands
    let rx = table.counts(ref_count)?;
    let rn = table.counts(ref_population)?;
    let mut names = vec!["count".to_owned(), "population".to_owned(), "expected".to_owned()];
    names.extend(estimate_columns(levels));
    let mut out = Output::new(&groups.by, &names);
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        let mut notes = Vec::new();
        let counts = counts_or_zero(table, &x, rows, "count", &mut notes);
        let inputs = required_values(table, &n, rows, "population").and_then(|p| {
            let a = required_values(table, &rx, rows, "reference count")?;
            let b = required_values(table, &rn, rows, "reference population")?;
            Ok((p, a, b))
        });
        let row = match inputs {
            Ok((p, a, b)) => {
                let bands: Vec<IsrBand> =
                    (0..rows.len()).map(|i| IsrBand { count: counts[i], population: p[i], ref_count: a[i], ref_population: b[i] }).collect();
                let pop: f64 = p.iter().sum();
                match stats::isr::isr(&bands, ref_value, rate_multiplier, levels) {
                    Ok(res) => {
                        notes.extend(res.estimate.note.clone());
                        let mut v = vec![Some(res.observed), Some(pop), Some(res.expected)];
                        v.extend(estimate_values(&res.estimate));
                        (v, res.estimate.method.to_string())
                    }
                    Err(err) => {
                        notes.push(err.to_string());
                        (vec![None; 3 + 1 + 2 * levels.len()], "Byar".into())
                    }
                }
            }
            Err(why) => {
                notes.push(why);
                (vec![None; 3 + 1 + 2 * levels.len()], "Byar".into())
            }
        };
        out.push(key, &row.0, row.1, (!notes.is_empty()).then(|| notes.join("; ")));
    }
    out.finish()
}

/// Life expectancy at each start age (Chiang II, Silcocks' last band), per group.
pub fn life_expectancies(table: &TextTable, groups: &Groups, start_age: &str, deaths: &str, population: &str, levels: &[f64]) -> Result<DataFrame> {
    let starts = table.numbers(start_age)?;
    let d = table.counts(deaths)?;
    let p = table.counts(population)?;
    let mut group_names = groups.by.clone();
    group_names.push(start_age.to_owned());
    let mut names = vec!["deaths".to_owned(), "population".to_owned()];
    names.extend(estimate_columns(levels));
    let mut out = Output::new(&group_names, &names);
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        // Rows of the same start age (one per sex, per commune…) are summed: counts stay counts.
        let mut missing = None;
        let mut bands: Vec<LifeBand> = Vec::new();
        for &r in rows {
            let start = starts[r].value().unwrap_or(f64::NAN);
            let (dd, pp) = match (d[r], p[r]) {
                (Cell::Value(dd), Cell::Value(pp)) if start.is_finite() => (dd, pp),
                _ => {
                    missing.get_or_insert(table.line_of(r));
                    (f64::NAN, f64::NAN)
                }
            };
            match bands.iter_mut().find(|b| b.start_age == start) {
                Some(b) => {
                    b.deaths += dd;
                    b.population += pp;
                }
                None => bands.push(LifeBand { start_age: start, deaths: dd, population: pp }),
            }
        }
        let by_start: HashMap<u64, (f64, f64)> = bands.iter().map(|b| (b.start_age.to_bits(), (b.deaths, b.population))).collect();
        let results = match missing {
            Some(line) => Err(format!("start age, deaths or population empty or suppressed on line {line}")),
            None => stats::life_expectancy::life_expectancy(&bands, levels).map_err(|e| e.to_string()),
        };
        match results {
            Ok(rows_out) => {
                for (start, e) in rows_out {
                    let mut k = key.clone();
                    k.push(format_number(start));
                    let (dd, pp) = by_start.get(&start.to_bits()).copied().unwrap_or((f64::NAN, f64::NAN));
                    let mut numbers = vec![Some(dd), Some(pp)];
                    numbers.extend(estimate_values(&e));
                    out.push(&k, &numbers, e.method.to_string(), e.note);
                }
            }
            Err(why) => {
                let mut sorted: Vec<&LifeBand> = bands.iter().collect();
                sorted.sort_by(|a, b| a.start_age.total_cmp(&b.start_age));
                for b in sorted {
                    let mut k = key.clone();
                    k.push(format_number(b.start_age));
                    let mut numbers = vec![Some(b.deaths).filter(|v| v.is_finite()), Some(b.population).filter(|v| v.is_finite())];
                    numbers.extend(vec![None; 1 + 2 * levels.len()]);
                    out.push(&k, &numbers, "Chiang".into(), Some(why.clone()));
                }
            }
        }
    }
    out.finish()
}

/// `1.0` → "1", `2.5` → "2.5".
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// Which statistic a funnel plot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelStatistic {
    Proportion,
    Ratio,
    Rate,
}

/// Funnel-plot significance of each input row (Spiegelhalter 2005), and the limits table.
pub struct FunnelOutput {
    /// The input rows plus a `significance` column.
    pub rows: DataFrame,
    /// 100 points of the 95 % and 99.8 % limits, for drawing.
    pub limits: DataFrame,
    /// φ and τ² when the overdispersion was asked for (and could be estimated).
    pub dispersion: Option<stats::funnel::Overdispersion>,
}

/// Assess every row of `table` on a funnel plot.
#[allow(clippy::too_many_arguments)]
pub fn funnel(
    table: &TextTable,
    statistic: FunnelStatistic,
    numerator: &str,
    denominator: Option<&str>,
    rate: Option<&str>,
    is_dsr: bool,
    multiplier: f64,
    years: f64,
    overdispersion: bool,
) -> Result<FunnelOutput> {
    fn need<'a>(table: &TextTable, col: Option<&'a str>, what: &str) -> Result<&'a str> {
        col.ok_or_else(|| Error::input(Location::file(&table.file), format!("this funnel needs {what}"), format!("name {what}")))
    }
    for added in ["significance", "note", "phi", "tau2"] {
        if table.find_column(&[added]).is_some() {
            return Err(Error::input(
                Location::file(&table.file),
                format!("the input already has a column «{added}», which the funnel adds"),
                "rename that column in the input",
            ));
        }
    }
    let x = table.counts(numerator)?;
    let second = match (statistic, rate) {
        (FunnelStatistic::Proportion | FunnelStatistic::Ratio, _) => table.counts(need(table, denominator, "a denominator column")?)?,
        (FunnelStatistic::Rate, Some(col)) => {
            let rates = table.numbers(col)?;
            if let Some(row) = rates.iter().position(|c| c.value().is_some_and(|v| v < 0.0)) {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), col),
                    format!("negative rate {}", rates[row].value().unwrap_or_default()),
                    "a rate cannot be negative: check the column",
                ));
            }
            rates
        }
        // A crude rate from its count and population: the rate is computed here, once.
        (FunnelStatistic::Rate, None) => {
            let n = table.counts(need(table, denominator, "a rate column, or a denominator column for a crude rate")?)?;
            if is_dsr {
                return Err(Error::input(
                    Location::file(&table.file),
                    "a DSR funnel needs the DSRs, not a denominator",
                    "name the column of the directly standardised rates",
                ));
            }
            x.iter()
                .zip(&n)
                .map(|(a, b)| match (a.value(), b.value()) {
                    (Some(a), Some(b)) if b > 0.0 => Cell::Value(a / b * multiplier),
                    _ => Cell::Missing,
                })
                .collect()
        }
    };
    // Rows with a missing value are kept in the output but not assessed.
    let usable: Vec<usize> = (0..table.height()).filter(|&r| x[r].value().is_some() && second[r].value().is_some()).collect();
    let xs: Vec<f64> = usable.iter().map(|&r| x[r].value().unwrap_or(0.0)).collect();
    let ys: Vec<f64> = usable.iter().map(|&r| second[r].value().unwrap_or(0.0)).collect();
    let result = match statistic {
        FunnelStatistic::Proportion => {
            for (i, &r) in usable.iter().enumerate() {
                if xs[i] > ys[i] {
                    return Err(Error::input(
                        Location::file(&table.file).at(table.line_of(r), numerator),
                        format!("numerator {} is above its denominator {}", xs[i], ys[i]),
                        "a proportion's numerator counts a subset of its denominator",
                    ));
                }
            }
            stats::funnel::proportion_funnel(&xs, &ys)
        }
        FunnelStatistic::Ratio => stats::funnel::ratio_funnel(&xs, &ys),
        FunnelStatistic::Rate => {
            // A crude rate is judged at its population (--denominator) when given, so that a
            // row with no events is assessed; otherwise, and for a DSR, at count / rate.
            let populations = match denominator {
                Some(col) if !is_dsr => {
                    let n = table.counts(col)?;
                    Some(usable.iter().map(|&r| n[r].value().unwrap_or(0.0)).collect::<Vec<f64>>())
                }
                _ => None,
            };
            stats::funnel::rate_funnel_with_populations(&xs, &ys, populations.as_deref(), multiplier, is_dsr)
        }
    }
    .map_err(|e| Error::input(Location::file(&table.file), e.to_string(), "check the funnel's columns"))?;
    // Spiegelhalter's widening for overdispersion, on demand.
    let (result, dispersion) = if overdispersion {
        let od_statistic = match statistic {
            FunnelStatistic::Proportion => stats::funnel::OdStatistic::Proportion,
            FunnelStatistic::Ratio => stats::funnel::OdStatistic::Ratio,
            FunnelStatistic::Rate => stats::funnel::OdStatistic::Rate { multiplier },
        };
        stats::funnel::overdispersed(result, &xs, od_statistic)
    } else {
        (result, None)
    };

    // Rows not assessed have an empty significance and say why in `note`.
    let mut significance: Vec<Option<String>> = vec![None; table.height()];
    let mut notes: Vec<Option<String>> = (0..table.height())
        .map(|r| Some(format!("{numerator} or its denominator/rate empty, suppressed or zero on line {}", table.line_of(r))))
        .collect();
    for (i, &r) in usable.iter().enumerate() {
        if result.significance[i] != Significance::NotAssessed {
            significance[r] = Some(result.significance[i].to_string());
        }
        notes[r] = result.notes[i].clone();
    }
    let mut rows = table.frame.clone();
    rows.with_column(Column::new("significance".into(), significance))?;
    rows.with_column(Column::new("note".into(), notes))?;
    if overdispersion {
        let (phi, tau2) = dispersion.map_or((None, None), |d| (Some(d.phi), Some(d.tau2)));
        rows.with_column(Column::new("phi".into(), vec![phi; table.height()]))?;
        rows.with_column(Column::new("tau2".into(), vec![tau2; table.height()]))?;
    }
    // For rates over several years, the implied denominators are person-years: show
    // them per year on the drawing axis.
    let scale = if statistic == FunnelStatistic::Rate && years > 0.0 { 1.0 / years } else { 1.0 };
    let target = vec![result.target; result.limits_table.len()];
    let limits = DataFrame::new_infer_height(vec![
        Column::new("denominator".into(), result.limits_table.iter().map(|l| l.denominator * scale).collect::<Vec<_>>()),
        Column::new("target".into(), target),
        Column::new("lower_95".into(), result.limits_table.iter().map(|l| l.lower_95).collect::<Vec<_>>()),
        Column::new("upper_95".into(), result.limits_table.iter().map(|l| l.upper_95).collect::<Vec<_>>()),
        Column::new("lower_99_8".into(), result.limits_table.iter().map(|l| l.lower_99_8).collect::<Vec<_>>()),
        Column::new("upper_99_8".into(), result.limits_table.iter().map(|l| l.upper_99_8).collect::<Vec<_>>()),
    ])?;
    Ok(FunnelOutput { rows, limits, dispersion })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Encoding;

    fn table(text: &str) -> TextTable {
        TextTable::parse(text.as_bytes(), Encoding::Utf8, "t.csv").unwrap()
    }

    #[test]
    fn band_labels_must_match_the_standard_bands() {
        for (label, index) in [("0-4", 0), ("00-04", 0), ("5 à 9 ans", 1), ("85-89", 17), ("85", 17), ("90+", 18), ("90 ans et plus", 18), ("90", 18)]
        {
            assert_eq!(standard_band_index(label), Some(index), "{label}");
        }
        for label in ["0-9", "90-94", "85+", "3-7", "de 0 à 4 ans", "", "tous âges"] {
            assert_eq!(standard_band_index(label), None, "{label}");
        }
    }

    #[test]
    fn groups_keep_the_order_of_first_appearance() {
        let t = table("g;x\nb;1\na;2\nb;3\n");
        let g = Groups::of(&t, &["g".to_owned()]).unwrap();
        assert_eq!(g.keys, vec![vec!["b".to_owned()], vec!["a".to_owned()]]);
        assert_eq!(g.rows, vec![vec![0, 2], vec![1]]);
        assert_eq!(Groups::of(&t, &[]).unwrap().rows, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn dsr_sums_rows_of_the_same_band_before_standardising() {
        // One row per sex and band, versus the same counts already summed: same DSR.
        let mut by_sex = String::from("sexe;age;x;n\n");
        let mut summed = String::from("age;x;n\n");
        for (i, start) in standards::STANDARD_BAND_STARTS.iter().enumerate() {
            let label = if *start == 90 { "90+".to_owned() } else { format!("{start}-{}", start + 4) };
            let (xm, xf, nm, nf) = (i + 1, 2 * i + 3, 1000 + 10 * i, 1100 + 7 * i);
            by_sex.push_str(&format!("M;{label};{xm};{nm}\nF;{label};{xf};{nf}\n"));
            summed.push_str(&format!("{label};{};{}\n", xm + xf, nm + nf));
        }
        let std = Standard::Named("esp2013".into());
        let run = |text: &str| {
            let t = table(text);
            let g = Groups::of(&t, &[]).unwrap();
            dsrs(&t, &g, "x", "n", "age", &std, None, 1e5, &[0.95]).unwrap()
        };
        let (a, b) = (run(&by_sex), run(&summed));
        assert_eq!(a.column("value").unwrap().f64().unwrap().get(0), b.column("value").unwrap().f64().unwrap().get(0));
        assert_eq!(a.column("population").unwrap().get(0).unwrap(), b.column("population").unwrap().get(0).unwrap());
        assert!(a.column("value").unwrap().f64().unwrap().get(0).is_some());
    }

    #[test]
    fn a_band_without_people_refuses_the_group_with_its_line() {
        let t = table("g;age;x;n\na;0-4;1;0\na;90+;20;100\nb;0-4;30;100\n");
        let g = Groups::of(&t, &["g".to_owned()]).unwrap();
        let df = dsrs(&t, &g, "x", "n", "age", &Standard::Named("esp2013".into()), None, 1e5, &[0.95]).unwrap();
        let note = df.column("note").unwrap().str().unwrap().get(0).unwrap().to_owned();
        assert!(note.contains("line 2"), "{note}");
        assert!(df.column("value").unwrap().f64().unwrap().get(1).is_some(), "the other group is computed");
        let note = df.column("note").unwrap().str().unwrap().get(1).unwrap().to_owned();
        assert!(note.contains("only 1 of the standard's 19 age bands"), "{note}");
    }
}

/// What a trend is read from: values with their 95 % limits, or a proportion's counts.
#[derive(Debug, Clone)]
pub enum TrendSeries {
    Values { value: String, lower: String, upper: String },
    Proportions { numerator: String, denominator: String },
}

/// The recent trend of each group over the years of `year` (Fingertips: five most recent
/// points, see [`stats::trend`]); a row with an empty cell is left out (said in the note).
pub fn trends(table: &TextTable, groups: &Groups, year: &str, series: &TrendSeries, higher_is_better: Option<bool>) -> Result<DataFrame> {
    let years = table.numbers(year)?;
    let columns: Vec<Vec<Cell>> = match series {
        TrendSeries::Values { value, lower, upper } => vec![table.numbers(value)?, table.numbers(lower)?, table.numbers(upper)?],
        TrendSeries::Proportions { numerator, denominator } => vec![table.counts(numerator)?, table.counts(denominator)?],
    };
    if let TrendSeries::Values { value, lower, upper } = series {
        for (row, ((v, l), u)) in columns[0].iter().zip(&columns[1]).zip(&columns[2]).enumerate() {
            if let (Cell::Value(v), Cell::Value(l), Cell::Value(u)) = (*v, *l, *u) {
                if !(l <= v && v <= u) {
                    return Err(Error::input(
                        Location::file(&table.file).at(table.line_of(row), value),
                        format!("the value {v} is not between its limits {l} ({lower}) and {u} ({upper})"),
                        "give the 95 % lower and upper limits of each value",
                    ));
                }
            }
        }
    }
    let mut names: Vec<String> = groups.by.clone();
    names.extend(["points", "slope", "statistic", "trend", "label", "note"].map(String::from));
    let mut group_columns: Vec<Vec<String>> = vec![Vec::new(); groups.by.len()];
    let (mut points, mut slope, mut statistic, mut trend, mut label, mut note) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, rows) in groups.keys.iter().zip(&groups.rows) {
        let mut skipped = 0;
        let mut values = Vec::new();
        let mut counts = Vec::new();
        for &r in rows {
            let cells: Option<Vec<f64>> = std::iter::once(years[r]).chain(columns.iter().map(|c| c[r])).map(Cell::value).collect();
            match (cells, series) {
                (Some(c), TrendSeries::Values { .. }) => values.push(stats::trend::ValuePoint { year: c[0], value: c[1], lower: c[2], upper: c[3] }),
                (Some(c), TrendSeries::Proportions { .. }) => {
                    counts.push(stats::trend::CountPoint { year: c[0], numerator: c[1], denominator: c[2] })
                }
                (None, _) => skipped += 1,
            }
        }
        let t = match series {
            TrendSeries::Values { .. } => stats::trend::of_values(&values),
            TrendSeries::Proportions { .. } => stats::trend::of_proportions(&counts),
        };
        for (col, v) in group_columns.iter_mut().zip(key) {
            col.push(v.clone());
        }
        points.push(t.points as i64);
        slope.push(t.slope);
        statistic.push(t.statistic);
        trend.push(t.direction.code());
        label.push(t.direction.french(higher_is_better));
        let mut notes: Vec<String> = t.note.into_iter().collect();
        if skipped > 0 {
            notes.push(format!("{skipped} ligne(s) sans valeur ignorée(s)"));
        }
        note.push((!notes.is_empty()).then(|| notes.join(" ; ")));
    }
    let mut out: Vec<Column> = groups.by.iter().zip(group_columns).map(|(n, v)| Column::new(n.as_str().into(), v)).collect();
    out.push(Column::new("points".into(), points));
    out.push(Column::new("slope".into(), slope));
    out.push(Column::new("statistic".into(), statistic));
    out.push(Column::new("trend".into(), trend));
    out.push(Column::new("label".into(), label));
    out.push(Column::new("note".into(), note));
    Ok(DataFrame::new_infer_height(out)?)
}
