//! Comparison: a territory against its département, région and France (the diagnostic
//! table, [`diagnose`]), and against all territories of a kind or its peers, with funnel plots
//! and the national table ([`benchmark`]).

pub mod benchmark;
pub mod diagnose;
pub mod published;
pub mod secrecy;

pub use diagnose::{diagnose, Diagnosis};
