//! What is wrong with a scenario, and where: `path:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a YAML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl Position {
    /// The first character of a file, for problems that belong to the whole file.
    pub const START: Position = Position { line: 1, column: 1 };

    /// A position from 1-based coordinates.
    pub fn new(line: u64, column: u64) -> Self {
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A file and a position in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user would name it.
    pub path: PathBuf,
    /// Where in the file.
    pub at: Position,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.at)
    }
}

/// One problem found while loading a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong, for a person to read.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Problems collected while reading one file, all of them, in file order.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// Records a problem at `at` in `path`.
    pub fn push(&mut self, path: &Path, at: Position, message: impl Into<String>) {
        self.list.push(Problem {
            location: Location {
                path: path.to_path_buf(),
                at,
            },
            message: message.into(),
        });
    }

    /// Adds every problem of `other`.
    pub fn append(&mut self, other: Problems) {
        self.list.extend(other.list);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems, ordered by file, then line and column, as an editor would list them.
    pub fn into_sorted(mut self) -> Vec<Problem> {
        // Stable sort: problems at one spot keep the order they were found in.
        self.list.sort_by(|a, b| a.location.cmp(&b.location));
        self.list
    }
}
