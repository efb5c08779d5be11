//! Loading a scenario: its file, every file it includes (relative paths,
//! nested, cycles refused), and the checks that span files: duplicate hashes,
//! transactions whose click is missing, a scenario without credentials.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::model::{ClickSpec, Document, TransactionSpec};
use super::problem::{Location, Position, Problem, Problems};
use super::read;
use super::source::{Source, resolve_include};

/// A scenario's files read and merged, before indexing: data from included
/// files comes before the including file's own, in the order of `include:`.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The scenario file itself.
    pub root: Document,
    /// Every click of every file, in load order.
    pub clicks: Vec<(PathBuf, ClickSpec)>,
    /// Every transaction of every file, in load order.
    pub transactions: Vec<(PathBuf, TransactionSpec)>,
    /// Every file read, as the source identifies it.
    pub files: Vec<PathBuf>,
}

/// Reads `path` and its includes; all problems of all files, or the merged data.
pub fn load(source: &dyn Source, path: &Path) -> Result<Loaded, Vec<Problem>> {
    let mut loader = Loader {
        source,
        problems: Problems::default(),
        stack: Vec::new(),
        done: Vec::new(),
        unreadable: false,
        loaded: Loaded::default(),
    };
    let root = match source.read(path) {
        Ok(text) => loader.file(path, &text),
        Err(err) => {
            let message = format!("cannot read the file: {err}");
            loader.problems.push(path, Position::START, message);
            None
        }
    };
    // A scenario file that cannot be read says nothing about its credentials:
    // checks that need its content would only add noise to the real cause.
    if let Some(root) = root {
        loader.loaded.root = root;
        loader.cross_file_checks(path);
    }
    if loader.problems.is_empty() {
        loader.loaded.files = loader.done;
        Ok(loader.loaded)
    } else {
        Err(loader.problems.into_sorted())
    }
}

struct Loader<'s> {
    source: &'s dyn Source,
    problems: Problems,
    /// The files being read, outermost first, to spot cycles: identity and
    /// the path as the user would name it.
    stack: Vec<(PathBuf, PathBuf)>,
    /// Some file could not be read or parsed, so its clicks are unknown.
    unreadable: bool,
    /// Identities of files already read: one included twice is read once.
    done: Vec<PathBuf>,
    loaded: Loaded,
}

impl Loader<'_> {
    /// Reads one file and, depth first, what it includes; returns its document.
    fn file(&mut self, path: &Path, text: &str) -> Option<Document> {
        let Some(mut doc) = read::read_text(text, path, &mut self.problems) else {
            self.unreadable = true;
            return None;
        };
        self.stack
            .push((self.source.identity(path), path.to_path_buf()));
        for include in &doc.include {
            self.include(path, &include.value, include.at);
        }
        self.stack.pop();
        self.done.push(self.source.identity(path));
        let clicks = std::mem::take(&mut doc.clicks);
        let transactions = std::mem::take(&mut doc.transactions);
        self.loaded
            .clicks
            .extend(clicks.into_iter().map(|c| (path.to_path_buf(), c)));
        self.loaded
            .transactions
            .extend(transactions.into_iter().map(|t| (path.to_path_buf(), t)));
        Some(doc)
    }

    fn include(&mut self, including: &Path, written: &str, at: Position) {
        let target = resolve_include(including, written);
        let identity = self.source.identity(&target);
        if let Some(start) = self.stack.iter().position(|(id, _)| *id == identity) {
            let mut chain: Vec<String> = self.stack[start..]
                .iter()
                .map(|(_, shown)| shown.display().to_string())
                .collect();
            chain.push(target.display().to_string());
            let message = format!("include cycle: {}", chain.join(" -> "));
            self.problems.push(including, at, message);
            return;
        }
        if self.done.contains(&identity) {
            return;
        }
        let text = match self.source.read(&target) {
            Ok(text) => text,
            Err(err) => {
                let message = format!("cannot include `{written}` ({}): {err}", target.display());
                self.problems.push(including, at, message);
                return;
            }
        };
        if let Some(doc) = self.file(&target, &text) {
            for (key, at) in doc.scenario_only_keys() {
                let message =
                    format!("`{key}` belongs in a scenario, not in an included fixture file");
                self.problems.push(&target, at, message);
            }
        }
    }

    fn cross_file_checks(&mut self, scenario: &Path) {
        let loaded = &self.loaded;
        let problems = &mut self.problems;
        if loaded.root.credentials.is_none() {
            problems.push(
                scenario,
                Position::START,
                "the scenario has no `credentials`: add at least one username and api_key",
            );
        }

        let mut clicks: HashMap<&str, Location> = HashMap::new();
        for (path, click) in &loaded.clicks {
            let hash = click.click_hash();
            if hash.is_empty() {
                continue;
            }
            let here = Location {
                path: path.clone(),
                at: click.hash_at,
            };
            if let Some(first) = clicks.get(hash) {
                let message = format!("duplicate click_hash `{hash}` (first defined at {first})");
                problems.push(path, click.hash_at, message);
            } else {
                clicks.insert(hash, here);
            }
        }

        let mut ids: HashMap<&str, Location> = HashMap::new();
        for (path, transaction) in &loaded.transactions {
            let Some(id) = &transaction.transactionid else {
                continue;
            };
            if let Some(first) = ids.get(id.value.as_str()) {
                let message = format!(
                    "duplicate transactionid `{}` (first defined at {first})",
                    id.value
                );
                problems.push(path, id.at, message);
            } else {
                let here = Location {
                    path: path.clone(),
                    at: id.at,
                };
                ids.insert(&id.value, here);
            }
        }

        let mut transactions: HashMap<&str, Location> = HashMap::new();
        for (path, transaction) in &loaded.transactions {
            let hash = transaction.transaction_hash();
            if !hash.is_empty() {
                if let Some(first) = transactions.get(hash) {
                    let message =
                        format!("duplicate transaction_hash `{hash}` (first defined at {first})");
                    problems.push(path, transaction.hash_at, message);
                } else {
                    let here = Location {
                        path: path.clone(),
                        at: transaction.hash_at,
                    };
                    transactions.insert(hash, here);
                }
            }
            let click = &transaction.click_hash;
            if !self.unreadable
                && !click.value.is_empty()
                && !clicks.contains_key(click.value.as_str())
            {
                let message = format!(
                    "transaction `{hash}` names click_hash `{}`, which no click has",
                    click.value
                );
                problems.push(path, click.at, message);
            }
        }
    }
}
