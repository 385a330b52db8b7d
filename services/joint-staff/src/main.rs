//! The Joint Staff: drafts decisions for the slots it owns (troop components, military-technical assistance) and revises them after a non-concurrence.
//! Behaviour comes from the scenario's policy for the participant; see `seat::policy`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    seat::cli::main_for(&[bus::Role::JointStaff]).await
}
