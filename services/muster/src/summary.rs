//! The summary `muster scenario validate` prints for a valid scenario.

use std::fmt::Write as _;
use std::path::Path;

use bus::Role;
use scenario::{Category, DecisionRule, Scenario};

/// Renders the summary: stages with slots per category, participants per role.
pub fn render(scenario: &Scenario, file: &Path) -> String {
    let mut out = String::new();
    let slots = scenario.slots().count();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{}: valid", file.display());
    let _ = writeln!(out, "{}", scenario.title);
    let _ = writeln!(out, "{} stages, {} slots", scenario.stages.len(), slots);
    for stage in &scenario.stages {
        let per_category: Vec<String> = Category::ALL
            .iter()
            .map(|c| format!("{} {}", stage.slots.iter().filter(|s| s.category == *c).count(), c))
            .collect();
        let _ = writeln!(
            out,
            "  stage {}: {} — {} slots ({})",
            stage.number,
            stage.title,
            stage.slots.len(),
            per_category.join(", ")
        );
    }
    let roles = [
        (Role::ControlPoint, "member states"),
        (Role::JointStaff, "joint staff"),
        (Role::Secretariat, "secretariat"),
        (Role::Observer, "observers"),
        (Role::Guest, "guest participants"),
    ];
    let _ = writeln!(out, "{} participants", scenario.participants.len());
    for (role, label) in roles {
        let members: Vec<String> = scenario
            .with_role(role)
            .map(|p| if p.absent { format!("{} (absent)", p.node) } else { p.node.to_string() })
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  {} {label}: {}", members.len(), members.join(", "));
        }
    }
    let rule = match scenario.decision_rule {
        DecisionRule::Consensus => "consensus of the states present",
        DecisionRule::Silence => "silence procedure",
    };
    let _ = writeln!(out, "decision rule: {rule}; time scale: {}x", scenario.time_scale);
    out
}
