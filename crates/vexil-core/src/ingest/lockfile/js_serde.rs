//! Serde shapes the JavaScript lockfile parsers share: an ordered map that keeps every entry
//! (duplicates included) without building a value tree, the YAML options and error mapping for
//! pnpm and yarn berry, and JSONC → JSON for bun.lock.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::ingest::{IngestError, Location};

/// A JSON object or YAML mapping as its entries in document order. Repeated keys are kept (the
/// YAML options forward them) so a parser can say so instead of silently keeping one.
#[derive(Debug)]
pub(super) struct Pairs<K, V>(pub(super) Vec<(K, V)>);

impl<K, V> Default for Pairs<K, V> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Pairs<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(PhantomData))
    }
}

struct PairsVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<K, V> {
    type Value = Pairs<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key()? {
            out.push((key, map.next_value()?));
        }
        Ok(Pairs(out))
    }

    // An empty YAML value (`dependencies:` with nothing under it) is an empty mapping.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Pairs::default())
    }
}

/// A string borrowed from the input when it has no escapes (serde's own `Cow` always copies).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Str<'a>(pub(super) Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor(PhantomData))
    }
}

struct StrVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
    type Value = Str<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_owned())))
    }
}

/// The keys of a mapping whose values are not needed (dependency ranges: the lockfile says
/// what they resolved to). Also accepts `true`/`false`, which old package-locks write for
/// `requires` at the top level.
#[derive(Debug, Default)]
pub(super) struct Names<'a>(pub(super) Vec<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Names<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NamesVisitor(PhantomData))
    }
}

struct NamesVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for NamesVisitor<'a> {
    type Value = Names<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of package names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            map.next_value::<IgnoredAny>()?;
            out.push(key);
        }
        Ok(Names(out))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Names::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Names::default())
    }
}

/// A JSON document whose top level must be an object: serde's derived structs would also read
/// an array field by field, so anything else is refused by its shape first.
pub(super) fn json_object<'a, T: Deserialize<'a>>(
    file: &str,
    text: &'a str,
    what: &str,
) -> Result<T, IngestError> {
    let json_error = |e: serde_json::Error| IngestError::json(file, None, &e);
    if !text.trim_start().starts_with('{') {
        serde_json::from_str::<IgnoredAny>(text).map_err(json_error)?;
        return Err(IngestError::new(
            Location::file(file),
            format!("valid JSON but not {what}: the top level is not an object"),
        ));
    }
    serde_json::from_str(text).map_err(json_error)
}

/// YAML reading for lockfiles: no source snippets in messages (the location says where),
/// repeated keys forwarded to [`Pairs`] (real berry lockfiles repeat entries), the size budgets
/// raised for monorepo lockfiles of several MB, and alias replay kept small: pnpm and yarn never
/// write anchors, so only a hand-made (or hostile) file has any.
pub(super) fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
    options.alias_limits.max_total_replayed_events = 10_000;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 8_000_000;
    budget.max_events = 16_000_000;
    options.budget = Some(budget);
    options
}

/// A YAML error at its line and column: "invalid <what> YAML: …".
pub(super) fn yaml_error(file: &str, what: &str, err: &serde_saphyr::Error) -> IngestError {
    let mut location = Location::file(file);
    let mut message = err.to_string();
    if let Some(at) = err.location()
        && at.line() > 0
    {
        let line = usize::try_from(at.line()).unwrap_or(usize::MAX);
        let column = usize::try_from(at.column()).unwrap_or(usize::MAX);
        location = location.at(line, column);
        let suffix = format!(" at line {line}, column {column}");
        if let Some(stem) = message.strip_suffix(&suffix) {
            message = stem.to_owned();
        }
    }
    IngestError::new(location, format!("invalid {what} YAML: {message}"))
}

/// The 1-based line and column of a YAML span, when the parser knew them.
pub(super) fn span(at: &serde_saphyr::Location) -> Option<(usize, usize)> {
    let line = usize::try_from(at.line()).ok().filter(|&l| l > 0)?;
    Some((line, usize::try_from(at.column()).unwrap_or(1)))
}

/// JSONC (JSON with `//` and `/* */` comments and trailing commas, as bun writes) turned into
/// JSON of the same lines: comments and trailing commas become spaces, so a JSON error's line
/// and column still point into the original text. One pass; strings are copied untouched.
pub(super) fn jsonc_to_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    // Byte offset in `out` of a comma that may turn out to be trailing.
    let mut comma: Option<usize> = None;
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => {
                comma = None;
                out.push('"');
                let mut escaped = false;
                for (_, s) in chars.by_ref() {
                    out.push(s);
                    match s {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => {
                out.push(' ');
                for (_, s) in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                    out.push(' ');
                }
            }
            '/' if chars.peek().is_some_and(|&(_, n)| n == '*') => {
                out.push(' ');
                let mut star = false;
                for (_, s) in chars.by_ref() {
                    out.push(if s == '\n' { '\n' } else { ' ' });
                    if star && s == '/' {
                        break;
                    }
                    star = s == '*';
                }
            }
            ',' => {
                comma = Some(out.len());
                out.push(',');
            }
            '}' | ']' => {
                if let Some(at) = comma.take() {
                    out.replace_range(at..at + 1, " ");
                }
                out.push(c);
            }
            c if c.is_whitespace() => out.push(c),
            c => {
                comma = None;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_loses_comments_and_trailing_commas_but_keeps_lines() {
        let text = "{\n  \"a\": [1, 2,], // c\n  /* x\n y */ \"b\": \"//,}\",\n}";
        let json = jsonc_to_json(text);
        assert_eq!(json.lines().count(), text.lines().count());
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["b"], "//,}");
        assert_eq!(v["a"][1], 2);
    }

    #[test]
    fn yaml_pairs_keep_order_duplicates_and_key_lines() {
        type Doc<'a> = Pairs<serde_saphyr::Spanned<Str<'a>>, Option<Str<'a>>>;
        let text = "b: 1\na: x\nb: 2\nc:\n";
        let doc: Doc<'_> =
            serde_saphyr::from_str_with_options(text, yaml_options()).expect("valid YAML");
        let keys: Vec<(&str, usize)> = doc
            .0
            .iter()
            .map(|(k, _)| (&*k.value, span(&k.referenced).map_or(0, |(l, _)| l)))
            .collect();
        assert_eq!(keys, [("b", 1), ("a", 2), ("b", 3), ("c", 4)]);
        assert!(matches!(doc.0[1].0.value.0, Cow::Borrowed(_)));
        let json: Pairs<Str<'_>, Str<'_>> =
            serde_json::from_str(r#"{"a\/b": "c"}"#).expect("valid JSON");
        assert!(matches!(json.0[0].1.0, Cow::Borrowed("c")));
        assert_eq!(&*json.0[0].0, "a/b");
    }
}
