//! The validated scenario: what the services run. Nothing here can be invalid.

use std::fmt;
use std::time::Duration;

use bus::{NodeId, Role};
pub use words::Text;

use crate::error::Problem;

/// The slowest clock a run may have: a thousandth of an exercise second per wall second.
pub const MIN_TIME_SCALE: f64 = 1e-3;
/// The fastest: a hundred exercise days per wall second.
pub const MAX_TIME_SCALE: f64 = 1e7;

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// SHA-256 (hex) of the text it was read from: which version of the plan this is.
    pub digest: String,
    /// The language its texts are first written in (`ru`): every text has it.
    pub language: String,
    /// Every language a text of it is given in, its own first.
    pub languages: Vec<String>,
    /// Texts not given in one of `languages`, each with its line: not errors (a reader is shown
    /// the scenario's own language, marked), but what `muster scenario validate` lists.
    pub untranslated: Vec<Problem>,
    /// Title, for people.
    pub title: Text,
    /// What the exercise is about.
    pub description: Text,
    /// Exercise time of the start as written, for reports; empty or a valid [`crate::Calendar`].
    pub starts: String,
    /// Exercise seconds per wall second (> 0).
    pub time_scale: f64,
    /// How drafts are decided at consideration.
    pub decision_rule: DecisionRule,
    /// Assembly closes this long after the start (exercise time).
    pub assembly_deadline: Duration,
    /// Deployment closes this long after the start.
    pub deployment_deadline: Duration,
    /// Receipts of the package are due this long after the start.
    pub distribution_deadline: Duration,
    /// Everyone who takes part, in file order.
    pub participants: Vec<Participant>,
    /// The stages, in order; each has at least one slot.
    pub stages: Vec<Stage>,
}

impl Scenario {
    /// Participants of one role.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(move |p| p.role == role)
    }

    /// The member states' control points.
    pub fn states(&self) -> impl Iterator<Item = &Participant> {
        self.with_role(Role::ControlPoint)
    }

    /// Whether a participant of this role may take part over gRPC: the gateway serves the answers
    /// of states and guests, not drafting or observing.
    pub fn remote_capable(role: Role) -> bool {
        matches!(role, Role::ControlPoint | Role::Guest)
    }

    /// A participant by node id.
    pub fn participant(&self, node: &NodeId) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.node == node)
    }

    /// Hands the seat `node` to a person (`muster run --person`): it then never acts by itself.
    pub fn seat_person(&mut self, node: &NodeId) -> Result<(), String> {
        let p = self
            .participants
            .iter_mut()
            .find(|p| &p.node == node)
            .ok_or_else(|| format!("`{node}` is not a participant of the scenario"))?;
        p.played_by = PlayedBy::Person;
        Ok(())
    }

    /// Every slot of every stage, with its stage number.
    pub fn slots(&self) -> impl Iterator<Item = (u32, &Slot)> {
        self.stages.iter().flat_map(|s| s.slots.iter().map(move |slot| (s.number, slot)))
    }
}

/// One participant.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// Its role (never the coordinator: that is Muster itself).
    pub role: Role,
    /// Its node id, unique in the scenario.
    pub node: NodeId,
    /// Name for people.
    pub name: Text,
    /// Assembly waits for it.
    pub mandatory: bool,
    /// Declared absent: it will not answer and is recorded absent.
    pub absent: bool,
    /// How it reaches the exercise.
    pub transport: Transport,
    /// Who plays the seat.
    pub played_by: PlayedBy,
    /// How the automated participant behaves (when a policy plays the seat).
    pub policy: Policy,
}

impl Participant {
    /// Whether it gives positions on drafts.
    pub fn gives_positions(&self) -> bool {
        gives_positions(self.role, self.policy.gives_positions)
    }
}

/// Who gives positions on drafts: every member state's control point, and a guest only when its
/// scenario says so (`guest_gives`).
pub fn gives_positions(role: Role, guest_gives: bool) -> bool {
    role == Role::ControlPoint || (role == Role::Guest && guest_gives)
}

/// Who plays a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayedBy {
    /// The scenario's automated policy.
    Policy,
    /// A person, whose actions come through the console; the seat never acts by itself.
    Person,
}

impl PlayedBy {
    /// The token used in scenario files.
    pub fn token(self) -> &'static str {
        match self {
            PlayedBy::Policy => "policy",
            PlayedBy::Person => "person",
        }
    }
}

/// How a participant reaches the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Directly on the NATS bus, inside the headquarters.
    Nats,
    /// Over gRPC through the gateway, from outside.
    Grpc,
}

/// An automated participant's behaviour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Slots whose first draft version this state does not concur with.
    pub non_concur_first_version: Vec<String>,
    /// Slots this state stands aside on.
    pub abstain: Vec<String>,
    /// Slots this state objects to in every version.
    pub object: Vec<String>,
    /// Slots a drafting body leaves empty, or a state gives no position on.
    pub skip: Vec<String>,
    /// Exercise time the participant takes to answer.
    pub answer_delay: Duration,
    /// A guest gives positions on drafts.
    pub gives_positions: bool,
}

/// One stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// 1-based number, in order.
    pub number: u32,
    /// Title.
    pub title: Text,
    /// Region of collective security.
    pub region: Text,
    /// The situation.
    pub situation: Text,
    /// Tasks to work out.
    pub tasks: Vec<Text>,
    /// Closes for consideration this long after the start (exercise time); later than the stage before.
    pub closes_at: Duration,
    /// Slots, at least one.
    pub slots: Vec<Slot>,
    /// Injects, in file order.
    pub injects: Vec<Inject>,
}

/// An inject: a message from exercise control that develops the situation during a stage, as
/// exercise tools' master scenario events lists hold them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inject {
    /// Unique id in the scenario; a subject-safe token (`i1-01`).
    pub id: String,
    /// When it is released.
    pub release: Release,
    /// Who it speaks as (a press agency, a body, a state); `None`: exercise control itself.
    pub from: Option<Text>,
    /// The seats it goes to; empty: every participant.
    pub to: Vec<NodeId>,
    /// What it says.
    pub text: Text,
    /// What it expects of its recipients; empty when nothing in particular.
    pub expects: Text,
    /// The slot of its stage it bears on, if any.
    pub slot: Option<String>,
    /// The exercise objective it serves; empty when none is named.
    pub objective: Text,
}

/// When an inject is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// This long (exercise time) after its stage opens.
    After(Duration),
    /// When the director releases it.
    ByHand,
}

/// How a scenario file says an inject is released by hand.
pub const BY_HAND: &str = "by hand";

/// A place for one draft decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// Unique id in the scenario; a subject-safe token.
    pub id: String,
    /// Title of the decision.
    pub title: Text,
    /// The drafting body that owns it.
    pub owner: DraftingBody,
    /// Its category.
    pub category: Category,
}

/// How drafts are decided at consideration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionRule {
    /// Adopted when no present state non-concurs and at least one concurs; abstentions do not block.
    Consensus,
    /// Adopted at the deadline unless a state has objected; silence counts as consent.
    Silence,
}

macro_rules! token_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $token:literal, $label:literal, $wire:path;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant,)+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The token used in scenario files.
            pub fn token(self) -> &'static str {
                match self { $($name::$variant => $token,)+ }
            }

            /// Parses a token as written by [`Self::token`].
            pub fn from_token(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.token() == s)
            }

            /// The wire value.
            pub fn to_wire(self) -> $crate::model::wire::$name {
                match self { $($name::$variant => $wire,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $($name::$variant => $label,)+ })
            }
        }
    };
}

pub(crate) mod wire {
    pub use proto::v1::{DraftCategory as Category, DraftingBody};
}

token_enum!(
    /// A body that drafts decisions.
    DraftingBody {
        /// The Joint Staff.
        JointStaff = "joint_staff", "Joint Staff", wire::DraftingBody::JointStaff;
        /// The Secretariat.
        Secretariat = "secretariat", "Secretariat", wire::DraftingBody::Secretariat;
    }
);

token_enum!(
    /// The kind of matter a draft decision deals with.
    Category {
        /// Formation and deployment of troop components.
        TroopComponents = "troop_components", "troop components", wire::Category::TroopComponents;
        /// Financial support of groupings.
        FinancialSupport = "financial_support", "financial support", wire::Category::FinancialSupport;
        /// Military and technical assistance to states.
        MilitaryTechnicalAssistance = "military_technical_assistance", "military-technical assistance", wire::Category::MilitaryTechnicalAssistance;
    }
);

impl DraftingBody {
    /// The participant role of the body.
    pub fn role(self) -> Role {
        match self {
            DraftingBody::JointStaff => Role::JointStaff,
            DraftingBody::Secretariat => Role::Secretariat,
        }
    }
}
