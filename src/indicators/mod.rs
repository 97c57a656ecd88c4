//! Indicators: the catalogue (`data/indicators.toml`, data not code) and its evaluation —
//! commune counts aggregated once to every geography, then turned into rates by `stats`.

pub mod catalogue;
pub mod evaluate;

pub use catalogue::{Indicator, Method};
pub use evaluate::{aggregate, compute, Geography};
