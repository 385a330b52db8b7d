//! A refusal's reason as the wire carries it ([`proto::v1::Reason`]): a message of the catalogues
//! and its arguments, which each reader says in its own language.

use proto::v1 as wire;
use words::Message;

/// The most arguments a reason read from the wire keeps: a reason has a handful.
const MAX_ARGS: usize = 16;
/// The most characters of an argument kept: ids and numbers are short, a list of comments longer.
const MAX_ARG: usize = 1_000;

/// `reason` for the wire.
pub fn to_wire(reason: &Message) -> wire::Reason {
    wire::Reason {
        id: reason.id.clone(),
        args: reason
            .args
            .iter()
            .map(|(name, value)| wire::ReasonArg { name: name.clone(), value: value.clone() })
            .collect(),
    }
}

/// The reason a reply carries, if this program knows its message: one from a newer coordinator,
/// or one that is not a reason, is left for the reply's English text.
pub fn from_wire(reason: &wire::Reason) -> Option<Message> {
    if !reason.id.starts_with("reason-") && !reason.id.starts_with("text-") {
        return None;
    }
    let message = Message {
        id: reason.id.clone(),
        args: reason
            .args
            .iter()
            .take(MAX_ARGS)
            .map(|a| (a.name.clone(), crate::text::shown(&a.value).chars().take(MAX_ARG).collect()))
            .collect(),
    };
    message.is_known().then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_back_and_one_not_known_here_is_left_out() {
        let reason = Message::new("reason-stale-version").with("slot", "s1-03").with("version", 1).with("current", 2);
        assert_eq!(from_wire(&to_wire(&reason)), Some(reason.clone()));
        let ru = words::Lang::parse("ru").expect("Russian");
        assert!(reason.say(ru).contains("s1-03"), "{}", reason.say(ru));
        assert_eq!(from_wire(&to_wire(&Message::new("reason-from-a-newer-coordinator"))), None);
        assert_eq!(from_wire(&to_wire(&Message::new("aar-title"))), None, "only reasons");
    }
}
