//! Scenarios generated for a size: `states` member states, one drafting body, `stages` stages of
//! `slots` slots each, deadlines far away so that only fast mode closes the windows.

/// The scenario; `state` lines go into each state's table (`transport = "grpc"`).
pub fn scenario(states: usize, stages: usize, slots: usize, state_lines: &[&str]) -> scenario::Sketch {
    let distribution = format!("{}d", 103 + stages);
    let mut sketch = scenario::Sketch::new("benchmark")
        .time_scale(1.0)
        .deadlines("100d", "101d", &distribution)
        .participant("joint_staff", "js", &[]);
    for n in 0..states {
        sketch = sketch.state(&state(n), state_lines);
    }
    for stage in 1..=stages {
        let ids: Vec<String> = (1..=slots).map(|slot| slot_id(stage, slot)).collect();
        let owned: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "joint_staff")).collect();
        sketch = sketch.stage(&format!("{}d", 101 + stage), &owned);
    }
    sketch
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
        Ok(scenario(self.states, self.stages, self.slots, &[]).build()?)
    }
}
