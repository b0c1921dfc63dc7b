//! A private PostgreSQL cluster in a folder of the project, for a server or a
//! test run started without `DATABASE_URL`.
//!
//! The Debian server binaries are used as they are. PostgreSQL refuses to run
//! as root, so when we are root the cluster belongs to, and runs as, the
//! `postgres` user. The cluster listens on a Unix socket in its own folder
//! only: no TCP port is taken.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, bail};
use nix::unistd::{Uid, User, chown};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;

/// Where the Debian packages put the server binaries.
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";
/// Unix socket paths are limited to 107 bytes; keep room for `.s.PGSQL.5432`.
const MAX_SOCKET_DIR_LEN: usize = 90;

#[derive(Debug)]
pub struct PrivateCluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<User>,
    started_here: bool,
}

/// How the cluster is tuned when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// A real server: every commit reaches the disk.
    Safe,
    /// Throw-away test databases: no fsync, much faster.
    Unsafe,
}

impl PrivateCluster {
    /// Starts the cluster kept under `base` (creating it on first use), or
    /// reuses it when it already runs. Blocking: call from `spawn_blocking`.
    pub fn ensure(base: &Path, durability: Durability) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        let run_as = if Uid::effective().is_root() {
            Some(User::from_name("postgres")?.context(
                "PostgreSQL weigert als root te draaien en de gebruiker 'postgres' bestaat niet: \
                 installeer het pakket postgresql-15 (dat maakt die gebruiker aan) of zet DATABASE_URL.",
            )?)
        } else {
            None
        };

        fs::create_dir_all(base)
            .with_context(|| format!("kan de datamap {} niet aanmaken", base.display()))?;
        let base = base.canonicalize()?;
        let mut data_dir = base.join("postgres");
        if !usable_by(&data_dir, run_as.as_ref())? {
            // A checkout under a private folder (e.g. /root) cannot be
            // entered by the postgres user: fall back to /tmp.
            // $TMPDIR first; a private one (mktemp -d) cannot be entered
            // either, so /tmp itself after that.
            let name = format!("vesoc-pg-{}", short_hash(&base));
            let mut fallback = std::env::temp_dir().join(&name);
            if !usable_by(&fallback, run_as.as_ref())? {
                fallback = Path::new("/tmp").join(&name);
            }
            tracing::warn!(
                wanted = %data_dir.display(),
                used = %fallback.display(),
                "the postgres user cannot reach the data folder; using a folder under /tmp"
            );
            data_dir = fallback;
            if !usable_by(&data_dir, run_as.as_ref())? {
                bail!(
                    "de gebruiker postgres kan {} niet gebruiken: geef een andere map op met --data-dir",
                    data_dir.display()
                );
            }
        }
        let socket_dir = if data_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
            data_dir.clone()
        } else {
            let dir = std::env::temp_dir().join(format!("vesoc-s-{}", short_hash(&data_dir)));
            prepare_dir(&dir, run_as.as_ref())?;
            dir
        };

        let mut cluster = PrivateCluster {
            bin_dir,
            data_dir,
            socket_dir,
            run_as,
            started_here: false,
        };
        // One process at a time initialises or starts a given cluster.
        let lock_path = cluster.data_dir.with_extension("lock");
        let lock_file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("kan {} niet openen", lock_path.display()))?;
        let _lock = nix::fcntl::Flock::lock(lock_file, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, e)| e)
            .context("kan het slot op de databankmap niet nemen")?;

        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.init()?;
        }
        if !cluster.is_running()? {
            cluster.start(durability)?;
            cluster.started_here = true;
        }
        Ok(cluster)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// A libpq connection string for the tools (pg_dump, pg_restore).
    pub fn conninfo(&self, database: &str) -> String {
        format!(
            "host='{}' port=5432 user=postgres dbname='{}'",
            self.socket_dir.display(),
            database
        )
    }

    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(5432)
            .username("postgres")
            .database(database)
    }

    /// Stops the cluster if this process started it. Blocking.
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        let out = self.run("pg_ctl", &[&"-m", &"fast", &"-w", &"stop"])?;
        if !out.status.success() && self.is_running()? {
            bail!(
                "pg_ctl stop: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    fn init(&self) -> anyhow::Result<()> {
        tracing::info!(dir = %self.data_dir.display(), "initialising a private PostgreSQL cluster");
        let out = self.run(
            "initdb",
            &[
                &"-U",
                &"postgres",
                &"-A",
                &"trust",
                &"-E",
                &"UTF8",
                &"--locale=C.UTF-8",
            ],
        )?;
        if !out.status.success() {
            bail!("initdb: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    fn start(&self, durability: Durability) -> anyhow::Result<()> {
        let mut options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections=200",
            self.socket_dir.display()
        );
        if durability == Durability::Unsafe {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let log = self.data_dir.join("postgres.log");
        let out = self.run(
            "pg_ctl",
            &[&"-l", &log, &"-o", &options, &"-w", &"-t", &"60", &"start"],
        )?;
        if !out.status.success() {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            bail!(
                "PostgreSQL wil niet starten in {}: {} {}",
                self.data_dir.display(),
                String::from_utf8_lossy(&out.stderr).trim(),
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            );
        }
        tracing::info!(dir = %self.data_dir.display(), "private PostgreSQL cluster started");
        Ok(())
    }

    fn is_running(&self) -> anyhow::Result<bool> {
        let out = self.run("pg_ctl", &[&"status"])?;
        Ok(out.status.success())
    }

    /// Runs one of PostgreSQL's programs on the cluster's data folder (`-D`).
    fn run(&self, program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> anyhow::Result<Output> {
        let exe = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(&user.name).arg("--").arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.arg("-D").arg(&self.data_dir);
        cmd.args(args.iter().map(|a| a.as_ref()));
        // Its own process group: Ctrl-C in the terminal reaches vesoc, which
        // then stops the cluster after the last request, not before.
        cmd.process_group(0);
        // Run from a folder every user may enter.
        cmd.current_dir("/");
        cmd.output()
            .with_context(|| format!("kan {} niet uitvoeren", exe.display()))
    }
}

/// The folder of `initdb`, `pg_ctl` and `postgres`: `VESOC_PG_BIN`, or the
/// newest Debian installation, or whatever `PATH` offers.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("VESOC_PG_BIN") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").is_file() {
            return Ok(dir);
        }
        bail!("VESOC_PG_BIN={} bevat geen initdb", dir.display());
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(DEBIAN_PG_ROOT)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Ok(dir);
            }
        }
    }
    bail!(
        "Geen PostgreSQL-serverprogramma's gevonden: installeer postgresql-15 \
         (apt-get install postgresql-15), zet VESOC_PG_BIN op de map met initdb, \
         of zet DATABASE_URL naar een bestaande databank."
    )
}

/// Creates `dir` for the cluster's owner and checks that the owner can reach
/// it through every folder above it.
fn usable_by(dir: &Path, run_as: Option<&User>) -> anyhow::Result<bool> {
    prepare_dir(dir, run_as)?;
    let Some(user) = run_as else {
        return Ok(true);
    };
    let status = Command::new("runuser")
        .arg("-u")
        .arg(&user.name)
        .arg("--")
        .arg("test")
        .arg("-w")
        .arg(dir)
        .current_dir("/")
        .status()
        .context("kan runuser niet uitvoeren")?;
    Ok(status.success())
}

fn prepare_dir(dir: &Path, run_as: Option<&User>) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("kan {} niet aanmaken", dir.display()))?;
    if let Some(user) = run_as {
        chown(dir, Some(user.uid), Some(user.gid))
            .with_context(|| format!("kan {} niet aan postgres geven", dir.display()))?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    Ok(())
}

fn short_hash(path: &Path) -> String {
    let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}
