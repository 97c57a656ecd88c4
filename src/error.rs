//! Errors of the library. Every error a user can cause names the file and, when known,
//! the line, the column and the value, and says what to do; the CLI maps them to exit
//! code 2. Anything else (a broken embedded file, a failed write) is an internal error,
//! exit code 1.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem was found: file, then 1-based line and column when known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
    /// A column name (CSV header) or a 1-based character position, as the source allows.
    pub column: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), ..Default::default() }
    }
    pub fn at(mut self, line: usize, column: impl Into<String>) -> Self {
        self.line = Some(line);
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

/// A problem in something the user gave us (a file, a code, an option).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub location: Location,
    pub message: String,
    /// What the user can do about it.
    pub hint: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  what to do: {}", self.hint)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(Box<InputError>),
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn input(location: Location, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Input(Box::new(InputError { location, message: message.into(), hint: hint.into() }))
    }

    pub fn read(path: &Path, source: std::io::Error) -> Self {
        Error::Read { path: path.to_path_buf(), source }
    }

    /// Exit code for the command line: 2 for anything the user can fix, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Read { .. } => 2,
            Error::Write { .. } | Error::Internal(_) => 1,
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Internal(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
