//! Command line and environment.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::auth::Role;

#[derive(Debug, Parser)]
#[command(name = "vesoc", version, about = "Het secretariaat van het VESOC")]
pub struct Cli {
    #[command(flatten)]
    pub db: DbConfig,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default).
    Serve(ServeConfig),
    /// Bring the database to the current schema.
    Migrate,
    /// Load the VESOC data of the source documents (idempotent).
    Seed,
    /// Write a backup of the whole database (pg_dump's custom format) to FILE.
    Backup { file: PathBuf },
    /// Replace the database's contents with the backup in FILE.
    Restore { file: PathBuf },
    /// Create an administrator account; the password is asked for, or read from stdin.
    CreateAdmin {
        /// Login: an e-mail address.
        #[arg(long)]
        email: String,
        /// Name shown in the application.
        #[arg(long)]
        name: String,
    },
    /// Fill the database with a large, clearly fake history for benchmarks
    /// (never in production). Refuses a database with more than the seed data.
    Generate {
        /// Years of history, ending in 2026.
        #[arg(long, default_value_t = 20)]
        years: i32,
        /// Seed of the random generator: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Add the data even when the database holds more than the seed data.
        #[arg(long, default_value_t = false)]
        force: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DbConfig {
    /// PostgreSQL to use. Without it, vesoc starts its own private cluster in the data folder.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Folder for the private PostgreSQL cluster.
    #[arg(long, env = "VESOC_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "VESOC_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The mail server: `smtp://user:password@host:587` (STARTTLS),
    /// `smtps://user:password@host:465` (TLS). Without it, messages are
    /// kept as .eml files in the data folder and listed under
    /// /beheer/berichten.
    #[arg(long, env = "VESOC_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of every message.
    #[arg(
        long,
        env = "VESOC_MAIL_FROM",
        default_value = "VESOC-secretariaat <vesoc@serv.be>"
    )]
    pub mail_from: String,
    /// Mark cookies Secure and send HSTS: set this when vesoc is served over https.
    #[arg(long, env = "VESOC_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from the last
    /// X-Forwarded-For entry (the one the proxy added).
    #[arg(long, env = "VESOC_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// The address the public reaches vesoc at (`https://vesoc.serv.be`):
    /// the origin of the full links vesoc shows to be handed on (a one-time
    /// password link, a personal calendar feed). Without it, they take the
    /// request's Host header.
    #[arg(long, env = "VESOC_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Roles that must sign in with a second factor (comma-separated role
    /// codes: admin, secretariat, cabinet, social_partner; empty for none).
    #[arg(
        long,
        env = "VESOC_REQUIRE_SECOND_FACTOR",
        default_value = "admin,secretariat",
        value_parser = parse_roles
    )]
    pub require_second_factor: RoleList,
    /// Do not load the VESOC data into an empty database.
    #[arg(long, env = "VESOC_NO_SEED", default_value_t = false)]
    pub no_seed: bool,
    /// Register the two reference routes of the benchmark (`/bench/hello`,
    /// `/bench/query`). Off in production: see docs/performance.md.
    #[arg(long, env = "VESOC_BENCH_ROUTES", default_value_t = false)]
    pub bench_routes: bool,
    /// Keep rendered public pages, sessions and page data in memory until
    /// the next change (told by PostgreSQL's NOTIFY to every instance).
    /// `--page-cache=false` reads the database for every request (the read
    /// models in it included, `cache::stored`).
    #[arg(long, env = "VESOC_PAGE_CACHE", default_value_t = true, action = clap::ArgAction::Set)]
    pub page_cache: bool,
    /// Seconds that requests in flight may still take after SIGTERM or
    /// Ctrl-C; then vesoc stops anyway, whatever slow or idle clients hold.
    #[arg(
        long,
        env = "VESOC_SHUTDOWN_GRACE",
        default_value = "30",
        value_parser = parse_seconds
    )]
    pub shutdown_grace: Duration,
    /// Seconds a client may take to send the head of a request (and, on a
    /// kept-alive connection, to start the next one); then the connection
    /// is closed. Without it, a client sending a head byte by byte would
    /// hold a connection for good.
    #[arg(
        long,
        env = "VESOC_HEADER_TIMEOUT",
        default_value = "10",
        value_parser = parse_positive_seconds
    )]
    pub header_timeout: Duration,
    /// Password hashes (argon2id, 19 MiB each) computed at once; more
    /// sign-ins wait their turn. Default: the number of processors.
    #[arg(long, env = "VESOC_PASSWORD_HASHERS")]
    pub password_hashers: Option<NonZeroUsize>,
}

/// `vesoc` without a command serves, with the settings of the environment
/// (`VESOC_ADDR`, `VESOC_SMTP_URL`…), as `vesoc serve` would.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    serve: ServeConfig,
}

impl ServeConfig {
    pub fn from_env() -> Result<Self, clap::Error> {
        ServeOnly::try_parse_from(["vesoc"]).map(|s| s.serve)
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            smtp_url: None,
            mail_from: "VESOC-secretariaat <vesoc@serv.be>".to_string(),
            secure_cookies: false,
            trust_proxy: false,
            public_url: None,
            require_second_factor: RoleList(vec![Role::Admin, Role::Secretariat]),
            no_seed: false,
            bench_routes: false,
            page_cache: true,
            shutdown_grace: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            password_hashers: None,
        }
    }
}

/// A set of roles, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleList(pub Vec<Role>);

impl RoleList {
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }
}

fn parse_roles(s: &str) -> Result<RoleList, String> {
    s.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).ok_or_else(|| format!("onbekende rol: {r}")))
        .collect::<Result<Vec<_>, _>>()
        .map(RoleList)
}

/// `http(s)://host[:port]`, without a path: the origin of full links.
fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let refuse = || format!("geen adres als https://vesoc.serv.be (zonder pad): {s}");
    let (scheme, host) = s.split_once("://").ok_or_else(refuse)?;
    if !matches!(scheme, "http" | "https") || !is_host(host) {
        return Err(refuse());
    }
    Ok(format!("{scheme}://{host}"))
}

/// A host with an optional port, as a Host header carries it: a name or an
/// IPv4 address (letters, digits, dots and hyphens) or a bracketed IPv6
/// address, then `:port`. Nothing else (no user, path, space or markup).
pub fn is_host(value: &str) -> bool {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(port) => (v6, Some(port)),
                None => return false,
            },
        }
    } else {
        match value.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    let name_ok = value.starts_with('[')
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    name_ok && port_ok
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    s.trim()
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("geen aantal seconden: {s}"))
}

fn parse_positive_seconds(s: &str) -> Result<Duration, String> {
    parse_seconds(s).and_then(|d| {
        if d.is_zero() {
            Err(format!("minstens 1 seconde: {s}"))
        } else {
            Ok(d)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists_parse() {
        assert_eq!(parse_roles(""), Ok(RoleList(vec![])));
        assert_eq!(
            parse_roles("admin, secretariat"),
            Ok(RoleList(vec![Role::Admin, Role::Secretariat]))
        );
        assert!(parse_roles("koning").is_err());
    }

    #[test]
    fn public_urls_are_an_origin() {
        assert_eq!(
            parse_public_url("https://vesoc.serv.be/"),
            Ok("https://vesoc.serv.be".to_string())
        );
        assert_eq!(
            parse_public_url("http://localhost:3000"),
            Ok("http://localhost:3000".to_string())
        );
        assert!(parse_public_url("vesoc.serv.be").is_err());
        assert!(parse_public_url("ftp://vesoc.serv.be").is_err());
        assert!(parse_public_url("https://vesoc.serv.be/pad").is_err());
        assert!(parse_public_url("https://user@vesoc.serv.be").is_err());
    }

    #[test]
    fn hosts_are_names_or_addresses_with_a_port() {
        for good in [
            "vesoc.serv.be",
            "localhost:3000",
            "127.0.0.1:8080",
            "[::1]:3000",
            "[::1]",
        ] {
            assert!(is_host(good), "{good}");
        }
        for bad in [
            "",
            "evil.be/pad",
            "a b",
            "<script>",
            "host:",
            "host:99999",
            "-x.be",
            "x..be",
            "[nope]:1",
            "user@host",
            "host\"\"",
        ] {
            assert!(!is_host(bad), "{bad}");
        }
    }

    #[test]
    fn the_shutdown_grace_is_whole_seconds() {
        assert_eq!(parse_seconds("30"), Ok(Duration::from_secs(30)));
        assert!(parse_seconds("30s").is_err());
    }
}
