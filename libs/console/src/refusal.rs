//! Refusals as a staff officer reads them: what was wrong and what to do, in a sentence. The
//! machine code stays in the log (the console logs it with the message id); no page shows it.

use proto::v1::RejectionCode;

/// The sentence for a submission (`what`, in words) the coordinator refused with `code`, giving
/// `reason`.
pub fn sentence(what: &str, code: Option<RejectionCode>, reason: &str) -> String {
    let (wrong, to_do) = match code {
        Some(RejectionCode::StaleWindow) => {
            ("The exercise moved on before it arrived", "Look at the page again and decide on the window open now")
        }
        Some(RejectionCode::WrongPhase) => {
            ("It cannot be done at this point of the exercise", "See above what is awaited of you now")
        }
        Some(RejectionCode::UnknownSlot) => {
            ("That draft is not open in the current stage", "See above which drafts are open now")
        }
        Some(RejectionCode::StaleVersion) => (
            "A newer version of the draft came in meanwhile",
            "Read the newer version above and give your position on it",
        ),
        Some(RejectionCode::NotAParticipant) => {
            ("Your seat no longer takes part (it was recorded absent)", "Speak to exercise control")
        }
        Some(RejectionCode::NotPermitted) => ("Your seat may not do this", "Speak to exercise control if it should"),
        Some(RejectionCode::TooLarge) => ("It is too large to send", "Shorten the text and send it again"),
        Some(RejectionCode::InvalidContent) => ("Something in it cannot be accepted", "Correct it and send it again"),
        Some(RejectionCode::BadSignature) => (
            "Its signature was not accepted",
            "Ask the exercise's operator to check this seat's key; your text is kept",
        ),
        Some(RejectionCode::UnresolvedComment) => (
            "Every objection needs a disposition",
            "Choose a disposition for each objection and send the revision again",
        ),
        Some(
            RejectionCode::Malformed
            | RejectionCode::WrongExercise
            | RejectionCode::UnknownPayload
            | RejectionCode::Unspecified,
        )
        | None => ("It could not be read", "Send it again; if it is refused again, tell the exercise's operator"),
    };
    // A command meant for a window that closed is not offered again for the next one.
    let kept = if code == Some(RejectionCode::StaleWindow) { "" } else { " What you typed is kept in the form." };
    format!("Not accepted: {what}. {wrong}: {reason}. {to_do}.{kept}")
}

/// A submission's field as the form calls it.
pub fn field(name: &str) -> &'static str {
    match name {
        "title" => "the title",
        "text" => "the text",
        "change_summary" => "\u{201c}what changed\u{201d}",
        "reason" => "the reason",
        "reasons" => "the reasons or remarks (together)",
        "remarks" => "the remarks",
        "summary" => "the assessment",
        "comms_check_token" => "the communications-check token",
        _ => "a field",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_what_was_wrong_and_what_to_do_without_the_code() {
        let said = sentence(
            "the revision of s1-03 to version 2",
            Some(RejectionCode::UnresolvedComment),
            "the revision gives no disposition for Belarus's comment on version 1",
        );
        assert!(said.starts_with("Not accepted: the revision of s1-03 to version 2."), "{said}");
        assert!(said.contains("Every objection needs a disposition"), "{said}");
        assert!(said.contains("Choose a disposition"), "{said}");
        assert!(!said.contains("REJECTION_CODE") && !said.contains("UNRESOLVED"), "{said}");
    }
}
