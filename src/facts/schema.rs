//! The fact table's columns, defined once, with the parquet I/O and the validator that turns
//! a foreign or damaged file of a `--data` folder into an input error naming the file and
//! the column. Files written before a column existed still load: [`complete`] gives the
//! missing columns their defaults. The atomic write lives here, under `output`, so that both
//! use it without a cycle.

use std::fs;
use std::path::Path;

use polars::prelude::*;

use super::{Kind, Level, Origin};
use crate::error::{Error, Location, Result};

/// What a column holds, and the type it is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// Whole numbers, read as i32 (years).
    Year,
    /// Whole numbers ≥ 0, read as u32 (ages).
    Age,
    /// Any number, read as f64.
    Number,
    /// true/false.
    Flag,
}

impl ColumnType {
    fn accepts(self, dtype: &DataType) -> bool {
        dtype.is_null()
            || match self {
                ColumnType::Text => matches!(dtype, DataType::String),
                ColumnType::Year | ColumnType::Age => dtype.is_integer(),
                ColumnType::Number => dtype.is_primitive_numeric(),
                ColumnType::Flag => matches!(dtype, DataType::Boolean),
            }
    }

    pub fn dtype(self) -> DataType {
        match self {
            ColumnType::Text => DataType::String,
            ColumnType::Year => DataType::Int32,
            ColumnType::Age => DataType::UInt32,
            ColumnType::Number => DataType::Float64,
            ColumnType::Flag => DataType::Boolean,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Year => "whole numbers",
            ColumnType::Age => "whole numbers ≥ 0",
            ColumnType::Number => "numbers",
            ColumnType::Flag => "true/false",
        }
    }
}

/// One column of a file: its name, type, and whether a file must have it.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    pub required: bool,
}

const fn spec(name: &'static str, ty: ColumnType, required: bool) -> ColumnSpec {
    ColumnSpec { name, ty, required }
}

/// The fact table, in the order it is written. `year` is the end of the period (the year a
/// value is read at); the columns after `value`, absent from files written before them,
/// default to: level `commune`, the period `year`-`year`, kind `count`, the provenance read
/// from the file's name, not synthetic.
pub const FACT_COLUMNS: [ColumnSpec; 17] = [
    spec("geo", ColumnType::Text, true),
    spec("level", ColumnType::Text, false),
    spec("year", ColumnType::Year, true),
    spec("year_start", ColumnType::Year, false),
    spec("year_end", ColumnType::Year, false),
    spec("measure", ColumnType::Text, true),
    spec("sex", ColumnType::Text, true),
    spec("age_min", ColumnType::Age, true),
    spec("age_max", ColumnType::Age, true),
    spec("value", ColumnType::Number, true),
    spec("kind", ColumnType::Text, false),
    spec("unit", ColumnType::Text, false),
    spec("publisher", ColumnType::Text, false),
    spec("dataset", ColumnType::Text, false),
    spec("synthetic", ColumnType::Flag, false),
    spec("source", ColumnType::Text, false),
    spec("suppressed", ColumnType::Flag, false),
];

/// The names of [`FACT_COLUMNS`].
pub fn fact_column_names() -> Vec<&'static str> {
    FACT_COLUMNS.iter().map(|c| c.name).collect()
}

/// The columns of `roster.parquet`; a roster without `profession` is all GPs.
pub const ROSTER_COLUMNS: [ColumnSpec; 9] = [
    spec("id", ColumnType::Text, true),
    spec("geo", ColumnType::Text, true),
    spec("birth_year", ColumnType::Year, true),
    spec("profession", ColumnType::Text, false),
    spec("sex", ColumnType::Text, false),
    spec("activity", ColumnType::Number, false),
    spec("installation_year", ColumnType::Year, false),
    // The demo's roster says it is synthetic; one ingested is real (the column absent).
    spec("synthetic", ColumnType::Flag, false),
    // Where it lists every professional (`ingest roster --covers`): `france` or département
    // codes (`17,79`); absent, the territory a command is about.
    spec("covers", ColumnType::Text, false),
];

/// The columns of a `rezone-*.parquet` (see `ingest::rezone`).
pub const REZONE_COLUMNS: [ColumnSpec; 8] = [
    spec("indicator", ColumnType::Text, true),
    spec("territory", ColumnType::Text, true),
    spec("value", ColumnType::Number, true),
    spec("count", ColumnType::Number, true),
    spec("departement", ColumnType::Number, true),
    spec("region", ColumnType::Number, true),
    spec("france", ColumnType::Number, true),
    spec("source", ColumnType::Text, true),
];

/// `df` (read from `path`, expected to be `what`) with `columns` checked and cast to the types
/// the diagnostics read, so that a foreign or damaged file is refused naming the file and the
/// column instead of failing deep inside a computation.
pub fn conform(mut df: DataFrame, path: &Path, what: &str, columns: &[ColumnSpec]) -> Result<DataFrame> {
    let at = |column: &str| Location { column: Some(column.to_owned()), ..Location::file(path.display().to_string()) };
    let hint = "files in a data folder are written by `diagsante ingest`: ingest the source table again into this folder, \
                or move this file out of it";
    let present: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    let missing: Vec<&str> = columns.iter().filter(|c| c.required && !present.iter().any(|p| p == c.name)).map(|c| c.name).collect();
    if let Some(first) = missing.first() {
        let also = if missing.len() > 1 { format!(" (nor {})", missing[1..].join(", ")) } else { String::new() };
        return Err(Error::input(at(first), format!("not {what}: no column «{first}»{also}; its columns are: {}", present.join(", ")), hint));
    }
    for c in columns {
        let Ok(column) = df.column(c.name) else { continue };
        let dtype = column.dtype().clone();
        if !c.ty.accepts(&dtype) {
            return Err(Error::input(at(c.name), format!("column «{}» holds {dtype}, not {}", c.name, c.ty.describe()), hint));
        }
        if dtype != c.ty.dtype() {
            let cast = column.strict_cast(&c.ty.dtype()).map_err(|_| {
                Error::input(at(c.name), format!("column «{}» has values that are not {} (or too large)", c.name, c.ty.describe()), hint)
            })?;
            df.replace(c.name, cast)?;
        }
    }
    Ok(df)
}

/// A conformed fact table with every column of [`FACT_COLUMNS`], in order: a file written
/// before a column existed gets its default (see [`FACT_COLUMNS`]; `origin`: who gave the
/// file, for its provenance). `level` and `kind` must hold known codes (`path` names the file
/// otherwise).
pub fn complete(df: DataFrame, origin: &Origin, path: &Path) -> Result<DataFrame> {
    let n = df.height();
    let present: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let has = |c: &str| present.iter().any(|n| n == c);
    let (publisher, dataset) = match origin {
        Origin::Source { publisher, dataset } => (publisher.as_str(), dataset.as_str()),
        Origin::Synthetic => ("", ""),
    };
    // A column the file lacks is one value for all its rows: a constant column, never
    // written out row by row (the demo's 9 million rows have no level, kind or source).
    let text = |v: &str| Scalar::new(DataType::String, AnyValue::StringOwned(v.into()));
    let constants = [
        ("level", text(Level::Commune.code())),
        ("kind", text(Kind::Count.code())),
        ("unit", Scalar::null(DataType::String)),
        ("publisher", text(publisher)),
        ("dataset", text(dataset)),
        ("synthetic", Scalar::new(DataType::Boolean, AnyValue::Boolean(matches!(origin, Origin::Synthetic)))),
        ("source", Scalar::null(DataType::String)),
        ("suppressed", Scalar::new(DataType::Boolean, AnyValue::Boolean(false))),
    ];
    let defaults = [
        ("level", lit(Level::Commune.code())),
        ("year_start", col("year")),
        ("year_end", col("year")),
        ("kind", lit(Kind::Count.code())),
        ("publisher", lit("")),
        ("dataset", lit("")),
        ("synthetic", lit(false)),
    ];
    // A column without nulls, of its type already, is passed as it is (not copied).
    let filled: Vec<Expr> = FACT_COLUMNS
        .iter()
        .filter(|c| has(c.name))
        .map(|c| {
            let column = df.column(c.name).ok();
            let nulls = column.is_none_or(|x| x.null_count() > 0);
            let default = defaults.iter().find(|(name, _)| *name == c.name).filter(|_| nulls);
            let e = default.map_or(col(c.name), |(_, d)| col(c.name).fill_null(d.clone()));
            let e = if column.is_some_and(|x| *x.dtype() == c.ty.dtype()) { e } else { e.cast(c.ty.dtype()) };
            e.alias(c.name)
        })
        .collect();
    let mut out = df.lazy().select(filled).collect()?;
    for (name, value) in constants {
        if !has(name) {
            out.with_column(Column::new_scalar(name.into(), value, n))?;
        }
    }
    for name in ["year_start", "year_end"] {
        if !has(name) {
            let year = out.column("year")?.clone().with_name(name.into());
            out.with_column(year)?;
        }
    }
    let out = out.select(FACT_COLUMNS.iter().map(|c| c.name))?;
    debug_assert_eq!(out.height(), n);
    let at = |column: &str| Location { column: Some(column.to_owned()), ..Location::file(path.display().to_string()) };
    for level in distinct_texts(out.column("level")?)? {
        if Level::parse(&level).is_none() {
            let known: Vec<&str> = Level::ALL.iter().map(|l| l.code()).collect();
            return Err(Error::input(at("level"), format!("unknown level «{level}»"), format!("write one of: {}", known.join(", "))));
        }
    }
    for kind in distinct_texts(out.column("kind")?)? {
        if kind != "count" && kind != "published" {
            return Err(Error::input(at("kind"), format!("unknown kind «{kind}»"), "write count or published"));
        }
    }
    Ok(out)
}

/// The distinct strings of a text column, nulls left out (a constant column read once).
fn distinct_texts(column: &Column) -> Result<Vec<String>> {
    if let Some(scalar) = column.as_scalar_column() {
        return Ok(scalar.scalar().value().get_str().map(str::to_owned).into_iter().collect());
    }
    Ok(column.str()?.unique()?.iter().flatten().map(str::to_owned).collect())
}

/// Write `bytes`-producing `fill` to `path` atomically (temp file in the same folder, then
/// rename), so that an interrupted run never leaves a partial file behind.
pub fn write_atomic_with<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut fs::File) -> std::io::Result<()>,
{
    let fail = |source| Error::Write { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(fail)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = fs::File::create(&tmp).and_then(|mut f| {
        fill(&mut f)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|_| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// Write a frame as parquet, atomically (temp file, then rename).
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<()> {
    write_atomic_with(path, |f| ParquetWriter::new(f).finish(df).map(|_| ()).map_err(std::io::Error::other))
}

/// The error of a parquet file at `path` that polars cannot read.
pub fn unreadable(path: &Path, e: PolarsError) -> Error {
    Error::input(Location::file(path.display().to_string()), format!("cannot read parquet: {e}"), "re-create it with `diagsante ingest`")
}

/// Read a parquet file written by diagsante.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = fs::File::open(path).map_err(|e| Error::read(path, e))?;
    ParquetReader::new(file).finish().map_err(|e| unreadable(path, e))
}

/// Some columns of a parquet file (the others are not decoded).
pub fn read_parquet_columns(path: &Path, columns: &[&str]) -> Result<DataFrame> {
    let file = fs::File::open(path).map_err(|e| Error::read(path, e))?;
    ParquetReader::new(file).with_columns(Some(columns.iter().map(|c| (*c).to_owned()).collect())).finish().map_err(|e| unreadable(path, e))
}

/// The columns of `wanted` a parquet file has (opened by `open`; `path` names it), read one at
/// a time: a text or flag column holding one value in every row (a file's level, kind, unit,
/// publisher, dataset, source, synthetic) becomes a constant column, never held row by row, so that a
/// file of many rows costs its geo, measure, sex and numbers only. `None` when the file lacks
/// one of `required`: the caller reads it whole, to name what it lacks.
pub fn read_parquet_constants<R: polars::io::mmap::MmapBytesReader>(
    open: impl Fn() -> std::io::Result<R>,
    path: &Path,
    wanted: &[&str],
    required: &[&str],
) -> Result<Option<DataFrame>> {
    let bad = |e: PolarsError| unreadable(path, e);
    let reader = || open().map(ParquetReader::new).map_err(|e| Error::read(path, e));
    let schema = reader()?.schema().map_err(bad)?;
    if required.iter().any(|c| !schema.contains(c)) {
        return Ok(None);
    }
    let (mut columns, mut height) = (Vec::new(), 0);
    for name in wanted.iter().filter(|c| schema.contains(c)) {
        let df = reader()?.with_columns(Some(vec![(*name).to_owned()])).finish().map_err(bad)?;
        height = df.height();
        columns.extend(df.columns().iter().cloned().map(constant_text));
    }
    Ok(Some(DataFrame::new(height, columns)?))
}

/// `column` as a constant column when it is text or a flag holding one value (text: or only
/// nulls) in every row; as it is otherwise. Rows are compared by their views (within an array, equal views
/// are equal strings), each array's first row by its text.
fn constant_text(column: Column) -> Column {
    if let Ok(flags) = column.bool() {
        let n = flags.len();
        if n > 0 && flags.null_count() == 0 && (flags.all() || !flags.any()) {
            let value = Scalar::new(DataType::Boolean, AnyValue::Boolean(flags.all()));
            return Column::new_scalar(column.name().clone(), value, n);
        }
        return column;
    }
    let Ok(text) = column.str() else { return column };
    let n = text.len();
    if n == 0 {
        return column;
    }
    let value = if text.null_count() == n {
        Scalar::null(DataType::String)
    } else if text.null_count() > 0 {
        return column;
    } else {
        let first = text.get(0).unwrap_or_default();
        let one = text.downcast_iter().filter(|a| !a.views().is_empty()).all(|a| {
            let v = a.views()[0].as_u128();
            a.value(0) == first && a.views().iter().all(|w| w.as_u128() == v)
        });
        if !one {
            return column;
        }
        Scalar::new(DataType::String, AnyValue::StringOwned(first.into()))
    };
    Column::new_scalar(column.name().clone(), value, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fact table as `diagsante ingest` wrote it before the provenance columns.
    fn old_file() -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("geo".into(), ["30003"]),
            Column::new("level".into(), ["commune"]),
            Column::new("year".into(), [2021i32]),
            Column::new("measure".into(), ["population"]),
            Column::new("sex".into(), ["all"]),
            Column::new("age_min".into(), [None::<u32>]),
            Column::new("age_max".into(), [None::<u32>]),
            Column::new("value".into(), [Some(100.0)]),
            Column::new("source".into(), ["base-cc.csv"]),
            Column::new("suppressed".into(), [false]),
        ])
        .unwrap()
    }

    #[test]
    fn an_old_fact_file_loads_with_defaults() {
        let p = Path::new("d/facts-insee-base-cc.parquet");
        let df = conform(old_file(), p, "a fact table", &FACT_COLUMNS).unwrap();
        let origin = Origin::from_file_name("facts-insee-base-cc.parquet", Some("base-cc.csv"));
        let out = complete(df, &origin, p).unwrap();
        assert_eq!(out.get_column_names().iter().map(|c| c.as_str()).collect::<Vec<_>>(), fact_column_names());
        let text = |c: &str| out.column(c).unwrap().str().unwrap().get(0).map(str::to_owned);
        assert_eq!(text("publisher").as_deref(), Some("INSEE"));
        assert_eq!(text("dataset").as_deref(), Some("RP"));
        assert_eq!(text("kind").as_deref(), Some("count"));
        assert_eq!(text("source").as_deref(), Some("base-cc.csv"));
        assert_eq!(out.column("year_start").unwrap().i32().unwrap().get(0), Some(2021));
        assert_eq!(out.column("synthetic").unwrap().bool().unwrap().get(0), Some(false));
        // Without even a level column (the first files): a commune.
        let out = complete(old_file().drop("level").unwrap(), &Origin::Synthetic, p).unwrap();
        assert_eq!(out.column("level").unwrap().str().unwrap().get(0), Some("commune"));
        assert_eq!(out.column("synthetic").unwrap().bool().unwrap().get(0), Some(true));
    }

    /// A file's columns of one value are read as constants, the others as they are, and a
    /// file lacking a required column is left to be read whole.
    #[test]
    fn columns_of_one_value_are_read_as_constants() {
        let n = 3000;
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), (0..n).map(|i| format!("{:05}", 30000 + i % 7)).collect::<Vec<_>>()),
            Column::new("publisher".into(), vec!["Institut national de la statistique"; n]),
            Column::new("unit".into(), vec![None::<&str>; n]),
            Column::new("sex".into(), (0..n).map(|i| if i == n - 1 { "female" } else { "all" }).collect::<Vec<_>>()),
            Column::new("synthetic".into(), vec![true; n]),
            Column::new("value".into(), vec![1.5; n]),
        ])
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts-x.parquet");
        write_parquet(&mut df, &path).unwrap();
        let open = || fs::File::open(&path);
        let wanted = ["geo", "publisher", "unit", "sex", "synthetic", "value", "kind"];
        let read = read_parquet_constants(open, &path, &wanted, &["geo"]).unwrap().unwrap();
        let constant: Vec<bool> = read.columns().iter().map(|c| c.as_scalar_column().is_some()).collect();
        assert_eq!(read.get_column_names(), ["geo", "publisher", "unit", "sex", "synthetic", "value"], "kind: not in the file");
        assert_eq!(constant, [false, true, true, false, true, false], "the last row's sex differs");
        assert!(read.equals_missing(&df), "the same values");
        assert!(read_parquet_constants(open, &path, &wanted, &["geo", "year"]).unwrap().is_none());
    }

    #[test]
    fn a_parquet_file_without_its_columns_or_of_the_wrong_types_is_named() {
        let p = Path::new("d/facts-x.parquet");
        let good = old_file();
        let e = conform(good.drop("value").unwrap(), p, "a fact table", &FACT_COLUMNS).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(e.contains("d/facts-x.parquet, column value") && e.contains("no column «value»") && e.contains("diagsante ingest"), "{e}");
        let mut text_year = good.clone();
        text_year.replace("year", Column::new("year".into(), ["2021"])).unwrap();
        let e = conform(text_year, p, "a fact table", &FACT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("column year") && e.contains("«year» holds str, not whole numbers"), "{e}");
        let mut negative = good.clone();
        negative.replace("age_min", Column::new("age_min".into(), [Some(-5i64)])).unwrap();
        let e = conform(negative, p, "a fact table", &FACT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("column age_min") && e.contains("≥ 0"), "{e}");
        let mut text_flag = good.clone();
        text_flag.with_column(Column::new("synthetic".into(), ["yes"])).unwrap();
        let e = conform(text_flag, p, "a fact table", &FACT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("column synthetic") && e.contains("true/false"), "{e}");
        let mut level = good.clone();
        level.replace("level", Column::new("level".into(), ["canton"])).unwrap();
        let e = complete(conform(level, p, "a fact table", &FACT_COLUMNS).unwrap(), &Origin::Synthetic, p).unwrap_err().to_string();
        assert!(e.contains("column level") && e.contains("canton"), "{e}");
        // Other integer and float widths are read as the diagnostics' types.
        let mut wide = good;
        wide.replace("year", Column::new("year".into(), [2021i64])).unwrap();
        wide.replace("value", Column::new("value".into(), [100i64])).unwrap();
        let ok = conform(wide, p, "a fact table", &FACT_COLUMNS).unwrap();
        assert_eq!(ok.column("year").unwrap().dtype(), &DataType::Int32);
        assert_eq!(ok.column("value").unwrap().dtype(), &DataType::Float64);
        assert_eq!(ok.column("age_min").unwrap().dtype(), &DataType::UInt32);
    }
}
