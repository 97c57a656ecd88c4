//! The command line: parse, call the library, print. No computation lives here.

/// `println!` that never panics: a closed stdout (`diagsante … | head`) is not an error
/// worth a panic; the output simply stops there.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that never panics (see `say!`).
macro_rules! say_inline {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// A progress bar on stderr, drawn only on a terminal (so never in pipes, files or tests),
/// with a spinner that moves while a step runs. `len` 0: a spinner alone.
fn progress(len: u64, message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template = if len == 0 { "{spinner} [{elapsed_precise}] {msg}" } else { "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}" };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template).unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()).progress_chars("█▉ "),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// What a diagnostic is about and what it reads: the options `diagnose`, `benchmark` and
/// `report` share.
#[derive(Debug, clap::Args)]
struct Inputs {
    /// Territory file (.toml) or shipped territory name.
    #[arg(long)]
    territory: String,
    /// Folder of ingested data (facts-*.parquet, roster.parquet from `diagsante ingest`);
    /// the synthetic demo data if absent.
    #[arg(long)]
    data: Option<std::path::PathBuf>,
    /// Indicator catalogue (default: the shipped data/indicators.toml).
    #[arg(long)]
    catalogue: Option<std::path::PathBuf>,
    /// The France compared with: entiere (metropolitan France and the DROM, as INSEE and
    /// Rezone) or hexagonale (metropolitan France, Corsica included, as the ORS tables).
    #[arg(long, value_enum, default_value_t = FranceArg::Entiere)]
    france: FranceArg,
    /// The reference population of the comparative mortality indices (ICM): France entière
    /// unless asked, whatever --france says.
    #[arg(long, value_enum, default_value_t = FranceArg::Entiere)]
    icm_reference: FranceArg,
}

/// `--france`, `--icm-reference`: the command line's names for [`crate::geo::France`] (the
/// library type does not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FranceArg {
    /// Metropolitan France and the DROM (« France entière »).
    Entiere,
    /// Metropolitan France, Corsica included, without the DROM (« France hexagonale »).
    Hexagonale,
}

impl From<FranceArg> for crate::geo::France {
    fn from(f: FranceArg) -> Self {
        match f {
            FranceArg::Entiere => crate::geo::France::Entiere,
            FranceArg::Hexagonale => crate::geo::France::Hexagonale,
        }
    }
}

/// `--departements`: compare a territory straddling several départements with the one holding
/// most of its population (main), or with each of them (all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum DepartementsArg {
    /// The département holding most of the population.
    #[default]
    Main,
    /// Every département the territory touches.
    All,
}

/// The data a command reads: the folder of `--data` (written by `diagsante ingest`), else the
/// synthetic demo data. Chosen here, above both: `ingest` reads real data and knows nothing of
/// the demo, which is built on it (see `crate::demo`). A real roster is read as the list of
/// every professional where it covers, or of the territory a command is about (see
/// `Data::roster_lists`).
fn data(dir: Option<&std::path::Path>, r: &crate::geo::Referential, territory: Option<&crate::geo::Territory>) -> Result<crate::ingest::load::Data> {
    let mut data = match dir {
        Some(dir) => crate::ingest::load::fact_table(dir)?,
        None => crate::demo::data(r, crate::demo::DEFAULT_SEED)?,
    };
    if let Some(note) = data.not_read_note() {
        eprintln!("note: {note}");
    }
    let units = territory.map_or(&[][..], |t| t.units.as_slice());
    if let Some((zeros, scope)) = data.roster_lists(units, r)? {
        let scope = scope.or_else(|| territory.map(|t| t.name.clone())).unwrap_or_default();
        eprintln!("note: the roster is read as the list of every professional of {scope}: {zeros} counts of 0 added where a commune has none");
    }
    Ok(data)
}

impl Inputs {
    /// The territory (its warnings printed) and the catalogue.
    fn territory_and_catalogue(&self, r: &crate::geo::Referential) -> Result<(crate::geo::Territory, Vec<crate::indicators::Indicator>)> {
        let t = crate::geo::Territory::find(&self.territory, r)?;
        for w in &t.warnings {
            eprintln!("warning: {w}");
        }
        Ok((t, crate::indicators::catalogue::load(self.catalogue.as_deref())?))
    }

    /// The comparators asked for (`departements`: where the command has `--departements`).
    fn options(&self, departements: DepartementsArg) -> crate::geo::ComparatorOptions {
        crate::geo::ComparatorOptions {
            france: self.france.into(),
            icm_reference: self.icm_reference.into(),
            all_departements: departements == DepartementsArg::All,
        }
    }
}

/// `--encoding`: the command line's names for [`crate::ingest::Encoding`] (the library
/// type does not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum EncodingArg {
    /// UTF-8 if the bytes are valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    /// Windows-1252, a superset of ISO-8859-1 ("latin-1").
    Latin1,
}

impl From<EncodingArg> for crate::ingest::Encoding {
    fn from(e: EncodingArg) -> Self {
        match e {
            EncodingArg::Auto => crate::ingest::Encoding::Auto,
            EncodingArg::Utf8 => crate::ingest::Encoding::Utf8,
            EncodingArg::Latin1 => crate::ingest::Encoding::Latin1,
        }
    }
}

mod apl;
mod benchmark;
mod demo;
mod diagnose;
mod ingest;
mod project;
mod report;
mod stats;
mod territory;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Result;

/// diagsante: territorial health diagnostics for French CPTS and CLS.
///
/// Builds the numbers of a diagnostic territorial (population, health needs, access,
/// prevention, care supply) for a territory and sets them against its département,
/// its région and France.
#[derive(Debug, Parser)]
#[command(name = "diagsante", version, propagate_version = true)]
#[command(after_help = "Examples:\n  diagsante demo\n  diagsante diagnose --territory cpts-camargue-gardoise --out diagnostic/\n  \
                        diagsante territory show cls-rochefort-ocean\n  \
                        diagsante stats rate --input deaths.csv --count deces --population pop --group-by dep")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List and inspect territories (CPTS, CLS, EPCI or custom perimeters).
    #[command(subcommand, after_help = "Examples:\n  diagsante territory list\n  diagsante territory show cpts-camargue-gardoise")]
    Territory(territory::TerritoryCommand),
    /// Read publishers' files (INSEE, DREES, ameli, CartoSanté, BPE, FINESS, Rezone, CPAM) as
    /// they are published, their layout detected, into facts (parquet).
    #[command(after_help = "Examples:\n  diagsante ingest telechargements/ --out donnees/\n  \
                            diagsante ingest base-cc-evol-struct-pop-2021.csv apl.xlsx --out donnees/ --keep-going\n  \
                            diagsante ingest insee base-cc-evol-struct-pop-2021.csv --out donnees/")]
    Ingest(ingest::IngestArgs),
    /// The diagnostic table of a territory: every indicator, against its département, its
    /// région and France, with confidence intervals and significance.
    #[command(after_help = "Examples:\n  diagsante diagnose --territory cpts-camargue-gardoise --out diagnostic/\n  \
                            diagsante diagnose --territory ma-cpts.toml --data donnees/ --out diagnostic/")]
    Diagnose(diagnose::Diagnose),
    /// A territory among all EPCI or départements (or its peers): rank, quintile, funnel
    /// plots and a peer group of similar territories.
    #[command(after_help = "Examples:\n  diagsante benchmark --territory cls-rochefort-ocean --against epci --out bench/\n  \
                            diagsante benchmark --territory cpts-camargue-gardoise --against departements --region 76 --out bench/")]
    Benchmark(benchmark::BenchmarkArgs),
    /// Every EPCI, département and région of France × every indicator.
    #[command(after_help = "Example:\n  diagsante national --out national/")]
    National(benchmark::NationalArgs),
    /// GP supply under retirement scenarios against the demand of an ageing population.
    #[command(after_help = "Examples:\n  diagsante project --territory cls-rochefort-ocean --out projection/\n  \
                            diagsante project --territory cls-rochefort-ocean --roster medecins.csv --scenario legal-62 --reference-year 2024 --out projection/")]
    Project(project::ProjectArgs),
    /// The APL to GPs computed (DREES's two-step floating catchment, the parameters of its
    /// workbook) for every commune of France; the territory's communes, aggregate and
    /// projection under retirement scenarios.
    #[command(after_help = "Examples:\n  diagsante apl --territory cpts-camargue-gardoise --out apl/\n  \
                            diagsante apl --territory ma-cpts.toml --roster medecins.csv --times metric.csv --out apl/")]
    Apl(apl::AplArgs),
    /// The report of a territory: a self-contained French HTML page with its charts (SVG,
    /// PNG) and tables, ready to print or to paste into a CLS/CPTS diagnostic.
    #[command(after_help = "Examples:\n  diagsante report --territory cpts-camargue-gardoise --out rapport/\n  \
                            diagsante report --territory ma-cpts.toml --data donnees/ --out rapport/")]
    Report(report::ReportArgs),
    /// The reports of the five shipped territories on the synthetic demo data, with an index
    /// page: the quickest way to see what diagsante produces.
    #[command(after_help = "Examples:\n  diagsante demo\n  diagsante demo --out /tmp/demo")]
    Demo(report::DemoArgs),
    /// Generate the national synthetic demo dataset (données synthétiques de démonstration).
    #[command(after_help = "Examples:\n  diagsante demo-data\n  diagsante demo-data --out demo/ --seed 7")]
    DemoData(demo::DemoData),
    /// Statistics on your own table: proportions, rates, standardised rates and ratios,
    /// life expectancy and funnel plots, with confidence intervals, per group.
    #[command(subcommand, after_help = "Example:\n  diagsante stats rate --input deaths.csv --count deces --population pop --group-by dep")]
    Stats(stats::StatsCommand),
}

/// Run the command line; returns the process exit code (0 ok, 2 bad input, 1 internal).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Territory(cmd) => territory::run(cmd),
        Command::Ingest(cmd) => ingest::run(cmd),
        Command::Benchmark(args) => benchmark::run_benchmark(args),
        Command::National(args) => benchmark::run_national(args),
        Command::DemoData(args) => demo::run(args),
        Command::Report(args) => report::run_report(args),
        Command::Demo(args) => report::run_demo(args),
        Command::Project(args) => project::run(args),
        Command::Apl(args) => apl::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Stats(cmd) => stats::run(cmd),
    }
}
