//! Writing results: always to a temporary file in the destination folder, then renamed,
//! so that an interrupted run never leaves a partial file behind.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically (temp file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with a closure that streams into the temporary file.
pub fn write_atomic_with<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut fs::File) -> std::io::Result<()>,
{
    let fail = |source| Error::Write { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(fail)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = fs::File::create(&tmp).and_then(|mut f| {
        fill(&mut f)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|_| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// Write a table as CSV for French Excel (UTF-8 BOM, `;`, decimal comma), atomically.
pub fn write_csv_fr(df: &mut polars::prelude::DataFrame, path: &Path) -> Result<()> {
    use polars::prelude::{CsvWriter, SerWriter};
    write_atomic_with(path, |f| {
        CsvWriter::new(f).include_bom(true).with_separator(b';').with_decimal_comma(true).finish(df).map_err(std::io::Error::other)
    })
}

/// Write a table as `<stem>.parquet` and `<stem>.csv` (French Excel) in `dir`.
pub fn write_parquet_and_csv(df: &mut polars::prelude::DataFrame, dir: &Path, stem: &str) -> Result<()> {
    crate::ingest::facts::write_parquet(df, &dir.join(format!("{stem}.parquet")))?;
    write_csv_fr(df, &dir.join(format!("{stem}.csv")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_fill_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic_with(&path, |_| Err(std::io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
