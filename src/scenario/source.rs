//! Where scenario files come from: the disk, or the copy of the `default`
//! scenario and its fixtures built into the binary.

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

/// The path of the built-in `default` scenario.
pub const BUILTIN_DEFAULT: &str = "scenarios/default.yaml";

/// The `default` scenario and the fixtures it includes, as built into the binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

const BUILTIN_FILES: [(&str, &str); 3] = [
    (
        BUILTIN_DEFAULT,
        include_str!("../../scenarios/default.yaml"),
    ),
    (
        "fixtures/api-page-example.yaml",
        include_str!("../../fixtures/api-page-example.yaml"),
    ),
    (
        "fixtures/conversions.yaml",
        include_str!("../../fixtures/conversions.yaml"),
    ),
];

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
    fn the_builtin_default_and_its_fixtures_are_readable() {
        assert!(Builtin.read(Path::new(BUILTIN_DEFAULT)).is_ok());
        assert!(Builtin.read(Path::new("scenarios/nope.yaml")).is_err());
    }
}
