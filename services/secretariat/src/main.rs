//! The Secretariat: drafts decisions for the slots it owns (financial, legal and organisational) and revises them after a non-concurrence.
//! Behaviour comes from the scenario's policy for the participant; see `seat::policy`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    seat::cli::main_for(&[bus::Role::Secretariat]).await
}
