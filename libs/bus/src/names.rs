//! The names Muster's own identities go by, listed once: the services' keys are issued under
//! them, exercise control submits as the director, and no participant may take one as its node id.

use crate::id::{NodeId, Role, Sender};

/// The coordinator: writes the log, seals it, signs receipts.
pub const COORDINATOR: &str = "coordinator";
/// The gRPC gateway, which submits for the national nodes.
pub const GATEWAY: &str = "gateway";
/// The observer service, which writes the report.
pub const OBSERVER: &str = "observer";
/// Exercise control: start, pause, resume, advance.
pub const DIRECTOR: &str = "director";
/// Provisioning: the only identity that creates streams and consumers.
pub const ADMIN: &str = "admin";
/// The headquarters' console, which reads the log for the people it serves.
pub const CONSOLE: &str = "console";
/// Exercise planning: prepares the plan at the console and hands it to the director; submits
/// nothing, so it has a sign-in link but no key.
pub const PLANNER: &str = "planner";

/// Every service's identity.
pub const SERVICES: [&str; 6] = [COORDINATOR, GATEWAY, OBSERVER, DIRECTOR, ADMIN, CONSOLE];

/// Names taken otherwise: files issued beside the seats' keys and certificates (`ca.pem`,
/// `nats.pem` — the NATS servers' —, `nats-auth.conf`), exercise control's token and the test
/// harness's and the benchmark's own identities.
const TAKEN: [&str; 7] = ["ca", "nats", "control", "harness", "bench", "nats-auth", PLANNER];

/// Whether `node` is one of Muster's own names, which no participant may take.
pub fn is_reserved(node: &str) -> bool {
    SERVICES.contains(&node) || TAKEN.contains(&node)
}

/// Who exercise control submits as: role coordinator, node director.
pub fn director() -> Sender {
    Sender::new(Role::Coordinator, NodeId::new(DIRECTOR).unwrap_or_else(|_| unreachable!("a valid node id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_name_is_a_valid_node_id_so_a_scenario_could_try_it() {
        for name in SERVICES.iter().chain(&TAKEN) {
            assert!(NodeId::new(*name).is_ok(), "{name}");
            assert!(is_reserved(name), "{name}");
        }
        assert!(!is_reserved("BY"));
    }
}
