//! `diagsante demo-data`: the national synthetic demo dataset.

use std::path::PathBuf;

use clap::Args;

use crate::demo::{self, frames, DEFAULT_SEED, DEMO_LABEL};
use crate::error::Result;
use crate::geo::Referential;

/// Generate the synthetic demo dataset for every commune of France.
#[derive(Debug, Args)]
pub struct DemoData {
    /// Folder to write into (default: the cache used automatically by other commands).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the generator: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

pub fn run(args: DemoData) -> Result<()> {
    let r = Referential::embedded()?;
    let dir = args.out.unwrap_or_else(|| frames::cache_dir(&r, args.seed));
    let bar = super::progress(0, "génération des données synthétiques");
    let data = demo::generate(&r, args.seed)?;
    frames::write(&data, &dir, args.seed)?;
    bar.finish_and_clear();
    let population: f64 = data.facts.iter().filter(|f| f.measure == "population").map(|f| f.value).sum();
    let communes = data.facts.iter().map(|f| f.geo.as_str()).collect::<std::collections::BTreeSet<_>>().len();
    say!("{DEMO_LABEL} (seed {})", args.seed);
    say!("communes:   {communes}");
    say!("population: {population:.0}");
    say!("facts:      {} rows  → {}", data.facts.len(), dir.join(frames::FACTS_FILE).display());
    say!("GPs:        {} rows  → {}", data.roster.len(), dir.join(frames::ROSTER_FILE).display());
    Ok(())
}
