//! Where an SBOM being read came from (its file, the envelope entry that carried it, the JSON
//! pointer it sits under) and the strings it is read into, borrowed from the input when they can
//! be. Shared by the CycloneDX, SPDX and in-toto readers; no format knowledge here.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::ingest::{IngestError, Location};

/// Deepest nesting of CycloneDX components, or of XML elements, that is read; deeper input is
/// refused (a hostile file must not exhaust the stack).
pub(super) const MAX_DEPTH: usize = 64;

/// A string of the input: borrowed from it when the input spells it without escapes (most
/// strings of a JSON SBOM), owned otherwise (YAML, XML, escaped JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Text<'a>(pub(super) Cow<'a, str>);

impl Text<'static> {
    pub(super) fn owned(s: String) -> Text<'static> {
        Text(Cow::Owned(s))
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        d.deserialize_str(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

/// The text of an optional string field, `None` when absent or blank.
pub(super) fn present<'r>(field: &'r Option<Text<'_>>) -> Option<&'r str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `null` read as the empty value: some producers write `"components": null`.
pub(super) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// A JSON array where an object is expected is refused by its shape: serde would otherwise read
/// the array's items as the struct's fields, one by one, and complain about the first.
pub(super) fn refuse_array(text: &str, origin: &Origin<'_>, what: &str) -> Result<(), IngestError> {
    if text.trim_start().starts_with('[') {
        return Err(origin.error(format!(
            "valid JSON but not {what}: the top level is an array; expected an object"
        )));
    }
    Ok(())
}

/// Where a document being read came from: the file as the user named it, the entry of an
/// envelope that carried it (`payload`, `line 3 payload`), and the JSON pointer of the document
/// inside that entry (`/predicate` for an in-toto Statement).
#[derive(Clone, Debug)]
pub(super) struct Origin<'s> {
    file: &'s str,
    entry: Option<String>,
    prefix: &'static str,
}

impl<'s> Origin<'s> {
    /// A document that is the whole file.
    pub(super) fn file(file: &'s str) -> Origin<'s> {
        Origin {
            file,
            entry: None,
            prefix: "",
        }
    }

    /// A document inside an envelope entry, under a JSON pointer of that entry.
    pub(super) fn nested(file: &'s str, entry: Option<String>, prefix: &'static str) -> Origin<'s> {
        Origin {
            file,
            entry,
            prefix,
        }
    }

    /// The document as a whole.
    pub(super) fn location(&self) -> Location {
        let location = Location::file(self.file);
        match &self.entry {
            Some(entry) => location.with_entry(entry),
            None => location,
        }
    }

    /// A field of the document, by its JSON pointer from the document's root.
    pub(super) fn field(&self, pointer: &str) -> Location {
        self.location().field(format!("{}{pointer}", self.prefix))
    }

    /// A line and column of the document's text.
    pub(super) fn line(&self, line: usize, column: usize) -> Location {
        self.location().at(line, column)
    }

    pub(super) fn error(&self, message: impl Into<String>) -> IngestError {
        IngestError::new(self.location(), message)
    }

    pub(super) fn json_error(&self, err: &serde_json::Error) -> IngestError {
        IngestError::json(self.file, self.entry.as_deref(), err)
    }
}
