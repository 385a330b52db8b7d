//! Validated identifiers and roles. Every id that reaches a subject or stream name is a safe token.

use std::fmt;
use std::str::FromStr;

use crate::error::EnvelopeError;

const MAX_ID_LEN: usize = 64;
const MAX_MESSAGE_ID_LEN: usize = 128;

/// True when `s` is 1..=max characters of `[A-Za-z0-9_-]`: a NATS subject token and stream-name part.
fn is_token(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_token(field: &'static str, s: &str, max: usize) -> Result<(), EnvelopeError> {
    if s.is_empty() {
        return Err(EnvelopeError::Missing(field));
    }
    if !is_token(s, max) {
        return Err(EnvelopeError::Invalid {
            field,
            reason: format!(
                "`{}` must be 1 to {max} characters of letters, digits, '-' or '_'",
                crate::text::shown(&s.chars().take(max + 16).collect::<String>())
            ),
        });
    }
    Ok(())
}

macro_rules! token_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        // As the text it holds, written from where it is: `serde(into)` would copy every id,
        // and a snapshot of a long record writes a million of them.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
                to.serialize_str(&self.0)
            }
        }

        impl $name {
            /// Validates `s` as this kind of id.
            pub fn new(s: impl Into<String>) -> Result<Self, EnvelopeError> {
                let s = s.into();
                check_token($field, &s, $max)?;
                Ok(Self(s))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = EnvelopeError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = EnvelopeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }
    };
}

token_id!(
    /// Identifies one run of a scenario; it is part of every subject and stream name of that run.
    ExerciseId, "exercise_id", MAX_ID_LEN
);
token_id!(
    /// Identifies one message; JetStream de-duplicates on it, so a retry reuses it.
    MessageId, "message_id", MAX_MESSAGE_ID_LEN
);
token_id!(
    /// Identifies a participant's node: a state code such as `BY`, or a body's name.
    NodeId, "node_id", MAX_ID_LEN
);

impl MessageId {
    /// A fresh, time-ordered unique id.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().simple().to_string())
    }
}

/// The part a participant plays (see the domain brief).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Exercise control: the single writer of exercise state.
    Coordinator,
    /// The Joint Staff, a drafting body.
    JointStaff,
    /// The Secretariat, a drafting body.
    Secretariat,
    /// A member state's national control point.
    ControlPoint,
    /// A read-only observer.
    Observer,
    /// A guest participant.
    Guest,
}

impl Role {
    /// Every role, in contract order.
    pub const ALL: [Role; 6] =
        [Role::Coordinator, Role::JointStaff, Role::Secretariat, Role::ControlPoint, Role::Observer, Role::Guest];

    /// The role's token in subjects and scenario files.
    pub fn token(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::JointStaff => "joint_staff",
            Role::Secretariat => "secretariat",
            Role::ControlPoint => "control_point",
            Role::Observer => "observer",
            Role::Guest => "guest",
        }
    }

    /// Parses a role token as written by [`Role::token`].
    pub fn from_token(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.token() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl TryFrom<proto::v1::Role> for Role {
    type Error = EnvelopeError;
    fn try_from(role: proto::v1::Role) -> Result<Self, Self::Error> {
        use proto::v1::Role as P;
        Ok(match role {
            P::Unspecified => return Err(EnvelopeError::Missing("sender.role")),
            P::Coordinator => Role::Coordinator,
            P::JointStaff => Role::JointStaff,
            P::Secretariat => Role::Secretariat,
            P::ControlPoint => Role::ControlPoint,
            P::Observer => Role::Observer,
            P::Guest => Role::Guest,
        })
    }
}

impl From<Role> for proto::v1::Role {
    fn from(role: Role) -> Self {
        use proto::v1::Role as P;
        match role {
            Role::Coordinator => P::Coordinator,
            Role::JointStaff => P::JointStaff,
            Role::Secretariat => P::Secretariat,
            Role::ControlPoint => P::ControlPoint,
            Role::Observer => P::Observer,
            Role::Guest => P::Guest,
        }
    }
}

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sender {
    /// The sender's role.
    pub role: Role,
    /// The sender's node.
    pub node: NodeId,
}

impl Sender {
    /// A sender with the given role and node.
    pub fn new(role: Role, node: NodeId) -> Self {
        Self { role, node }
    }
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.role, self.node)
    }
}

impl TryFrom<proto::v1::Sender> for Sender {
    type Error = EnvelopeError;
    fn try_from(wire: proto::v1::Sender) -> Result<Self, Self::Error> {
        let role = proto::v1::Role::try_from(wire.role).map_err(|_| EnvelopeError::Invalid {
            field: "sender.role",
            reason: format!("unknown role {}", wire.role),
        })?;
        let role = Role::try_from(role)?;
        let node = NodeId::new(wire.node_id).map_err(|e| rename(e, "sender.node_id"))?;
        Ok(Sender { role, node })
    }
}

impl From<&Sender> for proto::v1::Sender {
    fn from(s: &Sender) -> Self {
        proto::v1::Sender { role: proto::v1::Role::from(s.role).into(), node_id: s.node.to_string() }
    }
}

/// Re-labels a field error with the field's full path in the envelope.
pub(crate) fn rename(e: EnvelopeError, field: &'static str) -> EnvelopeError {
    match e {
        EnvelopeError::Missing(_) => EnvelopeError::Missing(field),
        EnvelopeError::Invalid { reason, .. } => EnvelopeError::Invalid { field, reason },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_tokens_and_refuse_subject_syntax() {
        assert!(ExerciseId::new("cst-2025_a1").is_ok());
        for bad in ["", "a.b", "a*", ">", "a b", "ex/1"] {
            assert!(ExerciseId::new(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(NodeId::new(""), Err(EnvelopeError::Missing("node_id")));
        assert!(NodeId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn role_tokens_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_token(role.token()), Some(role));
            assert_eq!(Role::try_from(proto::v1::Role::from(role)), Ok(role));
        }
        assert_eq!(Role::from_token("director"), None);
    }

    #[test]
    fn generated_message_ids_are_unique_valid_tokens() {
        let a = MessageId::generate();
        let b = MessageId::generate();
        assert_ne!(a, b);
        assert!(MessageId::new(a.as_str()).is_ok());
    }
}
