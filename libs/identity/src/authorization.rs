//! The NATS server's authorization for a set of exercises: one account, one user per identity by
//! public key, and explicit publish and subscribe allow-lists that follow the subject layout.
//!
//! - the coordinator alone publishes events, replies, and writes its exercise's lease bucket; it
//!   reads submissions through the durable consumer the admin made, and acknowledges them;
//! - a seat publishes only its own submissions, on one subject per kind it may submit (the
//!   submissions stream holds a bounded backlog per subject: see `bus::provision`), and subscribes
//!   only to its own replies and inbox;
//! - the gateway submits only for the exercise's remote seats;
//! - a seat says it is present only as itself (the gateway for remote seats); the console hears
//!   every seat's presence;
//! - the director only sends exercise control; the observer and the console only read (the
//!   console's people act through their own seats' identities);
//! - every reader reads the event log with direct gets and hears its events announced; no reader
//!   may create a consumer (they outlive connections, and the log holds a thousand at most), and
//!   no reader touches the submissions stream;
//! - the admin alone creates, updates, deletes or purges streams and consumers;
//! - the gateway, the director and the console may look any stream up (its configuration and counts, not its
//!   messages), so that an unknown exercise gets "no such exercise" rather than a timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use bus::names::{ADMIN, CONSOLE, COORDINATOR, DIRECTOR, GATEWAY, OBSERVER, SERVICES};
use bus::{ExerciseId, Role, Sender, subject};
use scenario::{Scenario, Transport};

/// What one identity may publish and subscribe to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Subjects it may publish on.
    pub publish: BTreeSet<String>,
    /// Subjects it may subscribe to.
    pub subscribe: BTreeSet<String>,
}

impl Grant {
    /// Allows publishing on `subjects` too.
    pub fn publish(&mut self, subjects: impl IntoIterator<Item = String>) {
        self.publish.extend(subjects);
    }

    /// Allows subscribing to `subjects` too.
    pub fn subscribe(&mut self, subjects: impl IntoIterator<Item = String>) {
        self.subscribe.extend(subjects);
    }

    /// Allows what `other` allows too.
    pub fn merge(&mut self, other: Grant) {
        self.publish.extend(other.publish);
        self.subscribe.extend(other.subscribe);
    }
}

/// One exercise on the server, with its scenario.
#[derive(Debug, Clone, Copy)]
pub struct Exercise<'a> {
    /// Its id.
    pub id: &'a ExerciseId,
    /// Its scenario.
    pub scenario: &'a Scenario,
}

/// The JetStream API calls a reader of the exercise's event log makes: the stream's information
/// and direct gets. No consumer: a consumer outlives its creator's connection and the log holds a
/// thousand at most, so a reader that could create them could deny the log to every other
/// (and a push consumer delivers wherever its creator names, whatever it may publish to).
pub fn reader(exercise: &ExerciseId) -> Vec<String> {
    let evt = subject::events_stream(exercise);
    vec![format!("$JS.API.STREAM.INFO.{evt}"), format!("$JS.API.DIRECT.GET.{evt}")]
}

/// Everything a reader of the exercise's event log does: its JetStream calls, the log's
/// announcements of what it stored (headers only: to know when to ask), and the advisory of the
/// log electing a leader.
pub fn read(grant: &mut Grant, exercise: &ExerciseId) {
    grant.publish(reader(exercise));
    grant.subscribe([subject::announcements(exercise), subject::events_leader_elected(exercise)]);
}

/// A sender's submissions and its replies.
fn submitter(grant: &mut Grant, exercise: &ExerciseId, sender: &Sender) {
    let kinds = bus::envelope::submitted_kinds(sender.role);
    grant.publish(kinds.iter().map(|kind| subject::submission(exercise, sender, kind)));
    grant.subscribe([subject::reply(exercise, sender)]);
}

fn coordinator(exercise: &ExerciseId) -> Vec<String> {
    let input = subject::submissions_stream(exercise);
    let lease = subject::lease_bucket(exercise);
    let mut allowed = vec![
        subject::events(exercise),
        subject::replies(exercise),
        format!("$JS.API.STREAM.INFO.{input}"),
        format!("$JS.API.CONSUMER.INFO.{input}.coordinator"),
        format!("$JS.API.CONSUMER.MSG.NEXT.{input}.coordinator"),
        // Acknowledgements, in both subject formats the server may use.
        format!("$JS.ACK.{input}.coordinator.>"),
        format!("$JS.ACK.*.*.{input}.coordinator.>"),
        format!("$JS.API.STREAM.INFO.KV_{lease}"),
        format!("$JS.API.DIRECT.GET.KV_{lease}"),
        format!("$JS.API.DIRECT.GET.KV_{lease}.>"),
        format!("$JS.API.STREAM.MSG.GET.KV_{lease}"),
        format!("$KV.{lease}.>"),
        // A new leader checks a snapshot against the event it claims to follow.
        format!("$JS.API.STREAM.MSG.GET.{}", subject::events_stream(exercise)),
    ];
    // The snapshot store: writing (chunks, the entry, the old chunks purged) and reading (an
    // ordered push consumer, answered flow control).
    let snapshots = format!("OBJ_{}", subject::snapshot_bucket(exercise));
    allowed.extend([
        format!("$O.{}.>", subject::snapshot_bucket(exercise)),
        format!("$JS.API.STREAM.INFO.{snapshots}"),
        format!("$JS.API.STREAM.PURGE.{snapshots}"),
        format!("$JS.API.STREAM.MSG.GET.{snapshots}"),
        format!("$JS.API.DIRECT.GET.{snapshots}"),
        format!("$JS.API.DIRECT.GET.{snapshots}.>"),
        format!("$JS.API.CONSUMER.CREATE.{snapshots}"),
        format!("$JS.API.CONSUMER.CREATE.{snapshots}.>"),
        format!("$JS.API.CONSUMER.DELETE.{snapshots}.*"),
        format!("$JS.FC.{snapshots}.>"),
    ]);
    allowed.extend(reader(exercise));
    allowed
}

/// Every identity's grant for `exercises`, by identity name.
pub fn grants(exercises: &[Exercise<'_>]) -> BTreeMap<String, Grant> {
    let mut grants: BTreeMap<String, Grant> = BTreeMap::new();
    for name in SERVICES {
        grants.entry(name.to_owned()).or_default().subscribe([format!("{}.>", subject::inbox_prefix(name))]);
    }
    grants.entry(ADMIN.into()).or_default().publish(["$JS.API.>".to_string()]);
    for name in [GATEWAY, DIRECTOR, CONSOLE] {
        grants.entry(name.into()).or_default().publish(["$JS.API.STREAM.INFO.*".to_string()]);
    }
    // The console lists the exercises on the server for the director.
    grants.entry(CONSOLE.into()).or_default().publish(["$JS.API.STREAM.NAMES".to_string()]);
    let director = bus::names::director();
    for exercise in exercises {
        let id = exercise.id;
        // The admin follows the log too (`muster run` shows its progress).
        grants
            .entry(ADMIN.into())
            .or_default()
            .subscribe([subject::events_leader_elected(id), subject::announcements(id)]);
        let c = grants.entry(COORDINATOR.into()).or_default();
        c.publish(coordinator(id));
        c.subscribe([subject::events_leader_elected(id), subject::announcements(id)]);
        read(grants.entry(OBSERVER.into()).or_default(), id);
        read(grants.entry(CONSOLE.into()).or_default(), id);
        let d = grants.entry(DIRECTOR.into()).or_default();
        read(d, id);
        submitter(d, id, &director);
        let gateway = grants.entry(GATEWAY.into()).or_default();
        read(gateway, id);
        for p in exercise.scenario.participants.iter().filter(|p| p.transport == Transport::Grpc) {
            let remote = Sender::new(p.role, p.node.clone());
            gateway.publish([subject::presence(id, &remote)]);
            submitter(gateway, id, &remote);
        }
        // Who is at their post, before the start: the director's readiness view.
        grants.entry(CONSOLE.into()).or_default().subscribe([subject::presences(id)]);
        for p in &exercise.scenario.participants {
            let seat = grants.entry(p.node.to_string()).or_default();
            let sender = Sender::new(p.role, p.node.clone());
            seat.subscribe([format!("{}.>", subject::inbox_prefix(p.node.as_str()))]);
            seat.publish([subject::presence(id, &sender)]);
            read(seat, id);
            if p.role != Role::Observer {
                submitter(seat, id, &sender);
            }
        }
    }
    grants
}

/// The server configuration block: one account `MUSTER` with JetStream and a user per identity,
/// by public key. `publics` maps identity names to their public keys.
pub fn config(grants: &BTreeMap<String, Grant>, publics: &BTreeMap<String, String>, what: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Generated by `muster identities` for {what}: who may connect and what each may do.");
    let _ = writeln!(out, "# Public keys only; each seed (<name>.nk) stays with its holder. No anonymous user.");
    let _ = writeln!(out, "accounts {{\n  MUSTER {{\n    jetstream: enabled\n    users: [");
    let list = |subjects: &BTreeSet<String>| subjects.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    for (name, grant) in grants {
        let Some(public) = publics.get(name) else { continue };
        let _ = writeln!(out, "      # {name}");
        let _ = writeln!(
            out,
            "      {{ nkey: \"{public}\", permissions: {{ publish: {{ allow: [{}] }}, subscribe: {{ allow: [{}] }} }} }}",
            list(&grant.publish),
            list(&grant.subscribe)
        );
    }
    let _ = writeln!(out, "    ]\n  }}\n}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let text = r#"
title = "t"
[deadlines]
assembly = "1h"
deployment = "2h"
distribution = "1d"
[[participants]]
role = "joint_staff"
node = "js"
[[participants]]
role = "control_point"
node = "BY"
transport = "grpc"
[[participants]]
role = "control_point"
node = "RU"
[[participants]]
role = "observer"
node = "obs"
mandatory = false
[[stages]]
title = "s"
region = "r"
situation = "s"
closes = "10h"
[[stages.slots]]
id = "a"
title = "a"
owner = "joint_staff"
category = "troop_components"
"#;
        scenario::parse(text, "t.toml").expect("valid")
    }

    #[test]
    fn each_identity_may_do_its_own_part_only() {
        let s = scenario();
        let ex = ExerciseId::new("ex1").expect("valid");
        let grants = grants(&[Exercise { id: &ex, scenario: &s }]);
        let by = &grants["BY"];
        assert!(by.publish.contains("muster.ex1.in.control_point.BY.position"));
        assert!(
            by.publish.iter().all(|p| !p.ends_with('>') && !p.ends_with('*')),
            "no wildcard: a seat cannot make subjects of its own"
        );
        assert!(!by.publish.iter().any(|p| p.contains(".evt.") || p.contains("RU") || p.starts_with("$KV")));
        assert!(
            !by.publish.iter().any(|p| p.contains("MUSTER_IN") || p.contains("STREAM.DELETE") || p.contains("PURGE"))
        );
        assert_eq!(
            by.subscribe.iter().map(String::as_str).collect::<Vec<_>>(),
            [
                "$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.MUSTER_EVT_ex1",
                "_INBOX.BY.>",
                "muster.ex1.log.>",
                "muster.ex1.reply.control_point.BY"
            ],
            "the log's leader elections, its own inbox, the log's announcements and its replies, never `_INBOX.>` or other advisories"
        );
        let observer = &grants["obs"];
        assert_eq!(
            observer.publish.iter().collect::<Vec<_>>(),
            [
                "$JS.API.DIRECT.GET.MUSTER_EVT_ex1",
                "$JS.API.STREAM.INFO.MUSTER_EVT_ex1",
                "muster.ex1.presence.observer.obs"
            ],
            "a reader creates no consumer; it says only that it is present"
        );
        assert!(by.publish.contains("muster.ex1.presence.control_point.BY"), "a seat says it is present");
        assert!(!by.publish.iter().any(|p| p.contains("presence") && !p.ends_with(".BY")), "as itself only");
        assert!(
            !grants
                .iter()
                .filter(|(n, _)| *n != "admin" && *n != "coordinator")
                .any(|(_, g)| g.publish.iter().any(|p| p.contains("CONSUMER")))
        );
        let coordinator = &grants["coordinator"];
        assert!(
            coordinator.publish.contains("muster.ex1.evt.>") && coordinator.publish.contains("$KV.MUSTER_LEASE_ex1.>")
        );
        assert!(!coordinator.publish.iter().any(|p| p.contains("CREATE.MUSTER_IN") || p.contains("STREAM.CREATE")));
        let gateway = &grants["gateway"];
        assert!(gateway.publish.contains("muster.ex1.in.control_point.BY.assembly_report"), "BY is remote");
        assert!(!gateway.publish.iter().any(|p| p.contains(".RU.") || p.ends_with(".RU")), "RU is on the bus");
        assert!(gateway.publish.contains("muster.ex1.presence.control_point.BY"), "BY's presence comes through it");
        assert!(grants["console"].subscribe.contains("muster.ex1.presence.>"), "the console hears who is present");
        assert!(!grants["BY"].subscribe.iter().any(|s| s.contains("presence")), "a seat does not");
        let director = &grants["director"];
        assert!(director.publish.contains("muster.ex1.in.coordinator.director.pause_exercise"));
        assert!(!director.publish.iter().any(|p| p.contains(".evt.")));
        assert_eq!(grants["admin"].publish.iter().collect::<Vec<_>>(), ["$JS.API.>"]);
        assert_eq!(
            grants["admin"].subscribe.iter().collect::<Vec<_>>(),
            ["$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.MUSTER_EVT_ex1", "_INBOX.admin.>", "muster.ex1.log.>"],
            "the admin follows the log (muster run shows its progress)"
        );
    }

    #[test]
    fn the_config_names_users_by_public_key_only() {
        let s = scenario();
        let ex = ExerciseId::new("ex1").expect("valid");
        let grants = grants(&[Exercise { id: &ex, scenario: &s }]);
        let publics = grants.keys().map(|n| (n.clone(), format!("U{n}"))).collect();
        let text = config(&grants, &publics, "exercise ex1");
        assert!(text.contains("{ nkey: \"UBY\", permissions: { publish: { allow: ["));
        assert!(!text.contains("\"SU"), "no seed in the server's configuration");
        assert_eq!(text.matches("nkey:").count(), grants.len());
    }
}
