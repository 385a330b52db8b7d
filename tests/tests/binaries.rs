//! Every service binary's command line is well-formed: clap checks its arguments (names unique,
//! flags consistent) when it parses, in debug builds, so `--help` on each catches a clash that only
//! the binary in a deployment would otherwise meet.

#[test]
fn every_service_binary_parses_its_command_line() -> anyhow::Result<()> {
    for name in [
        "coordinator",
        "joint-staff",
        "secretariat",
        "control-point",
        "national-node",
        "gateway",
        "observer",
        "console",
        "muster",
    ] {
        let out = std::process::Command::new(tests::binary(name)?).arg("--help").output()?;
        assert!(out.status.success(), "{name} --help: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{name} prints its usage");
    }
    Ok(())
}

/// `muster run` plays the default scenario end to end with TLS to its own NATS when asked (the
/// server then admits nothing else, every service verifies it against the identities' authority),
/// and says so when its connections are plain.
#[test]
fn muster_run_speaks_tls_to_its_nats_when_asked_and_says_when_it_does_not() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::TempDir::with_prefix("muster-run")?;
    for (exercise, tls) in [("run-tls", true), ("run-plain", false)] {
        let mut command = std::process::Command::new(tests::binary("muster")?);
        command.args(["run", "--fast", "--lang", "en", "--exercise", exercise, "--out"]).arg(out.path());
        if tls {
            command.arg("--tls");
        }
        let run = command.current_dir(&root).output()?;
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "muster run: {said}\n{}", String::from_utf8_lossy(&run.stderr));
        assert!(said.contains("  concluded"), "the exercise concluded: {said}");
        let logs = out.path().join(exercise).join("logs");
        let server = std::fs::read_to_string(logs.join("nats-server.log"))?;
        let coordinator = std::fs::read_to_string(logs.join("coordinator.log"))?;
        if tls {
            assert!(said.contains("nats: TLS only, the server's certificate verified against"), "{said}");
            assert!(server.contains("TLS required for client connections"), "{server}");
            assert!(coordinator.contains("connected to nats") && coordinator.contains("tls=true"), "{coordinator}");
        } else {
            assert!(said.contains("nats: plain connections, on this machine's loopback only"), "{said}");
            assert!(!server.contains("TLS required"), "{server}");
        }
    }
    Ok(())
}
