//! Loading a scenario: its file, every file it includes (relative paths,
//! nested, cycles refused; a `.json` file read as JSON, any other as YAML),
//! and the checks that span files: duplicate hashes,
//! transactions whose click is missing, a scenario without credentials.
//! The map of click hashes and each transaction's click, which those checks
//! build, go on to the index ([`Links`]) rather than being built twice.

use std::collections::HashMap as StdHashMap;

/// The maps of a scenario's keys, hashed with foldhash rather than SipHash:
/// the keys are the scenario author's own, built into the maps once, so
/// they need no defence against crafted collisions, and a large scenario's
/// load spent a tenth of its time hashing them.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::keys::KeyMap;
use super::model::{ClickSpec, Document, Located, TransactionSpec};
use super::parallel;
use super::problem::{Location, Position, Problem, Problems};
use super::read;
use super::source::{Source, is_json, resolve_include};
use crate::postbacks::Target;

/// A scenario's files read and merged, before indexing: data from included
/// files comes before the including file's own, in the order of `include:`.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The scenario file itself.
    pub root: Document,
    /// Every click of every file, file by file in load order.
    pub clicks: Vec<FileRecords<ClickSpec>>,
    /// Every transaction of every file, file by file in load order.
    pub transactions: Vec<FileRecords<TransactionSpec>>,
    /// Every file read, as the source identifies it.
    pub files: Vec<PathBuf>,
    /// The clicks' hashes and each transaction's click, as the checks
    /// across files found them: the index starts from them.
    pub links: Links,
    /// Every file's postback targets, file by file in load order.
    pub postbacks: Vec<FileRecords<Located<Target>>>,
}

/// Which click each hash and each transaction belongs to, by the click's
/// place in load order.
#[derive(Debug, Default)]
pub struct Links {
    /// Each `click_hash` and its click, the first one in load order when it
    /// is duplicated; room is made for the transactions' hashes, which the
    /// index adds.
    pub clicks: KeyMap<usize>,
    /// For each transaction in load order, the click its `click_hash`
    /// names; the number of clicks when none does.
    pub owners: Vec<usize>,
}

/// The records of one file, in file order.
#[derive(Debug)]
pub struct FileRecords<T> {
    /// The file as the user would name it.
    pub path: Arc<Path>,
    /// Its records.
    pub records: Vec<T>,
}

impl Loaded {
    /// Every click, in load order, with its file.
    pub fn clicks(&self) -> impl Iterator<Item = (&Path, &ClickSpec)> {
        flatten(&self.clicks)
    }

    /// Every transaction, in load order, with its file.
    pub fn transactions(&self) -> impl Iterator<Item = (&Path, &TransactionSpec)> {
        flatten(&self.transactions)
    }
}

/// Every record of every file, in load order, as one list.
pub fn concat<T>(files: Vec<FileRecords<T>>) -> Vec<T> {
    let mut files = files.into_iter();
    let mut all = files.next().map(|file| file.records).unwrap_or_default();
    for file in files {
        all.extend(file.records);
    }
    all
}

/// How many records `files` hold in all.
fn count<T>(files: &[FileRecords<T>]) -> usize {
    files.iter().map(|file| file.records.len()).sum()
}

fn flatten<T>(files: &[FileRecords<T>]) -> impl Iterator<Item = (&Path, &T)> {
    files
        .iter()
        .flat_map(|file| file.records.iter().map(|r| (&*file.path, r)))
}

/// What the file a load starts from is: a scenario, or a fixture checked
/// on its own (`convert` checks one before writing it as JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A scenario: it needs credentials, and each transaction's click must
    /// be in one of its files.
    Scenario,
    /// A fixture, as a scenario including it would check it: scenario-only
    /// keys are refused and no credentials are asked for; a transaction may
    /// name a click of another file of that scenario, so none is looked for.
    Fixture,
}

impl Role {
    /// What a file whose top level is `doc` is when nothing else says: a
    /// scenario when it sets a key only a scenario may (`credentials`,
    /// `name`, `errors`...), a fixture otherwise.
    pub fn of(doc: &Document) -> Role {
        if doc.scenario_only_keys().is_empty() {
            Role::Fixture
        } else {
            Role::Scenario
        }
    }
}

/// Reads the scenario at `path` and its includes; all problems of all
/// files, or the merged data.
pub fn load(source: &dyn Source, path: &Path) -> Result<Loaded, Vec<Problem>> {
    load_as(source, path, Some(Role::Scenario)).map(|(loaded, _)| loaded)
}

/// Reads `path` as `role` says, or when `None` as what its top level says
/// it is ([`Role::of`]), and its includes; all problems of all files, or
/// the merged data and what the file was read as.
pub fn load_as(
    source: &dyn Source,
    path: &Path,
    role: Option<Role>,
) -> Result<(Loaded, Role), Vec<Problem>> {
    let mut loader = Loader {
        source,
        role: role.unwrap_or(Role::Scenario),
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
        loader.role = role.unwrap_or_else(|| Role::of(&root));
        if loader.role == Role::Fixture {
            loader.refuse_scenario_keys(path, &root);
        }
        loader.loaded.root = root;
        loader.cross_file_checks(path);
    }
    if loader.problems.is_empty() {
        loader.loaded.files = loader.done;
        Ok((loader.loaded, loader.role))
    } else {
        Err(loader.problems.into_sorted())
    }
}

struct Loader<'s> {
    source: &'s dyn Source,
    /// What the file the load starts from is.
    role: Role,
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
        let doc = if is_json(path) {
            read::json::read_text(text, path, &mut self.problems)
        } else {
            read::read_text(text, path, &mut self.problems)
        };
        let Some(mut doc) = doc else {
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
        let shared: Arc<Path> = Arc::from(path);
        self.loaded.postbacks.push(FileRecords {
            path: Arc::clone(&shared),
            records: std::mem::take(&mut doc.postbacks),
        });
        self.loaded.clicks.push(FileRecords {
            path: Arc::clone(&shared),
            records: std::mem::take(&mut doc.clicks),
        });
        self.loaded.transactions.push(FileRecords {
            path: shared,
            records: std::mem::take(&mut doc.transactions),
        });
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
            self.refuse_scenario_keys(&target, &doc);
        }
    }

    /// A problem for each key of the fixture `doc` that only a scenario may have.
    fn refuse_scenario_keys(&mut self, path: &Path, doc: &Document) {
        for (key, at) in doc.scenario_only_keys() {
            let message = format!("`{key}` belongs in a scenario, not in an included fixture file");
            self.problems.push(path, at, message);
        }
    }

    /// The checks across files. Duplicate transactions are looked for on a
    /// thread of their own while the clicks are; every problem is located,
    /// so the order they are found in does not show once they are sorted.
    /// A fixture is asked for no credentials, and its transactions' clicks
    /// are not looked for (see [`Role::Fixture`]).
    fn cross_file_checks(&mut self, scenario: &Path) {
        let loaded = &self.loaded;
        let scenario_file = self.role == Role::Scenario;
        if scenario_file && loaded.root.credentials.is_none() {
            self.problems.push(
                scenario,
                Position::START,
                "the scenario has no `credentials`: add at least one username and api_key",
            );
        }
        let large = loaded.clicks.len() + loaded.transactions.len() >= parallel::FROM_RECORDS;
        let (transactions, clicks) = parallel::join(
            large,
            || duplicate_transactions(loaded),
            || first_clicks(loaded),
        );
        let (clicks, duplicates) = clicks;
        self.problems.append(duplicates);
        self.problems.append(duplicate_targets(&loaded.postbacks));
        self.problems.append(transactions);
        if !self.unreadable && scenario_file {
            let (owners, missing) = owners(loaded, &clicks);
            self.problems.append(missing);
            self.loaded.links = Links { clicks, owners };
        }
    }
}

/// A problem for each postback target whose name a target before it, in
/// this file or another, already has.
pub fn duplicate_targets(files: &[FileRecords<Located<Target>>]) -> Problems {
    let mut problems = Problems::default();
    let mut first: HashMap<&str, (&Path, Position)> = HashMap::default();
    for file in files {
        for target in &file.records {
            let name = target.value.name.as_str();
            match first.get(name) {
                Some(&earlier) => {
                    let message = duplicate("postback target", name, earlier);
                    problems.push(&file.path, target.at, message);
                }
                None => {
                    first.insert(name, (&file.path, target.at));
                }
            }
        }
    }
    problems
}

/// Where each hash was first defined; a [`Location`] is only built for a
/// message, so the maps hold no copy of a path.
type FirstDefined<'l> = HashMap<&'l str, (&'l Path, Position)>;

/// The file and place of the click at `index` in load order.
fn click_at(loaded: &Loaded, mut index: usize) -> (&Path, Position) {
    for file in &loaded.clicks {
        match file.records.get(index) {
            Some(click) => return (&file.path, click.hash_at),
            None => index -= file.records.len(),
        }
    }
    unreachable!("a click index past the last click")
}

fn located((path, at): (&Path, Position)) -> Location {
    Location {
        path: path.to_path_buf(),
        at,
    }
}

/// The message for a `what` whose `key` was first defined at `first`.
fn duplicate(what: &str, key: &str, first: (&Path, Position)) -> String {
    let first = located(first);
    format!("duplicate {what} `{key}` (first defined at {first})")
}

/// Notes where `key` (a `what`) is first defined, or, when it was before,
/// reports this one as its duplicate.
fn first_or_duplicate<'l>(
    seen: &mut FirstDefined<'l>,
    problems: &mut Problems,
    what: &str,
    key: &'l str,
    (path, at): (&'l Path, Position),
) {
    if let Some(&first) = seen.get(key) {
        problems.push(path, at, duplicate(what, key, first));
    } else {
        seen.insert(key, (path, at));
    }
}

/// Every `click_hash` and the first click in load order that has it, and
/// its duplicates.
fn first_clicks(loaded: &Loaded) -> (KeyMap<usize>, Problems) {
    let mut problems = Problems::default();
    let records = count(&loaded.clicks) + count(&loaded.transactions);
    let hashes = loaded.clicks().map(|(_, c)| c.click_hash());
    let transaction_hashes = loaded.transactions().map(|(_, t)| t.transaction_hash());
    let bytes = hashes.chain(transaction_hashes).map(str::len).sum();
    let mut clicks = KeyMap::with_capacity(records, bytes);
    for (i, (path, click)) in loaded.clicks().enumerate() {
        let hash = click.click_hash();
        if !hash.is_empty() && !clicks.insert_first(hash, i) {
            let first = clicks.get(hash).map_or(i, |&first| first);
            let message = duplicate("click_hash", hash, click_at(loaded, first));
            problems.push(path, click.hash_at, message);
        }
    }
    (clicks, problems)
}

/// Duplicate `transactionid`s and `transaction_hash`es.
fn duplicate_transactions(loaded: &Loaded) -> Problems {
    let mut problems = Problems::default();
    let mut ids: FirstDefined = HashMap::default();
    for (path, transaction) in loaded.transactions() {
        if let Some(id) = &transaction.transactionid {
            first_or_duplicate(
                &mut ids,
                &mut problems,
                "transactionid",
                &id.value,
                (path, id.at),
            );
        }
    }
    let mut hashes: FirstDefined =
        HashMap::with_capacity_and_hasher(count(&loaded.transactions), Default::default());
    for (path, transaction) in loaded.transactions() {
        let hash = transaction.transaction_hash();
        if !hash.is_empty() {
            let at = (path, transaction.hash_at);
            first_or_duplicate(&mut hashes, &mut problems, "transaction_hash", hash, at);
        }
    }
    problems
}

/// Each transaction's click (see [`Links::owners`]), and the transactions
/// whose `click_hash` names no click.
fn owners(loaded: &Loaded, clicks: &KeyMap<usize>) -> (Vec<usize>, Problems) {
    let none = count(&loaded.clicks);
    let mut problems = Problems::default();
    let mut owners = Vec::with_capacity(count(&loaded.transactions));
    for (path, transaction) in loaded.transactions() {
        let click = &transaction.click_hash;
        let owner = clicks.get(&click.value).copied();
        if owner.is_none() && !click.value.is_empty() {
            let message = format!(
                "transaction `{}` names click_hash `{}`, which no click has",
                transaction.transaction_hash(),
                click.value
            );
            problems.push(path, click.at, message);
        }
        owners.push(owner.unwrap_or(none));
    }
    (owners, problems)
}
