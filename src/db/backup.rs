//! Backup and restore around `pg_dump -Fc` and `pg_restore`. Uploaded
//! documents live in PostgreSQL, so one file holds everything.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Writes a custom-format dump of the database to `file`.
pub fn backup(bin_dir: &Path, conninfo: &str, file: &Path) -> anyhow::Result<()> {
    let out = Command::new(bin_dir.join("pg_dump"))
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(file)
        .arg("--dbname")
        .arg(conninfo)
        .output()
        .context("kan pg_dump niet uitvoeren")?;
    if !out.status.success() {
        bail!("pg_dump: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Replaces the database's contents with those of the dump in `file`.
pub fn restore(bin_dir: &Path, conninfo: &str, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} bestaat niet", file.display());
    }
    let out = Command::new(bin_dir.join("pg_restore"))
        .arg("--clean")
        .arg("--if-exists")
        .arg("--no-owner")
        .arg("--single-transaction")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(conninfo)
        .arg(file)
        .output()
        .context("kan pg_restore niet uitvoeren")?;
    if !out.status.success() {
        bail!(
            "pg_restore: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
