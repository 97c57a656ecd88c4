//! # diagsante
//!
//! Territorial health diagnostics for French CPTS (Communautés Professionnelles
//! Territoriales de Santé) and CLS (Contrats Locaux de Santé).
//!
//! The pipeline runs one way; each stage is a module:
//!
//! ```text
//! error, facts (the fact table's schema, provenance, parquet I/O: the bottom layer)
//! geo (referential, perimeters) ─► ingest (sources → commune-level counts)
//!   [demo (synthetic counts, built on ingest's fact table) stands in for ingest's data]
//!   ─► indicators (catalogue; aggregate counts to every perimeter, then rates)
//!   ─► stats (rates, intervals, standardisation) ─► compare (comparators, peers, funnels)
//!   ─► project (GP supply vs demand) ─► apl (the APL computed, and projected) ─► report (charts, HTML)
//! ```
//! Counts stay counts until `stats`: rates are never summed or averaged across places.
//! `stats` is a pure core (numbers in, estimates out: it reads no file); `tables` applies
//! its methods per group to a user's table read by `ingest` (`diagsante stats …`).
//! The library is usable without the command line (`cli`).

pub mod apl;
pub mod cli;
pub mod compare;
pub mod demo;
pub mod error;
pub mod facts;
pub mod geo;
pub mod indicators;
pub mod ingest;
pub mod output;
pub mod project;
pub mod report;
pub mod stats;
pub mod tables;
pub mod timing;

pub use error::{Error, Result};
