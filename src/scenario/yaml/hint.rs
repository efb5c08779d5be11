//! A plain hint beside a YAML syntax error, read from the text around it.
//!
//! The parser names what it met where it stopped (`mapping values are not
//! allowed in this context`), which is often a line after the cause: a `[`
//! left open on the line before, a key indented one space too far. The
//! hint names the cause when the text shows one: a line indented with a
//! tab, a bracket or quote never closed, a line out of step with the
//! indentation of the lines before it. When the text shows none of these,
//! there is no hint rather than a guess.

use crate::scenario::problem::Position;

/// The likely cause of a syntax error the parser reported `at`, read from
/// `source`: `None` when the text around it shows none of the usual ones.
pub fn syntax_hint(source: &str, at: Position) -> Option<String> {
    let line = usize::try_from(at.line).ok()?;
    tab_indented(source, line)
        .or_else(|| never_closed(source, at))
        .or_else(|| out_of_step(source, line))
}

/// The lines of `source`, numbered from 1, without their line endings.
fn numbered_lines(source: &str) -> impl Iterator<Item = (usize, &str)> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    source
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .enumerate()
        .map(|(i, line)| (i + 1, line))
}

/// A line indented with a tab: the reported one, the one after (the
/// parser may stop at the end of the line before the tab) or the one
/// before.
fn tab_indented(source: &str, reported: usize) -> Option<String> {
    let near: Vec<(usize, &str)> = numbered_lines(source)
        .skip(reported.saturating_sub(2))
        .take(3)
        .collect();
    let has_tab_indent = |line: &str| {
        let content = line.trim_start_matches([' ', '\t']);
        !content.is_empty() && line[..line.len() - content.len()].contains('\t')
    };
    [reported, reported + 1, reported.saturating_sub(1)]
        .into_iter()
        .find_map(|wanted| {
            near.iter()
                .find(|(number, line)| *number == wanted && has_tab_indent(line))
        })
        .map(|(number, _)| {
            format!("line {number} is indented with a tab; YAML indents with spaces only")
        })
}

/// A `[`, `{` or quote open where the parser stopped and never closed
/// before the end of the file.
fn never_closed(source: &str, at: Position) -> Option<String> {
    let mut scan = Scan::default();
    let mut open_at_error: Option<Vec<Opener>> = None;
    for (number, line) in numbered_lines(source) {
        scan.line(number, line);
        if number as u64 == at.line {
            open_at_error = Some(scan.open_before(at));
        }
        if let Some(open) = &open_at_error {
            // Once the outermost of them is closed, none is left to name.
            if open
                .first()
                .is_none_or(|outermost| scan.open.first() != Some(outermost))
            {
                return None;
            }
        }
    }
    let open_at_error = open_at_error.unwrap_or_else(|| scan.open_before(at));
    // Both are stacks: what was open at the error and is still open at the
    // end is what they start with alike, the innermost of it last.
    let opener = open_at_error
        .iter()
        .zip(&scan.open)
        .take_while(|(at_error, at_end)| at_error == at_end)
        .last()
        .map(|(opener, _)| opener)?;
    let what = match opener.symbol {
        '"' => "quote (\")".to_string(),
        '\'' => "quote (')".to_string(),
        symbol => format!("'{symbol}'"),
    };
    Some(format!(
        "line {} opens a {what} that is never closed",
        opener.line
    ))
}

/// The reported line, or the line before it, indented out of step with
/// the lines before it.
fn out_of_step(source: &str, reported: usize) -> Option<String> {
    let mut scan = Scan::default();
    for (number, line) in numbered_lines(source).take(reported) {
        scan.line(number, line);
    }
    [reported, reported.saturating_sub(1)]
        .into_iter()
        .find_map(|wanted| {
            scan.out_of_step
                .iter()
                .find(|(number, _)| *number == wanted)
        })
        .map(|(_, hint)| hint.clone())
}

/// A bracket or quote not yet closed: which, and where it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Opener {
    symbol: char,
    line: usize,
    column: usize,
}

/// The column of a block entry, and whether the entries there are list
/// items (`- `) or mapping keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Level {
    column: usize,
    list: bool,
}

/// What a line of block text holds, for its indentation.
#[derive(Debug, Default)]
struct Entry {
    /// The column of each `- ` the line starts with.
    dashes: Vec<usize>,
    /// The column of the key after them, when the line holds one.
    key: Option<usize>,
    /// The column whose value starts on the next lines (a key or `-` with
    /// nothing after it).
    opens_block: Option<usize>,
    /// The column of the key or `-` a `|` or `>` block of text belongs to.
    opens_text: Option<usize>,
}

/// The text read line by line, as far as indentation, brackets and quotes
/// go: a rough reading of YAML's structure, enough to point at a likely
/// mistake, never used to read values.
#[derive(Debug, Default)]
struct Scan {
    /// Brackets and quotes open, innermost last.
    open: Vec<Opener>,
    /// The columns of the block entries around the current line.
    levels: Vec<Level>,
    /// The column of the entry whose value starts on the next line.
    opens_block: Option<usize>,
    /// The column of the entry a `|` or `>` text belongs to, while its
    /// lines are read.
    text_block: Option<usize>,
    /// Lines out of step with the indentation before them, with the hint.
    out_of_step: Vec<(usize, String)>,
}

impl Scan {
    /// The brackets and quotes open at `at`: those still open after its
    /// line that were opened at or before it.
    fn open_before(&self, at: Position) -> Vec<Opener> {
        self.open
            .iter()
            .copied()
            .filter(|o| (o.line as u64, o.column as u64) <= (at.line, at.column))
            .collect()
    }

    fn line(&mut self, number: usize, line: &str) {
        let chars: Vec<char> = line.chars().collect();
        if !self.open.is_empty() {
            self.flow(number, &chars, 0);
            return;
        }
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let content = &chars[indent..];
        let blank = content.iter().all(|c| c.is_whitespace());
        if let Some(column) = self.text_block {
            if blank || indent > column {
                return;
            }
            self.text_block = None;
        }
        if blank || content[0] == '#' || content[0] == '%' {
            return;
        }
        if indent == 0 && (starts_with(content, "---") || starts_with(content, "...")) {
            self.levels.clear();
            self.opens_block = None;
            return;
        }
        if content[0] == '\t' {
            // Indented with a tab: the columns say nothing.
            self.opens_block = None;
            return;
        }
        let entry = self.entry(number, &chars, indent);
        self.step(number, indent, &entry);
        self.opens_block = entry.opens_block;
        self.text_block = entry.opens_text;
    }

    /// Reads a block line from `indent`: its dashes, its key, and what its
    /// value opens (a block, a text, a bracket or a quote).
    fn entry(&mut self, number: usize, chars: &[char], indent: usize) -> Entry {
        let mut entry = Entry::default();
        let mut at = indent;
        while chars.get(at) == Some(&'-') && chars.get(at + 1).is_none_or(|c| *c == ' ') {
            entry.dashes.push(at);
            at = skip_spaces(chars, at + 1);
        }
        let node = entry.dashes.last().copied().unwrap_or(indent);
        if at >= chars.len() || chars[at] == '#' {
            entry.opens_block = entry.dashes.last().copied();
            return entry;
        }
        let value = match chars[at] {
            '"' | '\'' => match closing_quote(chars, at) {
                Some(end) if is_key_colon(chars, end + 1) => {
                    entry.key = Some(at);
                    Some(skip_spaces(chars, end + 2))
                }
                Some(_) => None,
                None => {
                    self.push(chars[at], number, at);
                    return entry;
                }
            },
            '[' | '{' => Some(at),
            _ => match (at..chars.len()).find(|&i| is_key_colon(chars, i)) {
                Some(colon) if !has_comment(chars, at, colon) => {
                    entry.key = Some(at);
                    Some(skip_spaces(chars, colon + 1))
                }
                _ => None,
            },
        };
        let Some(value) = value else {
            return entry;
        };
        let holder = entry.key.unwrap_or(node);
        match chars.get(value) {
            None | Some('#') => entry.opens_block = Some(holder),
            Some('[' | '{') => self.flow(number, chars, value),
            Some(quote @ ('"' | '\'')) => {
                if closing_quote(chars, value).is_none() {
                    self.push(*quote, number, value);
                }
            }
            Some('|' | '>') => entry.opens_text = Some(holder),
            Some('&' | '!') => {
                let after = chars[value..]
                    .iter()
                    .position(|c| *c == ' ')
                    .map_or(chars.len(), |p| value + p);
                let rest = skip_spaces(chars, after);
                if rest >= chars.len() || chars[rest] == '#' {
                    entry.opens_block = Some(holder);
                }
            }
            Some(_) => {}
        }
        entry
    }

    /// Checks a block line's indentation against the entries before it,
    /// then makes its entries the current ones.
    fn step(&mut self, number: usize, indent: usize, entry: &Entry) {
        let list = entry.dashes.first() == Some(&indent);
        let mut popped: Option<usize> = None;
        while let Some(top) = self.levels.last().copied() {
            if top.column > indent {
                popped = Some(top.column);
                self.levels.pop();
            } else if top.column == indent && top.list && !list {
                // A mapping's key in the column of its list (`key:` then
                // `- item` under it, unindented) ends the list.
                self.levels.pop();
                if self.levels.last().map(|l| l.column) != Some(indent) {
                    self.levels.push(top);
                    break;
                }
            } else {
                break;
            }
        }
        let looks_like_entry = list || entry.key.is_some();
        match self.levels.last().copied() {
            Some(top) if top.column == indent && top.list && !list => {
                let key = popped.map_or(String::new(), |key| {
                    format!("; a key of the item above it is indented {}", spaces(key))
                });
                self.out_of_step.push((
                    number,
                    format!(
                        "line {number} is indented {} like the list items before it, \
                         but does not start with '- '{key}",
                        spaces(indent)
                    ),
                ));
            }
            Some(top) if indent > top.column => {
                if self.opens_block.is_some_and(|column| indent > column) {
                    self.levels.push(Level {
                        column: indent,
                        list,
                    });
                } else if looks_like_entry {
                    let before = match popped {
                        Some(deeper) => format!("{} or {deeper}", top.column),
                        None => top.column.to_string(),
                    };
                    self.out_of_step.push((
                        number,
                        format!(
                            "line {number} is indented {} where the entries before it are indented \
                             {before}; the entries of one mapping or list start in the same column",
                            spaces(indent)
                        ),
                    ));
                    return;
                } else {
                    // The next line of a plain text value.
                    return;
                }
            }
            Some(top) if top.column == indent && !top.list && list => {
                // A list under a key, unindented (`key:` then `- item`).
                self.levels.push(Level {
                    column: indent,
                    list,
                });
            }
            Some(_) => {}
            None => self.levels.push(Level {
                column: indent,
                list,
            }),
        }
        for &dash in entry.dashes.iter().skip(usize::from(list)) {
            self.levels.push(Level {
                column: dash,
                list: true,
            });
        }
        if let Some(key) = entry.key.filter(|key| *key > indent) {
            self.levels.push(Level {
                column: key,
                list: false,
            });
        }
    }

    fn push(&mut self, symbol: char, line: usize, index: usize) {
        self.open.push(Opener {
            symbol,
            line,
            column: index + 1,
        });
    }

    /// Reads brackets and quotes from `from` to the end of the line, or
    /// until every bracket is closed.
    fn flow(&mut self, number: usize, chars: &[char], from: usize) {
        let mut i = from;
        while i < chars.len() {
            let c = chars[i];
            match self.open.last().map(|o| o.symbol) {
                Some(quote @ ('"' | '\'')) => match closing_from(chars, i, quote) {
                    Some(end) => {
                        self.open.pop();
                        i = end;
                    }
                    None => return,
                },
                _ => match c {
                    '[' | '{' => self.push(c, number, i),
                    ']' | '}' if self.open.last().is_some_and(|o| closer(o.symbol) == c) => {
                        self.open.pop();
                        if self.open.is_empty() {
                            return;
                        }
                    }
                    '"' | '\'' if starts_token(chars, i) => self.push(c, number, i),
                    '#' if i == 0 || chars[i - 1].is_whitespace() => return,
                    _ => {}
                },
            }
            i += 1;
        }
    }
}

/// `n space(s)`.
fn spaces(n: usize) -> String {
    if n == 1 {
        "1 space".to_string()
    } else {
        format!("{n} spaces")
    }
}

fn starts_with(chars: &[char], text: &str) -> bool {
    let mut at = 0;
    for c in text.chars() {
        if chars.get(at) != Some(&c) {
            return false;
        }
        at += 1;
    }
    chars.get(at).is_none_or(|c| c.is_whitespace())
}

fn skip_spaces(chars: &[char], mut at: usize) -> usize {
    while chars.get(at) == Some(&' ') {
        at += 1;
    }
    at
}

/// Whether `chars[at]` is the `:` that ends a key: followed by a space or
/// the end of the line.
fn is_key_colon(chars: &[char], at: usize) -> bool {
    chars.get(at) == Some(&':') && chars.get(at + 1).is_none_or(|c| c.is_whitespace())
}

/// Whether a comment (` #`) starts between `from` and `to`.
fn has_comment(chars: &[char], from: usize, to: usize) -> bool {
    (from + 1..to).any(|i| chars[i] == '#' && chars[i - 1].is_whitespace())
}

/// The index of the quote that closes the one at `open`, on this line.
fn closing_quote(chars: &[char], open: usize) -> Option<usize> {
    closing_from(chars, open + 1, chars[open])
}

/// The index of the first `quote` from `from` that closes a quoted text:
/// `\"` in double quotes and `''` in single ones are quotes inside it.
fn closing_from(chars: &[char], from: usize, quote: char) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            '\'' if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a quote at `at`, inside brackets, starts a quoted text rather
/// than sitting in a word (`it's`).
fn starts_token(chars: &[char], at: usize) -> bool {
    chars[..at]
        .iter()
        .rev()
        .find(|c| !c.is_whitespace())
        .is_none_or(|c| matches!(c, '[' | '{' | ',' | ':' | '-' | '?'))
}

fn closer(open: char) -> char {
    match open {
        '[' => ']',
        '{' => '}',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(source: &str, line: u64, column: u64) -> Option<String> {
        syntax_hint(source, Position::new(line, column))
    }

    #[test]
    fn a_line_indented_with_a_tab_is_named() {
        let source = "credentials:\n  - username: tester\n\tapi_key: k1\n";

        // The parser stops at the end of line 2, before the tab.
        let found = hint(source, 2, 15);

        assert_eq!(
            found.as_deref(),
            Some("line 3 is indented with a tab; YAML indents with spaces only")
        );
    }

    #[test]
    fn a_tab_after_spaces_counts_too_but_a_tab_inside_a_line_does_not() {
        let tab_after_spaces = "a:\n  \tb: 1\n";
        let tab_inside = "a:\n  b:\t1\nc: [\n";

        assert_eq!(
            hint(tab_after_spaces, 2, 3).as_deref(),
            Some("line 2 is indented with a tab; YAML indents with spaces only")
        );
        assert_eq!(
            hint(tab_inside, 3, 4).as_deref(),
            Some("line 3 opens a '[' that is never closed")
        );
    }

    #[test]
    fn a_bracket_never_closed_is_named_where_it_opens() {
        let source = "credentials:\n  - {username: u, api_key: k}\nallowed_ips: [127.0.0.1, \"::1\"\nclicks:\n  - click_hash: c1\n";

        // serde-saphyr stops at the `:` of the next key.
        let found = hint(source, 4, 7);

        assert_eq!(
            found.as_deref(),
            Some("line 3 opens a '[' that is never closed")
        );
    }

    #[test]
    fn a_brace_never_closed_is_named_across_lines() {
        let source = "errors:\n  not_found: {status: 200,\n    message: \"x\"\nclicks: []\n";

        assert_eq!(
            hint(source, 4, 1).as_deref(),
            Some("line 2 opens a '{' that is never closed")
        );
    }

    #[test]
    fn a_quote_never_closed_is_named_with_its_kind() {
        let double = "name: a\ndescription: \"Two clicks\nclicks: []\n";
        let single = "name: a\ndescription: 'Two clicks\nclicks: []\n";

        assert_eq!(
            hint(double, 2, 14).as_deref(),
            Some("line 2 opens a quote (\") that is never closed")
        );
        assert_eq!(
            hint(single, 2, 14).as_deref(),
            Some("line 2 opens a quote (') that is never closed")
        );
    }

    #[test]
    fn brackets_and_quotes_closed_later_are_not_blamed() {
        // A list over three lines, closed, then a stray `]` is the error.
        let source = "a: [1,\n  2]\nb: 'it''s' ]\nc: it's\n";

        assert_eq!(hint(source, 3, 12), None);
    }

    #[test]
    fn a_key_indented_deeper_than_its_siblings_is_named() {
        let source = "clicks:\n  - click_hash: c1\n     loginid: 1001\n";

        // `mapping values are not allowed in this context`, on the key.
        let found = hint(source, 3, 13);

        assert_eq!(
            found.as_deref(),
            Some(
                "line 3 is indented 5 spaces where the entries before it are indented 4; \
                 the entries of one mapping or list start in the same column"
            )
        );
    }

    #[test]
    fn a_key_between_two_columns_is_named_with_both() {
        let source = "credentials:\n  - username: tester\n   api_key: k1\n";

        let found = hint(source, 3, 4);

        assert_eq!(
            found.as_deref(),
            Some(
                "line 3 is indented 3 spaces where the entries before it are indented 2 or 4; \
                 the entries of one mapping or list start in the same column"
            )
        );
    }

    #[test]
    fn a_key_in_the_column_of_list_items_is_named() {
        let source = "clicks:\n  - click_hash: c1\n  loginid: 1\n";

        let found = hint(source, 3, 3);

        assert_eq!(
            found.as_deref(),
            Some(
                "line 3 is indented 2 spaces like the list items before it, but does not \
                 start with '- '; a key of the item above it is indented 4 spaces"
            )
        );
    }

    #[test]
    fn a_top_level_key_indented_by_one_space_is_named() {
        let source = "credentials:\n  - username: tester\n    api_key: k1\n clicks:\n";

        let found = hint(source, 4, 2);

        assert_eq!(
            found.as_deref(),
            Some(
                "line 4 is indented 1 space where the entries before it are indented 0 or 2; \
                 the entries of one mapping or list start in the same column"
            )
        );
    }

    #[test]
    fn well_indented_text_gives_no_hint() {
        // Lists under keys written both ways, flow values over lines, a
        // block of text, a plain value over two lines, comments.
        let source = "\
credentials:
- username: u
  api_key: k
clicks:
  - click_hash: c1   # the first
    extra: {a: 1,
      b: 2}
    referrer: https://example.com/a]b
  -
    click_hash: c2
description: |
  free text:
     indented as it likes
    - even this
name: a long
  value
# a comment
transactions: []
";

        for line in 1..=19 {
            assert_eq!(hint(source, line, 1), None, "line {line}");
        }
    }

    #[test]
    fn of_two_tab_indented_lines_the_reported_one_is_named() {
        let source = "a:\n\tb: 1\n\tc: 2\n";

        assert_eq!(
            hint(source, 3, 1).as_deref(),
            Some("line 3 is indented with a tab; YAML indents with spaces only")
        );
    }

    #[test]
    fn a_block_of_text_ends_at_a_line_in_its_keys_column() {
        // Line 3 is back at the key's column, so the text has ended and
        // line 4, one space in, is out of step.
        let source = "a: |\n  text\nb: 1\n c: 2\n";

        let found = hint(source, 4, 3);

        assert!(
            found
                .as_deref()
                .is_some_and(|h| h.starts_with("line 4 is indented 1 space")),
            "{found:?}"
        );
    }

    #[test]
    fn a_comment_is_not_an_entry_whatever_its_indentation() {
        let source = "a:\n  b: 1\n # a note\n  c: 2\nd: [\n";

        assert_eq!(hint(source, 3, 2), None);
    }

    #[test]
    fn a_hint_is_given_only_near_the_reported_line() {
        let source = "clicks:\n  - click_hash: c1\n     loginid: 1001\nname: a\nb: c\n";

        assert_eq!(hint(source, 5, 1), None);
    }
}
