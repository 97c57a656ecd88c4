//! Ingestion: real-world tables read into columnar frames. Today it holds the robust
//! delimited-table reader shared by every command that reads a user file; the source
//! readers (INSEE, Rezone, CPAM) that produce the commune-level fact table come with
//! issue #4.

pub mod table;

pub use table::{Cell, Encoding, TextTable};
