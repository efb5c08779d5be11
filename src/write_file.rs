//! Writing a file the user will read, whole or not at all: the text goes to
//! a temporary file in the same folder, which is renamed over the target
//! only once it is complete. A reader never sees half of it, and a run that
//! fails midway (or is stopped through [`WriteOptions::stop`]) leaves the
//! old file (or none) and no temporary file behind.
//!
//! A file already at the path is replaced only when asked
//! ([`WriteOptions::replace`]); otherwise the rename itself refuses it, so a
//! file that appears while the text is being written is kept too.
//!
//! Only a SIGKILL (or a crash of the machine) can leave the temporary file,
//! hidden as `.NAME.XXXXXX.tmp` beside the target; the target is still never
//! half written.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// How [`write_atomically_with`] treats a file already at the path, and what
/// may stop it. The default keeps an existing file and cannot be stopped.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// Replace a file already at the path. When false the write fails with
    /// [`io::ErrorKind::AlreadyExists`] and the file there is left as it was.
    pub replace: bool,
    /// Set (by a signal handler, say) when the write must stop: the next
    /// write to the file, or the rename, then fails with [`Stopped`].
    pub stop: Option<&'a AtomicBool>,
}

/// The error inside the [`io::Error`] of a write stopped through
/// [`WriteOptions::stop`].
#[derive(Debug, thiserror::Error)]
#[error("stopped before the file was whole")]
pub struct Stopped;

/// Writes what `fill` writes to `path`, atomically, replacing a file already
/// there. The temporary file is removed when `fill` (or anything after it)
/// fails.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let options = WriteOptions {
        replace: true,
        stop: None,
    };
    write_atomically_with(path, options, fill)
}

/// Writes what `fill` writes to `path`, atomically, as `options` say. The
/// temporary file is removed when `fill` (or anything after it) fails or is
/// stopped.
pub fn write_atomically_with(
    path: &Path,
    options: WriteOptions<'_>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = folder_of(path);
    // Hidden and named after the target, so a person who sees one knows whose it is.
    let prefix = format!(
        ".{}.",
        path.file_name()
            .map_or_else(|| "n4n-mock".into(), |n| n.to_string_lossy())
    );
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // As open as a file the user creates (0666 less the umask), not only the
    // owner's as a temporary file would be: a scenario is often read by
    // another account, a container's say.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let temporary = builder
        .tempfile_in(&folder)
        .map_err(without_temporary_name)?;
    // A file replaced keeps its permissions.
    if options.replace
        && let Ok(old) = std::fs::metadata(path)
        && old.is_file()
    {
        temporary.as_file().set_permissions(old.permissions())?;
    }
    {
        let file = Stoppable {
            file: temporary.as_file(),
            stop: options.stop,
        };
        let mut out = io::BufWriter::new(file);
        fill(&mut out)?;
        out.flush()?;
    }
    temporary.as_file().sync_all()?;
    check(options.stop)?;
    // On failure the temporary file is dropped, and so removed.
    if options.replace {
        temporary.persist(path).map_err(|err| err.error)?;
    } else {
        temporary.persist_noclobber(path).map_err(|err| err.error)?;
    }
    Ok(())
}

/// Writes `text` to `path`, atomically, replacing a file already there.
pub fn write_text_atomically(path: &Path, text: &str) -> io::Result<()> {
    write_atomically(path, |out| out.write_all(text.as_bytes()))
}

/// The error of a temporary file that could not be created, without its
/// name: tempfile adds `at path "dir/.NAME.x1Y2z3.tmp"`, a name the user
/// never gave, where the callers name the file the user asked for.
fn without_temporary_name(err: io::Error) -> io::Error {
    let text = err.to_string();
    match text.rfind(" at path ") {
        Some(at) => io::Error::new(err.kind(), &text[..at]),
        None => err,
    }
}

/// The temporary file, failing every write once `stop` is set.
struct Stoppable<'a> {
    file: &'a std::fs::File,
    stop: Option<&'a AtomicBool>,
}

impl Write for Stoppable<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        check(self.stop)?;
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Fails with [`Stopped`] once `stop` is set. (Not [`io::ErrorKind::Interrupted`]:
/// `write_all` retries those.)
fn check(stop: Option<&AtomicBool>) -> io::Result<()> {
    match stop {
        Some(stop) if stop.load(Ordering::SeqCst) => Err(io::Error::other(Stopped)),
        _ => Ok(()),
    }
}

/// The folder `path` is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
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
    fn without_replace_an_existing_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old").expect("write");

        let refused =
            write_atomically_with(&path, WriteOptions::default(), |out| out.write_all(b"new"));

        assert_eq!(
            refused.expect_err("refused").kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(leftovers(dir.path()), ["out.yaml"]);
    }

    #[test]
    fn with_replace_an_existing_file_is_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old").expect("write");
        let options = WriteOptions {
            replace: true,
            stop: None,
        };

        write_atomically_with(&path, options, |out| out.write_all(b"new")).expect("written");

        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert_eq!(leftovers(dir.path()), ["out.yaml"]);
    }

    #[test]
    fn a_stop_midway_fails_keeps_the_old_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old").expect("write");
        let stop = AtomicBool::new(false);
        let options = WriteOptions {
            replace: true,
            stop: Some(&stop),
        };

        let stopped = write_atomically_with(&path, options, |out| {
            out.write_all(&[b'x'; 100_000])?;
            stop.store(true, Ordering::SeqCst);
            out.write_all(&[b'y'; 100_000])
        });

        let err = stopped.expect_err("stopped");
        assert!(
            err.get_ref().is_some_and(|inner| inner.is::<Stopped>()),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(leftovers(dir.path()), ["out.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_has_the_permissions_of_a_file_the_user_creates() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let created = dir.path().join("created.yaml");
        std::fs::write(&created, "").expect("write");
        let path = dir.path().join("out.yaml");

        write_text_atomically(&path, "clicks: []\n").expect("written");

        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode();
        assert_eq!(mode(&path), mode(&created));
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");

        write_text_atomically(&path, "new").expect("written");

        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_folder_that_is_not_there_fails_without_naming_the_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing").join("out.yaml");

        let err = write_text_atomically(&path, "text").expect_err("no folder");

        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let text = err.to_string();
        assert!(
            !text.contains(".tmp") && !text.contains("out.yaml"),
            "{text}"
        );
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("out.yaml")), PathBuf::from("."));
        assert_eq!(folder_of(Path::new("a/out.yaml")), PathBuf::from("a"));
    }
}
