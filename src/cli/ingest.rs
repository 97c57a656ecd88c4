//! `diagsante ingest <source> FILE... --out DIR`: source tables into canonical parquet.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::error::Result;
use crate::facts::write_parquet;
use crate::geo::Referential;
use crate::ingest::{cpam, deaths, insee, rezone, FactSink, Summary, TextTable};

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// INSEE wide communal base (CODGEO;P21_POP;P21_POP0014…): year from the column prefix.
    #[command(after_help = "Example:\n  diagsante ingest insee base-cc-evol-struct-pop-2021.csv --out donnees/")]
    Insee(Files),
    /// INSEE long table: commune (or département) × sex × age (CODGEO;SEXE;AGED100;NB).
    #[command(after_help = "Example:\n  diagsante ingest insee-long pop-sexe-age-2021.csv --year 2021 --out donnees/")]
    InseeLong(Files),
    /// Deaths by place, year, sex, age band and cause.
    #[command(after_help = "Example:\n  diagsante ingest deaths deces-2019-2021.csv --out donnees/")]
    Deaths(Files),
    /// Rezone CPTS export: indicators already computed for the territory, with comparators.
    #[command(after_help = "Example:\n  diagsante ingest rezone rezone-cpts.csv --out donnees/")]
    Rezone(Files),
    /// CPAM-style roster: one row per professional (profession, commune, birth year or age,
    /// sex…); only the GPs count as GPs, the other professions are counted apart.
    #[command(after_help = "Example:\n  diagsante ingest roster medecins.csv --year 2024 --out donnees/")]
    Roster(Files),
    /// CPAM-style patientèle: commune × age band: patients, without médecin traitant, ALD, C2S.
    #[command(after_help = "Example:\n  diagsante ingest patientele patientele-2024.csv --year 2024 --out donnees/")]
    Patientele(Files),
}

/// Input files and options shared by every source.
#[derive(Debug, Args)]
pub struct Files {
    /// Input files (CSV with `;`, `,` or tab separators; UTF-8 or Windows-1252).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder where the parquet file is written (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Year of the data, when the file has no year column.
    #[arg(long)]
    year: Option<i32>,
    /// Text encoding of the inputs.
    #[arg(long, value_enum, default_value_t = super::EncodingArg::Auto)]
    encoding: super::EncodingArg,
    /// Stop on an unknown commune code instead of leaving it out.
    #[arg(long)]
    strict: bool,
}

/// The parquet file a source is written to, inside `--out`. Commune-level counts go to
/// `facts-<source>-<first input's name>.parquet` (so that two INSEE bases ingested one after
/// the other both stay), which later stages read together; the roster is `roster.parquet`.
pub fn output_name(cmd: &IngestCommand, files: &Files) -> String {
    let stem = files.files.first().and_then(|f| f.file_stem()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem: String = stem.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    match cmd {
        IngestCommand::Insee(_) => format!("facts-insee-{stem}.parquet"),
        IngestCommand::InseeLong(_) => format!("facts-insee-long-{stem}.parquet"),
        IngestCommand::Deaths(_) => format!("facts-deaths-{stem}.parquet"),
        IngestCommand::Patientele(_) => format!("facts-patientele-{stem}.parquet"),
        IngestCommand::Rezone(_) => format!("rezone-{stem}.parquet"),
        IngestCommand::Roster(_) => "roster.parquet".to_owned(),
    }
}

/// The library's hints name options in words (it has no command line); here they get the
/// flag that sets them.
fn with_flags(e: crate::error::Error) -> crate::error::Error {
    match e {
        crate::error::Error::Input(mut i) => {
            i.hint = i.hint.replace("give the year of the data", "give the year of the data with --year").replace("strict mode", "--strict");
            crate::error::Error::Input(i)
        }
        e => e,
    }
}

pub fn run(cmd: IngestCommand) -> Result<()> {
    let r = Referential::embedded()?;
    let (files, kind) = match &cmd {
        IngestCommand::Insee(f) => (f, Kind::Insee),
        IngestCommand::InseeLong(f) => (f, Kind::InseeLong),
        IngestCommand::Deaths(f) => (f, Kind::Deaths),
        IngestCommand::Rezone(f) => (f, Kind::Rezone),
        IngestCommand::Roster(f) => (f, Kind::Roster),
        IngestCommand::Patientele(f) => (f, Kind::Patientele),
    };
    let (mut df, summary) = ingest(kind, files, &r).map_err(with_flags)?;
    let path = files.out.join(output_name(&cmd, files));
    write_parquet(&mut df, &path)?;
    say_inline!("{summary}");
    say!("written:           {} ({} rows)", path.display(), df.height());
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Insee,
    InseeLong,
    Deaths,
    Rezone,
    Roster,
    Patientele,
}

/// Read every file of a source; all of them must be valid before anything is written.
fn ingest(kind: Kind, files: &Files, r: &Referential) -> Result<(polars::prelude::DataFrame, Summary)> {
    let source = files.files.iter().map(|f| file_name(f)).collect::<Vec<_>>().join(", ");
    let tables = files.files.iter().map(|f| TextTable::read(f, files.encoding.into())).collect::<Result<Vec<_>>>()?;
    match kind {
        Kind::Rezone => {
            let mut frames = Vec::new();
            for t in &tables {
                frames.push(rezone::read(t, &file_name(Path::new(&t.file)))?);
            }
            let df = concat_frames(frames)?;
            let summary = Summary { files: vec![source], rows: df.height(), cells: df.height(), ..Summary::default() };
            Ok((df, summary))
        }
        Kind::Roster => {
            let mut summary = Summary { files: vec![source], ..Summary::default() };
            let mut frames = Vec::new();
            for t in &tables {
                frames.push(cpam::read_roster(t, files.year, r, files.strict, &mut summary)?);
            }
            Ok((concat_frames(frames)?, summary))
        }
        _ => {
            let mut sink = FactSink::new(r, source.clone(), files.strict);
            for t in &tables {
                match kind {
                    Kind::Insee => insee::read_wide(t, &mut sink)?,
                    Kind::InseeLong => insee::read_long(t, files.year, &mut sink)?,
                    Kind::Deaths => deaths::read(t, files.year, &mut sink)?,
                    Kind::Patientele => cpam::read_patientele(t, files.year, &mut sink)?,
                    Kind::Rezone | Kind::Roster => {}
                }
            }
            sink.summary.files = vec![source];
            sink.finish()
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn concat_frames(frames: Vec<polars::prelude::DataFrame>) -> Result<polars::prelude::DataFrame> {
    let mut it = frames.into_iter();
    let mut df = it.next().unwrap_or_default();
    for f in it {
        df.vstack_mut(&f)?;
    }
    Ok(df)
}
