//! `diagsante ingest PATH... --out DIR`: publishers' files, their layout detected, into
//! parquet; `diagsante ingest <layout> FILE...` forces a layout.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::error::{Error, Location, Result};
use crate::facts::write_parquet;
use crate::geo::Referential;
use crate::ingest::layout::{self, FileRead, Layout, Options, Output, LAYOUTS};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct IngestArgs {
    #[command(subcommand)]
    command: Option<IngestCommand>,
    #[command(flatten)]
    files: Files,
    /// Read every file with this layout instead of detecting it.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(LAYOUTS.iter().map(|l| l.name)))]
    layout: Option<String>,
}

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

/// Input files and options shared by every layout.
#[derive(Debug, Args)]
pub struct Files {
    /// Input files or folders (CSV/TXT with `;`, `,` or tab separators, UTF-8 or
    /// Windows-1252; XLSX/XLS workbooks, every sheet); a folder is read whole.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder where the parquet files are written (created if needed).
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// Year of the data, when the file has no year column.
    #[arg(long)]
    year: Option<i32>,
    /// Text encoding of the inputs.
    #[arg(long, value_enum, default_value_t = super::EncodingArg::Auto)]
    encoding: super::EncodingArg,
    /// Stop on an unknown commune code instead of leaving it out.
    #[arg(long)]
    strict: bool,
    /// Write what the readable files give and list the others (exit code 2), instead of
    /// writing nothing when one file fails.
    #[arg(long)]
    keep_going: bool,
    /// A roster only: where it lists every professional, so that a commune there without
    /// one counts 0: `france` (a national extract), or départements (`17,79`). By default,
    /// the territory each command is about.
    #[arg(long, value_name = "france|DEP,…")]
    covers: Option<String>,
}

/// The `--covers` of a roster, checked: `france`, or known département codes joined by commas.
fn covers(raw: &str, r: &Referential) -> Result<String> {
    if raw.trim().eq_ignore_ascii_case("france") {
        return Ok("france".to_owned());
    }
    let mut codes = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let code = crate::geo::code::canonical_departement(part, r).ok_or_else(|| {
            Error::input(
                Location::file("--covers"),
                format!("«{part}» is not a département code"),
                "give `france` or département codes such as 17,79",
            )
        })?;
        codes.push(code);
    }
    if codes.is_empty() {
        return Err(Error::input(Location::file("--covers"), "no département given", "give `france` or département codes such as 17,79"));
    }
    Ok(codes.join(","))
}

/// The library's hints name options in words (it has no command line); here they get the
/// flag that sets them.
fn with_flags(e: Error) -> Error {
    match e {
        Error::Input(mut i) => {
            i.hint = i
                .hint
                .replace("give the year of the data", "give the year of the data with --year")
                .replace("strict mode", "--strict")
                .replace("force a layout by its name", "force a layout with --layout NAME");
            Error::Input(i)
        }
        e => e,
    }
}

pub fn run(args: IngestArgs) -> Result<()> {
    let (files, forced) = match &args.command {
        None => (&args.files, args.layout.as_deref()),
        Some(cmd) => match cmd {
            IngestCommand::Insee(f) => (f, Some("insee-base")),
            IngestCommand::InseeLong(f) => (f, Some("insee-long")),
            IngestCommand::Deaths(f) => (f, Some("deaths")),
            IngestCommand::Rezone(f) => (f, Some("rezone")),
            IngestCommand::Roster(f) => (f, Some("roster")),
            IngestCommand::Patientele(f) => (f, Some("patientele")),
        },
    };
    let forced: Option<&'static Layout> = forced.and_then(layout::by_name);
    let out = files.out.clone().unwrap_or_default();
    let r = Referential::embedded()?;
    let options = Options { year: files.year, strict: files.strict, encoding: files.encoding.into() };
    let paths = layout::data_files(&files.files)?;
    if paths.is_empty() {
        return Err(Error::input(
            Location::file(display(&files.files)),
            "no data file found",
            "give CSV, TXT or XLSX files, or folders holding some",
        ));
    }
    let mut reads = Vec::new();
    let mut failures = Vec::new();
    for path in &paths {
        match layout::read_file(path, &options, forced, &r) {
            Ok(mut rs) => reads.append(&mut rs),
            Err(e) if files.keep_going => failures.push(with_flags(e)),
            Err(e) => return Err(with_flags(e)),
        }
    }
    let covers = files.covers.as_deref().map(|c| covers(c, &r)).transpose()?;
    if covers.is_some() && !reads.iter().any(|read| matches!(read.data, Output::Roster(_))) {
        return Err(Error::input(Location::file(display(&files.files)), "--covers is for a roster, and no roster was read", "leave --covers out"));
    }
    write(&reads, &out, covers.as_deref())?;
    if !failures.is_empty() {
        say!("\n{} of {} files could not be read (nothing written for them):", failures.len(), paths.len());
        for e in &failures {
            say!("  {}", e.to_string().replace('\n', "\n  "));
        }
        return Err(Error::input(Location::file(display(&files.files)), format!("{} files could not be read", failures.len()), "see the list above"));
    }
    Ok(())
}

fn display(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Write each read to its parquet file (the rosters of one run together as
/// `roster.parquet`) and print its summary. Every file is written to a temporary name and
/// renamed, so a failure leaves no partial file. `covers`: the roster's `--covers`.
fn write(reads: &[FileRead], out: &Path, covers: Option<&str>) -> Result<()> {
    let mut names = BTreeSet::new();
    let mut roster: Option<polars::prelude::DataFrame> = None;
    for read in reads {
        say_inline!("{}", read.summary);
        match &read.data {
            Output::Roster(df) => match &mut roster {
                Some(all) => {
                    all.vstack_mut(df)?;
                }
                None => roster = Some(df.clone()),
            },
            Output::Facts(df) | Output::Rezone(df) => {
                let name = unique(output_name(read), &mut names);
                let path = out.join(&name);
                write_parquet(&mut df.clone(), &path)?;
                say!("written:           {} ({} rows)\n", path.display(), df.height());
            }
        }
    }
    if let Some(mut df) = roster {
        if let Some(c) = covers {
            df.with_column(polars::prelude::Column::new("covers".into(), vec![c; df.height()]))?;
            say!("lists everyone of: {}", if c == "france" { "France".to_owned() } else { format!("départements {c}") });
        }
        let path = out.join("roster.parquet");
        write_parquet(&mut df, &path)?;
        say!("written:           {} ({} rows)", path.display(), df.height());
    }
    Ok(())
}

/// `facts-<layout>-<file stem>.parquet` (Rezone: `rezone-<stem>.parquet`): two files of one
/// layout ingested one after the other both stay, and later stages read them together.
pub fn output_name(read: &FileRead) -> String {
    let stem = read.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem: String = stem.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    match read.data {
        Output::Rezone(_) => format!("rezone-{stem}.parquet"),
        _ => format!("facts-{}-{stem}.parquet", read.layout.name),
    }
}

/// `name`, or `name` with a number when this run already wrote one so named.
fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = name.replace(".parquet", &format!("-{n}.parquet"));
        n += 1;
    }
    candidate
}
