//! Evaluation of the catalogue: the commune fact table is aggregated **once** to every
//! geography needed (one polars join on a geography mapping, one group-by), then each
//! indicator is computed from the summed counts by `stats`, once per geography.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use polars::prelude::*;
use rayon::prelude::*;

use super::catalogue::{Indicator, Term};
use super::withheld::Withheld;
use crate::error::Result;
use crate::facts::codes::{Codes, NULL};
use crate::ingest::Sex;
use crate::stats::{self, standards, Estimate, DEFAULT_LEVELS};

/// A geography: a name and the base units (commune codes) it holds.
///
/// A geography made of whole départements may also list [`departement_rows`] units: the
/// département rows of the facts (geo `30`, as ameli and the statistiques locales publish
/// them) are then read for the measures the data gives by département but not by commune
/// (only synthetic commune rows, or none), instead of its communes' rows of those measures:
/// a département, a région, France keep their real published headcounts where the territory's
/// communes can only be synthetic (or absent).
#[derive(Debug, Clone)]
pub struct Geography {
    pub id: String,
    pub name: String,
    pub units: Vec<String>,
}

/// Prefix of a geography's unit naming a département's rows (see [`Geography`]).
pub const DEPARTEMENT_ROWS: &str = "departement-rows:";

/// The unit of a geography that reads département `code`'s rows (see [`Geography`]).
pub fn departement_rows(code: &str) -> String {
    format!("{DEPARTEMENT_ROWS}{code}")
}

/// Whether a fact's geo is a département code (`30`, `2A`, `971`), not a commune (five
/// characters) nor a cached département sum (`dep:30`).
fn is_departement_geo(geo: &str) -> bool {
    (1..=3).contains(&geo.len()) && !geo.contains(':')
}

/// One summed cell of the aggregated table.
#[derive(Debug, Clone, Copy)]
struct Cell {
    sex: Sex,
    age_min: Option<u32>,
    age_max: Option<u32>,
    value: Option<f64>,
}

/// A sex and an age band (`age_min`, `age_max`) a measure is given for.
type GridCell = (Sex, Option<u32>, Option<u32>);

/// Counts summed per geography and measure.
pub struct Aggregated {
    /// The index of each measure met (its cells and coverage are at `g * measures + m`).
    measure_ids: HashMap<String, usize>,
    measures: usize,
    /// The cells of each (geography, measure): `cell_list[cell_ranges[k]..cell_ranges[k + 1]]`.
    cell_list: Vec<Cell>,
    cell_ranges: Vec<u32>,
    /// Every (sex, band) a measure is given for, in any geography: where a geography has
    /// no row for one of them, its count is 0 (the demo data and the roster leave zeros out).
    grid: HashMap<String, Vec<GridCell>>,
    /// Number of units of each geography, and of those with at least one row of a measure.
    units: Vec<usize>,
    covered: Vec<usize>,
    /// The measures whose missing rows mean 0 (synthetic: the demo data leaves zero counts
    /// out) rather than "not given" (a real file that lacks communes: the values then say how
    /// many units had no data): those whose rows are all synthetic (a measure read from real
    /// totals and their synthetic breakdown is real: a commune without its real rows is not
    /// given). See [`Aggregated::missing_means_zero`].
    pub synthetic: HashSet<String>,
    /// Whether every measure of the facts is synthetic: a measure they do not give at all is
    /// then missing as a zero would be.
    pub all_synthetic: bool,
    /// The year of each measure (its latest, when the facts have a `year` column): the
    /// period of an annual growth rate.
    pub years: HashMap<String, i32>,
    /// The first year of each measure given over a period (births 2016-2021: 2016), when the
    /// facts have a `year_start` column; a measure of one year starts at its year.
    pub starts: HashMap<String, i32>,
    /// The years each measure given for several is read at, with the name its rows have
    /// there, in order of year: the latest (the measure), the base (`<measure>_base`) and the
    /// earlier years `ingest::load::by_period` keeps (`<measure>@<year>`). A measure of one
    /// year has no entry. See `indicators::series`.
    pub series: HashMap<String, Vec<(i32, String)>>,
    /// The name the département rows of a series' year have where the communes give that year
    /// too (`population` 2021 → `population@2021`, INSEE's estimate): a geography reading
    /// département rows reads its whole series from them (see [`Aggregated::series_for`]),
    /// while its latest value sums its communes' census like the territory's.
    departement_names: HashMap<String, String>,
    /// The cells each (term, banded) takes, chosen once on the grid (see `select`).
    choices: std::sync::Mutex<HashMap<(Term, bool), Choice>>,
    /// The measures read from département rows by the geographies listing them (see
    /// [`Geography`]), and which geographies do.
    pub by_departement: HashSet<String>,
    reads_departements: Vec<bool>,
}

/// The grid cells a term takes, or why it has none.
type Choice = std::result::Result<Vec<GridCell>, Missing>;

/// Age bands as (age_min, age_max), `None` for an open end.
type Bands = Vec<(u32, Option<u32>)>;

/// The finest set of non-overlapping bands among `bands` (age_min, age_max; `None`: and over)
/// that covers the ages `lo` to `hi` exactly (`hi` `None`: to the open end), or `None` when
/// no such set exists.
fn tiling(bands: &[(u32, Option<u32>)], lo: u32, hi: Option<u32>) -> Option<Bands> {
    fn from(a: u32, bands: &[(u32, Option<u32>)], hi: Option<u32>, memo: &mut HashMap<u32, Option<Bands>>) -> Option<Bands> {
        if hi.is_some_and(|h| a == h + 1) {
            return Some(Vec::new());
        }
        if let Some(known) = memo.get(&a) {
            return known.clone();
        }
        let mut best: Option<Bands> = None;
        for &(min, max) in bands.iter().filter(|b| b.0 == a) {
            let rest = match (max, hi) {
                (None, None) => Some(Vec::new()),
                (None, Some(_)) => None,
                (Some(m), Some(h)) if m > h => None,
                (Some(m), _) => from(m + 1, bands, hi, memo),
            };
            if let Some(mut rest) = rest {
                rest.insert(0, (min, max));
                if best.as_ref().is_none_or(|b| rest.len() > b.len()) {
                    best = Some(rest);
                }
            }
        }
        memo.insert(a, best.clone());
        best
    }
    from(lo, bands, hi, &mut HashMap::new())
}

/// The index of each age band (`age_min`, `age_max`) met, by direct addressing: ages up to
/// [`BandIndex::AGES`] (older or open ends share the last slot, then a map).
#[derive(Default)]
struct BandIndex {
    table: Vec<u32>,
    other: HashMap<(Option<u32>, Option<u32>), usize>,
}

impl BandIndex {
    const AGES: usize = 128;

    fn slot(band: (Option<u32>, Option<u32>)) -> Option<usize> {
        let age = |a: Option<u32>| match a {
            None => Some(Self::AGES),
            Some(a) if (a as usize) < Self::AGES => Some(a as usize),
            Some(_) => None,
        };
        Some(age(band.0)? * (Self::AGES + 1) + age(band.1)?)
    }

    fn get(&self, band: (Option<u32>, Option<u32>)) -> Option<usize> {
        match Self::slot(band) {
            Some(k) => self.table.get(k).and_then(|&i| (i != u32::MAX).then_some(i as usize)),
            None => self.other.get(&band).copied(),
        }
    }

    fn insert(&mut self, band: (Option<u32>, Option<u32>), index: usize) {
        match Self::slot(band) {
            Some(k) => {
                if self.table.is_empty() {
                    self.table = vec![u32::MAX; (Self::AGES + 1) * (Self::AGES + 1)];
                }
                self.table[k] = index as u32;
            }
            None => {
                self.other.insert(band, index);
            }
        }
    }
}

/// One frame's columns as [`Interned::push`] reads them, its text columns coded once: its rows
/// can then be interned in any order, some of them twice under other names (the latest year,
/// the base of a growth, the series: `ingest::load::by_period`).
pub struct Columns {
    geo: Codes,
    pub(crate) measure: Codes,
    pub(crate) sex: Codes,
    value: Float64Chunked,
    pub(crate) age_min: UInt32Chunked,
    pub(crate) age_max: UInt32Chunked,
    pub(crate) year: Option<Int32Chunked>,
    pub(crate) year_start: Option<Int32Chunked>,
    synthetic: Option<BooleanChunked>,
}

impl Columns {
    /// The columns `geo, measure, sex, age_min, age_max, value` of `facts`, and `year`,
    /// `year_start`, `synthetic` when present, in their chunks (read by [`Chunks`]).
    pub fn of(facts: &DataFrame) -> Result<Columns> {
        let typed = |c: &str, t: &DataType| -> Result<Option<Series>> {
            match facts.column(c) {
                Ok(c) => Ok(Some(c.cast(t)?.as_materialized_series().clone())),
                Err(_) => Ok(None),
            }
        };
        let need = |c: &str, t: &DataType| -> Result<Series> { typed(c, t)?.ok_or_else(|| PolarsError::ColumnNotFound(c.to_owned().into()).into()) };
        Ok(Columns {
            geo: Codes::of_null_empty(facts.column("geo")?)?,
            measure: Codes::of(facts.column("measure")?)?,
            sex: Codes::of_null_empty(facts.column("sex")?)?,
            value: need("value", &DataType::Float64)?.f64()?.clone(),
            age_min: need("age_min", &DataType::UInt32)?.u32()?.clone(),
            age_max: need("age_max", &DataType::UInt32)?.u32()?.clone(),
            year: typed("year", &DataType::Int32)?.map(|y| y.i32().cloned()).transpose()?,
            year_start: typed("year_start", &DataType::Int32)?.map(|y| y.i32().cloned()).transpose()?,
            synthetic: typed("synthetic", &DataType::Boolean)?.map(|s| s.bool().cloned()).transpose()?,
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The fact table interned once: each row's unit (its `geo`), cell (measure, sex, age band)
/// and value as integers, with its year, first year and provenance. Aggregating geographies
/// from it ([`Interned::aggregate`]) is then a pass of array additions over the rows, with no
/// string compared: a report aggregates the same facts to several sets of geographies (its
/// diagnostic, its benchmark, its pyramids, its APL), and the demo's five reports share them.
pub struct Interned {
    /// Each distinct `geo` of the facts (an absent one as ""), whether it is a département's
    /// code (see [`is_departement_geo`]), and the index of each.
    codes: Vec<String>,
    departement_geo: Vec<bool>,
    code_index: HashMap<String, u32>,
    /// The measures, in the order met, and the index of each.
    measures: Vec<String>,
    measure_index: HashMap<String, usize>,
    bands: Vec<(Option<u32>, Option<u32>)>,
    /// The cells: (measure, sex code, band).
    cells: Vec<(usize, usize, usize)>,
    /// Per row: its geo (`u32::MAX`: no measure), its cell, its value (`None`: withheld) and
    /// its (year, first year, synthetic) as an index into `kinds`.
    row_geo: Vec<u32>,
    row_cell: Vec<u32>,
    row_value: Vec<f64>,
    row_missing: Vec<bool>,
    row_kind: Vec<u32>,
    kinds: Vec<RowKind>,
    /// Whether the facts have a `synthetic` column (without one, they are real).
    has_synthetic: bool,
    /// The first passes of the last aggregations, by the units they read (see [`Interned::reads`]).
    reads: Mutex<Vec<ReadsKey>>,
    /// What interning more rows needs.
    build: Build,
}

/// The indices [`Interned::push`] keeps between frames: of each row kind, of each band, and
/// of each cell by measure (`band * 3 + sex`).
#[derive(Default)]
struct Build {
    kind_index: PlHashMap<RowKind, u32>,
    band_index: BandIndex,
    cell_of: Vec<Vec<u32>>,
}

/// The name under which [`Interned::push`] interns a row, from its measure and year.
pub type Rename<'a> = &'a dyn Fn(&str, i32) -> String;

/// An age band: (`age_min`, `age_max`).
type BandKey = (Option<u32>, Option<u32>);

/// One row of [`Interned`], as read back ([`Interned::row`]).
pub struct Row<'a> {
    pub geo: &'a str,
    pub measure: Option<&'a str>,
    pub value: Option<f64>,
    pub synthetic: Option<bool>,
}

/// A column's values by row index, its chunks followed as they are (not copied into one): a
/// cursor, quickest when rows are read in order (as [`Interned::push`] and loading read them).
pub struct Chunks<'a, A> {
    arrays: Vec<&'a A>,
    /// Each chunk's first row, and the chunk of the last row read.
    starts: Vec<usize>,
    at: usize,
}

impl<'a, A: StaticArray> Chunks<'a, A> {
    pub fn of<T: PolarsDataType<Array = A>>(column: &'a ChunkedArray<T>) -> Chunks<'a, A> {
        let arrays: Vec<&A> = column.downcast_iter().collect();
        let starts = arrays.iter().scan(0, |row, a| Some(std::mem::replace(row, *row + a.len()))).collect();
        Chunks { arrays, starts, at: 0 }
    }

    /// Row `i`'s value (`None`: null, or past the end).
    pub fn get(&mut self, i: usize) -> Option<A::ValueT<'a>> {
        if self.starts.get(self.at).is_none_or(|&s| s > i) {
            self.at = 0;
        }
        while self.starts.get(self.at + 1).is_some_and(|&s| s <= i) {
            self.at += 1;
        }
        let array: &'a A = self.arrays.get(self.at)?;
        array.get(i - self.starts[self.at])
    }
}

/// A column that may be absent, by row index (see [`Chunks`]): `None` where it is absent.
fn chunks_of<T: PolarsDataType>(column: Option<&ChunkedArray<T>>) -> Option<Chunks<'_, T::Array>> {
    column.map(Chunks::of)
}

/// A row's year, first year and whether it is synthetic.
type RowKind = (Option<i32>, Option<i32>, Option<bool>);

/// A first pass remembered: how each geo of the facts was read, the measures kept, what it found.
type ReadsKey = (Vec<u8>, Option<Vec<bool>>, Arc<Reads>);

/// What the first pass of an aggregation finds, per measure of the facts: whether the rows
/// read have one without a measure, whether it has rows, whether they are all synthetic,
/// where it has rows (at a département's rows, real ones elsewhere, any elsewhere), its
/// latest year and first year (at units other than départements' rows).
struct Reads {
    null_measure: bool,
    met: Vec<bool>,
    all_synthetic_rows: Vec<bool>,
    read_rows: [Vec<bool>; 3],
    measure_year: Vec<Option<i32>>,
    measure_start: Vec<Option<i32>>,
}

impl Reads {
    /// What two ranges of rows found, together.
    fn merge(mut self, other: Reads) -> Reads {
        let or = |a: &mut Vec<bool>, b: &[bool]| a.iter_mut().zip(b).for_each(|(a, b)| *a |= b);
        self.null_measure |= other.null_measure;
        or(&mut self.met, &other.met);
        self.all_synthetic_rows.iter_mut().zip(&other.all_synthetic_rows).for_each(|(a, b)| *a &= b);
        for (a, b) in self.read_rows.iter_mut().zip(&other.read_rows) {
            or(a, b);
        }
        let pick = |a: &mut Vec<Option<i32>>, b: &[Option<i32>], f: fn(i32, i32) -> i32| {
            a.iter_mut().zip(b).for_each(|(a, b)| {
                *a = match (*a, *b) {
                    (Some(x), Some(y)) => Some(f(x, y)),
                    (x, y) => x.or(y),
                }
            })
        };
        pick(&mut self.measure_year, &other.measure_year, i32::max);
        pick(&mut self.measure_start, &other.measure_start, i32::min);
        self
    }
}

impl Interned {
    /// Intern `facts` (columns `geo, measure, sex, age_min, age_max, value`, and `year`,
    /// `year_start`, `synthetic` when present), every row as it is.
    pub fn new(facts: &DataFrame) -> Result<Interned> {
        let mut out = Interned::empty();
        out.reserve(facts.height());
        out.push(&Columns::of(facts)?, 0..facts.height(), None);
        crate::timing::mark("facts interned");
        Ok(out)
    }

    /// No facts yet.
    pub fn empty() -> Interned {
        Interned {
            codes: Vec::new(),
            departement_geo: Vec::new(),
            code_index: HashMap::new(),
            measures: Vec::new(),
            measure_index: HashMap::new(),
            bands: Vec::new(),
            cells: Vec::new(),
            row_geo: Vec::new(),
            row_cell: Vec::new(),
            row_value: Vec::new(),
            row_missing: Vec::new(),
            row_kind: Vec::new(),
            kinds: Vec::new(),
            has_synthetic: false,
            reads: Mutex::new(Vec::new()),
            build: Build::default(),
        }
    }

    /// Room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.row_geo.reserve(rows);
        self.row_cell.reserve(rows);
        self.row_value.reserve(rows);
        self.row_missing.reserve(rows);
        self.row_kind.reserve(rows);
    }

    /// The number of rows interned.
    pub fn len(&self) -> usize {
        self.row_value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Intern rows `rows` of `part` (indices, in the order given), each under its measure's
    /// name, or under `rename(measure, year)` (`population_base`, `population@2019`). Distinct
    /// geos, measures, bands and cells are numbered in the order met, whatever the frames they
    /// come from. The rows come sorted by commune and measure: the last lookups are remembered.
    pub fn push(&mut self, part: &Columns, rows: impl IntoIterator<Item = usize>, rename: Option<Rename<'_>>) {
        if let Ok(reads) = self.reads.get_mut() {
            reads.clear();
        }
        self.has_synthetic |= part.synthetic.is_some();
        let (mut value, mut age_min, mut age_max) = (Chunks::of(&part.value), Chunks::of(&part.age_min), Chunks::of(&part.age_max));
        let (mut year, mut year_start, mut synthetic) =
            (chunks_of(part.year.as_ref()), chunks_of(part.year_start.as_ref()), chunks_of(part.synthetic.as_ref()));
        let sex_of: Vec<usize> = part
            .sex
            .values
            .iter()
            .map(|s| match Sex::parse(s).unwrap_or(Sex::All) {
                Sex::Male => 0,
                Sex::Female => 1,
                Sex::All => 2,
            })
            .collect();
        // The part's codes of geo and measure (as read, or renamed with a year) as the facts'.
        let mut geo_of = vec![u32::MAX; part.geo.values.len()];
        let mut measure_of = vec![usize::MAX; part.measure.values.len()];
        // By measure code (a null's: the last), the measures it is renamed to: (year, measure).
        let mut renamed: Vec<Vec<(i32, usize)>> = vec![Vec::new(); part.measure.values.len() + 1];
        let mut last_renamed: Option<((u32, i32), usize)> = None;
        let mut last_band: Option<(BandKey, usize)> = None;
        let mut last_kind: Option<(RowKind, u32)> = None;
        for i in rows {
            let v = value.get(i);
            self.row_value.push(v.unwrap_or(0.0));
            self.row_missing.push(v.is_none());
            let y = year.as_mut().and_then(|a| a.get(i));
            let kind = (y, year_start.as_mut().and_then(|a| a.get(i)), synthetic.as_mut().map_or(Some(false), |a| a.get(i)));
            let k = match last_kind {
                Some((last, k)) if last == kind => k,
                _ => {
                    let k = *self.build.kind_index.entry(kind).or_insert_with(|| {
                        self.kinds.push(kind);
                        self.kinds.len() as u32 - 1
                    });
                    last_kind = Some((kind, k));
                    k
                }
            };
            self.row_kind.push(k);
            let gc = part.geo.rows[i] as usize;
            if geo_of[gc] == u32::MAX {
                geo_of[gc] = self.geo_id(&part.geo.values[gc]);
            }
            let mc = part.measure.rows[i];
            let m = match rename {
                None if mc == NULL => usize::MAX,
                None => {
                    let mc = mc as usize;
                    if measure_of[mc] == usize::MAX {
                        measure_of[mc] = self.measure_id(&part.measure.values[mc]);
                    }
                    measure_of[mc]
                }
                Some(rename) => {
                    let key = (mc, y.unwrap_or_default());
                    match last_renamed {
                        Some((last, m)) if last == key => m,
                        _ => {
                            let by_year = &mut renamed[(mc as usize).min(part.measure.values.len())];
                            let m = match by_year.iter().find(|(y, _)| *y == key.1) {
                                Some(&(_, m)) => m,
                                None => {
                                    let name = rename(part.measure.values.get(mc as usize).map_or("", String::as_str), key.1);
                                    let m = self.measure_id(&name);
                                    by_year.push((key.1, m));
                                    m
                                }
                            };
                            last_renamed = Some((key, m));
                            m
                        }
                    }
                }
            };
            if m == usize::MAX {
                self.row_geo.push(u32::MAX);
                self.row_cell.push(u32::MAX);
                continue;
            }
            let band = (age_min.get(i), age_max.get(i));
            let b = match last_band {
                Some((last, b)) if last == band => b,
                _ => {
                    let b = match self.build.band_index.get(band) {
                        Some(b) => b,
                        None => {
                            self.build.band_index.insert(band, self.bands.len());
                            self.bands.push(band);
                            self.bands.len() - 1
                        }
                    };
                    last_band = Some((band, b));
                    b
                }
            };
            let s = sex_of[part.sex.rows[i] as usize];
            let by_band = &mut self.build.cell_of[m];
            let slot = b * 3 + s;
            if by_band.len() <= slot {
                by_band.resize(slot + 1, u32::MAX);
            }
            if by_band[slot] == u32::MAX {
                by_band[slot] = self.cells.len() as u32;
                self.cells.push((m, s, b));
            }
            self.row_geo.push(geo_of[gc]);
            self.row_cell.push(by_band[slot]);
        }
    }

    /// The index of geo `code`, numbered if new.
    fn geo_id(&mut self, code: &str) -> u32 {
        if let Some(&g) = self.code_index.get(code) {
            return g;
        }
        let g = self.codes.len() as u32;
        self.codes.push(code.to_owned());
        self.departement_geo.push(is_departement_geo(code));
        self.code_index.insert(code.to_owned(), g);
        g
    }

    /// The index of measure `name`, numbered if new.
    fn measure_id(&mut self, name: &str) -> usize {
        if let Some(&m) = self.measure_index.get(name) {
            return m;
        }
        let m = self.measures.len();
        self.measures.push(name.to_owned());
        self.measure_index.insert(name.to_owned(), m);
        self.build.cell_of.push(Vec::new());
        m
    }

    /// Row `i`'s geo, measure (`None`: no measure), value (`None`: withheld) and whether it
    /// is synthetic (`None`: not said).
    pub fn row(&self, i: usize) -> Row<'_> {
        Row {
            geo: self.codes.get(self.row_geo[i] as usize).map_or("", String::as_str),
            measure: self.cells.get(self.row_cell[i] as usize).map(|c| self.measures[c.0].as_str()),
            value: (!self.row_missing[i]).then_some(self.row_value[i]),
            synthetic: self.kinds[self.row_kind[i] as usize].2,
        }
    }

    /// The rows of `measure`.
    pub fn rows_of(&self, measure: &str) -> Vec<usize> {
        let Some(&m) = self.measure_index.get(measure) else { return Vec::new() };
        (0..self.len()).filter(|&i| self.cells.get(self.row_cell[i] as usize).is_some_and(|c| c.0 == m)).collect()
    }

    /// A row like row `like` (its cell, year and provenance) at `geo`, of value `value`.
    pub fn push_like(&mut self, like: usize, geo: &str, value: f64) {
        if let Ok(reads) = self.reads.get_mut() {
            reads.clear();
        }
        let g = self.geo_id(geo);
        self.row_geo.push(g);
        self.row_cell.push(self.row_cell[like]);
        self.row_value.push(value);
        self.row_missing.push(false);
        self.row_kind.push(self.row_kind[like]);
    }

    /// The rows as a frame (`geo, measure, sex, age_min, age_max, value, year, year_start,
    /// synthetic`), read back as a table (the tests; `demo::real::area`).
    pub fn frame(&self) -> Result<DataFrame> {
        let n = self.len();
        let cell = |i: usize| self.cells.get(self.row_cell[i] as usize);
        let kind = |i: usize| self.kinds[self.row_kind[i] as usize];
        let geo: Vec<&str> = (0..n).map(|i| self.codes.get(self.row_geo[i] as usize).map_or("", String::as_str)).collect();
        let measure: Vec<Option<&str>> = (0..n).map(|i| cell(i).map(|c| self.measures[c.0].as_str())).collect();
        let sex: Vec<Option<&str>> = (0..n).map(|i| cell(i).map(|c| [Sex::Male, Sex::Female, Sex::All][c.1].code())).collect();
        let band = |i: usize| cell(i).map_or((None, None), |c| self.bands[c.2]);
        let value: Vec<Option<f64>> = (0..n).map(|i| (!self.row_missing[i]).then_some(self.row_value[i])).collect();
        let columns = vec![
            Column::new("geo".into(), geo),
            Column::new("measure".into(), measure),
            Column::new("sex".into(), sex),
            Column::new("age_min".into(), (0..n).map(|i| band(i).0).collect::<Vec<_>>()),
            Column::new("age_max".into(), (0..n).map(|i| band(i).1).collect::<Vec<_>>()),
            Column::new("value".into(), value),
            Column::new("year".into(), (0..n).map(|i| kind(i).0).collect::<Vec<_>>()),
            Column::new("year_start".into(), (0..n).map(|i| kind(i).1).collect::<Vec<_>>()),
            Column::new("synthetic".into(), (0..n).map(|i| kind(i).2).collect::<Vec<_>>()),
        ];
        Ok(DataFrame::new(n, columns)?)
    }

    /// The first pass of an aggregation (see [`Reads`]), over the rows of the measures of
    /// `keep` (`None`: all), each geo of the facts being in no unit (`u32::MAX`) or in unit
    /// `unit_of_geo[g]`; remembered for the next aggregations reading the same units the same way.
    fn reads(&self, unit_of_geo: &[u32], departement_unit: &[bool], keep: Option<&[bool]>) -> Arc<Reads> {
        // Per geo of the facts: 0 read by no geography, 1 a unit, 2 a département's rows.
        let key: Vec<u8> = unit_of_geo
            .iter()
            .map(|&u| {
                if u == u32::MAX {
                    0
                } else if departement_unit[u as usize] {
                    2
                } else {
                    1
                }
            })
            .collect();
        let keep_key = keep.map(<[bool]>::to_vec);
        if let Some(found) = self.reads.lock().ok().and_then(|c| c.iter().find(|(k, m, _)| *k == key && *m == keep_key).map(|(_, _, r)| r.clone())) {
            return found;
        }
        let kept = |m: usize| keep.is_none_or(|k| k[m]);
        let nm_all = self.measures.len();
        // Per measure: whether it has rows at a département-rows unit, real rows elsewhere (at
        // communes, or cached sums of real communes), and rows at units that are not département
        // rows (synthetic: the demo's communes).
        const AT_DEPARTEMENT: usize = 0;
        const REAL_ELSEWHERE: usize = 1;
        const ELSEWHERE: usize = 2;
        // One range of rows; the ranges' findings are merged (or, and, max, min: in any order).
        let scan = |rows: std::ops::Range<usize>| -> Reads {
            let mut met = vec![false; nm_all];
            let mut all_synthetic_rows = vec![true; nm_all];
            let mut read_rows: [Vec<bool>; 3] = [vec![false; nm_all], vec![false; nm_all], vec![false; nm_all]];
            let mut measure_year: Vec<Option<i32>> = vec![None; nm_all];
            let mut measure_start: Vec<Option<i32>> = vec![None; nm_all];
            let mut null_measure = false;
            for ((&fg, &c), &k) in self.row_geo[rows.clone()].iter().zip(&self.row_cell[rows.clone()]).zip(&self.row_kind[rows]) {
                if fg == u32::MAX {
                    null_measure |= keep.is_none();
                    continue;
                }
                let mi = self.cells[c as usize].0;
                if !kept(mi) {
                    continue;
                }
                met[mi] = true;
                let (y, start, flag) = self.kinds[k as usize];
                // A row of unknown provenance counts as synthetic (`all` ignores nulls).
                if flag == Some(false) {
                    all_synthetic_rows[mi] = false;
                }
                let u = unit_of_geo[fg as usize];
                if u == u32::MAX {
                    if flag == Some(false) && !self.departement_geo[fg as usize] {
                        read_rows[REAL_ELSEWHERE][mi] = true;
                    }
                    continue;
                }
                let u = u as usize;
                if departement_unit[u] {
                    read_rows[AT_DEPARTEMENT][mi] = true;
                } else {
                    read_rows[ELSEWHERE][mi] = true;
                    if flag == Some(false) {
                        read_rows[REAL_ELSEWHERE][mi] = true;
                    }
                    // A département row's year is not its measure's: the communes' is (an ameli
                    // headcount of 2024 beside the demo's communes of 2023).
                    if let Some(y) = start {
                        let slot = &mut measure_start[mi];
                        *slot = Some(slot.map_or(y, |s| s.min(y)));
                    }
                    if let Some(y) = y {
                        let slot = &mut measure_year[mi];
                        *slot = Some(slot.map_or(y, |s| s.max(y)));
                    }
                }
            }
            Reads { null_measure, met, all_synthetic_rows, read_rows, measure_year, measure_start }
        };
        let n = self.row_geo.len();
        let chunk = (n / (4 * rayon::current_num_threads().max(1))).max(1 << 16);
        let ranges: Vec<std::ops::Range<usize>> = (0..n).step_by(chunk).map(|s| s..(s + chunk).min(n)).collect();
        let reads = ranges.into_par_iter().map(scan).reduce_with(Reads::merge).unwrap_or_else(|| scan(0..0));
        let reads = Arc::new(reads);
        if let Ok(mut cache) = self.reads.lock() {
            if cache.len() >= 8 {
                cache.remove(0);
            }
            cache.push((key, keep_key, reads.clone()));
        }
        reads
    }

    /// Sum the facts of every geography (see [`aggregate`]).
    pub fn aggregate(&self, geographies: &[Geography]) -> Result<Aggregated> {
        self.aggregate_measures(geographies, None)
    }

    /// The same over the rows of `measures` only (as if the facts held no other measure): an
    /// aggregation of a few measures (the pyramids, the APL) need not sum every cell.
    pub fn aggregate_only(&self, geographies: &[Geography], measures: &[impl AsRef<str>]) -> Result<Aggregated> {
        let mut keep = vec![false; self.measures.len()];
        for m in measures {
            if let Some(&i) = self.measure_index.get(m.as_ref()) {
                keep[i] = true;
            }
        }
        self.aggregate_measures(geographies, Some(&keep))
    }

    /// One pass over the interned rows into dense accumulators indexed by (geography, cell).
    /// `keep`: the measures read (`None`: all).
    fn aggregate_measures(&self, geographies: &[Geography], keep: Option<&[bool]>) -> Result<Aggregated> {
        // Each unit's geographies.
        let mut unit_index: HashMap<&str, usize> = HashMap::new();
        let mut unit_geos: Vec<Vec<u32>> = Vec::new();
        let reads_departements: Vec<bool> = geographies.iter().map(|g| g.units.iter().any(|u| u.starts_with(DEPARTEMENT_ROWS))).collect();
        for (g, geo) in geographies.iter().enumerate() {
            for u in &geo.units {
                let u = u.strip_prefix(DEPARTEMENT_ROWS).unwrap_or(u);
                let i = *unit_index.entry(u).or_insert_with(|| {
                    unit_geos.push(Vec::new());
                    unit_geos.len() - 1
                });
                if unit_geos[i].last() != Some(&(g as u32)) {
                    unit_geos[i].push(g as u32);
                }
            }
        }
        let mut departement_unit = vec![false; unit_geos.len()];
        for u in geographies.iter().flat_map(|g| &g.units) {
            if let Some(code) = u.strip_prefix(DEPARTEMENT_ROWS) {
                departement_unit[unit_index[code]] = true;
            }
        }
        // The unit of each geo of the facts (`u32::MAX`: in no geography).
        let unit_of_geo: Vec<u32> = self.codes.iter().map(|c| unit_index.get(c.as_str()).map_or(u32::MAX, |&u| u as u32)).collect();
        let kept = |m: usize| keep.is_none_or(|k| k[m]);

        // First pass (or its result for the same units read the same way, kept from an
        // earlier aggregation): per measure whether its rows are all synthetic, where it has
        // rows, and its year.
        let reads = self.reads(&unit_of_geo, &departement_unit, keep);
        let Reads { null_measure, ref met, ref all_synthetic_rows, ref read_rows, ref measure_year, ref measure_start } = *reads;
        let nm_all = self.measures.len();
        const AT_DEPARTEMENT: usize = 0;
        const REAL_ELSEWHERE: usize = 1;
        const ELSEWHERE: usize = 2;
        crate::timing::mark("agg: rows read");
        // The measures met, in the order of the facts.
        let measures: Vec<usize> = (0..nm_all).filter(|&m| met[m]).collect();
        // The measures read from département rows: given there, and elsewhere synthetic or not at
        // all. Their communes' rows are then synthetic when they have any (a missing one means 0).
        let by_departement_index: Vec<bool> = (0..nm_all).map(|m| read_rows[AT_DEPARTEMENT][m] && !read_rows[REAL_ELSEWHERE][m]).collect();
        let (mut synthetic, mut real) = (HashSet::new(), null_measure);
        if self.has_synthetic {
            for &k in &measures {
                let m = &self.measures[k];
                if by_departement_index[k] {
                    if read_rows[ELSEWHERE][k] {
                        synthetic.insert(m.clone());
                    }
                    real = true;
                } else if all_synthetic_rows[k] {
                    synthetic.insert(m.clone());
                } else {
                    real = true;
                }
            }
        } else {
            real = null_measure || !measures.is_empty();
        }
        let all_synthetic = !real && !synthetic.is_empty();
        let nm = nm_all.max(1);
        let nc = self.cells.len().max(1);
        // Which units have rows of each measure (coverage).
        let mut seen = vec![false; unit_geos.len() * nm];
        let mut seen_at: Vec<Vec<u32>> = vec![Vec::new(); unit_geos.len()];
        let size = geographies.len() * nc;
        // Per (geography, cell): the sum, and whether any row (`PRESENT`) or a withheld one (`MISSING`) was added.
        const PRESENT: u8 = 1;
        const MISSING: u8 = 2;
        let (mut sum, mut state) = (vec![0.0f64; size], vec![0u8; size]);
        // The rows added to the geographies of `range` (their sums and states from the range's
        // first), and which units have rows of each measure when `seen` is given. Two ranges of
        // geographies (by their units: about as many rows each, as the layers of `national`) are
        // summed on two cores, each over every row: a cell's rows are added in their order
        // either way.
        let add = |range: std::ops::Range<usize>, sum: &mut [f64], state: &mut [u8], mut seen: Option<(&mut [bool], &mut [Vec<u32>])>| {
            for (((&fg, &c), &v), &missing) in self.row_geo.iter().zip(&self.row_cell).zip(&self.row_value).zip(&self.row_missing) {
                if fg == u32::MAX {
                    continue;
                }
                let u = unit_of_geo[fg as usize];
                if u == u32::MAX {
                    continue;
                }
                let (u, c) = (u as usize, c as usize);
                let m = self.cells[c].0;
                if !kept(m) {
                    continue;
                }
                // A département's rows are read for the measures given by département only; the
                // communes' rows of those, by the geographies that do not read département rows.
                let (at_departement, by_departement) = (departement_unit[u], by_departement_index[m]);
                if at_departement && !by_departement {
                    continue;
                }
                if let Some((seen, seen_at)) = seen.as_mut() {
                    if !seen[u * nm + m] {
                        seen[u * nm + m] = true;
                        seen_at[u].push(m as u32);
                    }
                }
                for &gi in &unit_geos[u] {
                    let gi = gi as usize;
                    if !range.contains(&gi) || (by_departement && !at_departement && reads_departements[gi]) {
                        continue;
                    }
                    let k = (gi - range.start) * nc + c;
                    if missing {
                        state[k] |= PRESENT | MISSING;
                    } else {
                        sum[k] += v;
                        state[k] |= PRESENT;
                    }
                }
            }
        };
        let ng = geographies.len();
        let total: usize = geographies.iter().map(|g| g.units.len()).sum();
        let (mut split, mut first) = (0, 0);
        while split < ng && 2 * (first + geographies[split].units.len()) <= total {
            first += geographies[split].units.len();
            split += 1;
        }
        let (sum_first, sum_rest) = sum.split_at_mut(split * nc);
        let (state_first, state_rest) = state.split_at_mut(split * nc);
        rayon::join(|| add(0..split, sum_first, state_first, Some((&mut seen, &mut seen_at))), || add(split..ng, sum_rest, state_rest, None));
        crate::timing::mark("agg: rows added");
        // The cells of each (geography, measure), by sex then band (as met: the order does not
        // matter, `select` finds each cell by its key), one after the other: those of
        // (g, m) at `cell_ranges[g * nm + m]..cell_ranges[g * nm + m + 1]`.
        let mut of_measure: Vec<Vec<usize>> = vec![Vec::new(); nm];
        for c in (0..self.cells.len()).filter(|&c| kept(self.cells[c].0)) {
            of_measure[self.cells[c].0].push(c);
        }
        for list in &mut of_measure {
            list.sort_by_key(|&c| self.cells[c]);
        }
        let mut cell_list: Vec<Cell> = Vec::new();
        let mut anywhere = vec![false; self.cells.len()];
        let mut cell_ranges: Vec<u32> = Vec::with_capacity(geographies.len() * nm + 1);
        cell_ranges.push(0);
        for g in 0..geographies.len() {
            for list in &of_measure {
                for &c in list {
                    let k = g * nc + c;
                    if state[k] & PRESENT != 0 {
                        anywhere[c] = true;
                        let (_, s, b) = self.cells[c];
                        let (min, max) = self.bands[b];
                        let sex = [Sex::Male, Sex::Female, Sex::All][s];
                        let value = (state[k] & MISSING == 0).then_some(sum[k]);
                        cell_list.push(Cell { sex, age_min: min, age_max: max, value });
                    }
                }
                cell_ranges.push(cell_list.len() as u32);
            }
        }
        crate::timing::mark("agg: cells");
        let grid: HashMap<String, Vec<GridCell>> = measures
            .iter()
            .filter_map(|&m| {
                let cells: Vec<GridCell> = of_measure[m]
                    .iter()
                    .filter(|&&c| anywhere[c])
                    .map(|&c| {
                        let (_, s, b) = self.cells[c];
                        ([Sex::Male, Sex::Female, Sex::All][s], self.bands[b].0, self.bands[b].1)
                    })
                    .collect();
                (!cells.is_empty()).then(|| (self.measures[m].clone(), cells))
            })
            .collect();
        // Coverage is counted over base units: Paris, Lyon and Marseille as a whole (added to
        // geographies holding all their arrondissements) are an alternative, not a unit. Counted
        // densely per (geography, measure).
        let mut covered = vec![0usize; geographies.len() * nm];
        let mut units = vec![0usize; geographies.len()];
        let mut code_of = vec![""; unit_geos.len()];
        for (code, &i) in &unit_index {
            code_of[i] = code;
        }
        for (u, geos) in unit_geos.iter().enumerate() {
            // A city given whole covers its arrondissements (all in the geography, by construction).
            let whole = WHOLE_CITIES.iter().find(|(c, _)| *c == code_of[u]).map(|&(_, arrondissements)| arrondissements);
            if departement_unit[u] {
                continue;
            }
            for &g in geos {
                if whole.is_none() {
                    units[g as usize] += 1;
                }
                for &m in &seen_at[u] {
                    covered[g as usize * nm + m as usize] += whole.unwrap_or(1);
                }
            }
        }
        // A geography reading a measure from its départements' rows covers its units when every
        // one of them has a row (ameli and the statistiques locales give every département).
        let mut departements_of: Vec<Vec<usize>> = vec![Vec::new(); geographies.len()];
        for u in (0..unit_geos.len()).filter(|&u| departement_unit[u]) {
            for &g in &unit_geos[u] {
                departements_of[g as usize].push(u);
            }
        }
        for g in (0..geographies.len()).filter(|&g| reads_departements[g]) {
            for &m in measures.iter().filter(|&&m| by_departement_index[m]) {
                let all = departements_of[g].iter().all(|&u| seen[u * nm + m]);
                if all {
                    covered[g * nm + m] = units[g];
                }
            }
        }
        let measure_ids = measures.iter().map(|&m| (self.measures[m].clone(), m)).collect();
        crate::timing::mark("agg: coverage");
        let names: Vec<String> = measures.iter().map(|&m| self.measures[m].clone()).collect();
        let measure_year: Vec<Option<i32>> = measures.iter().map(|&m| measure_year[m]).collect();
        let measure_start: Vec<Option<i32>> = measures.iter().map(|&m| measure_start[m]).collect();
        let by_departement_index: Vec<bool> = measures.iter().map(|&m| by_departement_index[m]).collect();
        let years = names.iter().zip(&measure_year).filter_map(|(m, y)| Some((m.clone(), (*y)?))).collect();
        let starts = names.iter().zip(&measure_start).filter_map(|(m, y)| Some((m.clone(), (*y)?))).collect();
        let by_departement = names.iter().zip(&by_departement_index).filter(|(_, &d)| d).map(|(m, _)| m.clone()).collect();
        let (series, departement_names) = series_of(&names, &measure_year, &grid, &years, &by_departement);
        Ok(Aggregated {
            measure_ids,
            measures: nm,
            cell_list,
            cell_ranges,
            grid,
            units,
            covered,
            synthetic,
            all_synthetic,
            years,
            starts,
            series,
            departement_names,
            choices: Default::default(),
            by_departement,
            reads_departements,
        })
    }
}

/// Sum the facts of every geography: `facts` needs `geo, measure, sex, age_min, age_max,
/// value`. A suppressed (empty) value makes its sum empty. Geographies may overlap (a
/// territory inside its département inside France).
///
/// The facts are interned first ([`Interned`]), then summed in one pass into dense
/// accumulators indexed by (geography, cell). Several aggregations of the same facts should
/// intern them once and call [`Interned::aggregate`].
pub fn aggregate(facts: &DataFrame, geographies: &[Geography]) -> Result<Aggregated> {
    Interned::new(facts)?.aggregate(geographies)
}

/// Each measure's years and the names its rows have there (see [`Aggregated::series`]).
type SeriesNames = HashMap<String, Vec<(i32, String)>>;

/// The series of each measure given at several years (see [`Aggregated::series`]), from the
/// measures met with their years and the grid (a measure no geography has rows of is not read).
/// A `<measure>@<year>` is at the year of its name: one given by département rows only (INSEE's
/// estimates) has no commune year. At a year the communes give too (the census 2021 read as
/// `population`), the series reads the communes' name, and the département rows' one is kept
/// apart, by the communes' name (see [`Aggregated::departement_names`]).
fn series_of(
    measures: &[String],
    measure_year: &[Option<i32>],
    grid: &HashMap<String, Vec<GridCell>>,
    years: &HashMap<String, i32>,
    by_departement: &HashSet<String>,
) -> (SeriesNames, HashMap<String, String>) {
    let mut series: HashMap<String, Vec<(i32, String)>> = HashMap::new();
    for (m, y) in measures.iter().zip(measure_year) {
        let (of, y) = match m.split_once('@') {
            Some((of, at)) => (of, at.parse().ok().or(*y)),
            None => match m.strip_suffix("_base") {
                Some(of) => (of, *y),
                None => continue,
            },
        };
        let Some(y) = y else { continue };
        if grid.contains_key(m) {
            series.entry(of.to_owned()).or_default().push((y, m.clone()));
        }
    }
    let mut departement_names = HashMap::new();
    series.retain(|m, list| match years.get(m) {
        Some(&y) if grid.contains_key(m) => {
            list.push((y, m.clone()));
            // At each year, the communes' name (no `@`) first.
            list.sort_by(|a, b| (a.0, a.1.contains('@'), &a.1).cmp(&(b.0, b.1.contains('@'), &b.1)));
            let mut kept: Vec<(i32, String)> = Vec::with_capacity(list.len());
            for (y, name) in list.drain(..) {
                match kept.last() {
                    Some((k, first)) if *k == y => {
                        if by_departement.contains(&name) {
                            departement_names.insert(first.clone(), name);
                        }
                    }
                    _ => kept.push((y, name)),
                }
            }
            *list = kept;
            true
        }
        _ => false,
    });
    (series, departement_names)
}

impl Aggregated {
    /// A point of a series (`at`, one year of `indicators::series::at_years`) as geography
    /// `geo` reads it: from its départements' rows where they give that year and it reads
    /// them (the estimates are one source over the years; the communes' census of 2021 split
    /// by age, synthetic in the demo, is not a point of the département's estimates), else
    /// as it is.
    pub fn series_for<'a>(&self, at: &'a Indicator, geo: usize) -> std::borrow::Cow<'a, Indicator> {
        let reads = self.reads_departements.get(geo).copied().unwrap_or(false);
        if !reads || !at.terms().any(|t| self.departement_names.contains_key(&t.measure)) {
            return std::borrow::Cow::Borrowed(at);
        }
        let mut at = at.clone();
        for t in std::iter::once(&mut at.numerator).chain(at.denominator.as_mut()).chain(at.births.as_mut()).chain(at.deaths.as_mut()) {
            if let Some(name) = self.departement_names.get(&t.measure) {
                t.measure = name.clone();
            }
        }
        std::borrow::Cow::Owned(at)
    }

    /// Whether geography `geo` read `measure` from its départements' rows (see [`Geography`]).
    pub fn from_departements(&self, geo: usize, measure: &str) -> bool {
        self.reads_departements.get(geo).copied().unwrap_or(false) && self.by_departement.contains(measure)
    }

    /// Whether a unit without rows of `measure` counts 0 of it: for a synthetic measure (the
    /// demo leaves zero counts out), or one the facts do not give when all of theirs are
    /// synthetic; a real measure's missing row is "not given".
    pub fn missing_means_zero(&self, measure: &str) -> bool {
        self.synthetic.contains(measure) || (self.all_synthetic && !self.grid.contains_key(measure))
    }

    /// Whether every measure in `measures` is one whose missing rows mean 0.
    fn all_missing_mean_zero<'a>(&self, mut measures: impl Iterator<Item = &'a String>) -> bool {
        measures.all(|m| self.missing_means_zero(m))
    }

    /// How many base units of geography `geo` have data for `measure` (where a missing row
    /// means 0, see [`Aggregated::missing_means_zero`], all of them).
    pub fn covered(&self, geo: usize, measure: &str) -> usize {
        if self.missing_means_zero(measure) {
            return self.units.get(geo).copied().unwrap_or(0);
        }
        self.coverage(geo, measure)
    }

    /// How many base units of geography `geo` have rows of `measure`.
    fn coverage(&self, geo: usize, measure: &str) -> usize {
        self.measure_ids.get(measure).and_then(|&m| self.covered.get(geo * self.measures + m)).copied().unwrap_or(0)
    }

    /// The cells of `measure` in geography `geo` (`None`: none).
    fn cells_of(&self, geo: usize, measure: &str) -> Option<&[Cell]> {
        let k = geo * self.measures + self.measure_ids.get(measure)?;
        let (start, end) = (*self.cell_ranges.get(k)? as usize, *self.cell_ranges.get(k + 1)? as usize);
        (end > start).then(|| &self.cell_list[start..end])
    }

    /// The total of `measure` (all sexes, all ages) in geography `geo` when every unit of it
    /// has data for it (an area: no commune counts 0 for want of its row), else `None`.
    pub fn whole(&self, geo: usize, measure: &str) -> Option<f64> {
        if self.units.get(geo).is_none_or(|&n| n == 0 || self.covered(geo, measure) < n) {
            return None;
        }
        self.total(geo, &Term { measure: measure.to_owned(), sex: None, age_min: None, age_max: None }).ok()
    }

    /// Aggregate the geographies of several layers (e.g. all EPCI, all départements) in
    /// one pass; geography indices follow the layers' order.
    pub fn by_layers(facts: &Interned, layers: &[&[Geography]]) -> Result<Aggregated> {
        let all: Vec<Geography> = layers.iter().flat_map(|l| l.iter().cloned()).collect();
        facts.aggregate(&all)
    }
}

/// The communes split into municipal arrondissements (Paris, Marseille, Lyon: PLM law), with
/// their number of arrondissements.
const WHOLE_CITIES: [(&str, usize); 3] = [("75056", 20), ("13055", 16), ("69123", 9)];

/// Why a term has no value.
type Missing = Withheld;

impl Aggregated {
    /// The cells a term selects in a geography. Where the data has both totals and
    /// breakdowns (a sex `all` row and M/F rows; an all-ages row and age bands), the term
    /// takes one of them only, never both: totals when it asks for no breakdown, else the
    /// breakdown. `banded` asks for age bands whatever the term says.
    fn select(&self, geo: usize, term: &Term, banded: bool) -> std::result::Result<Vec<Cell>, Missing> {
        // The choice is made on the measure's grid, so that it is the same in every
        // geography (and made once); a geography's missing cell counts 0.
        let key = (term.clone(), banded);
        let cached = self.choices.lock().ok().and_then(|c| c.get(&key).cloned());
        let chosen = match cached {
            Some(c) => c?,
            None => {
                let c = self.choose(term, banded);
                if let Ok(mut cache) = self.choices.lock() {
                    cache.insert(key, c.clone());
                }
                c?
            }
        };
        let here = self.cells_of(geo, &term.measure);
        Ok(chosen
            .into_iter()
            .map(|(sex, age_min, age_max)| {
                here.and_then(|cells| cells.iter().find(|c| c.sex == sex && c.age_min == age_min && c.age_max == age_max)).copied().unwrap_or(Cell {
                    sex,
                    age_min,
                    age_max,
                    value: Some(0.0),
                })
            })
            .collect())
    }

    /// The grid cells (sex, age band) a term takes, the same in every geography.
    fn choose(&self, term: &Term, banded: bool) -> Choice {
        let grid = self
            .grid
            .get(&term.measure)
            .ok_or_else(|| Withheld::MissingInput { detail: format!("mesure «{}» absente des données", term.measure) })?;
        let wants_total = !banded && term.age_min.is_none() && term.age_max.is_none();
        // Both sexes: the `all` cells when they give what the term asks (a total, or bands that
        // cover its ages exactly), else the cells by sex when those do (real totals beside a
        // breakdown by sex and age: the demo data), else the `all` cells (whose gaps are said
        // below), or every cell when there is no `all` cell.
        let serves = |cells: &[&GridCell], sex: Sex| {
            let bands: Vec<(u32, Option<u32>)> =
                cells.iter().filter(|c| c.0 == sex && c.1.is_some() && term.selects_band(c.1, c.2)).filter_map(|c| Some((c.1?, c.2))).collect();
            if wants_total {
                cells.iter().any(|c| c.0 == sex && c.1.is_none())
            } else {
                tiling(&bands, term.age_min.unwrap_or(0), term.age_max).is_some()
            }
        };
        let all_cells: Vec<&GridCell> = grid.iter().filter(|c| c.0 == Sex::All).collect();
        let by_sex: Vec<&GridCell> = grid.iter().filter(|c| c.0 != Sex::All).collect();
        let inside = |cells: &[&GridCell]| cells.iter().filter(|c| c.1.is_some() && term.selects_band(c.1, c.2)).count();
        let sexed: Vec<&GridCell> = match term.sex() {
            Some(s) => grid.iter().filter(|c| c.0 == s).collect(),
            None if all_cells.is_empty() => grid.iter().collect(),
            None if serves(&all_cells, Sex::All) || by_sex.is_empty() => all_cells,
            None if [Sex::Male, Sex::Female].iter().all(|&s| serves(&by_sex, s)) => by_sex,
            // Neither: the cells that come closest, whose gap is said below.
            None if !wants_total && inside(&by_sex) > inside(&all_cells) => by_sex,
            None => all_cells,
        };
        let candidates = sexed.clone();
        let has_total = sexed.iter().any(|c| c.1.is_none());
        let mut tiled = true;
        let chosen: Vec<&GridCell> = if wants_total && has_total {
            sexed.into_iter().filter(|c| c.1.is_none()).collect()
        } else {
            // Per sex, the bands inside the term's ages. Where a file gives several band sets
            // side by side (INSEE's evolution bases: 0-14/15-29…, 0-19/20-64/65+, 0-2/3-5…),
            // the finest set of bands that covers the ages exactly, once; else all of them
            // (the check below refuses a band that straddles a limit).
            let mut sexes: Vec<Sex> = sexed.iter().map(|c| c.0).collect();
            sexes.sort_by_key(|s| s.code());
            sexes.dedup();
            let mut out = Vec::new();
            for sex in sexes {
                let inside: Vec<&GridCell> = sexed.iter().filter(|c| c.0 == sex && c.1.is_some() && term.selects_band(c.1, c.2)).copied().collect();
                let bands: Vec<(u32, Option<u32>)> = inside.iter().filter_map(|c| Some((c.1?, c.2))).collect();
                match tiling(&bands, term.age_min.unwrap_or(0), term.age_max) {
                    Some(t) => out.extend(inside.into_iter().filter(|c| c.1.is_some_and(|a| t.contains(&(a, c.2))))),
                    None => {
                        tiled = false;
                        out.extend(inside);
                    }
                }
            }
            out
        };
        if chosen.is_empty() {
            let which = match (term.sex(), term.age_min.is_some() || term.age_max.is_some()) {
                (Some(_), true) => "pour ce sexe et ces âges",
                (Some(_), false) => "pour ce sexe",
                (None, _) => "pour ces âges",
            };
            return Err(Withheld::MissingInput { detail: format!("aucune donnée de «{}» {which}", term.measure) });
        }
        // A data band straddling the term's limits (15-19 for "0-17") would be silently
        // left out: refuse rather than give a wrong share (unless another band set of the
        // data covers the ages exactly).
        if !tiled && (term.age_min.is_some() || term.age_max.is_some()) {
            let straddles = |&(sex, min, max): &GridCell| {
                let Some(min) = min else { return false };
                if term.sex().is_some_and(|s| s != sex) {
                    return false;
                }
                let inside = term.selects_band(Some(min), max);
                let overlaps = term.age_max.is_none_or(|z| min <= z) && max.is_none_or(|m| term.age_min.is_none_or(|a| m >= a));
                overlaps && !inside
            };
            // Among the cells considered first (their sex), then any.
            if let Some(&(_, min, max)) = candidates.iter().copied().find(|c| straddles(c)).or_else(|| grid.iter().find(|c| straddles(c))) {
                return Err(Withheld::MissingInput {
                    detail: format!(
                        "la tranche d'âge {} des données chevauche les limites demandées ({})",
                        crate::facts::AgeBand::new(min, max),
                        crate::facts::AgeBand::new(term.age_min.or(Some(0)), term.age_max)
                    ),
                });
            }
        }
        Ok(chosen.into_iter().copied().collect())
    }

    /// The cells of a measure in a geography, by sex and age band (the projection reads the
    /// pyramid this way); a grid cell the geography lacks counts 0.
    pub fn breakdown(&self, geo: usize, measure: &str, sex: Sex) -> Vec<(Option<u32>, Option<u32>, Option<f64>)> {
        let term = Term { measure: measure.to_owned(), sex: Some(sex.code().to_owned()), age_min: None, age_max: None };
        self.select(geo, &term, true).map(|cells| cells.into_iter().map(|c| (c.age_min, c.age_max, c.value)).collect()).unwrap_or_default()
    }

    /// Σ of the selected cells (`Err` when absent or suppressed).
    pub(super) fn total(&self, geo: usize, term: &Term) -> std::result::Result<f64, Missing> {
        let cells = self.select(geo, term, false)?;
        cells.iter().try_fold(0.0, |acc, c| c.value.map(|v| acc + v)).ok_or(Withheld::SecretInput)
    }

    /// The age bands a term takes in a geography (the finest set that covers its ages, both
    /// sexes added), with their counts: (age_min, age_max, count).
    pub(super) fn bands(&self, geo: usize, term: &Term) -> std::result::Result<Vec<(u32, Option<u32>, f64)>, Missing> {
        let mut out: Vec<(u32, Option<u32>, f64)> = Vec::new();
        for c in self.select(geo, term, true)? {
            let (Some(min), Some(v)) = (c.age_min, c.value) else {
                return Err(Withheld::SecretInput);
            };
            match out.iter_mut().find(|b| b.0 == min && b.1 == c.age_max) {
                Some(b) => b.2 += v,
                None => out.push((min, c.age_max, v)),
            }
        }
        Ok(out)
    }

    /// Counts summed into the bands given by `band_of` (a band index from an age band).
    pub(super) fn by_band(
        &self,
        geo: usize,
        term: &Term,
        nbands: usize,
        band_of: fn(u32, Option<u32>) -> Option<usize>,
    ) -> std::result::Result<Vec<f64>, Missing> {
        let mut out = vec![0.0; nbands];
        for c in self.select(geo, term, true)? {
            let (Some(min), Some(v)) = (c.age_min, c.value) else {
                return Err(Withheld::SecretInput);
            };
            let b = band_of(min, c.age_max).ok_or_else(|| Withheld::NotComputable {
                detail: format!("tranche d'âge {} incompatible avec la méthode", crate::facts::AgeBand::new(Some(min), c.age_max)),
            })?;
            out[b] += v;
        }
        Ok(out)
    }
}

/// Index among the 19 standard bands (0-4 … 85-89, 90+) of a data band, if it lies in one.
pub(super) fn standard_band(min: u32, max: Option<u32>) -> Option<usize> {
    let i = (min / 5).min(18) as usize;
    let end = standards::STANDARD_BAND_STARTS.get(i + 1).map(|s| s - 1);
    match (end, max) {
        (None, _) => Some(i),
        (Some(e), Some(m)) if m <= e => Some(i),
        _ => None,
    }
}

/// Index among the 20 life-table bands (0, 1-4, 5-9 … 85-89, 90+).
pub(super) fn life_band(min: u32, max: Option<u32>) -> Option<usize> {
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
    /// Why there is no value, when there is none: every output reads this.
    pub withheld: Option<Withheld>,
}

impl Value {
    /// A value withheld for `why`: no count, no estimate, no interval.
    pub fn withheld(method: stats::Method, why: Withheld) -> Value {
        // The reason is the status; the estimate's note is for caveats of a shown value.
        let estimate = Estimate { value: None, limits: vec![None; DEFAULT_LEVELS.len()], method, note: None };
        Value { count: None, denominator: None, estimate, withheld: Some(why) }
    }

    /// Withhold this value for `why` (its count and interval included).
    pub fn withhold(&mut self, why: Withheld) {
        *self = Value::withheld(self.estimate.method, why);
    }

    /// Whether it is withheld for statistical secrecy.
    pub fn is_secret(&self) -> bool {
        self.withheld.as_ref().is_some_and(Withheld::is_secret)
    }

    /// What the tables' `note` says: why it is withheld, or its caveat.
    pub fn note(&self) -> Option<String> {
        match &self.withheld {
            Some(w) => Some(w.french()),
            None => self.estimate.note.clone(),
        }
    }

    /// The `status` column: empty when there is a value.
    pub fn status(&self) -> &'static str {
        self.withheld.as_ref().map_or("", Withheld::code)
    }

    pub(super) fn computed(count: f64, denominator: Option<f64>, estimate: Estimate) -> Value {
        Value { count: Some(count), denominator, estimate, withheld: None }
    }

    /// Counted, but the method gives no value (`why`): the count is kept, so that secrecy
    /// still judges it.
    pub(super) fn refused(count: f64, denominator: Option<f64>, estimate: Estimate, why: Withheld) -> Value {
        let estimate = Estimate { note: None, ..estimate };
        Value { count: Some(count), denominator, estimate, withheld: Some(why) }
    }
}

/// The share of a geography's units a real measure must cover for a value to be given
/// (with a note « données incomplètes » under 100 %): France without Mayotte's census, an EPCI
/// with a commune created since the census, a file missing a few secret or unknown communes
/// still give theirs; a département of which a CPTS's roster lists a few communes, a région
/// of which one département's file was read, do not.
pub const MIN_COVERAGE: f64 = 0.5;

/// A number of communes in a French sentence (« 34 917 »).
fn count(n: usize) -> String {
    crate::output::number(n as f64, 0)
}

/// Compute `indicator` in geography `geo`: its method's value (see [`Method::compute`]), then
/// the rules common to all methods (coverage of the terms, primary secrecy). `france` is the
/// index of France (the reference of the ICM).
pub fn compute(indicator: &Indicator, agg: &Aggregated, geo: usize, france: usize) -> Value {
    let method = indicator.method.interval();
    let mut value = indicator.method.compute(indicator, agg, geo, france).unwrap_or_else(|why| Value::withheld(method, why));
    // A ratio of two totals (a density, a growth rate) has no meaning when its terms cover
    // different communes: withheld rather than noted.
    let terms = || indicator.terms().map(|t| &t.measure);
    if !agg.all_missing_mean_zero(terms()) && indicator.method.needs_same_coverage() && value.withheld.is_none() {
        // Every other term (the denominator; the births and deaths of a growth component)
        // against the numerator.
        let a = agg.covered(geo, &indicator.numerator.measure);
        if let Some((other, b)) = indicator.terms().skip(1).map(|t| (&t.measure, agg.covered(geo, &t.measure))).find(|&(_, b)| b != a) {
            value = Value::withheld(
                method,
                Withheld::UnequalCoverage {
                    numerator: indicator.numerator.measure.clone(),
                    numerator_units: a,
                    denominator: other.clone(),
                    denominator_units: b,
                },
            );
        }
    }
    // A real measure given for none of the geography's communes (Mayotte, without census
    // figures in the default data): not given, rather than a sum of nothing (or a division by
    // it).
    // Nor is one given for a small part of them: a département's value summed over the few
    // communes a territory's file lists (a CPTS's roster, a commune file of one département
    // read for its région) is not the département's. Under [`MIN_COVERAGE`] of the units, the
    // value is withheld; above it, noted (below). A value withheld for secrecy stays secret:
    // secondary suppression must still protect it.
    if !matches!(value.withheld, Some(Withheld::MissingInput { .. })) && !value.withheld.as_ref().is_some_and(Withheld::is_secret) {
        let all = agg.units.get(geo).copied().unwrap_or(0);
        let partial = terms().find_map(|m| {
            let have = agg.covered(geo, m);
            (!agg.missing_means_zero(m) && all > 0 && (have as f64) < MIN_COVERAGE * all as f64).then_some((m, have))
        });
        if let Some((m, have)) = partial {
            let detail = match have {
                0 => format!("«{m}» absent pour toutes les communes"),
                1 => format!("«{m}» donné pour 1 commune sur {} seulement", count(all)),
                _ => format!("«{m}» donné pour {} communes sur {} seulement", count(have), count(all)),
            };
            value = Value::withheld(method, Withheld::MissingInput { detail });
        }
    }
    if value.withheld.is_none() {
        let mut measures: Vec<&String> = terms().filter(|m| !agg.missing_means_zero(m)).collect();
        measures.dedup();
        let lacking: Vec<String> = measures
            .into_iter()
            .filter_map(|measure| {
                let have = agg.coverage(geo, measure);
                let all = agg.units.get(geo).copied().unwrap_or(0);
                (have < all).then(|| {
                    let missing = all - have;
                    format!("«{measure}» absent pour {} commune{} sur {}", count(missing), if missing > 1 { "s" } else { "" }, count(all))
                })
            })
            .collect();
        if !lacking.is_empty() {
            let note = format!("données incomplètes : {}", lacking.join(", "));
            value.estimate.note = Some(match value.estimate.note.take() {
                Some(n) => format!("{n} ; {note}"),
                None => note,
            });
        }
    }
    suppress(indicator, value)
}

/// Statistical secrecy: below `min_count` events the value, its interval and the count are
/// withheld. (The national table and the benchmarks add secondary suppression, and a
/// territory's counts are withheld where a difference with a published geography would
/// give one under the threshold: see `compare::secrecy`.)
fn suppress(indicator: &Indicator, v: Value) -> Value {
    match v.count {
        Some(c) if c < indicator.min_count => Value::withheld(v.estimate.method, Withheld::Secret { threshold: indicator.min_count }),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column of several chunks is read by row index, in order or not, nulls included.
    #[test]
    fn chunks_are_followed_by_row_index() {
        let mut column = Int32Chunked::from_slice("y".into(), &[1, 2, 3]);
        column.append(&Int32Chunked::from_slice_options("y".into(), &[Some(4), None])).unwrap();
        column.append(&Int32Chunked::from_slice("y".into(), &[])).unwrap();
        column.append(&Int32Chunked::from_slice("y".into(), &[6])).unwrap();
        let mut rows = Chunks::of(&column);
        let read: Vec<Option<i32>> = (0..7).map(|i| rows.get(i)).collect();
        assert_eq!(read, [Some(1), Some(2), Some(3), Some(4), None, Some(6), None], "row 6 is past the end");
        assert_eq!((rows.get(0), rows.get(5), rows.get(3)), (Some(1), Some(6), Some(4)), "backwards too");
    }

    /// Rows pushed from several frames, some renamed, are the rows of the frames stacked.
    #[test]
    fn rows_pushed_from_frames_are_interned_in_order() {
        let frame = |geo: &[&str], value: &[f64]| {
            DataFrame::new_infer_height(vec![
                Column::new("geo".into(), geo),
                Column::new("measure".into(), vec!["population"; geo.len()]),
                Column::new("sex".into(), vec!["all"; geo.len()]),
                Column::new("age_min".into(), vec![None::<u32>; geo.len()]),
                Column::new("age_max".into(), vec![None::<u32>; geo.len()]),
                Column::new("value".into(), value),
                Column::new("year".into(), vec![2021; geo.len()]),
            ])
            .unwrap()
        };
        let (a, b) = (frame(&["30003", "30006"], &[10.0, 20.0]), frame(&["30006", "30007"], &[1.0, 2.0]));
        let mut facts = Interned::empty();
        facts.push(&Columns::of(&a).unwrap(), 0..2, None);
        facts.push(&Columns::of(&b).unwrap(), [1], None);
        facts.push(&Columns::of(&b).unwrap(), [0], Some(&|m: &str, y: i32| format!("{m}@{y}")));
        let read = facts.frame().unwrap();
        let text = |c: &str| read.column(c).unwrap().str().unwrap().iter().map(|v| v.unwrap_or_default().to_owned()).collect::<Vec<_>>();
        assert_eq!(text("geo"), ["30003", "30006", "30007", "30006"]);
        assert_eq!(text("measure"), ["population", "population", "population", "population@2021"]);
        assert_eq!(read.column("value").unwrap().f64().unwrap().into_no_null_iter().collect::<Vec<_>>(), [10.0, 20.0, 2.0, 1.0]);
        let geo = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| (*u).to_owned()).collect() };
        let agg = facts.aggregate(&[geo("t", &["30006", "30007"])]).unwrap();
        assert_eq!(agg.whole(0, "population"), Some(22.0), "20 + 2: the row renamed is not the measure's");
    }

    #[test]
    fn overlapping_band_sets_are_read_once() {
        // INSEE's evolution base: 0-14/15-29/30+ and 0-2/3-17/18-39/40+ side by side (and the
        // total), for 100 people.
        let rows: [(Option<u32>, Option<u32>, f64); 8] = [
            (None, None, 100.0),
            (Some(0), Some(14), 15.0),
            (Some(15), Some(29), 20.0),
            (Some(30), None, 65.0),
            (Some(0), Some(2), 3.0),
            (Some(3), Some(17), 16.0),
            (Some(18), Some(39), 26.0),
            (Some(40), None, 55.0),
        ];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), vec!["a"; 8]),
            Column::new("measure".into(), vec!["population"; 8]),
            Column::new("sex".into(), vec!["all"; 8]),
            Column::new("age_min".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        ])
        .unwrap();
        let agg = aggregate(&facts, &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap();
        let total = |min: Option<u32>, max: Option<u32>| agg.total(0, &Term { measure: "population".into(), sex: None, age_min: min, age_max: max });
        assert_eq!(total(None, Some(14)), Ok(15.0));
        assert_eq!(total(None, Some(17)), Ok(19.0));
        assert_eq!(total(Some(18), Some(39)), Ok(26.0));
        assert_eq!(total(Some(30), None), Ok(65.0));
        assert_eq!(total(None, None), Ok(100.0));
        // No band set ends at 16: refused, naming a band that crosses the limit.
        assert!(total(None, Some(16)).unwrap_err().french().contains("chevauche"));
        assert_eq!(tiling(&[(0, Some(4)), (5, None), (0, Some(0)), (1, Some(4))], 0, None), Some(vec![(0, Some(0)), (1, Some(4)), (5, None)]));
        assert_eq!(tiling(&[(0, Some(4)), (10, None)], 0, None), None, "a gap");
    }

    #[test]
    fn a_density_over_communes_without_area_is_withheld() {
        // Population for two communes, area for one: no density for the pair, one for the
        // commune that has both.
        let rows = [("a", "population", 1000.0), ("b", "population", 3000.0), ("a", "area_km2", 10.0)];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; 3]),
            Column::new("age_min".into(), vec![None::<u32>; 3]),
            Column::new("age_max".into(), vec![None::<u32>; 3]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        ])
        .unwrap();
        let g = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| u.to_string()).collect() };
        let agg = aggregate(&facts, &[g("pair", &["a", "b"]), g("a", &["a"]), g("fr", &["a", "b"])]).unwrap();
        let density = crate::indicators::catalogue::parse(
            "[[indicator]]\nid = \"d\"\nlabel = \"d\"\ntheme = \"t\"\nmethod = \"ratio\"\nnumerator = { measure = \"population\" }\n\
             denominator = { measure = \"area_km2\" }\npolarity = \"neutral\"\nsource = \"s\"\n",
            "test",
        )
        .unwrap()
        .remove(0);
        let pair = compute(&density, &agg, 0, 2);
        assert_eq!(pair.estimate.value, None);
        assert!(pair.note().unwrap().contains("«area_km2» pour 1"), "{:?}", pair.note());
        assert!(matches!(pair.withheld, Some(Withheld::UnequalCoverage { .. })));
        assert_eq!(compute(&density, &agg, 1, 2).estimate.value, Some(100.0));
    }

    #[test]
    fn a_missing_row_means_zero_only_for_a_synthetic_measure() {
        // Real population for a and b, a real area for a only, synthetic GPs for a only.
        let rows = [("a", "population", false), ("b", "population", false), ("a", "area_km2", false), ("a", "gp", true)];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; 4]),
            Column::new("age_min".into(), vec![None::<u32>; 4]),
            Column::new("age_max".into(), vec![None::<u32>; 4]),
            Column::new("value".into(), vec![Some(1.0); 4]),
            Column::new("synthetic".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
        ])
        .unwrap();
        let pair = [Geography { id: "p".into(), name: "p".into(), units: vec!["a".into(), "b".into()] }];
        let agg = aggregate(&facts, &pair).unwrap();
        assert!(agg.missing_means_zero("gp") && !agg.missing_means_zero("area_km2"));
        assert_eq!(agg.covered(0, "gp"), 2, "the demo leaves zero counts out: b has 0 GPs");
        assert_eq!(agg.covered(0, "area_km2"), 1, "b's area is not given");
        assert!(!agg.missing_means_zero("deaths_all_causes"), "absent from data that is not all synthetic");
        // All synthetic (the demo): a measure it does not give is missing as a zero is.
        let demo = facts.clone().lazy().with_column(lit(true).alias("synthetic")).collect().unwrap();
        let agg = aggregate(&demo, &pair).unwrap();
        assert!(agg.missing_means_zero("area_km2") && agg.missing_means_zero("deaths_all_causes"));
        // No synthetic column: real data.
        let agg = aggregate(&facts.drop("synthetic").unwrap(), &pair).unwrap();
        assert!(!agg.missing_means_zero("gp"));
    }

    #[test]
    fn whole_departements_read_the_departement_rows_of_a_measure_given_by_departement_only() {
        // Nurses: synthetic communes 30001 (3) and 30002 (0, written: the demo keeps these
        // zeros), ameli's real 30 (1,814) and 34 (2,000). Population: real communes, and a real
        // département row that must not be read (the communes give it).
        let rows = [
            ("30001", "nurses", 3.0, true),
            ("30002", "nurses", 0.0, true),
            ("30", "nurses", 1814.0, false),
            ("34", "nurses", 2000.0, false),
            ("30001", "population", 100.0, false),
            ("30002", "population", 50.0, false),
            ("34001", "population", 70.0, false),
            ("30", "population", 999_999.0, false),
        ];
        let n = rows.len();
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; n]),
            Column::new("age_min".into(), vec![None::<u32>; n]),
            Column::new("age_max".into(), vec![None::<u32>; n]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
            Column::new("synthetic".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        ])
        .unwrap();
        let g = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| u.to_string()).collect() };
        let geos = [
            g("t", &["30001", "30002"]),
            g("30", &["30001", "30002", &departement_rows("30")]),
            g("r", &["30001", "30002", "34001", &departement_rows("30"), &departement_rows("34")]),
        ];
        let agg = aggregate(&facts, &geos).unwrap();
        let whole = |geo: usize, m: &str| agg.whole(geo, m);
        assert_eq!([whole(0, "nurses"), whole(1, "nurses"), whole(2, "nurses")], [Some(3.0), Some(1814.0), Some(3814.0)]);
        assert_eq!([whole(0, "population"), whole(1, "population"), whole(2, "population")], [Some(150.0), Some(150.0), Some(220.0)]);
        assert!(agg.from_departements(1, "nurses") && agg.from_departements(2, "nurses"));
        assert!(!agg.from_departements(0, "nurses") && !agg.from_departements(1, "population"));
        // The communes' nurses are synthetic (a missing row is 0); the départements cover theirs.
        assert!(agg.missing_means_zero("nurses"));
        assert_eq!((agg.covered(0, "nurses"), agg.covered(1, "nurses"), agg.covered(2, "nurses")), (2, 2, 3));
        assert_eq!(agg.covered(2, "population"), 3, "a département-rows unit is no base unit");
        // Without département-rows units, every geography sums its communes, as before.
        let plain = [g("t", &["30001", "30002"]), g("30", &["30001", "30002"])];
        let agg = aggregate(&facts, &plain).unwrap();
        assert_eq!([agg.whole(0, "nurses"), agg.whole(1, "nurses")], [Some(3.0), Some(3.0)]);
        assert!(!agg.from_departements(1, "nurses"));
    }

    /// INSEE's estimates give the départements' population of 2019 and 2021 (département
    /// rows only), the census the communes' of 2021: the population's series has the points
    /// 2019 and 2021; the département reads both from its estimates (its latest value from
    /// its communes' census), the territory its census of 2021 only.
    #[test]
    fn a_year_given_by_departement_rows_only_is_a_point_of_the_series() {
        let rows = [
            ("30001", "population", 2021, 100.0),
            ("30002", "population", 2021, 50.0),
            ("30", "population@2019", 2019, 140.0),
            ("30", "population@2021", 2021, 148.0),
        ];
        let n = rows.len();
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("year".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; n]),
            Column::new("age_min".into(), vec![None::<u32>; n]),
            Column::new("age_max".into(), vec![None::<u32>; n]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
            Column::new("synthetic".into(), vec![false; n]),
        ])
        .unwrap();
        let g = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| u.to_string()).collect() };
        let geos = [g("t", &["30001"]), g("30", &["30001", "30002", &departement_rows("30")])];
        let agg = aggregate(&facts, &geos).unwrap();
        assert_eq!(agg.series["population"], [(2019, "population@2019".to_owned()), (2021, "population".to_owned())]);
        assert_eq!([agg.whole(1, "population@2019"), agg.whole(1, "population")], [Some(140.0), Some(150.0)]);
        assert_eq!(agg.whole(0, "population@2019"), None, "the territory's communes are not in the estimates");
        let count = |measure: &str| {
            let entry = format!(
                "[[indicator]]\nid = \"p\"\nlabel = \"P\"\ntheme = \"t\"\nmethod = \"count\"\nnumerator = {{ measure = \"{measure}\" }}\npolarity = \"neutral\"\nsource = \"s\"\n"
            );
            crate::indicators::catalogue::parse(&entry, "test").unwrap().remove(0)
        };
        let latest = count("population");
        assert_eq!(agg.series_for(&latest, 1).numerator.measure, "population@2021", "the département's estimate of 2021");
        assert_eq!(agg.series_for(&latest, 0).numerator.measure, "population", "the territory's census");
        assert_eq!(compute(&latest, &agg, 1, 1).estimate.value, Some(150.0), "its latest value: its communes' census");
    }

    #[test]
    fn real_totals_beside_a_synthetic_breakdown_by_sex_and_age() {
        // The demo data: commune a's real population (all ages, and the 15-64) and its split by
        // sex and age from the generator, summing to it; commune b has no real row.
        type Row<'a> = (&'a str, &'a str, Option<u32>, Option<u32>, f64, bool);
        let rows: [Row; 9] = [
            ("a", "all", None, None, 100.0, false),
            ("a", "all", Some(15), Some(64), 60.0, false),
            ("a", "M", Some(0), Some(14), 10.0, true),
            ("a", "M", Some(15), Some(64), 30.0, true),
            ("a", "M", Some(65), None, 8.0, true),
            ("a", "F", Some(0), Some(14), 11.0, true),
            ("a", "F", Some(15), Some(64), 30.0, true),
            ("a", "F", Some(65), None, 11.0, true),
            ("b", "F", Some(65), None, 5.0, true),
        ];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), vec!["population"; 9]),
            Column::new("sex".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("age_min".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>()),
            Column::new("synthetic".into(), rows.iter().map(|r| r.5).collect::<Vec<_>>()),
        ])
        .unwrap();
        let agg = aggregate(&facts, &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap();
        let term = |sex: Option<&str>, min: Option<u32>, max: Option<u32>| Term {
            measure: "population".into(),
            sex: sex.map(str::to_owned),
            age_min: min,
            age_max: max,
        };
        assert_eq!(agg.total(0, &term(None, None, None)), Ok(100.0), "the real total");
        assert_eq!(agg.total(0, &term(None, Some(65), None)), Ok(19.0), "the ages the real cells do not give: the breakdown, both sexes");
        assert_eq!(agg.total(0, &term(None, Some(15), Some(64))), Ok(60.0), "the real 15-64");
        assert_eq!(agg.total(0, &term(Some("F"), None, None)), Ok(52.0));
        let bands = agg
            .by_band(0, &term(None, None, None), 3, |a, _| {
                Some(if a < 15 {
                    0
                } else if a < 65 {
                    1
                } else {
                    2
                })
            })
            .unwrap();
        assert_eq!(bands, [21.0, 60.0, 19.0], "by band (a standardisation): the breakdown, both sexes");
        assert!(!agg.missing_means_zero("population"), "real rows: a commune without them is not given");
        // A geography none of whose communes has the measure (c: no row at all): not given, not 0.
        let g = |id: &str| Geography { id: id.into(), name: id.into(), units: vec![id.into()] };
        let agg = aggregate(&facts, &[g("a"), g("c")]).unwrap();
        let count = crate::indicators::catalogue::parse(
            "[[indicator]]\nid = \"p\"\nlabel = \"p\"\ntheme = \"t\"\nmethod = \"count\"\nnumerator = { measure = \"population\" }\npolarity = \"neutral\"\nsource = \"s\"\n",
            "test",
        )
        .unwrap()
        .remove(0);
        assert_eq!(compute(&count, &agg, 0, 0).estimate.value, Some(100.0));
        let c = compute(&count, &agg, 1, 0);
        assert_eq!(c.estimate.value, None);
        assert!(matches!(&c.withheld, Some(Withheld::MissingInput { detail }) if detail.contains("toutes les communes")), "{:?}", c.withheld);
        // Given for under half of a geography's communes: withheld, naming how few (a sum of
        // them is not the geography's); for half or more, given with a note.
        let units = |ids: &[&str]| Geography { id: ids.join("+"), name: "g".into(), units: ids.iter().map(|u| u.to_string()).collect() };
        let agg = aggregate(&facts, &[units(&["a", "c", "d"]), units(&["a", "c"])]).unwrap();
        let third = compute(&count, &agg, 0, 0);
        assert_eq!(third.estimate.value, None);
        assert!(
            matches!(&third.withheld, Some(Withheld::MissingInput { detail }) if detail == "«population» donné pour 1 commune sur 3 seulement"),
            "{:?}",
            third.withheld
        );
        let half = compute(&count, &agg, 1, 0);
        assert_eq!(half.estimate.value, Some(100.0));
        assert_eq!(half.estimate.note.as_deref(), Some("données incomplètes : «population» absent pour 1 commune sur 2"));
    }

    #[test]
    fn band_index_holds_small_ages_open_ends_and_odd_ones() {
        let mut b = BandIndex::default();
        let bands = [(Some(0), Some(0)), (Some(1), Some(4)), (Some(95), None), (None, None), (Some(200), Some(210)), (None, Some(14))];
        for (i, &band) in bands.iter().enumerate() {
            assert_eq!(b.get(band), None);
            b.insert(band, i);
        }
        for (i, &band) in bands.iter().enumerate() {
            assert_eq!(b.get(band), Some(i), "{band:?}");
        }
        assert_eq!(b.get((Some(1), Some(3))), None);
    }

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
