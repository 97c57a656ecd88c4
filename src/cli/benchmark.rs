//! `diagsante benchmark` (a territory among others) and `diagsante national` (every EPCI,
//! département and région × every indicator).

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::compare::benchmark::{self, Against, KINDS};
use crate::error::{Error, Location, Result};
use crate::geo::{France, Referential};
use crate::indicators::catalogue;
use crate::ingest::load;
use crate::output::write_parquet_and_csv;

/// Set a territory against all territories of a kind: rank, quintile, funnel plots, peers.
#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    #[command(flatten)]
    inputs: super::Inputs,
    /// What to compare with.
    #[arg(long, value_enum, default_value_t = AgainstArg::Epci)]
    against: AgainstArg,
    /// Restrict the comparison to the territories of one région (INSEE code, e.g. 76).
    #[arg(long)]
    region: Option<String>,
    /// Size of the peer group.
    #[arg(long, default_value_t = 10)]
    peers: usize,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// `--against`: the command line's names for [`Against`] (the library type does not depend
/// on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AgainstArg {
    /// All EPCI of France (or of --region).
    Epci,
    /// All départements of France (or of --region).
    Departements,
    /// The k EPCI most similar to the territory by socio-demographic profile.
    Peers,
}

impl From<AgainstArg> for Against {
    fn from(a: AgainstArg) -> Self {
        match a {
            AgainstArg::Epci => Against::Epci,
            AgainstArg::Departements => Against::Departements,
            AgainstArg::Peers => Against::Peers,
        }
    }
}

/// Every EPCI, département and région of France × every indicator.
#[derive(Debug, Args)]
pub struct NationalArgs {
    /// Folder of ingested data (default: the synthetic demo data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Indicator catalogue (default: the shipped one).
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// The France every territory is compared with: entiere (metropolitan France and the
    /// DROM), hexagonale (metropolitan France, Corsica included), or both (a France row and
    /// columns for each).
    #[arg(long, value_enum, default_value_t = NationalFranceArg::Entiere)]
    france: NationalFranceArg,
    /// The reference population of the comparative mortality indices (ICM): France entière
    /// unless asked.
    #[arg(long, value_enum, default_value_t = super::FranceArg::Entiere)]
    icm_reference: super::FranceArg,
    /// Output folder (national.parquet, national.csv).
    #[arg(long)]
    out: PathBuf,
}

/// `national --france`: one France or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum NationalFranceArg {
    /// Metropolitan France and the DROM (« France entière »).
    Entiere,
    /// Metropolitan France, Corsica included (« France hexagonale »).
    Hexagonale,
    /// Both: a row and comparison columns for each.
    Both,
}

impl NationalFranceArg {
    fn frances(self) -> Vec<France> {
        match self {
            NationalFranceArg::Entiere => vec![France::Entiere],
            NationalFranceArg::Hexagonale => vec![France::Hexagonale],
            NationalFranceArg::Both => France::ALL.to_vec(),
        }
    }
}

pub fn run_benchmark(args: BenchmarkArgs) -> Result<()> {
    let r = Referential::embedded()?;
    let (t, indicators) = args.inputs.territory_and_catalogue(&r)?;
    if let Some(reg) = args.region.as_deref().filter(|reg| !r.regions.contains_key(*reg)) {
        return Err(Error::input(Location::file("--region"), format!("unknown région «{reg}»"), "give an INSEE région code such as 76"));
    }
    let bar = super::progress(0, "chargement et calcul de tous les territoires");
    let load::Data { facts, label, provenance, .. } = super::data(args.inputs.data.as_deref(), &r, Some(&t))?;
    let options = args.inputs.options(super::DepartementsArg::Main);
    let mut b = benchmark::benchmark(&t, &r, &facts, &indicators, args.against.into(), args.region.as_deref(), args.peers, &options)?;
    bar.finish_and_clear();
    b.label(&label, &provenance)?;
    write_parquet_and_csv(&mut b.summary, &args.out, "benchmark")?;
    write_parquet_and_csv(&mut b.funnel_points, &args.out, "funnel-points")?;
    write_parquet_and_csv(&mut b.funnel_limits, &args.out, "funnel-limits")?;
    write_parquet_and_csv(&mut b.peers, &args.out, "peers")?;
    say!("{} — {label}", t.name);
    let set = match args.against {
        AgainstArg::Departements => "départements",
        AgainstArg::Epci | AgainstArg::Peers => "EPCI",
    };
    say!(
        "parmi les {set} de la {} ({}) ; référence des indices comparatifs de mortalité : {}",
        options.france.label(),
        options.france.scope(),
        options.icm_reference.label()
    );
    let num = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.1}"));
    say!("  {:<70} {:>10} {:>11} {:>3} {:>10}  vs pairs (95 %)", "indicateur", "valeur", "rang", "q", "pairs");
    for row in &b.ranks {
        say!(
            "  {:<70} {:>10} {:>11} {:>3} {:>10}  {}",
            row.indicator.label,
            num(row.value),
            row.rank_text(),
            row.quintile.map_or("—".to_owned(), |q| q.to_string()),
            num(row.peers_value),
            crate::compare::diagnose::french(row.against_peers[0])
        );
    }
    say!("écrit : {}", args.out.join("{benchmark,funnel-points,funnel-limits,peers}.{csv,parquet}").display());
    Ok(())
}

pub fn run_national(args: NationalArgs) -> Result<()> {
    crate::timing::mark("start");
    let r = Referential::embedded()?;
    let indicators = catalogue::load(args.catalogue.as_deref())?;
    crate::timing::mark("referential and catalogue");
    let start = Instant::now();
    let load::Data { facts, label, provenance, departement_provenance, .. } = super::data(args.data.as_deref(), &r, None)?;
    let loaded = start.elapsed();
    crate::timing::mark("data loaded");
    let [epci, deps, regs, _] = benchmark::national_geographies(&r);
    let (frances, reference) = benchmark::france_layers(&args.france.frances(), args.icm_reference.into(), &r);
    crate::timing::mark("national geographies");
    let reference = epci.len() + deps.len() + regs.len() + reference;
    let mut layers = vec![(KINDS[0], epci), (KINDS[1], deps), (KINDS[2], regs)];
    layers.extend(frances);
    let compute = Instant::now();
    let bar = super::progress(indicators.len() as u64, "indicateurs");
    let national = benchmark::compute_all_with_reference(&facts, layers, &indicators, reference, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let computed = compute.elapsed();
    let mut national = national;
    national.suppress_complements(&r);
    crate::timing::mark("secondary suppression");
    let mut df = national.frame(&label, &provenance, &departement_provenance)?;
    crate::timing::mark("table");
    write_parquet_and_csv(&mut df, &args.out, "national")?;
    crate::timing::mark("written");
    say!("{label}");
    let frances: Vec<&str> = national.frances.iter().map(|(f, _)| f.label()).collect();
    say!("comparés à : {} ; référence des indices comparatifs de mortalité : {}", frances.join(" et "), France::from(args.icm_reference).label());
    say!(
        "{} territoires × {} indicateurs = {} lignes ; chargement {:.2} s, calcul {:.2} s",
        df.height() / indicators.len().max(1),
        indicators.len(),
        df.height(),
        loaded.as_secs_f64(),
        computed.as_secs_f64()
    );
    say!("écrit : {}", args.out.join("national.{csv,parquet}").display());
    Ok(())
}
