//! Scenarios generated for a size: `states` member states, one drafting body, `stages` stages of
//! `slots` slots each, deadlines far away so that only fast mode closes the windows.

use std::fmt::Write as _;

/// The scenario's TOML.
pub fn scenario(states: usize, stages: usize, slots: usize) -> String {
    let mut s = String::from(
        "title = \"benchmark\"\ntime_scale = 1.0\n[deadlines]\nassembly = \"100d\"\ndeployment = \"101d\"\n",
    );
    let _ = writeln!(s, "distribution = \"{}d\"", 103 + stages);
    s.push_str("[[participants]]\nrole = \"joint_staff\"\nnode = \"js\"\n");
    for n in 0..states {
        let _ = writeln!(s, "[[participants]]\nrole = \"control_point\"\nnode = \"{}\"", state(n));
    }
    for stage in 1..=stages {
        let _ = writeln!(
            s,
            "[[stages]]\ntitle = \"stage {stage}\"\nregion = \"r\"\nsituation = \"s\"\ncloses = \"{}d\"",
            101 + stage
        );
        for slot in 1..=slots {
            let _ = writeln!(
                s,
                "[[stages.slots]]\nid = \"{}\"\ntitle = \"decision {slot}\"\nowner = \"joint_staff\"\ncategory = \"troop_components\"",
                slot_id(stage, slot)
            );
        }
    }
    s
}

/// The node id of state `n`.
pub fn state(n: usize) -> String {
    format!("S{n:04}")
}

/// The id of a slot.
pub fn slot_id(stage: usize, slot: usize) -> String {
    format!("s{stage}-{slot}")
}

/// One exercise the bench will run: its id and the size of its generated scenario.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The exercise id.
    pub id: bus::ExerciseId,
    /// Member states.
    pub states: usize,
    /// Stages.
    pub stages: usize,
    /// Slots per stage.
    pub slots: usize,
}

impl Planned {
    /// A fresh exercise of that size, named for `what`.
    pub fn new(what: &str, states: usize, stages: usize, slots: usize) -> anyhow::Result<Planned> {
        let unique = bus::MessageId::generate();
        let id = bus::ExerciseId::new(format!("{what}-{states}-{stages}x{slots}-{}", &unique.as_str()[24..]))?;
        Ok(Planned { id, states, stages, slots })
    }

    /// Its scenario.
    pub fn scenario(&self) -> anyhow::Result<scenario::Scenario> {
        Ok(scenario::parse(&scenario(self.states, self.stages, self.slots), self.id.as_str())?)
    }
}
