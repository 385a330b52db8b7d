//! Texts people wrote, in the language or languages they wrote them in: a scenario's titles,
//! situations, tasks and names may be given in several; what a participant writes is in one.

use crate::Lang;

/// A text in one language or several. The first is the one it was written in (a scenario's own
/// language); a reader is shown its own language when there is one, else the first, marked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// Language tag and text, the first language first, no tag twice.
    versions: Vec<(String, String)>,
}

/// A text as one reader is shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    /// The text.
    pub text: &'a str,
    /// The language it is in (`ru`); empty when not known.
    pub language: &'a str,
    /// Whether it is in the language the reader asked for. When not, a reader marks it, so that a
    /// text in another language is never taken for a translation missing by mistake.
    pub asked: bool,
}

impl Shown<'_> {
    /// The mark a page puts after a text in another language than the reader's: its language's
    /// tag, `(EN)`, which every reader recognises whatever its catalogues. Empty when there is none.
    pub fn mark(&self) -> String {
        if self.asked || self.language.is_empty() { String::new() } else { mark(self.language) }
    }
}

impl std::fmt::Display for Shown<'_> {
    /// The text, followed by its mark when it is in another language (for terminals and Markdown).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = self.mark();
        if mark.is_empty() { f.write_str(self.text) } else { write!(f, "{} {mark}", self.text) }
    }
}

impl Text {
    /// `text`, written in `language` (a tag such as `ru`; empty when not known).
    pub fn new(language: impl Into<String>, text: impl Into<String>) -> Text {
        Text { versions: vec![(language.into(), text.into())] }
    }

    /// The same text in one more language (replacing what it had in that language).
    pub fn and(mut self, language: impl Into<String>, text: impl Into<String>) -> Text {
        let (language, text) = (language.into(), text.into());
        match self.versions.iter_mut().find(|(tag, _)| *tag == language) {
            Some(version) => version.1 = text,
            None => self.versions.push((language, text)),
        }
        self
    }

    /// The text as first written: what logs, ids and policies use.
    pub fn first(&self) -> &str {
        self.versions.first().map_or("", |(_, text)| text)
    }

    /// The language it was first written in.
    pub fn first_language(&self) -> &str {
        self.versions.first().map_or("", |(tag, _)| tag)
    }

    /// The text in `language`, if it was given in it.
    pub fn get(&self, language: &str) -> Option<&str> {
        self.versions.iter().find(|(tag, _)| tag == language).map(|(_, text)| text.as_str())
    }

    /// Every language's text, the first first.
    pub fn versions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.versions.iter().map(|(tag, text)| (tag.as_str(), text.as_str()))
    }

    /// The text for a reader of `lang`: in its language when given, else as first written.
    pub fn in_lang(&self, lang: Lang) -> Shown<'_> {
        match self.versions.iter().find(|(tag, _)| primary(tag) == lang.tag()) {
            Some((tag, text)) => Shown { text, language: tag, asked: true },
            None => Shown {
                text: self.first(),
                language: self.first_language(),
                // A text of no known language, or of none at all, is shown as it is.
                asked: self.first_language().is_empty() || self.first().is_empty(),
            },
        }
    }

    /// Whether it has no text at all.
    pub fn is_empty(&self) -> bool {
        self.versions.iter().all(|(_, text)| text.is_empty())
    }
}

/// The language part of a tag: `ru` of `ru-RU`.
pub fn primary(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// The language of `tag` (its primary subtag, `ru`) when it is another than `lang`: a text in it
/// is marked for a reader of `lang`. Empty when it is `lang`'s, or when no language is known.
pub fn other_language(lang: Lang, tag: &str) -> &str {
    match primary(tag) {
        language if language.is_empty() || language == lang.tag() => "",
        language => language,
    }
}

/// `text`, followed by its mark when `tag` names another language than `lang`'s (for terminals,
/// Markdown and headings).
pub fn marked(lang: Lang, text: &str, tag: &str) -> String {
    match other_language(lang, tag) {
        "" => text.to_owned(),
        other => format!("{text} {}", mark(other)),
    }
}

/// The mark after a text written in `tag`'s language, for readers of another: `(RU)`. Only the
/// language, whatever else the tag says, so that a sender cannot make the mark say more.
pub fn mark(tag: &str) -> String {
    format!("({})", primary(tag).to_uppercase())
}

/// Whether `tag` reads as a language tag (`ru`, `en`, `kk`, `ru-RU`): what a scenario and a
/// submission may name a language by.
pub fn is_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_its_language_else_the_first_marked() {
        let ru = Lang::parse("ru").expect("Russian");
        let both = Text::new("ru", "Секретариат ОДКБ").and("en", "CSTO Secretariat");
        assert_eq!(both.in_lang(Lang::default()).to_string(), "CSTO Secretariat");
        assert_eq!(both.in_lang(ru).to_string(), "Секретариат ОДКБ");
        let english = Text::new("en", "CSTO Secretariat");
        let shown = english.in_lang(ru);
        assert_eq!((shown.text, shown.asked, shown.mark()), ("CSTO Secretariat", false, "(EN)".to_owned()));
        assert_eq!(shown.to_string(), "CSTO Secretariat (EN)");
        assert_eq!(Text::new("", "BY").in_lang(ru).to_string(), "BY", "no language known: no mark");
        assert_eq!(Text::new("ru-RU", "Беларусь").in_lang(ru).text, "Беларусь", "a region of the language");
    }

    #[test]
    fn tags_are_checked() {
        for good in ["ru", "en", "kk", "ru-RU", "hy", "be"] {
            assert!(is_tag(good), "{good}");
        }
        for bad in ["", "r", "RU", "ru_RU", "russian", "ru-", "ru.UTF-8", "../x"] {
            assert!(!is_tag(bad), "{bad}");
        }
    }
}
