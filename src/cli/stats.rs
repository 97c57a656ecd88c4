//! `diagsante stats …`: the statistics methods on any user CSV, for ORS analysts.
//!
//! Each command reads a delimited file, sums the counts per `--group-by` group, applies
//! one method per group ([`crate::tables`]) and writes one CSV (stdout, or `--output` written
//! atomically): raw values for R and Python, or neutralised for a spreadsheet with
//! `--excel-safe`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use polars::prelude::*;

use super::EncodingArg;
use crate::error::{Error, Location, Result};
use crate::ingest::TextTable;
use crate::output::write_atomic_with;
use crate::tables::{self, FunnelStatistic, Groups, Standard};

const EXCEL_SAFE_HELP: &str = "For a spreadsheet: a text cell starting with =, +, -, @, a tab or a carriage \
                                return (which Excel or LibreOffice would run as a formula) is written with a \
                                leading ' (OWASP's rule); numbers are untouched. Off by default: R and Python \
                                read the values as they are";

const LEVELS_HELP: &str = "Confidence levels, comma-separated (each in (0,1)); one pair of \
                           lower/upper columns per level, e.g. lower_95, upper_95, lower_99_8, upper_99_8";

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Proportions x/n with Wilson score limits (Wilson 1927), per group.
    #[command(after_help = "Example (share of patients without a médecin traitant, per commune):\n  \
        diagsante stats proportion --input patients.csv --numerator sans_mt --denominator patients \
        --group-by commune --multiplier 100")]
    Proportion {
        #[command(flatten)]
        common: Common,
        /// Column of the numerator (a count, subset of the denominator).
        #[arg(long)]
        numerator: String,
        /// Column of the denominator (a count > 0).
        #[arg(long)]
        denominator: String,
        /// Multiplier of the proportion (100 for a percentage).
        #[arg(long, default_value_t = 1.0)]
        multiplier: f64,
    },
    /// Crude rates x/n × multiplier with Poisson limits (exact below 10 events, Byar above).
    #[command(after_help = "Example (deaths per 100,000 inhabitants, per département and year):\n  \
        diagsante stats rate --input deaths.csv --count deces --population pop --group-by dep,annee")]
    Rate {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        counts: Counts,
        /// Rate per this many people.
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
    },
    /// Directly age-standardised rates (Dobson et al. 1991), per group.
    ///
    /// One input row per group and age band. The standard population is a built-in one
    /// (`esp2013`: European Standard Population 2013; `france`: France 1 January 2023, INSEE),
    /// on the 19 bands 0-4, 5-9 … 85-89, 90+, or a column of the input. An empty count in
    /// one band counts as 0 (said in `note`); fewer than 10 events give no value.
    #[command(after_help = "Example:\n  \
        diagsante stats dsr --input deaths_by_age.csv --count deces --population pop \
        --age-band age --standard esp2013 --group-by territoire")]
    Dsr {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        counts: Counts,
        /// Column of the age band (labels such as 0-4, 05-09, 90+).
        #[arg(long)]
        age_band: String,
        /// Built-in standard population.
        #[arg(long, value_enum, conflicts_with = "standard_column", required_unless_present = "standard_column")]
        standard: Option<NamedStandard>,
        /// Column holding each band's standard population instead of a built-in one.
        #[arg(long)]
        standard_column: Option<String>,
        /// Column of the event frequency f for non-independent events: each row then
        /// counts the persons with f events, the band's population repeated on each row.
        #[arg(long)]
        event_frequency: Option<String>,
        /// Rate per this many people.
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
    },
    /// Indirectly standardised ratios (SMR; the French ICM with --ref-value 100), per group.
    ///
    /// One input row per group and age band, with the reference counts and populations
    /// of each band (e.g. France's). Expected = Σ population × reference rate.
    #[command(after_help = "Example (ICM, France = 100):\n  \
        diagsante stats isr --input deaths.csv --count deces --population pop --age-band age \
        --ref-count deces_france --ref-population pop_france --ref-value 100 --group-by territoire")]
    Isr {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        counts: Counts,
        /// Column of the age band.
        #[arg(long)]
        age_band: String,
        /// Column of the reference events in each band.
        #[arg(long)]
        ref_count: String,
        /// Column of the reference population in each band.
        #[arg(long)]
        ref_population: String,
        /// Value of the reference (1 for an SMR, 100 for the French ICM).
        #[arg(long, default_value_t = 1.0)]
        ref_value: f64,
        /// Give an indirectly standardised rate (O/E × reference crude rate × multiplier).
        #[arg(long)]
        as_rate: bool,
        /// Rate per this many people (with --as-rate).
        #[arg(long, default_value_t = 100_000.0, requires = "as_rate")]
        multiplier: f64,
    },
    /// Life expectancy at each start age (Chiang II, Silcocks' variance for the last band).
    ///
    /// One row per group and age band, 20 bands starting at 0, 1, 5, 10 … 85, 90.
    #[command(after_help = "Example:\n  \
        diagsante stats life-expectancy --input deaths_by_age.csv --start-age age \
        --deaths deces --population pop --group-by sexe")]
    LifeExpectancy {
        #[command(flatten)]
        common: Common,
        /// Column of the start age of each band (0, 1, 5, 10 … 90).
        #[arg(long)]
        start_age: String,
        /// Column of the deaths in each band.
        #[arg(long)]
        deaths: String,
        /// Column of the population (or person-years) in each band.
        #[arg(long)]
        population: String,
    },
    /// The recent trend of each group (Fingertips): the five most recent years, a weighted
    /// regression of values with 95 % limits or the chi-square test for trend of proportions,
    /// significant above 9.5495 (99.8 %) when no single year makes it.
    #[command(after_help = "Examples:\n  \
        diagsante stats trend --input taux.csv --group-by dep --year annee --value taux --lower ic_bas --upper ic_haut --polarity lower-is-better\n  \
        diagsante stats trend --input depistage.csv --group-by commune --year annee --numerator depistees --denominator cibles --polarity higher-is-better")]
    Trend {
        /// Input file (CSV with `;`, `,` or tab separators; UTF-8 or Windows-1252).
        #[arg(long)]
        input: PathBuf,
        /// Columns to group by, comma-separated (one series of all rows if absent).
        #[arg(long, value_delimiter = ',')]
        group_by: Vec<String>,
        /// Column of the year of each point.
        #[arg(long)]
        year: String,
        /// Column of the value (with --lower and --upper, its 95 % limits).
        #[arg(long, requires_all = ["lower", "upper"], conflicts_with_all = ["numerator", "denominator"], required_unless_present = "numerator")]
        value: Option<String>,
        #[arg(long)]
        lower: Option<String>,
        #[arg(long)]
        upper: Option<String>,
        /// Column of a proportion's numerator (with --denominator).
        #[arg(long, requires = "denominator")]
        numerator: Option<String>,
        #[arg(long)]
        denominator: Option<String>,
        /// Whether a higher value is better or worse, for the French label (« en amélioration »…).
        #[arg(long, value_enum)]
        polarity: Option<TrendPolarity>,
        /// Where to write the result (stdout if absent).
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long, help = EXCEL_SAFE_HELP)]
        excel_safe: bool,
        /// Text encoding of the input.
        #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
        encoding: EncodingArg,
    },
    /// Funnel-plot significance of each row against the whole (Spiegelhalter 2005).
    ///
    /// proportion: numerator/denominator around the pooled proportion; ratio: observed/
    /// expected around 1; rate: a crude rate judged at its population (--denominator; a
    /// row without events is then assessed) or, given only --rate, at the denominator
    /// implied by the count and the rate; a DSR always at its implied denominator.
    #[command(after_help = "Example (share without médecin traitant, every commune of a département):\n  \
        diagsante stats funnel --input communes.csv --statistic proportion --numerator sans_mt \
        --denominator patients --limits-output limites.csv")]
    Funnel {
        /// Input file (CSV with `;`, `,` or tab separators; UTF-8 or Windows-1252).
        #[arg(long)]
        input: PathBuf,
        /// Which statistic the funnel shows.
        #[arg(long, value_enum)]
        statistic: Statistic,
        /// Column of the numerator (observed events for ratio and rate).
        #[arg(long)]
        numerator: String,
        /// Column of the denominator (expected events for a ratio).
        #[arg(long)]
        denominator: Option<String>,
        /// Column of the rate (statistic rate). Without it, a crude rate is computed from
        /// --numerator (events) and --denominator (population) × --multiplier. With both,
        /// a crude rate is judged at the --denominator population.
        #[arg(long)]
        rate: Option<String>,
        /// Kind of rate: a DSR (points with fewer than 10 events are not assessed) or crude.
        #[arg(long, value_enum, default_value_t = RateType::Crude)]
        rate_type: RateType,
        /// Multiplier of the rates (per 100,000 by default).
        #[arg(long, default_value_t = 100_000.0)]
        multiplier: f64,
        /// Number of years pooled in the rates (the limits table then shows yearly denominators).
        #[arg(long, default_value_t = 1.0)]
        years: f64,
        /// Where to write the 100-point limits table for drawing the funnel.
        #[arg(long)]
        limits_output: Option<PathBuf>,
        /// Widen the limits for overdispersion (Spiegelhalter 2005: z-scores winsorised at
        /// 10 % each end, dispersion φ, additive between-unit variance τ² on the angular
        /// scale for proportions, the square-root scale for ratios and rates); adds the
        /// columns phi and tau2. Without overdispersion (τ² = 0) the exact limits are kept.
        #[arg(long)]
        overdispersion: bool,
        /// Where to write the result (stdout if absent).
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long, help = EXCEL_SAFE_HELP)]
        excel_safe: bool,
        /// Text encoding of the input.
        #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
        encoding: EncodingArg,
    },
}

/// Options shared by the per-group methods.
#[derive(Debug, Args)]
pub struct Common {
    /// Input file (CSV with `;`, `,` or tab separators; UTF-8 or Windows-1252).
    #[arg(long)]
    input: PathBuf,
    /// Columns to group by, comma-separated (one group of all rows if absent).
    #[arg(long, value_delimiter = ',')]
    group_by: Vec<String>,
    #[arg(long, value_delimiter = ',', default_value = "0.95,0.998", help = LEVELS_HELP)]
    confidence: Vec<f64>,
    /// Where to write the result (stdout if absent).
    #[arg(long)]
    output: Option<PathBuf>,
    #[arg(long, help = EXCEL_SAFE_HELP)]
    excel_safe: bool,
    /// Text encoding of the input.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    encoding: EncodingArg,
}

/// Count and population columns.
#[derive(Debug, Args)]
pub struct Counts {
    /// Column of the events (a count).
    #[arg(long)]
    count: String,
    /// Column of the population (or person-years).
    #[arg(long)]
    population: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NamedStandard {
    /// European Standard Population 2013 (Eurostat).
    Esp2013,
    /// France (metropolitan + DROM), 1 January 2023 (INSEE).
    France,
}

/// `--statistic`: the command line's names for [`FunnelStatistic`] (the library type does
/// not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Statistic {
    Proportion,
    Ratio,
    Rate,
}

impl From<Statistic> for FunnelStatistic {
    fn from(s: Statistic) -> Self {
        match s {
            Statistic::Proportion => FunnelStatistic::Proportion,
            Statistic::Ratio => FunnelStatistic::Ratio,
            Statistic::Rate => FunnelStatistic::Rate,
        }
    }
}

/// `--polarity` of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendPolarity {
    HigherIsBetter,
    LowerIsBetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RateType {
    Crude,
    Dsr,
}

pub fn run(cmd: StatsCommand) -> Result<()> {
    match cmd {
        StatsCommand::Proportion { common, numerator, denominator, multiplier } => {
            let (table, groups, levels) = prepare(&common, multiplier)?;
            let df = tables::proportions(&table, &groups, &numerator, &denominator, multiplier, &levels)?;
            emit(df, common.output.as_deref(), common.excel_safe)
        }
        StatsCommand::Rate { common, counts, multiplier } => {
            let (table, groups, levels) = prepare(&common, multiplier)?;
            let df = tables::crude_rates(&table, &groups, &counts.count, &counts.population, multiplier, &levels)?;
            emit(df, common.output.as_deref(), common.excel_safe)
        }
        StatsCommand::Dsr { common, counts, age_band, standard, standard_column, event_frequency, multiplier } => {
            let (table, groups, levels) = prepare(&common, multiplier)?;
            let standard = match (standard, standard_column) {
                (_, Some(col)) => Standard::Column(col),
                (Some(NamedStandard::Esp2013), None) => Standard::Named("esp2013".into()),
                (Some(NamedStandard::France), None) => Standard::Named("france".into()),
                (None, None) => unreachable_usage("--standard or --standard-column")?,
            };
            let df = tables::dsrs(
                &table,
                &groups,
                &counts.count,
                &counts.population,
                &age_band,
                &standard,
                event_frequency.as_deref(),
                multiplier,
                &levels,
            )?;
            emit(df, common.output.as_deref(), common.excel_safe)
        }
        StatsCommand::Isr { common, counts, age_band, ref_count, ref_population, ref_value, as_rate, multiplier } => {
            check_positive(ref_value, "--ref-value")?;
            let (table, groups, levels) = prepare(&common, multiplier)?;
            let df = tables::isrs(
                &table,
                &groups,
                &counts.count,
                &counts.population,
                &age_band,
                &ref_count,
                &ref_population,
                ref_value,
                as_rate.then_some(multiplier),
                &levels,
            )?;
            emit(df, common.output.as_deref(), common.excel_safe)
        }
        StatsCommand::LifeExpectancy { common, start_age, deaths, population } => {
            let (table, groups, levels) = prepare(&common, 1.0)?;
            let df = tables::life_expectancies(&table, &groups, &start_age, &deaths, &population, &levels)?;
            emit(df, common.output.as_deref(), common.excel_safe)
        }
        StatsCommand::Trend { input, group_by, year, value, lower, upper, numerator, denominator, polarity, output, excel_safe, encoding } => {
            let table = TextTable::read(&input, encoding.into())?;
            let groups = tables::Groups::of(&table, &group_by)?;
            let series = match (value, lower, upper, numerator, denominator) {
                (Some(value), Some(lower), Some(upper), _, _) => tables::TrendSeries::Values { value, lower, upper },
                (_, _, _, Some(numerator), Some(denominator)) => tables::TrendSeries::Proportions { numerator, denominator },
                _ => return unreachable_usage("--value with --lower and --upper, or --numerator with --denominator"),
            };
            let higher_is_better = polarity.map(|p| p == TrendPolarity::HigherIsBetter);
            let df = tables::trends(&table, &groups, &year, &series, higher_is_better)?;
            emit(df, output.as_deref(), excel_safe)
        }
        StatsCommand::Funnel {
            input,
            statistic,
            numerator,
            denominator,
            rate,
            rate_type,
            multiplier,
            years,
            limits_output,
            overdispersion,
            output,
            excel_safe,
            encoding,
        } => {
            check_positive(multiplier, "--multiplier")?;
            check_positive(years, "--years")?;
            check_funnel_columns(statistic, denominator.is_some(), rate.is_some(), rate_type)?;
            let table = TextTable::read(&input, encoding.into())?;
            let result = tables::funnel(
                &table,
                statistic.into(),
                &numerator,
                denominator.as_deref(),
                rate.as_deref(),
                rate_type == RateType::Dsr,
                multiplier,
                years,
                overdispersion,
            )?;
            if let Some(d) = result.dispersion {
                eprintln!(
                    "dispersion: φ = {:.3} over {} points, τ² = {:.6}{}",
                    d.phi,
                    d.units,
                    d.tau2,
                    if d.tau2 > 0.0 { " (limits widened)" } else { " (no overdispersion: exact limits kept)" }
                );
            }
            // Write the limits first: if it fails, the main output is not left behind either.
            if let Some(path) = &limits_output {
                write_csv_file(result.limits, path, excel_safe)?;
            }
            emit(result.rows, output.as_deref(), excel_safe)
        }
    }
}

/// Clap enforces the choice; this only turns an impossible state into an error, not a panic.
fn unreachable_usage<T>(what: &str) -> Result<T> {
    Err(Error::input(Location::file("command line"), format!("missing {what}"), "see --help"))
}

/// The columns each funnel needs, named by their options (the library says the same
/// without the command line's names).
fn check_funnel_columns(statistic: Statistic, denominator: bool, rate: bool, rate_type: RateType) -> Result<()> {
    let usage = |message: &str, hint: &str| -> Result<()> { Err(Error::input(Location::file("command line"), message, hint)) };
    match statistic {
        Statistic::Proportion | Statistic::Ratio if !denominator => {
            usage("this funnel needs --denominator", "add --denominator COLUMN (the denominator of a proportion, the expected events of a ratio)")
        }
        Statistic::Rate if !rate && !denominator => usage(
            "this funnel needs --rate or --denominator",
            "add --rate COLUMN (the rates), or --denominator COLUMN (the population) for a crude rate",
        ),
        Statistic::Rate if !rate && rate_type == RateType::Dsr => {
            usage("a DSR funnel needs the DSRs (--rate)", "give --rate COLUMN with the directly standardised rates")
        }
        _ => Ok(()),
    }
}

fn check_positive(v: f64, flag: &str) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::input(Location::file("command line"), format!("{flag} must be a positive number (got {v})"), "see --help"))
    }
}

fn prepare(common: &Common, multiplier: f64) -> Result<(TextTable, Groups, Vec<f64>)> {
    check_positive(multiplier, "--multiplier")?;
    let mut levels: Vec<f64> = Vec::new();
    for &l in &common.confidence {
        if !levels.contains(&l) {
            levels.push(l);
        }
    }
    for &l in &levels {
        if !(l > 0.0 && l < 1.0) {
            return Err(Error::input(
                Location::file("command line"),
                format!("--confidence {l} is not a level between 0 and 1"),
                "give levels such as 0.95 or 0.95,0.998",
            ));
        }
    }
    let reserved = ["numerator", "denominator", "count", "population", "expected", "deaths", "value", "method", "note"];
    if let Some(clash) = common.group_by.iter().find(|g| reserved.contains(&g.as_str()) || g.starts_with("lower_") || g.starts_with("upper_")) {
        return Err(Error::input(
            Location::file("command line"),
            format!("--group-by column «{clash}» has the name of an output column"),
            "rename that column in the input",
        ));
    }
    let table = TextTable::read(&common.input, common.encoding.into())?;
    let groups = Groups::of(&table, &common.group_by)?;
    Ok((table, groups, levels))
}

fn write_csv(df: &mut DataFrame, w: &mut dyn Write) -> PolarsResult<()> {
    CsvWriter::new(w).include_header(true).finish(df)
}

fn write_csv_file(df: DataFrame, path: &Path, excel_safe: bool) -> Result<()> {
    let mut df = safe_if(df, excel_safe)?;
    write_atomic_with(path, |f| write_csv(&mut df, f).map_err(std::io::Error::other))
}

/// The table as it is, or with its text cells neutralised for a spreadsheet (`--excel-safe`).
fn safe_if(df: DataFrame, excel_safe: bool) -> Result<DataFrame> {
    if excel_safe {
        crate::output::excel_safe(&df)
    } else {
        Ok(df)
    }
}

/// Write the result to `output` atomically, or to stdout.
fn emit(df: DataFrame, output: Option<&Path>, excel_safe: bool) -> Result<()> {
    match output {
        Some(path) => write_csv_file(df, path, excel_safe),
        None => {
            let mut df = safe_if(df, excel_safe)?;
            let mut out = std::io::stdout().lock();
            write_csv(&mut df, &mut out)?;
            out.flush().map_err(|e| Error::Internal(e.to_string()))
        }
    }
}
