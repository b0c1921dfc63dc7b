use std::io::{IsTerminal, Read};

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use vesoc::config::{Cli, Command, ServeConfig};
use vesoc::db::{Database, seed};

/// mimalloc instead of glibc's malloc: allocation was a quarter of the
/// instructions of a page rendered from the database (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("vesoc=info,tower_http=info")),
        )
        .init();
    let cli = Cli::parse();
    let db = Database::open(&cli.db).await?;
    let result = match cli
        .command
        .map_or_else(|| ServeConfig::from_env().map(Command::Serve), Ok)?
    {
        Command::Serve(config) => serve(&db, config, &cli.db.data_dir).await,
        Command::Migrate => Ok(()),
        Command::Seed => seed::seed(&db.pool).await.map(|added| {
            println!("{added} rijen toegevoegd.");
        }),
        Command::CreateAdmin { email, name } => create_admin(&db, &email, &name).await,
        Command::Generate { years, seed, force } => {
            let started = std::time::Instant::now();
            let options = vesoc::db::generate::Options { years, seed, force };
            vesoc::db::generate::generate(&db.pool, &options)
                .await
                .map(|summary| {
                    println!(
                        "Gegenereerd in {:.1} s: {summary}.",
                        started.elapsed().as_secs_f64()
                    );
                })
        }
        Command::Backup { file } => {
            let (bin, conninfo) = (db.bin_dir()?, db.conninfo.clone());
            tokio::task::spawn_blocking(move || vesoc::db::backup::backup(&bin, &conninfo, &file))
                .await?
                .map(|()| println!("Back-up geschreven."))
        }
        Command::Restore { file } => {
            let (bin, conninfo) = (db.bin_dir()?, db.conninfo.clone());
            tokio::task::spawn_blocking(move || vesoc::db::backup::restore(&bin, &conninfo, &file))
                .await?
                .map(|()| println!("Back-up teruggezet."))
        }
    };
    db.close().await?;
    result
}

async fn serve(
    db: &Database,
    config: ServeConfig,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    if let Some(n) = config.password_hashers {
        vesoc::auth::password::set_parallelism(n);
    }
    tracing::info!(
        "at most {} password hashes at once",
        vesoc::auth::password::parallelism()
    );
    if !config.no_seed && seed::seed_if_empty(&db.pool).await? {
        tracing::info!("empty database: loaded the VESOC data of the source documents");
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("kan niet luisteren op {}", config.addr))?;
    tracing::info!("vesoc listens on http://{}", config.addr);
    // The outbox's sender: through SMTP, or as .eml files in the data folder.
    let folder = data_dir.join("mail");
    let transport = vesoc::mail::Transport::new(config.smtp_url.as_deref(), folder.clone())?;
    if matches!(transport, vesoc::mail::Transport::Files(_)) {
        tracing::info!(
            "no VESOC_SMTP_URL: messages are kept as files in {}",
            folder.display()
        );
    }
    let sender = vesoc::mail::Sender::new(db.pool.clone(), transport, &config.mail_from)?;
    let sending = tokio::spawn(sender.run());
    // Reminders and digests, written without a request: their links need
    // the site's public address.
    if config.public_url.is_none() {
        tracing::warn!(
            "no VESOC_PUBLIC_URL: links in reminders and digests point at {}",
            vesoc::mail::Site::configured(&config).base_url
        );
    }
    let jobs = tokio::spawn(vesoc::jobs::run(
        db.pool.clone(),
        vesoc::mail::Site::configured(&config),
    ));
    let served = vesoc::app::serve(db.pool.clone(), config, listener, shutdown_signal()).await;
    sending.abort();
    jobs.abort();
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// The password is asked for on a terminal, or read from stdin: never from
/// an argument, where other users could read it in the process list.
async fn create_admin(db: &Database, email: &str, name: &str) -> anyhow::Result<()> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Wachtwoord: ")?;
        let again = rpassword::prompt_password("Nogmaals: ")?;
        anyhow::ensure!(first == again, "De wachtwoorden verschillen.");
        first
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s.trim_end_matches(['\r', '\n']).to_string()
    };
    let id = vesoc::accounts::queries::create_admin(&db.pool, email, name, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Beheerder {email} aangemaakt (account {id}). Meld u aan op /aanmelden; bij de eerste aanmelding stelt u tweestapsverificatie in."
    );
    Ok(())
}
