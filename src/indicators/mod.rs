//! Indicators: the catalogue (`data/indicators.toml`, data not code) and its evaluation —
//! commune counts aggregated once to every geography, then turned into rates by `stats`.

pub mod catalogue;
pub mod evaluate;
pub mod method;
pub mod series;
pub mod withheld;

pub use catalogue::Indicator;
pub use evaluate::{aggregate, compute, Geography, Interned, Value};
pub use method::{FunnelStatistic, Method};
pub use withheld::Withheld;
