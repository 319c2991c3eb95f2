//! pip requirements.txt: one requirement per logical line (a trailing `\` continues it), `#`
//! comments, global options (`-i`/`--index-url`, `--find-links`, …, ignored), includes (`-r`,
//! `-c`: reported in `includes`, not read), editable installs (`-e`). A requirement is a PEP 508
//! name with optional `[extras]`, a version specifier and `; markers`, then per-requirement
//! options such as `--hash=sha256:…`. Only `==` (without a wildcard) and `===` pin one version;
//! anything else (`>=`, `~=`, no specifier, a URL or path) is warned about as not inventoriable.
//! pip-compile output annotates each pin with `# via parent` comments: those give the edges, and
//! `# via -r requirements.in` marks a direct dependency. Real files also write a comment right
//! after a version (`Jinja2==3.0.0#comment`), which pip itself would reject; it is read as a
//! comment. UTF-16 files arrive already decoded.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::lockfile::py_lock::entry::{component, hash, leading_name, unique};
use crate::ingest::{IngestError, Location};
use crate::model::purl::{Purl, normalize_pypi};
use crate::model::{Dependency, Hash, Inventory};

/// Options that take a value and apply to the whole file (ignored).
const GLOBAL_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--only-binary",
    "--no-binary",
    "--use-feature",
    "--config-settings",
    "-C",
    "--global-option",
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--require-hashes",
];

/// Nine in ten of the first lines parse as requirements or pip options, and at least one has a
/// version specifier or is an option only requirements files have, so that a plain list of
/// words (or a `.trivyignore`) is not claimed.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let (mut good, mut bad, mut strong) = (0usize, 0usize, false);
    for logical in logical_lines(sniff.head(64 * 1024)).into_iter().take(100) {
        match classify(&logical.text) {
            Line::Comment(_) => continue,
            Line::Unknown => bad += 1,
            // Names may start with a digit, but version lists (`1.0 < 1.1`) do too.
            Line::Requirement(r) if !r.name.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                bad += 1;
            }
            Line::Requirement(r) => {
                good += 1;
                strong |= r.spec != Spec::Bare;
            }
            Line::Url => good += 1,
            Line::Include(..) | Line::Editable | Line::Option => {
                good += 1;
                strong = true;
            }
        }
    }
    strong && bad * 10 <= good + bad
}

/// A line after joining continuations: its first physical line number and text.
struct Logical<'a> {
    line: usize,
    text: Cow<'a, str>,
}

/// Joins `\`-continued lines the way pip does: a comment line never continues.
fn logical_lines(text: &str) -> Vec<Logical<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let comment = line.trim_start().starts_with('#');
        match (line.strip_suffix('\\'), comment) {
            (Some(head), false) => match &mut pending {
                Some((_, joined)) => joined.push_str(head),
                None => pending = Some((i + 1, head.to_owned())),
            },
            _ => match pending.take() {
                Some((first, mut joined)) => {
                    joined.push_str(line);
                    out.push(Logical {
                        line: first,
                        text: Cow::Owned(joined),
                    });
                }
                None => out.push(Logical {
                    line: i + 1,
                    text: Cow::Borrowed(line),
                }),
            },
        }
    }
    if let Some((first, joined)) = pending {
        out.push(Logical {
            line: first,
            text: Cow::Owned(joined),
        });
    }
    out
}

/// What one logical line is.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// Blank, or only a comment (its text after `#`).
    Comment(&'a str),
    /// `-r file` or `-c file`: the path.
    Include(&'a str),
    /// `-e path-or-url`.
    Editable,
    /// A global option, ignored.
    Option,
    /// A URL or local path instead of a name and version.
    Url,
    Requirement(Requirement<'a>),
    Unknown,
}

#[derive(Debug, PartialEq, Eq)]
struct Requirement<'a> {
    name: &'a str,
    spec: Spec<'a>,
    hashes: Vec<Hash>,
    /// The requirement as written, without comment and options (for messages).
    text: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
enum Spec<'a> {
    /// `==1.2.3` or `===1.2.3`.
    Pinned(&'a str),
    /// Specifiers that allow more than one version.
    Range,
    /// A name alone.
    Bare,
    /// `name @ url`.
    Url,
}

fn classify(text: &str) -> Line<'_> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Line::Comment("");
    }
    if let Some(comment) = trimmed.strip_prefix('#') {
        return Line::Comment(comment);
    }
    let line = strip_comment(trimmed);
    if line.starts_with('-') {
        return option(line);
    }
    if is_url_or_path(line) {
        return Line::Url;
    }
    requirement(line).map_or(Line::Unknown, Line::Requirement)
}

/// pip's comment rule: `#` at the start or after whitespace ends the line.
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return line.get(..i).unwrap_or(line).trim_end();
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// `-r file`, `--requirement=file`, `-e …`, or a global option.
fn option(line: &str) -> Line<'_> {
    let (flag, value) = match line.split_once(|c: char| c == '=' || c.is_whitespace()) {
        Some((f, v)) if f.starts_with("--") || f.len() == 2 => (f, v.trim()),
        // `-rfile`: a short flag glued to its value.
        _ if !line.starts_with("--") && line.len() > 2 => (
            line.get(..2).unwrap_or(line),
            line.get(2..).unwrap_or("").trim(),
        ),
        _ => (line, ""),
    };
    match flag {
        "-r" | "--requirement" | "-c" | "--constraint" if !value.is_empty() => Line::Include(value),
        "-e" | "--editable" => Line::Editable,
        f if GLOBAL_OPTIONS.contains(&f) => Line::Option,
        _ => Line::Unknown,
    }
}

/// A line that starts with a URL or path (`name @ url` is a requirement).
fn is_url_or_path(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or(line);
    first.contains("://")
        || first.starts_with(['.', '/', '~'])
        || first.starts_with("file:")
        || first.starts_with("git+")
}

/// `name[extras] specifiers ; markers --hash=…`, or `None` when it is not one.
fn requirement(line: &str) -> Option<Requirement<'_>> {
    let (spec_part, options) = split_options(line);
    let text = spec_part.split(';').next().unwrap_or("").trim();
    let name = leading_name(text)?;
    let mut rest = text.get(name.len()..)?.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']')?.1.trim_start();
    }
    let spec = if rest.starts_with('@') {
        Spec::Url
    } else {
        // A comment glued to the version (`==3.0.0#comment`).
        let rest = rest.split('#').next().unwrap_or("").trim();
        let rest = match rest.strip_prefix('(') {
            Some(inner) => inner.strip_suffix(')')?.trim(),
            None => rest,
        };
        specifiers(rest)?
    };
    Some(Requirement {
        name,
        spec,
        hashes: hashes(options)?,
        text,
    })
}

/// Splits off per-requirement options: everything from the first ` --`.
fn split_options(line: &str) -> (&str, &str) {
    let mut prev_space = false;
    for (i, c) in line.char_indices() {
        if c == '-' && prev_space && line.get(i..).is_some_and(|s| s.starts_with("--")) {
            return (line.get(..i).unwrap_or(line), line.get(i..).unwrap_or(""));
        }
        prev_space = c.is_whitespace();
    }
    (line, "")
}

/// The `--hash=alg:digest` values among per-requirement options; `None` when an option is not
/// one pip takes there.
fn hashes(options: &str) -> Option<Vec<Hash>> {
    let mut out = Vec::new();
    let mut words = options.split_whitespace();
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (word, None),
        };
        let value = match inline {
            Some(v) => v,
            None => words.next().unwrap_or(""),
        };
        match flag {
            "--hash" => out.push(hash(value)?),
            "--global-option" | "--install-option" | "--config-settings" => {}
            _ => return None,
        }
    }
    Some(unique(out))
}

/// A comma-separated list of `op version` clauses; `None` when a clause is not one.
fn specifiers(rest: &str) -> Option<Spec<'_>> {
    if rest.is_empty() {
        return Some(Spec::Bare);
    }
    let clauses: Vec<&str> = rest.split(',').map(str::trim).collect();
    let mut pinned = None;
    for clause in &clauses {
        let op = ["===", "==", "!=", "~=", ">=", "<=", ">", "<"]
            .into_iter()
            .find(|op| clause.starts_with(op))?;
        let version = clause.get(op.len()..)?.trim();
        if version.is_empty() || version.contains(char::is_whitespace) {
            return None;
        }
        let exact = op == "===" || (op == "==" && !version.contains(['*', '$']));
        if exact {
            pinned = Some(version);
        }
    }
    Some(match (pinned, clauses.len()) {
        (Some(v), 1) => Spec::Pinned(v),
        _ => Spec::Range,
    })
}

/// pip-compile's `# via` annotations of one pin.
#[derive(Default)]
struct Via {
    parents: Vec<String>,
    /// `-r requirements.in`, `-c …` or `project (pyproject.toml)`: asked for directly.
    direct: bool,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let mut inv = Inventory::default();
    let mut vias: Vec<(usize, Via)> = Vec::new();
    // The component the comments being read annotate, and whether a `# via` block is open.
    let mut annotating: Option<usize> = None;
    let mut in_via = false;
    for logical in logical_lines(src.text) {
        let mut at = src.location();
        at.line = Some(logical.line);
        let line = classify(&logical.text);
        if let Line::Comment(comment) = &line {
            if let Some(c) = annotating {
                in_via = annotate(&mut vias, c, comment, in_via);
            }
            continue;
        }
        annotating = None;
        in_via = false;
        match line {
            Line::Comment(_) | Line::Option => {}
            Line::Include(path) => inv.includes.push(path.to_owned()),
            Line::Editable => not_inventoriable(&mut inv, at, "an editable install", &logical.text),
            Line::Url => not_inventoriable(&mut inv, at, "a URL or local path", &logical.text),
            Line::Unknown => inv.warn(
                at,
                format!(
                    "not a requirement: expected `name==version`, a pip option such as `-r file`, \
                     or a comment; found `{}`",
                    shorten(logical.text.trim())
                ),
            ),
            Line::Requirement(r) => {
                annotating = add_pin(&mut inv, at, r);
            }
        }
    }
    apply_vias(&mut inv, vias);
    Ok(inv)
}

/// Adds the component of a pinned requirement (returning its index) or warns.
fn add_pin(inv: &mut Inventory, at: Location, r: Requirement<'_>) -> Option<usize> {
    let why = match r.spec {
        Spec::Pinned(v) => {
            let purl = Purl::package("pypi", r.name, Some(v));
            let mut c = component(inv, &purl, at)?;
            c.hashes = r.hashes;
            inv.components.push(c);
            return Some(inv.components.len() - 1);
        }
        Spec::Url => "a URL, not a pinned version",
        Spec::Range | Spec::Bare => "not pinned to one version",
    };
    inv.warn(
        at,
        format!("not inventoriable: {why} (`{}`)", shorten(r.text)),
    );
    None
}

fn not_inventoriable(inv: &mut Inventory, at: Location, what: &str, text: &str) {
    let text = strip_comment(text.trim());
    inv.warn(
        at,
        format!(
            "not inventoriable: {what}, not a pinned version (`{}`)",
            shorten(text)
        ),
    );
}

/// Reads one comment after a pin; returns whether a `# via` block is (still) open.
fn annotate(vias: &mut Vec<(usize, Via)>, component: usize, comment: &str, in_via: bool) -> bool {
    let item = if let Some(rest) = comment.trim_start().strip_prefix("via") {
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return false;
        }
        rest.trim()
    } else if in_via && comment.starts_with(char::is_whitespace) && !comment.trim().is_empty() {
        comment.trim()
    } else {
        return false;
    };
    if vias.last().is_none_or(|(c, _)| *c != component) {
        vias.push((component, Via::default()));
    }
    if let Some((_, via)) = vias.last_mut()
        && !item.is_empty()
    {
        if item.starts_with("-r ") || item.starts_with("-c ") || item.contains(" (") {
            via.direct = true;
        } else if let Some(name) = leading_name(item) {
            via.parents.push(normalize_pypi(name));
        }
    }
    true
}

/// Turns `# via` annotations into edges and `direct`.
fn apply_vias(inv: &mut Inventory, vias: Vec<(usize, Via)>) {
    let by_name: HashMap<String, String> = inv
        .components
        .iter()
        .map(|c| (c.name.clone(), c.purl.clone()))
        .collect();
    for (i, via) in vias {
        let Some(c) = inv.components.get_mut(i) else {
            continue;
        };
        c.direct = Some(via.direct);
        let (purl, location) = (c.purl.clone(), c.location.clone());
        for parent in via.parents {
            match by_name.get(&parent) {
                Some(from) => inv.dependencies.push(Dependency {
                    from: from.clone(),
                    to: purl.clone(),
                }),
                None => inv.warn(
                    location.clone(),
                    format!(
                        "`# via {parent}` names a package this file does not pin: edge dropped"
                    ),
                ),
            }
        }
    }
}

/// At most 80 characters of `text`, for messages.
fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(80) {
        Some((i, _)) => Cow::Owned(format!("{}…", text.get(..i).unwrap_or(text))),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(line: &str) -> Option<Spec<'_>> {
        match classify(line) {
            Line::Requirement(r) => Some(r.spec),
            _ => None,
        }
    }

    #[test]
    fn pins_and_ranges() {
        assert_eq!(spec("Django == 2.3.4"), Some(Spec::Pinned("2.3.4")));
        assert_eq!(
            spec("a[x, y]===1.0 ; python_version<'3'"),
            Some(Spec::Pinned("1.0"))
        );
        assert_eq!(spec("a (==1.0)"), Some(Spec::Pinned("1.0")));
        assert_eq!(spec("a==1.*"), Some(Spec::Range));
        assert_eq!(spec("a>=1,<2"), Some(Spec::Range));
        assert_eq!(spec("a"), Some(Spec::Bare));
        assert_eq!(spec("a @ https://x/a.whl"), Some(Spec::Url));
        assert_eq!(spec("a (1.0)"), None);
        assert_eq!(spec("Package: a"), None);
    }

    #[test]
    fn options_and_includes() {
        assert_eq!(classify("-r base.txt"), Line::Include("base.txt"));
        assert_eq!(classify("--constraint=c.txt"), Line::Include("c.txt"));
        assert_eq!(classify("-rbase.txt"), Line::Include("base.txt"));
        assert_eq!(classify("-i https://x/simple"), Line::Option);
        assert_eq!(classify("-e ./pkg"), Line::Editable);
        assert_eq!(classify("- a list item"), Line::Unknown);
    }

    #[test]
    fn continuation_lines_join() {
        let lines = logical_lines("a==1 \\\n  --hash=sha256:ab\n# c \\\nb==2");
        let texts: Vec<(usize, &str)> = lines.iter().map(|l| (l.line, &*l.text)).collect();
        assert_eq!(
            texts,
            [(1, "a==1   --hash=sha256:ab"), (3, "# c \\"), (4, "b==2")]
        );
    }
}
