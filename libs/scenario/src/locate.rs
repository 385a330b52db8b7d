//! Finds the line of a field in the scenario text, by walking the parsed TOML with its spans.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key in a table.
    Key(String),
    /// An index in an array.
    Index(usize),
}

/// The path of a field in the file, e.g. `stages[1].slots[3].owner`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The path with a key appended.
    pub fn key(&self, key: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    /// The path with an index appended.
    pub fn index(&self, index: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Maps field paths to lines of one text.
#[derive(Debug)]
pub struct Locator<'t> {
    text: &'t str,
    root: Option<Spanned<DeTable<'t>>>,
}

impl<'t> Locator<'t> {
    /// Parses `text` for locating; a text that does not parse locates everything on line 1.
    pub fn new(text: &'t str) -> Self {
        Locator { text, root: DeTable::parse(text).ok() }
    }

    /// The line of the field, or of the nearest enclosing one that exists (a missing field is
    /// reported where its table is).
    pub fn line(&self, path: &FieldPath) -> usize {
        let Some(root) = &self.root else { return 1 };
        let mut span = root.span();
        let mut table = Some(root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'t>>]> = None;
        for segment in &path.0 {
            let found = match segment {
                Segment::Key(k) => {
                    table.and_then(|t| t.iter().find(|(key, _)| key.get_ref() == k)).map(|(key, v)| (key.span(), v))
                }
                Segment::Index(i) => array.and_then(|a| a.get(*i)).map(|v| (v.span(), v)),
            };
            let Some((found_span, value)) = found else {
                break;
            };
            span = found_span;
            (table, array) = match value.get_ref() {
                DeValue::Table(t) => (Some(t), None),
                DeValue::Array(a) => (None, Some(&a[..])),
                _ => (None, None),
            };
        }
        self.line_of(span)
    }

    /// The line of a byte offset range.
    pub fn line_of(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].bytes().filter(|b| *b == b'\n').count() + 1
    }
}
