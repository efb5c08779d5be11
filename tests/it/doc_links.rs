//! Every relative link of README.md, CONTRIBUTING.md, BENCHMARKS.md and
//! docs/ leads somewhere: the file exists and, for a `#anchor`, the
//! Markdown file it names has a heading with that anchor (as GitHub spells
//! anchors). A guide that moves, or a heading that is renamed, breaks a
//! test rather than a reader's click.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::util::root;

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("README.md"),
        root().join("CONTRIBUTING.md"),
        root().join("BENCHMARKS.md"),
        root().join("CHANGELOG.md"),
    ];
    let mut guides: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    guides.sort();
    assert!(!guides.is_empty(), "docs/ holds the guides");
    files.extend(guides);
    files
}

/// A link's target and the line it is on.
struct Link {
    target: String,
    line: usize,
}

/// The links and images of a Markdown text (code blocks and spans are not
/// links), and the anchors of its headings.
fn read(text: &str) -> (Vec<Link>, BTreeSet<String>) {
    let mut links = Vec::new();
    let mut anchors = BTreeSet::new();
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(Link {
                    target: dest_url.to_string(),
                    line: text[..range.start].lines().count() + 1,
                });
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let slug = slug(&heading.take().unwrap_or_default());
                let mut unique = slug.clone();
                let mut n = 1;
                while anchors.contains(&unique) {
                    unique = format!("{slug}-{n}");
                    n += 1;
                }
                anchors.insert(unique);
            }
            _ => {}
        }
    }
    (links, anchors)
}

/// A heading's anchor as GitHub makes it: lower case, letters, digits,
/// `-` and `_` kept, spaces turned into `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// What is wrong with one link of `from`, if anything.
fn problem(from: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        from.to_path_buf()
    } else {
        from.parent().expect("a folder").join(path)
    };
    if !file.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    if anchor.is_empty() {
        return None;
    }
    if file.extension().is_none_or(|e| e != "md") {
        return Some(format!("an anchor into {}, not Markdown", file.display()));
    }
    let text = std::fs::read_to_string(&file).expect("a Markdown file");
    let (_, anchors) = read(&text);
    (!anchors.contains(anchor)).then(|| {
        format!(
            "{} has no heading #{anchor} (it has: {})",
            file.display(),
            anchors.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in documents() {
        let text = std::fs::read_to_string(&file).expect("a document");
        let (links, _) = read(&text);
        for link in links {
            checked += 1;
            if let Some(why) = problem(&file, &link.target) {
                broken.push(format!(
                    "{}:{}: ({}) {why}",
                    file.strip_prefix(root()).unwrap_or(&file).display(),
                    link.line,
                    link.target
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_links_to_every_guide() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let (links, _) = read(&readme);
    let targets: BTreeSet<String> = links
        .into_iter()
        .map(|l| l.target.split('#').next().unwrap_or_default().to_string())
        .collect();
    for guide in documents()
        .into_iter()
        .filter(|f| f.parent().is_some_and(|p| p.ends_with("docs")))
    {
        let name = format!(
            "docs/{}",
            guide.file_name().expect("name").to_string_lossy()
        );
        assert!(targets.contains(&name), "README.md does not link to {name}");
    }
    assert!(targets.contains("CONTRIBUTING.md"));
}

#[test]
fn the_readme_stays_short() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines; it leads into docs/ in at most 300"
    );
}

#[test]
fn each_guide_opens_with_what_it_covers_and_its_contents() {
    for guide in documents()
        .into_iter()
        .filter(|f| f.parent().is_some_and(|p| p.ends_with("docs")))
    {
        let text = std::fs::read_to_string(&guide).expect("a guide");
        // Its first paragraphs: the title, what it covers, the contents.
        let mut paragraphs = text.split("\n\n").map(str::trim);
        let title = paragraphs.next().unwrap_or_default();
        let covers = paragraphs.next().unwrap_or_default();
        let contents = paragraphs.next().unwrap_or_default();
        let first_entry = paragraphs.next().unwrap_or_default();
        assert!(
            title.starts_with("# ")
                && !covers.starts_with('#')
                && contents == "**Contents**"
                && first_entry.starts_with("- ["),
            "{} opens with its title, what it covers and its contents",
            guide.display()
        );
    }
}

#[test]
fn the_checker_sees_a_broken_anchor_and_a_missing_file() {
    let readme = root().join("README.md");
    assert!(problem(&readme, "docs/no-such-guide.md").is_some());
    assert!(problem(&readme, "#no-such-heading").is_some());
    assert!(problem(&readme, "docs/scenarios.md#no-such-heading").is_some());
    assert!(problem(&readme, "https://example.com/#x").is_none());
    assert_eq!(
        slug("`n4n-mock wait`: ready, then go"),
        "n4n-mock-wait-ready-then-go"
    );
    let (_, anchors) = read("# A\n\n## A\n\n```\n# not a heading\n```\n");
    assert_eq!(
        anchors.into_iter().collect::<Vec<_>>(),
        ["a", "a-1"],
        "a repeated heading gets -1, a code block none"
    );
}
