//! What triggers a reload besides `POST /__mock/reload`: SIGHUP, and with
//! `--watch`, a change to any scenario or fixture file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use super::state::MockState;
use crate::scenario::catalog::is_yaml;

/// How long files must stay quiet before a change is reloaded: an editor's
/// save (write, rename, chmod) or a `git checkout` becomes one reload.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Reloads on every SIGHUP. The handler is installed before this returns.
#[cfg(unix)]
pub fn on_hangup(state: Arc<MockState>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading");
            // A failure is logged and kept for health by the reload itself.
            let _ = state.reload().await;
        }
    });
    Ok(())
}

/// SIGHUP does not exist here; reload with `POST /__mock/reload` or `--watch`.
#[cfg(not(unix))]
pub fn on_hangup(_state: Arc<MockState>) -> std::io::Result<()> {
    Ok(())
}

/// Watches the scenarios folder and the folder of every file read (fixtures
/// too), and reloads once the files have been quiet for [`DEBOUNCE`].
pub fn watch(state: Arc<MockState>) -> notify::Result<()> {
    let (changed, mut changes) = tokio::sync::mpsc::channel::<()>(1);
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| match result {
        Ok(events) => {
            if events.iter().any(|event| is_yaml(&event.path)) {
                // A reload already queued will see this change too.
                let _ = changed.try_send(());
            }
        }
        Err(err) => tracing::warn!(error = %err, "watching the scenario files failed"),
    })?;
    let mut watched = HashSet::new();
    watch_folders(&mut debouncer, &mut watched, &state)?;
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            tracing::info!("scenario files changed: reloading");
            if state.reload().await.is_ok() {
                // New includes may live in folders not watched yet.
                if let Err(err) = watch_folders(&mut debouncer, &mut watched, &state) {
                    tracing::warn!(error = %err, "cannot watch a new folder");
                }
            }
        }
    });
    Ok(())
}

/// Adds a watch on every folder holding a file the scenarios come from.
fn watch_folders(
    debouncer: &mut Debouncer<notify::RecommendedWatcher>,
    watched: &mut HashSet<PathBuf>,
    state: &MockState,
) -> notify::Result<()> {
    let source = state.source();
    let snapshot = state.snapshot();
    let files = source
        .files
        .iter()
        .chain(snapshot.catalog.watched_files().iter());
    let mut folders: Vec<PathBuf> = source.dir.iter().cloned().collect();
    folders.extend(files.map(|file| folder_of(file)));
    for folder in folders {
        let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
        if watched.insert(folder.clone()) {
            debouncer
                .watcher()
                .watch(&folder, RecursiveMode::NonRecursive)?;
            tracing::debug!(folder = %folder.display(), "watching");
        }
    }
    Ok(())
}

fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
