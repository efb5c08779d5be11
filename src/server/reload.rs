//! What triggers a reload besides `POST /__mock/reload`: SIGHUP, and with
//! `--watch`, a change to any scenario or fixture file.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::state::MockState;
use crate::scenario::catalog::{is_scenario_file, scenario_files};
use crate::write_file::folder_of;

/// How long files must stay quiet before a change is looked at: an editor's
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
/// too), and reloads once the files have been quiet for [`DEBOUNCE`] and
/// their content really changed.
///
/// Only events that can change a file's content count (create, write,
/// remove, rename of a YAML or JSON file): a reload reads every file, and counting
/// those reads as changes would reload forever, restarting the fault
/// counters each time. A save that leaves every byte as it was (an editor
/// writing the same text, a `touch`) reloads nothing either.
pub fn watch(state: Arc<MockState>) -> notify::Result<()> {
    let (changed, mut changes) = tokio::sync::mpsc::channel::<()>(1);
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event)
                if changes_content(&event.kind)
                    && event.paths.iter().any(|p| is_scenario_file(p)) =>
            {
                // A change already queued will be looked at with this one.
                let _ = changed.try_send(());
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "watching the scenario files failed"),
        })?;
    let mut watched = HashSet::new();
    watch_folders(&mut watcher, &mut watched, &state)?;
    let mut last = fingerprint(&files_of(&state));
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            // Let a burst of events (an editor's save, a `git checkout`) settle.
            while tokio::time::timeout(DEBOUNCE, changes.recv())
                .await
                .is_ok_and(|e| e.is_some())
            {}
            let files = files_of(&state);
            let now = tokio::task::spawn_blocking(move || fingerprint(&files))
                .await
                .unwrap_or_default();
            if now == last {
                tracing::debug!("scenario files touched but unchanged: not reloading");
                continue;
            }
            last = now;
            tracing::info!("scenario files changed: reloading");
            if state.reload().await.is_ok() {
                // New includes may live in folders not watched yet.
                if let Err(err) = watch_folders(&mut watcher, &mut watched, &state) {
                    tracing::warn!(error = %err, "cannot watch a new folder");
                }
                last = fingerprint(&files_of(&state));
            }
        }
    });
    Ok(())
}

/// Whether an event of this kind may have changed what a file holds.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Modify(modify) => !matches!(modify, ModifyKind::Metadata(_)),
        EventKind::Access(_) => false,
    }
}

/// Every file the scenarios come from: the folder's scenario files, the files
/// named one by one, and everything they include.
fn files_of(state: &MockState) -> Vec<PathBuf> {
    let source = state.source();
    let snapshot = state.snapshot();
    let mut files: Vec<PathBuf> = source
        .dir
        .as_deref()
        .and_then(|dir| scenario_files(dir).ok())
        .unwrap_or_default();
    files.extend(source.files.iter().cloned());
    files.extend(snapshot.catalog.watched_files().iter().cloned());
    files.sort();
    files.dedup();
    files
}

/// What `files` hold, as one number: equal numbers mean nothing worth a
/// reload changed. A file that cannot be read counts as its error.
fn fingerprint(files: &[PathBuf]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        match std::fs::read(file) {
            Ok(bytes) => bytes.hash(&mut hasher),
            Err(err) => err.kind().hash(&mut hasher),
        }
    }
    hasher.finish()
}

/// Adds a watch on every folder holding a file the scenarios come from.
fn watch_folders(
    watcher: &mut RecommendedWatcher,
    watched: &mut HashSet<PathBuf>,
    state: &MockState,
) -> notify::Result<()> {
    let source = state.source();
    let mut folders: Vec<PathBuf> = source.dir.iter().cloned().collect();
    folders.extend(files_of(state).iter().map(|file| folder_of(file)));
    for folder in folders {
        let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
        if watched.insert(folder.clone()) {
            watcher.watch(&folder, RecursiveMode::NonRecursive)?;
            tracing::debug!(folder = %folder.display(), "watching");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, RenameMode};

    use super::*;

    #[test]
    fn reads_and_metadata_are_not_changes() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Read)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert!(!changes_content(&kind), "{kind:?}");
        }
    }

    #[test]
    fn writes_creations_removals_and_renames_are_changes() {
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Remove(notify::event::RemoveKind::File),
        ] {
            assert!(changes_content(&kind), "{kind:?}");
        }
    }

    #[test]
    fn the_fingerprint_follows_content_not_reads() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "clicks: []\n").expect("write");
        let files = [file.clone()];
        let before = fingerprint(&files);

        let _ = std::fs::read(&file).expect("read");
        std::fs::write(&file, "clicks: []\n").expect("same bytes");
        assert_eq!(fingerprint(&files), before);

        std::fs::write(&file, "clicks: []\n# c\n").expect("append");
        assert_ne!(fingerprint(&files), before);
    }
}
