//! What Muster says to people, in their language. Every word a person reads comes from a message
//! catalogue in Project Fluent (`locales/<language>/*.ftl`, embedded when the crate is built), so
//! that plurals follow each language's rules ("1 проект", "3 проекта", "5 проектов") and a
//! language is added by adding its folder of catalogues, with no code change.
//!
//! - [`Lang`]: a language Muster has catalogues for, and the one a person asked for
//!   (`Accept-Language`, `LANG`, `--lang`);
//! - [`say`] and [`say_with`]: a message, with its arguments;
//! - [`date`]: a date and time as the language writes it ("17 марта 2025 г., 09:00 (МСК)");
//! - [`Text`]: what people wrote (a scenario's texts, a participant's), in the languages it was
//!   written in, and [`Shown`], one reader's version of it, marked when in another language.
//!
//! A message missing from a language falls back to English, and a message missing from English
//! reads as its id: visible, never silently empty. `catalogues` (a test) checks that every
//! language has every message English has, and that every message is used somewhere.

use std::sync::OnceLock;

pub use fluent_bundle::FluentValue as Arg;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

mod text;

pub use text::{Shown, Text, is_tag, mark, marked, other_language, primary};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}

/// The language every message exists in, and the one used when no other is asked for.
pub const FALLBACK: &str = "en";

/// A language Muster has catalogues for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang(&'static str);

impl Default for Lang {
    fn default() -> Lang {
        Lang(FALLBACK)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Lang {
    /// Every language with catalogues, English first.
    pub fn all() -> Vec<Lang> {
        let mut all: Vec<Lang> = embedded::CATALOGUES.iter().map(|(tag, _)| Lang(tag)).collect();
        all.sort_by_key(|l| (l.0 != FALLBACK, l.0));
        all
    }

    /// Its tag (`ru`), as `<html lang>` and `--lang` write it.
    pub fn tag(self) -> &'static str {
        self.0
    }

    /// The language `tag` names (`ru`, `ru-RU`, `ru_RU.UTF-8`), if Muster has it.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.split(['.', '@']).next().unwrap_or_default().replace('_', "-");
        let asked: LanguageIdentifier = tag.parse().ok()?;
        Lang::all().into_iter().find(|l| l.0 == asked.language.as_str())
    }

    /// The best of the languages a browser asks for (an `Accept-Language` header), else English.
    pub fn negotiate(accept_language: &str) -> Lang {
        let asked = fluent_langneg::parse_accepted_languages(accept_language);
        let available: Vec<LanguageIdentifier> = Lang::all().iter().filter_map(|l| l.0.parse().ok()).collect();
        let fallback: LanguageIdentifier = FALLBACK.parse().unwrap_or_default();
        let chosen = fluent_langneg::negotiate_languages(
            &asked,
            &available,
            Some(&fallback),
            fluent_langneg::NegotiationStrategy::Filtering,
        );
        chosen.first().and_then(|l| Lang::parse(&l.to_string())).unwrap_or_default()
    }

    /// The language of the environment as POSIX orders it (`LC_ALL`, then `LC_MESSAGES`, then
    /// `LANG`), else English.
    pub fn from_env() -> Lang {
        Lang::named_by_env().unwrap_or_default()
    }

    /// The language of what is about one exercise: the one `asked` for, else the scenario's own
    /// (its texts' language, `ru`) when Muster has it, else English.
    pub fn chosen(asked: Option<Lang>, scenario: &str) -> Lang {
        asked.or_else(|| Lang::parse(scenario)).unwrap_or_default()
    }

    /// The language the environment names (`LC_ALL`, then `LC_MESSAGES`, then `LANG`), if Muster
    /// has it; `None` for `C.UTF-8`, `POSIX` or nothing set.
    pub fn named_by_env() -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .find_map(|v| Lang::parse(&v))
    }

    fn bundle(self) -> Option<&'static FluentBundle<FluentResource>> {
        bundles().iter().find(|(tag, _)| *tag == self.0).map(|(_, bundle)| bundle)
    }
}

/// Each language's catalogues, loaded once.
fn bundles() -> &'static [(&'static str, FluentBundle<FluentResource>)] {
    static BUNDLES: OnceLock<Vec<(&'static str, FluentBundle<FluentResource>)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        embedded::CATALOGUES
            .iter()
            .map(|(tag, files)| {
                let id: LanguageIdentifier = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Placeables without isolation marks: the languages here all run left to right,
                // and the marks would reach terminals and files as invisible characters.
                bundle.set_use_isolating(false);
                for (_, text) in *files {
                    // A catalogue that does not parse whole still gives what it can; the test of
                    // the catalogues names what is wrong.
                    let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(partial, _)| partial);
                    let _ = bundle.add_resource(resource);
                }
                (*tag, bundle)
            })
            .collect()
    })
}

/// Message `id` in `lang`.
pub fn say(lang: Lang, id: &str) -> String {
    say_with(lang, id, &[])
}

/// Message `id` in `lang`, with its arguments (a count as a number, so that plurals select).
pub fn say_with(lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    for bundle in [lang.bundle(), Lang::default().bundle()].into_iter().flatten() {
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle.format_pattern(pattern, Some(&fluent), &mut errors).into_owned();
        }
    }
    id.to_owned()
}

/// Message `id` in every language Muster has, as one text: a name Muster gives (the director's
/// seat), shown to each reader in theirs.
pub fn every(id: &str) -> Text {
    Lang::all()
        .into_iter()
        .fold(Text::new(FALLBACK, say(Lang::default(), id)), |text, lang| text.and(lang.tag(), say(lang, id)))
}

/// `value` with `places` decimals, as `lang` writes a decimal (`1.5`, `1,5`).
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    format!("{value:.places$}").replace('.', &say(lang, "decimal-separator"))
}

/// `value` as short as it is exact (`1440`, `0.5`), as `lang` writes a decimal (`0,5`).
pub fn number(lang: Lang, value: f64) -> String {
    value.to_string().replace('.', &say(lang, "decimal-separator"))
}

/// Something to say later, in the reader's language: a message id and its arguments' values
/// (ids, numbers, codes). What one program decides (a refusal) and another shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The message id.
    pub id: String,
    /// Each argument's name and value; a value in digits is a number (plurals select on it).
    pub args: Vec<(String, String)>,
}

impl Message {
    /// Message `id`, with no arguments yet.
    pub fn new(id: impl Into<String>) -> Message {
        Message { id: id.into(), args: Vec::new() }
    }

    /// The same message with argument `name` set to `value`.
    pub fn with(mut self, name: impl Into<String>, value: impl std::fmt::Display) -> Message {
        self.args.push((name.into(), value.to_string()));
        self
    }

    /// Said in `lang`; a message no catalogue has reads as its id. A value in plain digits is a
    /// count (plurals select on it); any other (`s1-01`, `01`) is said as it is.
    pub fn say(&self, lang: Lang) -> String {
        let arg = |value: &str| match value.parse::<u64>() {
            Ok(n) if n.to_string() == value => Arg::from(n),
            _ => Arg::from(value.to_owned()),
        };
        let args: Vec<(&str, Arg<'_>)> = self.args.iter().map(|(name, value)| (name.as_str(), arg(value))).collect();
        say_with(lang, &self.id, &args)
    }

    /// Whether a catalogue has it: a message from a newer program may not be known here.
    pub fn is_known(&self) -> bool {
        Lang::default().bundle().is_some_and(|b| b.has_message(&self.id))
    }
}

/// A moment on the calendar, in a zone named by its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment<'a> {
    /// The year.
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
    /// Hours and minutes.
    pub hour: u32,
    /// Minutes.
    pub minute: u32,
    /// The zone's label (`MSK`), possibly empty.
    pub zone: &'a str,
}

/// `moment` as `lang` writes a date and time: "17 Mar 2025 09:00 MSK", "17 марта 2025 г., 09:00 (МСК)".
pub fn date(lang: Lang, moment: &Moment<'_>) -> String {
    let time = format!("{:02}:{:02}", moment.hour, moment.minute);
    let args = [
        ("day", Arg::from(moment.day)),
        ("month", Arg::from(moment.month)),
        // A year is a name, not an amount: no thousands separator.
        ("year", Arg::from(moment.year.to_string())),
        ("time", Arg::from(time)),
    ];
    let date = say_with(lang, "date", &args);
    if moment.zone.is_empty() {
        return date;
    }
    say_with(lang, "date-in-zone", &[("date", Arg::from(date)), ("zone", Arg::from(moment.zone.to_owned()))])
}

/// Every message id of `lang`'s catalogues, with the file it is in.
pub fn ids(lang: Lang) -> Vec<(String, &'static str)> {
    let files = embedded::CATALOGUES.iter().find(|(tag, _)| *tag == lang.0).map_or(&[][..], |(_, f)| *f);
    let mut ids = Vec::new();
    for (name, text) in files {
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(partial, _)| partial);
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.push((m.id.name.to_owned(), *name));
            }
        }
    }
    ids
}

/// The problems of every catalogue that does not parse whole: file and error.
pub fn parse_errors() -> Vec<String> {
    embedded::CATALOGUES
        .iter()
        .flat_map(|(tag, files)| files.iter().map(move |(name, text)| (tag, name, text)))
        .filter_map(|(tag, name, text)| {
            FluentResource::try_new((*text).to_owned()).err().map(|(_, e)| format!("{tag}/{name}: {e:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> Lang {
        Lang::parse("ru").expect("Russian catalogues")
    }

    #[test]
    fn the_language_asked_for_is_the_one_chosen_when_there_are_catalogues_for_it() {
        assert_eq!(Lang::negotiate("ru-RU,ru;q=0.9,en;q=0.8"), ru());
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9"), Lang::default(), "no German: English");
        assert_eq!(Lang::negotiate(""), Lang::default());
        assert_eq!(Lang::parse("ru_RU.UTF-8"), Some(ru()), "as LANG writes it");
        assert_eq!(Lang::parse("kk"), None);
        assert_eq!(Lang::all()[0], Lang::default(), "English first");
    }

    #[test]
    fn russian_counts_take_their_three_forms() {
        let drafts = |n: u32| say_with(ru(), "count-drafts", &[("count", Arg::from(n))]);
        assert_eq!(drafts(1), "1 проект");
        assert_eq!(drafts(3), "3 проекта");
        assert_eq!(drafts(5), "5 проектов");
        assert_eq!(drafts(11), "11 проектов");
        assert_eq!(drafts(21), "21 проект");
        assert_eq!(drafts(22), "22 проекта");
        let en = |n: u32| say_with(Lang::default(), "count-drafts", &[("count", Arg::from(n))]);
        assert_eq!((en(1), en(3)), ("1 draft".into(), "3 drafts".into()));
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let moment = Moment { year: 2025, month: 3, day: 17, hour: 9, minute: 0, zone: "MSK" };
        assert_eq!(date(Lang::default(), &moment), "17 Mar 2025 09:00 MSK");
        assert_eq!(date(ru(), &moment), "17 марта 2025 г., 09:00 (МСК)");
        let may = Moment { month: 5, day: 5, zone: "", ..moment };
        assert_eq!(date(ru(), &may), "5 мая 2025 г., 09:00");
    }

    #[test]
    fn a_message_missing_reads_as_its_id() {
        assert_eq!(say(ru(), "no-such-message"), "no-such-message");
    }
}
