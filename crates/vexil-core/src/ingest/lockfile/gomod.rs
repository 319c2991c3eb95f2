//! Go modules: `go.mod`, with the `go.sum` beside it for hashes.
//!
//! go.mod is a list of directives (`module`, `go`, `toolchain`, `require`, `replace`, `exclude`,
//! `retract`, `godebug`, `tool`, `ignore`), each on one line or grouped in a `verb ( … )` block,
//! with `//` comments; paths may be quoted. What Vexil takes from it, as osv-scanner and
//! govulncheck do:
//! - every `require` is a component, `pkg:golang/<path>@<version>` with the `v` kept; a
//!   `// indirect` comment makes it transitive (`direct: false`), otherwise it is direct. Since
//!   go 1.17 go.mod lists every module the build uses; before that (or without a `go` line,
//!   which means 1.16) only some, and a warning says so.
//! - `replace old [v] => new v2` swaps the module for its replacement (what is built); a
//!   replacement by a local directory (`=> ./fork`) has no version: left out with a warning.
//! - the standard library is a component too, `pkg:golang/stdlib@v1.22.5`, at the `toolchain`
//!   version when given, else the `go` version (as osv-scalibr does; `1.21rc2` → `v1.21.0-rc.2`).
//! - `go.sum` lines `path version h1:<base64>` give the module hashes (`/go.mod` lines hash only
//!   the go.mod file and are skipped). A go.sum on its own is not an inventory and is refused.

use std::collections::{BTreeMap, HashMap};

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Hash, Inventory};

/// The directives go.mod knows (golang.org/x/mod/modfile).
const DIRECTIVES: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "replace",
    "exclude",
    "retract",
    "tool",
    "ignore",
];

/// A go.mod: its first directive is a known one and a `module` line is near the top. (A go.sum
/// is recognised by [`looks_like_sum`] as a companion, not an inventory.)
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let mut lines = sniff
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .take(30)
        .peekable();
    let first_is_directive = lines.peek().is_some_and(|l| DIRECTIVES.contains(&verb(l)));
    first_is_directive && lines.any(|l| verb(l) == "module")
}

fn verb(line: &str) -> &str {
    line.split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
}

/// go.sum: its first lines are `path version h1:hash`.
pub(crate) fn looks_like_sum(sniff: &Sniff<'_>) -> bool {
    let text = sniff.text;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).take(3);
    let mut any = false;
    let all = lines.all(|l| {
        any = true;
        let fields: Vec<&str> = l.split_whitespace().collect();
        matches!(fields.as_slice(), [_, _, hash] if hash.starts_with("h1:"))
    });
    any && all
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let mut file = read_directives(src)?;
    let mut inv = Inventory::default();
    for (line, message) in std::mem::take(&mut file.unknown) {
        inv.warn(at_line(src, line), message);
    }
    if !file.module {
        return Err(IngestError::new(
            src.location(),
            "not a go.mod: no `module` directive; expected `module example.com/project`",
        ));
    }
    let sums = src.related("go.sum").map(sums);
    let mut modules = std::mem::take(&mut file.requires);
    apply_replaces(src, &file.replaces, &mut modules, &mut inv);
    for m in &modules {
        if let Some(c) = module_component(src, m, sums.as_ref(), &mut inv) {
            inv.components.push(c);
        }
    }
    stdlib(src, &file, &mut inv);
    Ok(inv)
}

/// One module requirement, after replacements.
#[derive(Debug)]
struct Module {
    path: String,
    version: String,
    direct: bool,
    /// The line of the `require` (or of the `replace` that chose this module).
    line: usize,
}

/// `old [version] => new [version]`.
#[derive(Debug)]
struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
    line: usize,
}

/// What the directives said.
#[derive(Default)]
struct ModFile {
    /// A `module` directive was seen.
    module: bool,
    /// `go` version and its line.
    go: Option<(String, usize)>,
    toolchain: Option<(String, usize)>,
    requires: Vec<Module>,
    replaces: Vec<Replace>,
    /// Directives Vexil does not know, with their lines.
    unknown: Vec<(usize, String)>,
}

/// Reads every directive; syntax errors (an unclosed block or quote, a `require` that is not
/// `path version`) stop the parse, as they stop the go command.
fn read_directives(src: &Source<'_>) -> Result<ModFile, IngestError> {
    let mut file = ModFile::default();
    let mut block: Option<(String, usize)> = None;
    for (i, raw) in src.text.lines().enumerate() {
        let number = i + 1;
        let (tokens, comment) = tokenize(raw)
            .map_err(|(column, what)| IngestError::new(src.location().at(number, column), what))?;
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        match (&block, tokens.as_slice()) {
            (_, []) => {}
            (Some(_), [")"]) => block = None,
            (Some((verb, _)), args) => {
                let verb = verb.clone();
                directive(src, &mut file, &verb, args, comment, number)?;
            }
            (None, [")"]) => {
                return Err(IngestError::new(
                    src.location().at(number, 1),
                    "a `)` with no block open; expected it to close a `require (` (or other) block",
                ));
            }
            (None, [verb, "("]) => block = Some(((*verb).to_owned(), number)),
            (None, [verb, args @ ..]) => directive(src, &mut file, verb, args, comment, number)?,
        }
    }
    if let Some((verb, line)) = block {
        return Err(IngestError::new(
            src.location().at(line, 1),
            format!("the `{verb} (` block opened here is never closed; expected a `)` line"),
        ));
    }
    Ok(file)
}

/// A line's tokens and its `//` comment.
type Tokens<'a> = (Vec<String>, Option<&'a str>);

/// Splits a line into tokens (`(`, `)` and `=>` apart; quoted strings unquoted) and its `//`
/// comment. Errors carry the 1-based column.
fn tokenize(line: &str) -> Result<Tokens<'_>, (usize, String)> {
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let column = line.len() - rest.len() + 1;
        if rest.is_empty() {
            return Ok((tokens, None));
        }
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((tokens, Some(comment.trim())));
        }
        let (token, after) = match rest.chars().next() {
            Some(q @ ('"' | '`')) => quoted(rest, q).ok_or_else(|| {
                (
                    column,
                    format!("a string opened with {q} is not closed on its line"),
                )
            })?,
            Some(p @ ('(' | ')')) => (p.to_string(), rest.get(1..).unwrap_or_default()),
            _ => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
                    .unwrap_or(rest.len());
                let end = rest
                    .get(..end)
                    .and_then(|t| t.find("//"))
                    .filter(|&p| p > 0)
                    .unwrap_or(end);
                let (token, after) = rest.split_at(end);
                (token.to_owned(), after)
            }
        };
        tokens.push(token);
        rest = after;
    }
}

/// A Go string literal at the start of `s`: `"…"` with backslash escapes, or raw `` `…` ``.
fn quoted(s: &str, quote: char) -> Option<(String, &str)> {
    let body = s.get(1..)?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Some((out, body.get(i + 1..).unwrap_or_default())),
            '\\' if quote == '"' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

fn directive(
    src: &Source<'_>,
    file: &mut ModFile,
    verb: &str,
    args: &[&str],
    comment: Option<&str>,
    line: usize,
) -> Result<(), IngestError> {
    let expect = |form: &str| {
        IngestError::new(
            src.location().at(line, 1),
            format!("`{verb}` expects `{form}`, found `{}`", args.join(" ")),
        )
    };
    match verb {
        "module" => match args {
            [_path] => file.module = true,
            _ => return Err(expect("module <path>")),
        },
        "go" => match args {
            [version] => file.go = Some(((*version).to_owned(), line)),
            _ => return Err(expect("go 1.22.0")),
        },
        "toolchain" => match args {
            [name] => file.toolchain = Some(((*name).to_owned(), line)),
            _ => return Err(expect("toolchain go1.22.5")),
        },
        "require" => match args {
            [path, version] => file.requires.push(Module {
                path: (*path).to_owned(),
                version: (*version).to_owned(),
                direct: !is_indirect(comment),
                line,
            }),
            _ => return Err(expect("require <module path> <version>")),
        },
        "replace" => file.replaces.push(replace(args, line).ok_or_else(|| {
            expect("replace <module> [version] => <module> <version> | <directory>")
        })?),
        // `exclude`/`retract` change version selection, not the listed versions; the others do
        // not name dependencies.
        "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
        // A directive from a newer Go: the go command would refuse it, but the rest still
        // says what is built.
        _ => file.unknown.push((
            line,
            format!(
                "unknown directive `{verb}`, ignored; Vexil knows {}",
                DIRECTIVES.join(", ")
            ),
        )),
    }
    Ok(())
}

/// modfile's rule: the comment is `indirect`, or starts with `indirect;`.
fn is_indirect(comment: Option<&str>) -> bool {
    comment.is_some_and(|c| c == "indirect" || c.starts_with("indirect;"))
}

fn replace(args: &[&str], line: usize) -> Option<Replace> {
    let arrow = args.iter().position(|a| *a == "=>")?;
    let (left, right) = (args.get(..arrow)?, args.get(arrow + 1..)?);
    let owned = |s: &&str| (*s).to_owned();
    let (old, old_version) = match left {
        [old] => (owned(old), None),
        [old, version] => (owned(old), Some(owned(version))),
        _ => return None,
    };
    let (new, new_version) = match right {
        [new] => (owned(new), None),
        [new, version] => (owned(new), Some(owned(version))),
        _ => return None,
    };
    Some(Replace {
        old,
        old_version,
        new,
        new_version,
        line,
    })
}

/// Swaps replaced modules for their replacements; a directory replacement drops the module.
/// A replacement of one version wins over one of every version (cmd/go's rule); among equal
/// ones the last counts.
fn apply_replaces(
    src: &Source<'_>,
    replaces: &[Replace],
    modules: &mut Vec<Module>,
    inv: &mut Inventory,
) {
    let mut by_old: HashMap<(&str, Option<&str>), &Replace> = HashMap::new();
    for r in replaces {
        by_old.insert((r.old.as_str(), r.old_version.as_deref()), r);
    }
    // Directory replacements that hit a module, by line, to warn once each.
    let mut to_directory: BTreeMap<usize, &Replace> = BTreeMap::new();
    modules.retain_mut(|m| {
        let found = by_old
            .get(&(m.path.as_str(), Some(m.version.as_str())))
            .or_else(|| by_old.get(&(m.path.as_str(), None)));
        let Some(r) = found.copied() else {
            return true;
        };
        let Some(new_version) = &r.new_version else {
            to_directory.insert(r.line, r);
            return false;
        };
        m.path.clone_from(&r.new);
        m.version.clone_from(new_version);
        m.line = r.line;
        true
    });
    for r in to_directory.into_values() {
        inv.warn(
            at_line(src, r.line),
            format!(
                "`{}` is replaced by the directory `{}`: code in the source tree has no module \
                 version, so it is not inventoried",
                r.old, r.new
            ),
        );
    }
}

fn module_component(
    src: &Source<'_>,
    m: &Module,
    sums: Option<&HashMap<(&str, &str), &str>>,
    inv: &mut Inventory,
) -> Option<Component> {
    let location = at_line(src, m.line);
    if !m.version.starts_with('v') {
        inv.warn(
            location,
            format!(
                "`{}` has version `{}`; expected a module version such as `v1.2.3`; left out",
                m.path, m.version
            ),
        );
        return None;
    }
    let purl = Purl::package("golang", &m.path, Some(&m.version));
    let mut c = match Component::from_purl(&purl, location.clone()) {
        Ok(c) => c,
        Err(e) => {
            inv.warn(location, format!("module `{}`: {e}; left out", m.path));
            return None;
        }
    };
    c.direct = Some(m.direct);
    if let Some(h1) = sums.and_then(|s| s.get(&(m.path.as_str(), m.version.as_str()))) {
        c.hashes.push(Hash {
            algorithm: "h1".to_owned(),
            value: (*h1).to_owned(),
        });
    }
    Some(c)
}

/// `h1:` hashes of module contents by (path, version); `/go.mod` lines and odd lines are
/// skipped (go.sum only refines what go.mod says).
fn sums(text: &str) -> HashMap<(&str, &str), &str> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        if let (Some(path), Some(version), Some(hash), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
            && !version.ends_with("/go.mod")
            && let Some(h1) = hash.strip_prefix("h1:")
        {
            out.insert((path, version), h1);
        }
    }
    out
}

/// The standard library at the toolchain (else `go`) version, and the pre-1.17 warning.
fn stdlib(src: &Source<'_>, file: &ModFile, inv: &mut Inventory) {
    let go_version = file.go.as_ref().map(|(v, _)| v.as_str());
    if go_version.is_none_or(before_go_1_17) {
        inv.warn(
            src.location(),
            format!(
                "{}: before go 1.17, go.mod lists only the modules the main module requires \
                 directly, so transitive modules are missing here",
                match go_version {
                    Some(v) => format!("`go {v}`"),
                    None => "no `go` directive (Go then assumes 1.16)".to_owned(),
                }
            ),
        );
    }
    let chosen = match (&file.toolchain, &file.go) {
        (Some((name, line)), _) if name != "default" => Some((
            name.strip_prefix("go")
                .unwrap_or(name)
                .split('-')
                .next()
                .unwrap_or_default(),
            *line,
        )),
        (_, Some((version, line))) => Some((version.as_str(), *line)),
        _ => None,
    };
    let Some((version, line)) = chosen else {
        return;
    };
    let Some(semver) = go_semver(version) else {
        inv.warn(
            at_line(src, line),
            format!("Go version `{version}` is not like `1.22.5`; the stdlib is not inventoried"),
        );
        return;
    };
    let purl = Purl::package("golang", "stdlib", Some(&semver));
    match Component::from_purl(&purl, at_line(src, line)) {
        Ok(c) => inv.components.push(c),
        Err(e) => inv.warn(at_line(src, line), format!("stdlib: {e}; left out")),
    }
}

fn before_go_1_17(version: &str) -> bool {
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse::<u64>().ok());
    let minor = parts.next().and_then(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u64>().ok()
    });
    matches!((major, minor), (Some(1), Some(m)) if m < 17) || major == Some(0)
}

/// A Go release as a module version, the way govulncheck spells the stdlib: `1.22.5` →
/// `v1.22.5`, `1.18` → `v1.18.0`, `1.21rc2` → `v1.21.0-rc.2`, `1.20beta1` → `v1.20.0-beta.1`.
fn go_semver(version: &str) -> Option<String> {
    let split = version
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(version.len());
    let (numbers, pre) = version.split_at(split);
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut out = format!("v{}", parts.join("."));
    for _ in parts.len()..3 {
        out.push_str(".0");
    }
    if !pre.is_empty() {
        let kind: String = pre.chars().take_while(char::is_ascii_alphabetic).collect();
        let number = pre.get(kind.len()..).unwrap_or_default();
        if !matches!(kind.as_str(), "rc" | "beta") || number.is_empty() {
            return None;
        }
        out.push_str(&format!("-{kind}.{number}"));
    }
    Some(out)
}

fn at_line(src: &Source<'_>, line: usize) -> Location {
    let mut location = src.location();
    location.line = Some(line);
    location
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions_become_semver() {
        assert_eq!(go_semver("1.22.5").as_deref(), Some("v1.22.5"));
        assert_eq!(go_semver("1.18").as_deref(), Some("v1.18.0"));
        assert_eq!(go_semver("1.21rc2").as_deref(), Some("v1.21.0-rc.2"));
        assert_eq!(go_semver("1.x"), None);
        assert!(before_go_1_17("1.16"));
        assert!(!before_go_1_17("1.17"));
        assert!(!before_go_1_17("1.26.0"));
    }

    #[test]
    fn tokens_split_comments_and_quotes() {
        let (t, c) = tokenize("\tgithub.com/a/b v1.0.0 // indirect").expect("ok");
        assert_eq!(
            (t.as_slice(), c),
            (
                &["github.com/a/b".to_owned(), "v1.0.0".to_owned()][..],
                Some("indirect")
            )
        );
        let (t, _) = tokenize("replace \"a b\" => `c` v1").expect("ok");
        assert_eq!(t, ["replace", "a b", "=>", "c", "v1"]);
        let (t, _) = tokenize("require(").expect("ok");
        assert_eq!(t, ["require", "("]);
        assert_eq!(
            tokenize("module \"x").map(|_| ()),
            Err((
                8,
                "a string opened with \" is not closed on its line".to_owned()
            ))
        );
    }
}
