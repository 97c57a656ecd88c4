//! Ingestion: real-world tables read into one long, commune-level table of counts (see
//! [`facts`]), one module per source. Every reader goes through [`table::TextTable`], which
//! copes with encodings, separators, title lines, decimal commas and secret markers.

pub mod cpam;
pub mod deaths;
pub mod demo;
pub mod demo_frames;
pub mod facts;
pub mod insee;
pub mod rezone;
pub mod table;

pub use facts::{FactSink, Level, Sex, Summary};
pub use table::{Cell, Encoding, TextTable};
