//! The database: the pool, the private cluster, migrations and the seed.

/// Runs one statement with its values bound in order, for the loaders
/// (`seed`, `generate`) that write many rows: `execute!(conn, SQL, values…)`.
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $value:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($value))*.execute(&mut *$conn).await?
    };
}

pub mod backup;
pub mod cluster;
pub mod generate;
pub mod seed;

use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::config::DbConfig;
use cluster::{Durability, PrivateCluster};

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The name of the database inside a private cluster.
const DATABASE_NAME: &str = "vesoc";

/// A pool, and the private cluster behind it when vesoc started one.
pub struct Database {
    pub pool: PgPool,
    cluster: Option<PrivateCluster>,
    /// How libpq's tools (pg_dump, pg_restore) reach the same database.
    pub conninfo: String,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the private cluster, and
    /// brings the schema up to date.
    pub async fn open(config: &DbConfig) -> anyhow::Result<Database> {
        let (options, cluster, conninfo) = match &config.database_url {
            Some(url) => (
                url.parse::<PgConnectOptions>()
                    .context("DATABASE_URL is geen geldige PostgreSQL-URL")?,
                None,
                url.clone(),
            ),
            None => {
                let dir = config.data_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || {
                    PrivateCluster::ensure(&dir, Durability::Safe)
                })
                .await??;
                create_database_if_missing(&cluster.connect_options("postgres"), DATABASE_NAME)
                    .await?;
                let conninfo = cluster.conninfo(DATABASE_NAME);
                (
                    cluster.connect_options(DATABASE_NAME),
                    Some(cluster),
                    conninfo,
                )
            }
        };
        let pool = pool_options()
            .connect_with(options)
            .await
            .context("kan niet verbinden met PostgreSQL")?;
        MIGRATOR.run(&pool).await.context("migraties mislukt")?;
        Ok(Database {
            pool,
            cluster,
            conninfo,
        })
    }

    /// The folder of pg_dump and pg_restore.
    pub fn bin_dir(&self) -> anyhow::Result<std::path::PathBuf> {
        match &self.cluster {
            Some(c) => Ok(c.bin_dir().to_path_buf()),
            None => cluster::find_bin_dir(),
        }
    }

    /// Closes the pool and stops the private cluster if vesoc started it.
    /// A request stuck on a long query or a lock would hold `close` up
    /// indefinitely: after five seconds the cluster is stopped anyway
    /// (`pg_ctl stop -m fast` ends such backends).
    pub async fn close(self) -> anyhow::Result<()> {
        if tokio::time::timeout(Duration::from_secs(5), self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still in use after 5 s: stopping anyway");
        }
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || cluster.stop()).await??;
        }
        Ok(())
    }
}

/// A bounded pool: with the database down, a page answers 503 within
/// about two seconds instead of hanging; once the database is back, the
/// next request connects again.
///
/// A connection is pinged before use only when it sat idle for a second or
/// more (a restarted database leaves dead ones behind): pinging on every
/// acquire, sqlx's default, cost a round trip per query under load.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_millis(2000))
        .test_before_acquire(false)
        // sqlx prepares every statement once per connection, but PostgreSQL
        // kept planning most of them anew on each execution (custom plans
        // for their parameters): up to a third of a page's database time.
        // Measured with scripts/bench.sh, generic plans made the member's
        // meeting page 1.8 times as fast and no page slower than the noise.
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, "SET plan_cache_mode = force_generic_plan")
                    .await?;
                Ok(())
            })
        })
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= Duration::from_secs(1) {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// `CREATE DATABASE` has no `IF NOT EXISTS`; tolerate a concurrent creator.
pub async fn create_database_if_missing(
    admin: &PgConnectOptions,
    name: &str,
) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(admin).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // Identifiers cannot be bound; `name` is ours, never user input.
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', ""));
        if let Err(e) = sqlx::query(&sql).execute(&mut conn).await {
            let duplicate = e
                .as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|c| c == "42P04");
            if !duplicate {
                return Err(e.into());
            }
        }
    }
    conn.close().await?;
    Ok(())
}
