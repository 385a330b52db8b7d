//! Refusals as a staff officer reads them: what was wrong and what to do, in a sentence. The
//! machine code stays in the log (the console logs it with the message id); no page shows it.

use proto::v1::RejectionCode;
use words::{Arg, Lang};

/// The sentence for a submission (`what`, in words) the coordinator refused with `code`, giving
/// `reason`.
pub fn sentence(l: Lang, what: &str, code: Option<RejectionCode>, reason: &str) -> String {
    let (wrong, to_do) = match code {
        Some(RejectionCode::StaleWindow) => ("refused-stale-window", "do-stale-window"),
        Some(RejectionCode::WrongPhase) => ("refused-wrong-phase", "do-wrong-phase"),
        Some(RejectionCode::UnknownSlot) => ("refused-unknown-slot", "do-unknown-slot"),
        Some(RejectionCode::UnknownInject) => ("refused-unknown-inject", "do-unknown-inject"),
        Some(RejectionCode::StaleVersion) => ("refused-stale-version", "do-stale-version"),
        Some(RejectionCode::NotAParticipant) => ("refused-not-a-participant", "do-ask-control"),
        Some(RejectionCode::NotPermitted) => ("refused-not-permitted", "do-ask-control"),
        Some(RejectionCode::TooLarge) => ("refused-too-large", "do-shorten"),
        Some(RejectionCode::InvalidContent) => ("refused-invalid-content", "do-correct"),
        Some(RejectionCode::BadSignature) => ("refused-bad-signature", "do-check-key"),
        Some(RejectionCode::UnresolvedComment) => ("refused-unresolved-comment", "do-dispose"),
        Some(
            RejectionCode::Malformed
            | RejectionCode::WrongExercise
            | RejectionCode::UnknownPayload
            | RejectionCode::Unspecified,
        )
        | None => ("refused-unreadable", "do-send-again"),
    };
    let (wrong, to_do) = (words::say(l, wrong), words::say(l, to_do));
    // A command meant for a window that closed is not offered again for the next one.
    let kept = if code == Some(RejectionCode::StaleWindow) {
        String::new()
    } else {
        format!(" {}", words::say(l, "typed-kept"))
    };
    let args = [
        ("what", Arg::from(what)),
        ("wrong", Arg::from(wrong)),
        ("reason", Arg::from(reason)),
        ("todo", Arg::from(to_do)),
    ];
    format!("{}{kept}", words::say_with(l, "not-accepted", &args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_what_was_wrong_and_what_to_do_without_the_code() {
        let said = sentence(
            Lang::default(),
            "the revision of s1-03 to version 2",
            Some(RejectionCode::UnresolvedComment),
            "the revision gives no disposition for Belarus's comment on version 1",
        );
        assert!(said.starts_with("Not accepted: the revision of s1-03 to version 2."), "{said}");
        assert!(said.contains("Every objection needs a disposition"), "{said}");
        assert!(said.contains("Choose a disposition"), "{said}");
        assert!(!said.contains("REJECTION_CODE") && !said.contains("UNRESOLVED"), "{said}");
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let said = sentence(ru, "доработка s1-03", Some(RejectionCode::UnresolvedComment), "нет решения по замечанию");
        assert!(said.starts_with("Не принято: доработка s1-03."), "{said}");
    }
}
