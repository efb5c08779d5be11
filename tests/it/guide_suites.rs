//! The test-suite examples of docs/test-suites.md ("From a Python test
//! suite" and its siblings) are files of `examples/`, run as they are by
//! CI's scripts (`scripts/test-python.sh`, `test-npm.sh`, `test-php.sh`,
//! `test-rust-suite.sh`). Here: each file is in the guide word for word,
//! under its heading, so what a reader copies is what CI ran.

use crate::util::{doc_blocks, root};

/// Each section's heading and the example file its code block must be.
const EXAMPLES: [(&str, &str); 4] = [
    (
        "## From a Python test suite",
        "examples/python/test_click_detail.py",
    ),
    (
        "## From a JavaScript test suite",
        "examples/js/click-detail.test.js",
    ),
    (
        "## From a PHP test suite",
        "examples/php/ClickDetailTest.php",
    ),
    ("## From a Rust test suite", "examples/rust/click_detail.rs"),
];

#[test]
fn each_test_suite_example_is_in_the_guide_word_for_word() {
    let guide = std::fs::read_to_string(root().join("docs/test-suites.md")).expect("the guide");
    for (heading, file) in EXAMPLES {
        let example = std::fs::read_to_string(root().join(file)).expect(file);
        let blocks: Vec<String> = doc_blocks(&guide, heading)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert!(
            blocks.contains(&example),
            "{file} is not a code block of docs/test-suites.md's `{heading}`; the blocks there:\n{}",
            blocks.join("\n---\n")
        );
    }
}

#[test]
fn the_install_section_offers_the_package_managers_first() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let install = &readme[readme.find("\n## Install\n").expect("Install")..];
    let install = &install[..install[1..].find("\n## ").map_or(install.len(), |i| i + 1)];
    let at = |needle: &str| {
        install
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` is not in Install"))
    };
    let managers = [at("pip install"), at("npm install"), at("composer require")];
    let others = [at("cargo install"), at("scripts/image.sh")];
    assert!(
        managers.iter().max() < others.iter().min(),
        "pip, npm and Composer come before cargo and the image"
    );
}
