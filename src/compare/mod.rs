//! Comparison: a territory against its département, région and France (the diagnostic
//! table). Peers and national benchmarking come with the rest of issue #5.

pub mod benchmark;
pub mod diagnose;

pub use diagnose::{diagnose, Diagnosis};
