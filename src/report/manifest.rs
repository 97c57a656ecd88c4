//! Which files of an output folder diagsante wrote: a manifest, `.diagsante-manifest`, lists
//! them (paths relative to the folder). A new report into the same folder removes the files
//! of the previous run that it does not rewrite (a chart that no longer applies, the tables
//! of data that had a projection) and nothing else: a user's own files beside the report
//! (notes, a chart of their own in `graphiques/`) are never touched, and neither is anything
//! the manifest names outside the folder (an entry with `..` or an absolute path is ignored).
//!
//! The manifest always covers every file a run may have left: before writing, it lists the
//! previous run's files and the new ones; once the new files are written and the stale ones
//! removed, it lists the new ones only. A run interrupted at any point is cleaned up by the
//! next. A folder without a manifest (written by an earlier version) is left as it is.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use polars::prelude::DataFrame;

use crate::error::{Error, Result};
use crate::output::{write_atomic, write_parquet_and_csv};

/// The manifest's file name in an output folder.
pub const MANIFEST: &str = ".diagsante-manifest";

/// The manifest's first lines.
const HEADER: &str = "# Fichiers écrits par diagsante dans ce dossier (chemins relatifs au dossier).\n\
# Au prochain rapport dans ce dossier, ceux qu'il ne réécrit pas sont supprimés ; aucun autre fichier n'est touché.\n";

/// One output of a run, relative to its folder.
pub enum Output {
    /// A file (`/`-separated path) and its bytes.
    File(String, Vec<u8>),
    /// A table written as `<stem>.parquet` and `<stem>.csv` (French Excel).
    Table(String, DataFrame),
}

impl Output {
    /// The files it writes, relative to the folder.
    fn paths(&self) -> Vec<String> {
        match self {
            Output::File(path, _) => vec![path.clone()],
            Output::Table(stem, _) => vec![format!("{stem}.parquet"), format!("{stem}.csv")],
        }
    }
}

/// Write `outputs` into `out`, then remove the files the previous run listed in the
/// manifest and this one did not rewrite, and list this run's files. Returns the files
/// written.
pub fn replace(out: &Path, outputs: Vec<Output>) -> Result<Vec<PathBuf>> {
    let previous = read(out)?;
    let new: BTreeSet<String> = outputs.iter().flat_map(Output::paths).collect();
    write(out, previous.union(&new))?;
    let mut written = Vec::new();
    for output in outputs {
        match output {
            Output::File(path, bytes) => write_atomic(&join(out, &path), &bytes)?,
            Output::Table(stem, mut df) => write_parquet_and_csv(&mut df, out, &stem)?,
        }
    }
    for path in &new {
        written.push(join(out, path));
    }
    for stale in previous.difference(&new) {
        remove(out, stale)?;
    }
    write(out, new.iter())?;
    Ok(written)
}

/// `/`-separated `rel` under `out`.
fn join(out: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(out.to_path_buf(), |p, c| p.join(c))
}

/// Whether a manifest entry names a file inside the folder: relative, without `..` or `.`.
fn inside(rel: &str) -> bool {
    !rel.is_empty()
        && rel != MANIFEST
        && !rel.contains('\\')
        && rel.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

/// The previous run's files: the manifest's entries inside the folder (others are ignored).
fn read(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(MANIFEST);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Error::read(&path, e)),
    };
    Ok(text.lines().map(str::trim_end).filter(|l| !l.starts_with('#') && inside(l)).map(str::to_owned).collect())
}

/// Write the manifest listing `files`, atomically.
fn write<'a>(out: &Path, files: impl Iterator<Item = &'a String>) -> Result<()> {
    let mut text = String::from(HEADER);
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    write_atomic(&out.join(MANIFEST), text.as_bytes())
}

/// Remove file `rel` of the folder, if it is still a file reached without following a
/// symbolic link to another folder.
fn remove(out: &Path, rel: &str) -> Result<()> {
    let path = join(out, rel);
    let mut dir = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            _ => return Ok(()),
        }
    }
    match std::fs::symlink_metadata(&path) {
        Ok(m) if !m.is_dir() => {}
        _ => return Ok(()),
    }
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Write { path, source: e }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Output {
        Output::File(path.into(), path.as_bytes().to_vec())
    }

    #[test]
    fn only_entries_inside_the_folder_count() {
        for ok in ["rapport.html", "graphiques/pyramide.png", "a/b/c.csv"] {
            assert!(inside(ok), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../dehors.txt", "graphiques/../../x", "./x", "a//b", "a\\..\\b", MANIFEST, "graphiques/"] {
            assert!(!inside(bad), "{bad}");
        }
    }

    #[test]
    fn a_new_run_removes_only_what_the_previous_one_wrote_and_does_not_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        replace(&out, vec![file("rapport.html"), file("graphiques/a.svg"), file("graphiques/b.svg")]).unwrap();
        std::fs::write(out.join("graphiques/mien.svg"), "x").unwrap();
        std::fs::write(out.join("notes.txt"), "x").unwrap();
        let written = replace(&out, vec![file("rapport.html"), file("graphiques/a.svg")]).unwrap();
        assert_eq!(written, vec![out.join("graphiques/a.svg"), out.join("rapport.html")]);
        assert!(!out.join("graphiques/b.svg").exists());
        assert!(out.join("graphiques/mien.svg").exists() && out.join("notes.txt").exists());
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(listed, ["graphiques/a.svg", "rapport.html"]);
    }

    #[test]
    fn entries_escaping_the_folder_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let outside = dir.path().join("dehors.txt");
        std::fs::write(&outside, "x").unwrap();
        std::fs::write(out.join(MANIFEST), format!("../dehors.txt\n{}\n", outside.display())).unwrap();
        replace(&out, vec![file("rapport.html")]).unwrap();
        assert!(outside.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_behind_a_symbolic_link_is_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (out, elsewhere) = (dir.path().join("out"), dir.path().join("ailleurs"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("x.png"), "x").unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("lien")).unwrap();
        std::fs::write(out.join(MANIFEST), "lien/x.png\n").unwrap();
        replace(&out, vec![file("rapport.html")]).unwrap();
        assert!(elsewhere.join("x.png").exists());
    }
}
