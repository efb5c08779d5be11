//! Where scenario files come from: the disk, or the copies of the bundled
//! scenarios and their fixtures built into the binary.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Files the loader can read.
pub trait Source {
    /// The text of `path`.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// What makes two paths the same file, for spotting include cycles.
    fn identity(&self, path: &Path) -> PathBuf;
}

/// Files on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

/// The largest scenario or fixture file read: room for a generated million
/// clicks with their transactions, and a bound on what loading can take.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

impl Source for Disk {
    fn read(&self, path: &Path) -> io::Result<String> {
        let size = std::fs::metadata(path)?.len();
        if size > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "the file is {} MiB, more than the {} MiB n4n-mock reads; \
                     split the data into included fixtures",
                    size / (1024 * 1024),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
        }
        std::fs::read_to_string(path)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }
}

/// The bundled scenarios and fixtures, as built into the binary: so that
/// `n4n-mock --scenario lifecycle` works from any folder, and a Rust test
/// suite depending on the crate finds them too. Each keeps the path it has in
/// the repository, so the includes between them resolve as on disk, and
/// problems (there are none: a test loads each) would name that path.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

/// `(path, text)` of each file, the path relative to the repository's root.
macro_rules! bundled {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../", $path)))),*]
    };
}

/// Every file of `scenarios/` and `fixtures/` (a test checks that none is
/// missing from the list).
const BUILTIN_FILES: &[(&str, &str)] = bundled![
    "scenarios/captured.yaml",
    "scenarios/custom-errors.yaml",
    "scenarios/default.yaml",
    "scenarios/empty.yaml",
    "scenarios/flaky.yaml",
    "scenarios/ip-restricted.yaml",
    "scenarios/lifecycle.yaml",
    "scenarios/locked.yaml",
    "scenarios/postbacks.yaml",
    "scenarios/rate-limited.yaml",
    "scenarios/slow.yaml",
    "fixtures/api-page-example.yaml",
    "fixtures/conversions.yaml",
];

/// The folder of the built-in scenarios; every other built-in file is a
/// fixture they include.
const BUILTIN_SCENARIOS_FOLDER: &str = "scenarios/";

/// Each built-in scenario: its name (its file's stem, as none sets `name:`)
/// and its path, sorted by name.
pub fn builtin_scenarios() -> impl Iterator<Item = (&'static str, &'static Path)> {
    BUILTIN_FILES.iter().filter_map(|(path, _)| {
        let name = path.strip_prefix(BUILTIN_SCENARIOS_FOLDER)?;
        Some((name.strip_suffix(".yaml")?, Path::new(*path)))
    })
}

impl Source for Builtin {
    fn read(&self, path: &Path) -> io::Result<String> {
        let wanted = normalize(path);
        BUILTIN_FILES
            .iter()
            .find(|(name, _)| Path::new(name) == wanted)
            .map(|(_, text)| (*text).to_string())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not built into n4n-mock"))
    }

    fn identity(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// One scenario held in memory, as a Rust test suite builds it in code; it
/// includes nothing (every include is reported as missing).
#[derive(Debug, Clone)]
pub struct Memory {
    /// The name its problems are reported under.
    pub path: PathBuf,
    /// The YAML text.
    pub text: String,
}

impl Source for Memory {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == self.path {
            Ok(self.text.clone())
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                "a scenario built in code cannot include files",
            ))
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Whether `path` names a JSON file (`.json`), read as JSON rather than YAML.
pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// Resolves `include` written in `including`: relative to that file's folder.
pub fn resolve_include(including: &Path, include: &str) -> PathBuf {
    let base = including.parent().unwrap_or(Path::new(""));
    normalize(&base.join(include))
}

/// Removes `.` and folds `dir/..` without touching the file system, so that
/// `scenarios/../fixtures/a.yaml` reads as `fixtures/a.yaml` in messages.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_resolve_relative_to_the_including_file() {
        assert_eq!(
            resolve_include(Path::new("scenarios/a.yaml"), "../fixtures/b.yaml"),
            PathBuf::from("fixtures/b.yaml")
        );
        assert_eq!(
            resolve_include(Path::new("/x/s/a.yaml"), "./c/../d.yaml"),
            PathBuf::from("/x/s/d.yaml")
        );
        assert_eq!(
            resolve_include(Path::new("a.yaml"), "../up.yaml"),
            PathBuf::from("../up.yaml")
        );
    }

    #[test]
    fn every_bundled_file_is_built_in_as_it_is_on_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk: Vec<String> = Vec::new();
        for folder in ["scenarios", "fixtures"] {
            for entry in std::fs::read_dir(root.join(folder)).expect("folder") {
                let name = entry.expect("entry").file_name();
                on_disk.push(format!("{folder}/{}", name.to_string_lossy()));
            }
        }
        on_disk.sort();
        let mut built_in: Vec<String> = BUILTIN_FILES.iter().map(|(p, _)| p.to_string()).collect();
        built_in.sort();
        assert_eq!(built_in, on_disk);
        for (path, text) in BUILTIN_FILES {
            let file = std::fs::read_to_string(root.join(path)).expect("read");
            assert_eq!(Builtin.read(Path::new(path)).expect("built in"), file);
            assert_eq!(*text, file);
        }
        assert!(Builtin.read(Path::new("scenarios/nope.yaml")).is_err());
        // Paths are compared once normalized, as includes spell them.
        assert!(
            Builtin
                .read(Path::new("scenarios/../fixtures/conversions.yaml"))
                .is_ok()
        );
    }

    #[test]
    fn the_builtin_scenarios_are_named_by_their_stems() {
        let names: Vec<&str> = builtin_scenarios().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "captured",
                "custom-errors",
                "default",
                "empty",
                "flaky",
                "ip-restricted",
                "lifecycle",
                "locked",
                "postbacks",
                "rate-limited",
                "slow"
            ]
        );
        assert!(builtin_scenarios().all(|(name, path)| path.file_stem() == Some(name.as_ref())));
    }
}
