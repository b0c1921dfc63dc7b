//! Command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Mark cookies Secure and send HSTS: set this when vesoc is served over https.
    #[arg(long, env = "VESOC_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from the last
    /// X-Forwarded-For entry (the one the proxy added).
    #[arg(long, env = "VESOC_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Do not load the VESOC data into an empty database.
    #[arg(long, env = "VESOC_NO_SEED", default_value_t = false)]
    pub no_seed: bool,
    /// Register the two reference routes of the benchmark (`/bench/hello`,
    /// `/bench/query`). Off in production: see docs/performance.md.
    #[arg(long, env = "VESOC_BENCH_ROUTES", default_value_t = false)]
    pub bench_routes: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            secure_cookies: false,
            trust_proxy: false,
            no_seed: false,
            bench_routes: false,
        }
    }
}
