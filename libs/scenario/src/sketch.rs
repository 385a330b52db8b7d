//! Scenarios sketched in code, for the tests and the benchmarks: a few lines instead of a page of
//! TOML. A sketch is written out as scenario text and read back through the same validation as any
//! file, so what a test runs is what a director could have written.

use std::fmt::Write as _;

use crate::{Scenario, ScenarioError};

/// A scenario being sketched. Defaults: consensus, assembly within 1 h, deployment within 2 h,
/// distribution within 12 h of the start.
#[derive(Debug, Clone)]
pub struct Sketch {
    title: String,
    head: Vec<String>,
    deadlines: [String; 3],
    participants: Vec<String>,
    stages: Vec<String>,
}

impl Sketch {
    /// A scenario titled `title`, with nobody in it yet.
    pub fn new(title: &str) -> Sketch {
        Sketch {
            title: title.to_owned(),
            head: vec![],
            deadlines: ["1h".into(), "2h".into(), "12h".into()],
            participants: vec![],
            stages: vec![],
        }
    }

    /// Decided under the silence procedure: adopted unless a state objects.
    pub fn silence(self) -> Sketch {
        self.rule("silence")
    }

    /// Decided under `rule`, as a scenario file names it (`consensus`, `silence`).
    pub fn rule(mut self, rule: &str) -> Sketch {
        self.head.push(format!("decision_rule = \"{rule}\""));
        self
    }

    /// The language its texts are written in (`ru`), and its policies write in.
    pub fn language(mut self, tag: &str) -> Sketch {
        self.head.push(format!("language = \"{tag}\""));
        self
    }

    /// The scenario's own time scale (exercise seconds per wall second).
    pub fn time_scale(mut self, scale: f64) -> Sketch {
        self.head.push(format!("time_scale = {scale:?}"));
        self
    }

    /// When assembly, deployment and distribution close, as exercise time after the start (`1h`).
    pub fn deadlines(mut self, assembly: &str, deployment: &str, distribution: &str) -> Sketch {
        self.deadlines = [assembly.into(), deployment.into(), distribution.into()];
        self
    }

    /// A participant of `role` (as a scenario file names it: `joint_staff`, `control_point`, …) at
    /// node `node`, with `more` lines of the file's participant table (`policy = { skip = ["x3"] }`).
    pub fn participant(mut self, role: &str, node: &str, more: &[&str]) -> Sketch {
        let mut text = format!("[[participants]]\nrole = \"{role}\"\nnode = \"{node}\"\n");
        for line in more {
            let _ = writeln!(text, "{line}");
        }
        self.participants.push(text);
        self
    }

    /// A member state's control point at `node`, with `more` lines as for [`Sketch::participant`].
    pub fn state(self, node: &str, more: &[&str]) -> Sketch {
        self.participant("control_point", node, more)
    }

    /// A stage closing `closes` after the start, with `slots`, each an id and the drafting body
    /// that owns it (`joint_staff` or `secretariat`).
    pub fn stage(mut self, closes: &str, slots: &[(&str, &str)]) -> Sketch {
        let number = self.stages.len() + 1;
        let mut text = format!(
            "[[stages]]\ntitle = \"stage {number}\"\nregion = \"r\"\nsituation = \"s\"\ncloses = \"{closes}\"\n"
        );
        for (n, (id, owner)) in slots.iter().enumerate() {
            const CATEGORIES: [&str; 3] = ["troop_components", "financial_support", "military_technical_assistance"];
            let category = CATEGORIES[n % CATEGORIES.len()];
            let _ = writeln!(
                text,
                "[[stages.slots]]\nid = \"{id}\"\ntitle = \"decision {id}\"\nowner = \"{owner}\"\ncategory = \"{category}\""
            );
        }
        self.stages.push(text);
        self
    }

    /// An inject in the last stage sketched: released `at` (`2h` after the stage opens, or
    /// `by hand`), to the seats `to` (everyone when empty), saying `inject <id>`.
    pub fn inject(mut self, id: &str, at: &str, to: &[&str]) -> Sketch {
        let to: Vec<String> = to.iter().map(|n| format!("\"{n}\"")).collect();
        if let Some(stage) = self.stages.last_mut() {
            let _ = writeln!(
                stage,
                "[[stages.injects]]\nid = \"{id}\"\nat = \"{at}\"\nto = [{}]\ntext = \"inject {id}\"",
                to.join(", ")
            );
        }
        self
    }

    /// The scenario file it sketches.
    pub fn toml(&self) -> String {
        let mut text = format!("title = \"{}\"\n", self.title);
        for line in &self.head {
            let _ = writeln!(text, "{line}");
        }
        let [assembly, deployment, distribution] = &self.deadlines;
        let _ = writeln!(
            text,
            "[deadlines]\nassembly = \"{assembly}\"\ndeployment = \"{deployment}\"\ndistribution = \"{distribution}\""
        );
        text.extend(self.participants.iter().cloned());
        text.extend(self.stages.iter().cloned());
        text
    }

    /// The scenario, validated as a file named for its title would be.
    pub fn build(&self) -> Result<Scenario, ScenarioError> {
        crate::parse(&self.toml(), &format!("{}.toml", self.title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sketch_is_a_scenario_a_director_could_have_written() {
        let scenario = Sketch::new("sketched")
            .silence()
            .deadlines("1h", "2h", "30h")
            .participant("joint_staff", "js", &[])
            .state("BY", &["transport = \"grpc\""])
            .state("RU", &["policy = { object = [\"x2\"] }"])
            .stage("10h", &[("x1", "joint_staff"), ("x2", "joint_staff")])
            .stage("20h", &[("y1", "joint_staff")])
            .build()
            .expect("valid");
        assert_eq!(scenario.decision_rule, crate::DecisionRule::Silence);
        assert_eq!(scenario.stages.iter().map(|s| s.slots.len()).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(scenario.participants[1].transport, crate::Transport::Grpc);
        assert_eq!(scenario.participants[2].policy.object, ["x2"]);
        let wrong = Sketch::new("wrong").state("BY", &[]).stage("10h", &[("x1", "joint_staff")]).build();
        assert!(wrong.is_err(), "a slot whose drafting body is not in the exercise is refused");
    }
}
