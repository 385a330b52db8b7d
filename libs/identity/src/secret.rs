//! Private files: a folder only its owner can enter (0700) and files only its owner can read
//! (0600), created with those modes rather than chmodded after the fact.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

/// `bytes` random bytes from the operating system, in hex: invite secrets, session tokens.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)?;
    Ok(hex(&buf))
}

/// The SHA-256 of `text`, in hex: how a secret is kept.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes `dir` (and its parents) if missing, and closes it to everyone but its owner.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Writes `text` to a new file readable by its owner only, replacing any file there whole.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    replace(path, text, 0o600)
}

/// Writes `text` to a new file anyone may read (a certificate, a public key), replacing any file
/// there whole.
pub fn write_public(path: &Path, text: &str) -> std::io::Result<()> {
    replace(path, text, 0o644)
}

/// A new file beside `path`, born with `mode`, renamed over it: a reader sees the old file or the
/// new one, never a part.
fn replace(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    let new = path.with_file_name(name);
    match std::fs::remove_file(&new) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = OpenOptions::new().write(true).create_new(true).mode(mode).open(&new)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&new, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt as _;

    #[test]
    fn secrets_are_born_private() {
        let root = tempfile::TempDir::new().expect("temporary folder");
        let dir = root.path().join("keys");
        private_dir(&dir).expect("folder");
        let file = dir.join("BY.nk");
        std::fs::write(&file, "old, world-readable").expect("old file");
        write(&file, "SUAB").expect("written");
        assert_eq!(std::fs::metadata(&dir).expect("folder").mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&file).expect("file").mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&file).expect("readable"), "SUAB");
    }
}
