//! Writing a file the user will read, whole or not at all: the text goes to
//! a temporary file in the same folder, which is renamed over the target
//! only once it is complete. A reader never sees half of it, and a run that
//! fails midway leaves the old file (or none) and no temporary file behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes what `fill` writes to `path`, atomically. The temporary file is
/// removed when `fill` (or anything after it) fails.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = folder_of(path);
    // Hidden and named after the target, so a person who sees one knows whose it is.
    let prefix = format!(
        ".{}.",
        path.file_name()
            .map_or_else(|| "n4n-mock".into(), |n| n.to_string_lossy())
    );
    let temporary = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(&folder)?;
    {
        let mut out = io::BufWriter::new(temporary.as_file());
        fill(&mut out)?;
        out.flush()?;
    }
    temporary.as_file().sync_all()?;
    // On failure the temporary file is dropped, and so removed.
    temporary.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// Writes `text` to `path`, atomically.
pub fn write_text_atomically(path: &Path, text: &str) -> io::Result<()> {
    write_atomically(path, |out| out.write_all(text.as_bytes()))
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn writes_the_whole_text_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        write_text_atomically(&path, "clicks: []\n").expect("written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "clicks: []\n"
        );
        assert_eq!(leftovers(dir.path()), ["out.yaml"]);
    }

    #[test]
    fn a_failure_midway_keeps_the_old_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old").expect("write");
        let failed = write_atomically(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("upstream stopped answering"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(leftovers(dir.path()), ["out.yaml"]);
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("out.yaml")), PathBuf::from("."));
        assert_eq!(folder_of(Path::new("a/out.yaml")), PathBuf::from("a"));
    }
}
