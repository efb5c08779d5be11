//! The crate's shape, as `src/lib.rs` describes it: modules import one way,
//! down the layers of its Layout section, with no cycle between files or
//! between top-level modules; and the crate root exports the facade.
//!
//! The imports are read from the source text: every `crate::`, `super::`,
//! `self::` path and every path through a child module, outside comments
//! and unit tests, resolved to the deepest module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::root;

/// The layers of `src/lib.rs`, top first: a module may name modules of its
/// own layer (without a cycle) and of the layers below, never above.
const LAYERS: [&[&str]; 8] = [
    &["cli", "commands", "logging"],
    &["mock_server", "server", "contract", "wait", "generate"],
    &["verification", "journal"],
    &["params"],
    &["scenario"],
    &["postbacks"],
    &["api_error", "render"],
    &[
        "write_file",
        "interrupt",
        "memory",
        "text_line",
        "trigger",
        "metrics",
    ],
];

type Module = Vec<String>;

/// Every module of `src/` and its source, tests cut off.
fn modules() -> BTreeMap<Module, String> {
    let mut found = BTreeMap::new();
    collect(&root().join("src"), &mut Vec::new(), &mut found);
    found
}

fn collect(dir: &Path, at: &mut Module, found: &mut BTreeMap<Module, String>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        if path.is_dir() {
            at.push(name.clone());
            collect(&path, at, found);
            at.pop();
        } else if path.extension().is_some_and(|e| e == "rs")
            && !["main", "tests"].contains(&name.as_str())
        {
            // `tests.rs` files hold unit tests, which may reach anywhere.
            let mut module = at.clone();
            if name != "mod" && name != "lib" {
                module.push(name);
            }
            let text = std::fs::read_to_string(&path).expect("read");
            found.insert(module, code_of(&text));
        }
    }
}

/// The text without unit tests and comments.
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |at| &text[..at]);
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths written after `prefix::` at `rest`: `a::b`, or each item of a
/// `{...}` group, nested groups included.
fn paths_after(rest: &str) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut start = 0;
        for (at, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[start..at]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[start..at]);
                    start = at + 1;
                }
                _ => {}
            }
        }
        return items
            .into_iter()
            .map(str::trim)
            .filter(|item| !item.is_empty() && *item != "self")
            .flat_map(paths_after)
            .collect();
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        return vec![Vec::new()];
    }
    let after = &rest[name.len()..];
    match after.strip_prefix("::") {
        Some(more) => paths_after(more)
            .into_iter()
            .map(|tail| std::iter::once(name.clone()).chain(tail).collect())
            .collect(),
        None => vec![vec![name]],
    }
}

/// The deepest module of `known` that `base` + `path` names.
fn resolve(known: &BTreeMap<Module, String>, base: &[String], path: &[String]) -> Option<Module> {
    (0..=path.len()).rev().find_map(|take| {
        let candidate: Module = base.iter().chain(&path[..take]).cloned().collect();
        known.contains_key(&candidate).then_some(candidate)
    })
}

/// Each module and the modules it names.
fn imports() -> BTreeMap<Module, BTreeSet<Module>> {
    let known = modules();
    let mut graph = BTreeMap::new();
    for (module, code) in &known {
        let children: BTreeSet<&str> = known
            .keys()
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .map(|m| m[module.len()].as_str())
            .collect();
        let mut named = BTreeSet::new();
        let bytes = code.as_bytes();
        for (at, _) in code.match_indices("::") {
            // The word right before `::`, if it starts a path.
            let start = code[..at]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let word = &code[start..at];
            if start >= 2 && &bytes[start - 2..start] == b"::" {
                continue;
            }
            let base: Module = match word {
                "crate" => Vec::new(),
                "super" => module[..module.len().saturating_sub(1)].to_vec(),
                "self" => module.clone(),
                child if children.contains(child) => {
                    let mut base = module.clone();
                    base.push(child.to_string());
                    base
                }
                _ => continue,
            };
            for path in paths_after(&code[at + 2..]) {
                if let Some(target) = resolve(&known, &base, &path)
                    && target != *module
                {
                    named.insert(target);
                }
            }
        }
        graph.insert(module.clone(), named);
    }
    graph
}

/// The modules of a cycle of `graph`, if it has one.
fn a_cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        node: &Module,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = path.iter().position(|m| m == node) {
            return Some(path[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(graph, node, &mut Vec::new(), &mut done))
}

fn show(modules: &[Module]) -> String {
    modules
        .iter()
        .map(|m| m.join("::"))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The graph with every module folded into its top-level module.
fn top_level(graph: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut folded: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, targets) in graph {
        let Some(top) = from.first() else { continue };
        for target in targets {
            if let Some(to) = target.first()
                && to != top
            {
                folded
                    .entry(vec![top.clone()])
                    .or_default()
                    .insert(vec![to.clone()]);
            }
        }
    }
    folded
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("`{module}` is in no layer of src/lib.rs's Layout"))
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = imports();

    assert!(graph.len() > 40, "the source was read: {graph:?}");
    assert_eq!(a_cycle(&graph).map(|c| show(&c)), None);
}

#[test]
fn no_top_level_module_imports_itself_through_others() {
    let graph = top_level(&imports());

    assert_eq!(a_cycle(&graph).map(|c| show(&c)), None);
}

#[test]
fn imports_go_down_the_layers() {
    let graph = top_level(&imports());

    let upward: Vec<String> = graph
        .iter()
        .flat_map(|(from, targets)| targets.iter().map(move |to| (from, to)))
        .filter(|(from, to)| layer_of(&from[0]) > layer_of(&to[0]))
        .map(|(from, to)| format!("{} -> {}", from[0], to[0]))
        .collect();
    assert!(upward.is_empty(), "{upward:?}");
}

#[test]
fn every_top_level_module_is_in_a_layer() {
    for module in modules().keys().filter(|m| m.len() == 1) {
        layer_of(&module[0]);
    }
}

#[test]
fn the_reader_sees_a_cycle_when_there_is_one() {
    let a: Module = vec!["a".into()];
    let b: Module = vec!["b".into()];
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b.clone(), BTreeSet::from([a.clone()])),
    ]);
    assert!(a_cycle(&graph).is_some());
    assert_eq!(
        paths_after("{a::{b, c}, d as e, self}"),
        [vec!["a", "b"], vec!["a", "c"], vec!["d"]]
    );
}

/// Compiles only while the crate root exports each of these names.
#[allow(clippy::type_complexity)]
fn _the_facade(
    _: Option<(
        n4n_mock::MockServer,
        n4n_mock::MockServerBuilder,
        n4n_mock::MockServerError,
        n4n_mock::ScenarioBuilder,
        n4n_mock::ClickBuilder,
        n4n_mock::TransactionBuilder,
        n4n_mock::Scenario,
        n4n_mock::LoadError,
        n4n_mock::Problem,
        n4n_mock::JournalEntry,
        n4n_mock::MockOptions,
        n4n_mock::Limits,
    )>,
    _: Option<(
        n4n_mock::Expectation,
        n4n_mock::VerifyError,
        n4n_mock::UnknownScenario,
        n4n_mock::ReloadFailure,
        n4n_mock::CliError,
        n4n_mock::cli::Cli,
    )>,
) {
}

#[test]
fn the_crate_root_exports_the_facade_and_no_module_but_cli_and_the_fuzzers_seam() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("lib.rs");
    let public_modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .collect();
    assert_eq!(public_modules, ["cli;", "fuzzing {"]);
    for name in [
        "MockServer",
        "MockServerBuilder",
        "ScenarioBuilder",
        "ClickBuilder",
        "TransactionBuilder",
        "LoadError",
        "Problem",
        "JournalEntry",
        "MockOptions",
        "Limits",
        "Expectation",
        "VerifyError",
    ] {
        assert!(
            lib.lines()
                .any(|l| l.starts_with("pub use ") && l.contains(name)),
            "{name} is re-exported"
        );
    }
}
