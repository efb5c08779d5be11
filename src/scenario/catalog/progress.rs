//! Telling how a long load goes. A server answers nothing until every
//! scenario is loaded, and a large file takes seconds: without a word, a
//! start that takes ten looks stuck. So a scenario whose files are large
//! is announced (the file and its size), a line says it is still loading
//! every [`PROGRESS_EVERY`], and a last one how long it took; a large YAML
//! file is told the `n4n-mock convert` command that writes it as JSON,
//! which loads several times faster.
//!
//! A small file costs a look at its size and nothing else: no thread, no
//! line. Two variables, for tests that cannot wait for a large file, set
//! what counts as large and how often the line comes:
//! `N4N_MOCK_LARGE_FILE_BYTES` (YAML and JSON alike) and
//! `N4N_MOCK_PROGRESS_EVERY_MS`.

use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::scenario::source::{Disk, MAX_FILE_BYTES, Source, is_json};
use crate::scenario::{LoadError, Scenario};

/// A YAML file from this size is large. A release build on a two-core
/// machine shared with other work loads YAML at about 10 MiB a second
/// (30,000 generated clicks, 11 MiB, in 1.0 to 1.4 s, written one key a
/// line or one click a line alike; 300,000 clicks, 107 MiB, in 10 to
/// 12 s), so from here the start takes most of a second or more.
pub const LARGE_YAML_BYTES: u64 = 8 * 1024 * 1024;

/// A JSON file from this size is large: JSON loads about ten times faster
/// than YAML (300,000 generated clicks, 119 MiB, in 1.2 s on the same
/// machine), so this is about the same wait.
pub const LARGE_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// How often a large load says it is still loading.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// What counts as large, and how often a large load tells how it goes.
#[derive(Debug, Clone, Copy)]
struct Settings {
    yaml: u64,
    json: u64,
    every: Duration,
}

static SETTINGS: LazyLock<Settings> = LazyLock::new(|| {
    settings(|name| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.trim().parse::<u64>().ok())
    })
});

/// The settings, from the two variables as `number` reads them.
fn settings(number: impl Fn(&str) -> Option<u64>) -> Settings {
    let large = number("N4N_MOCK_LARGE_FILE_BYTES");
    Settings {
        yaml: large.unwrap_or(LARGE_YAML_BYTES),
        json: large.unwrap_or(LARGE_JSON_BYTES),
        every: number("N4N_MOCK_PROGRESS_EVERY_MS")
            .filter(|ms| *ms > 0)
            .map_or(PROGRESS_EVERY, Duration::from_millis),
    }
}

/// Loads the scenario file at `path` from disk, as
/// [`Scenario::from_file`] does, telling how it goes when a file of it
/// (the scenario or an include) is large.
pub(super) fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let watch = Watch {
        scenario: path,
        settings: *SETTINGS,
        started: Instant::now(),
        large: RefCell::new(None),
    };
    let loaded = Scenario::load(&watch, path);
    watch.finish(&loaded);
    loaded
}

/// The disk, read for one scenario's load, watching for large files.
struct Watch<'p> {
    /// The scenario file being loaded.
    scenario: &'p Path,
    settings: Settings,
    started: Instant,
    /// Set once a large file is met.
    large: RefCell<Option<Large>>,
}

/// A load found large: its ticking line, and its large YAML files.
struct Large {
    /// `None` when no thread could be started for it.
    ticker: Option<Ticker>,
    yaml: Vec<PathBuf>,
}

impl Source for Watch<'_> {
    fn read(&self, path: &Path) -> io::Result<String> {
        if let Ok(metadata) = std::fs::metadata(path) {
            self.met(path, metadata.len());
        }
        Disk.read(path)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        Disk.identity(path)
    }
}

impl Watch<'_> {
    /// Announces `path` when its `bytes` make it large, and starts the
    /// ticking line at the first one.
    fn met(&self, path: &Path, bytes: u64) {
        let json = is_json(path);
        let from = if json {
            self.settings.json
        } else {
            self.settings.yaml
        };
        if !large(bytes, from) {
            return;
        }
        let file = path.display();
        let size = size(bytes);
        if path == self.scenario {
            tracing::info!("loading {file} ({size}), which takes a while");
        } else {
            let scenario = self.scenario.display();
            tracing::info!("loading {file} ({size}) for {scenario}, which takes a while");
        }
        let mut large = self.large.borrow_mut();
        let large = large.get_or_insert_with(|| Large {
            ticker: Ticker::start(self.scenario, self.started, self.settings.every),
            yaml: Vec::new(),
        });
        if !json {
            large.yaml.push(path.to_path_buf());
        }
    }

    /// Stops the ticking line and, for a large load, says how long it took
    /// and what JSON would save.
    fn finish(self, loaded: &Result<Scenario, LoadError>) {
        let Some(large) = self.large.into_inner() else {
            return;
        };
        let Large { ticker, yaml } = large;
        drop(ticker);
        let took = self.started.elapsed().as_secs_f64();
        let file = self.scenario.display();
        let scenario = match loaded {
            Ok(scenario) => scenario,
            Err(_) => {
                tracing::info!("{file} does not load: problems found in {took:.1} s");
                return;
            }
        };
        tracing::info!(
            "loaded {file} in {took:.1} s: {} clicks, {} transactions",
            scenario.click_count(),
            scenario.transaction_count()
        );
        for path in &yaml {
            tracing::info!("{}", json_advice(path, path == self.scenario));
        }
    }
}

/// Whether a file of `bytes` is large, `from` being where large starts. A
/// file over the cap is refused without being read, so it is not.
fn large(bytes: u64, from: u64) -> bool {
    (from..=MAX_FILE_BYTES).contains(&bytes)
}

/// A line every so often while a load lasts, on a thread of its own;
/// dropping it stops the line at once.
struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Says `still loading FILE` every `every` from `started`; `None` when
    /// no thread can be started (the load goes on without the line).
    fn start(scenario: &Path, started: Instant, every: Duration) -> Option<Ticker> {
        let (stop, stopped) = mpsc::channel::<()>();
        let file = scenario.display().to_string();
        let thread = std::thread::Builder::new()
            .name("n4n-mock-load".into())
            .spawn(move || {
                let mut next = started + every;
                loop {
                    let wait = next.saturating_duration_since(Instant::now());
                    match stopped.recv_timeout(wait) {
                        Err(RecvTimeoutError::Timeout) => {
                            let so_far = started.elapsed().as_secs_f64();
                            tracing::info!("still loading {file}: {so_far:.1} s so far");
                            next += every;
                        }
                        // Stopped (or its sender dropped): the load is over.
                        _ => return,
                    }
                }
            })
            .ok()?;
        Some(Ticker {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `bytes` for a person: `106.5 MiB`, or `740.2 KiB` under a mebibyte.
fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let bytes = bytes as f64;
    if bytes < KIB * KIB {
        format!("{:.1} KiB", bytes / KIB)
    } else {
        format!("{:.1} MiB", bytes / (KIB * KIB))
    }
}

/// What to do about a large YAML file: the command that writes it as
/// JSON, then serve the JSON file in its place (`scenario`), or include it
/// in its place (a fixture).
fn json_advice(path: &Path, scenario: bool) -> String {
    let file = path.display().to_string();
    let json = path.with_extension("json").display().to_string();
    let then = if scenario { "serve" } else { "include" };
    format!(
        "{file} would load several times faster as JSON: `n4n-mock convert {} --out {}`, \
         then {then} {json} in its place",
        shell_word(&file),
        shell_word(&json)
    )
}

/// `word` as a shell reads it: as it is when it holds nothing a shell
/// treats apart, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+,=:@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_kib_below_a_mebibyte_and_in_mib_above() {
        assert_eq!(size(758_000), "740.2 KiB");
        assert_eq!(size(111_673_781), "106.5 MiB");
        assert_eq!(size(1_048_575), "1024.0 KiB");
        assert_eq!(size(1_048_576), "1.0 MiB");
    }

    #[test]
    fn large_starts_at_the_threshold_and_ends_at_the_cap() {
        assert!(!large(99, 100));
        assert!(large(100, 100));
        assert!(large(MAX_FILE_BYTES, 100));
        assert!(!large(MAX_FILE_BYTES + 1, 100));
    }

    #[test]
    fn the_defaults_are_the_documented_8_and_64_mib_and_2_s() {
        let defaults = settings(|_| None);
        assert_eq!(defaults.yaml, 8_388_608);
        assert_eq!(defaults.json, 67_108_864);
        assert_eq!(defaults.every, Duration::from_secs(2));
    }

    #[test]
    fn the_variables_set_both_thresholds_and_a_nonzero_interval() {
        let set = settings(|name| match name {
            "N4N_MOCK_LARGE_FILE_BYTES" => Some(65_536),
            "N4N_MOCK_PROGRESS_EVERY_MS" => Some(50),
            _ => None,
        });
        assert_eq!((set.yaml, set.json), (65_536, 65_536));
        assert_eq!(set.every, Duration::from_millis(50));
        // An interval of 0 would tick without pause: the default instead.
        let zero = settings(|name| (name == "N4N_MOCK_PROGRESS_EVERY_MS").then_some(0));
        assert_eq!(zero.every, Duration::from_secs(2));
    }

    #[test]
    fn a_large_yaml_scenario_is_told_the_command_that_writes_it_as_json() {
        let advice = json_advice(Path::new("scenarios/big.yaml"), true);

        assert_eq!(
            advice,
            "scenarios/big.yaml would load several times faster as JSON: \
             `n4n-mock convert scenarios/big.yaml --out scenarios/big.json`, then serve \
             scenarios/big.json in its place"
        );
    }

    #[test]
    fn a_large_yaml_fixture_is_told_to_be_included_as_json() {
        let advice = json_advice(Path::new("my data/clicks.yaml"), false);

        assert_eq!(
            advice,
            "my data/clicks.yaml would load several times faster as JSON: \
             `n4n-mock convert 'my data/clicks.yaml' --out 'my data/clicks.json'`, then \
             include my data/clicks.json in its place"
        );
    }

    #[test]
    fn a_path_a_shell_would_split_is_quoted_in_the_command() {
        assert_eq!(
            shell_word("my scenarios/big.json"),
            "'my scenarios/big.json'"
        );
        assert_eq!(shell_word("it's.json"), r"'it'\''s.json'");
        assert_eq!(shell_word("/tmp/big-1.json"), "/tmp/big-1.json");
    }

    #[test]
    fn a_ticker_says_nothing_before_its_interval_and_stops_when_dropped() {
        let started = Instant::now();
        let ticker = Ticker::start(Path::new("a.yaml"), started, Duration::from_secs(3600))
            .expect("a thread");

        drop(ticker);

        assert!(started.elapsed() < Duration::from_secs(60));
    }
}
