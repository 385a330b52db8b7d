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
