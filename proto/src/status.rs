//! How `NationalNodeService` says a refusal, for the gateway that says it and the node that reads
//! it: the coordinator's code in metadata beside the status, and its words in the message after a
//! preface for programs that read only the message.

use crate::v1::RejectionCode;

/// The metadata key that carries the coordinator's rejection code (e.g. `REJECTION_CODE_STALE_VERSION`)
/// beside the status, so a node can tell one refusal from another without parsing the message.
pub const REJECTION_KEY: &str = "muster-rejection";

/// The binary metadata key that carries the refusal's reason as a message of Muster's catalogues
/// (an encoded `Reason`), so that a node says it in its own language.
pub const REASON_KEY: &str = "muster-reason-bin";

/// The metadata key marking a refusal for a seat's quota of waiting submissions: unlike a
/// refusal, worth sending again once the coordinator has taken its backlog.
pub const QUOTA_KEY: &str = "muster-quota";

/// The status message of the coordinator's refusal with `code`, giving `reason`.
pub fn refusal(code: RejectionCode, reason: &str) -> String {
    format!("refused by the coordinator ({}): {reason}", code.as_str_name())
}

/// The coordinator's own words in a refusal's status `message`, without the preface.
pub fn reason(code: RejectionCode, message: &str) -> &str {
    message.strip_prefix(&refusal(code, "")).unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_reads_back_as_the_coordinator_gave_it() {
        let message = refusal(RejectionCode::StaleVersion, "version 1 of s1-01 is not current");
        assert_eq!(reason(RejectionCode::StaleVersion, &message), "version 1 of s1-01 is not current");
        assert_eq!(reason(RejectionCode::StaleVersion, "down"), "down", "another message stays whole");
    }
}
