//! A national control point, one process per state (--state BY); also plays a guest participant (--node cis-atc): assembly report, activation, assessments, positions, receipt.
//! Behaviour comes from the scenario's policy for the participant; see `seat::policy`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    seat::cli::main_for(&[bus::Role::ControlPoint, bus::Role::Guest]).await
}
