//! The `easel` command: serve (the default), migrate, secrets, admin,
//! workspace move, and the archive commands (export, import, backup,
//! restore, copy).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use easel::config::Config;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "easel", version, about = "Easel: a content planner for visual artists and their agencies")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Run database migrations, then exit.
    Migrate,
    /// Manage the master keys that seal workspace API keys.
    Secrets {
        #[command(subcommand)]
        action: SecretsAction,
    },
    /// Write a workspace archive (a .zip of its rows and files).
    Export {
        /// The workspace's id (shown on /admin and in the workspace's URL-free settings).
        #[arg(long)]
        workspace: uuid::Uuid,
        /// The archive to write.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Import a workspace archive, checked whole before anything is written.
    Import {
        archive: std::path::PathBuf,
        /// Give the workspace and everything in it fresh ids (a copy).
        #[arg(long)]
        as_new: bool,
        /// Mail the invitations made for people without an account here.
        #[arg(long)]
        invite: bool,
    },
    /// Write an instance archive of every table and file, while Easel serves.
    Backup {
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Restore an instance archive into an empty database and uploads folder.
    Restore { archive: std::path::PathBuf },
    /// Copy this database into another (empty) one, on either backend, and verify it.
    Copy {
        /// The target, e.g. postgres://easel:…@localhost/easel or sqlite:other.db
        #[arg(long)]
        to: String,
    },
    /// Move this instance's files between stores.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
    /// Work on one workspace: move it to another database.
    Workspace {
        #[command(subcommand)]
        action: WorkspaceAction,
    },
    /// Make someone a platform admin of this instance, or stop them being one.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Make the person with this email a platform admin.
    Grant { email: String },
    /// Stop the person with this email being a platform admin.
    Revoke { email: String },
    /// Create an account (with its own studio) and print a one-time link
    /// that sets its password: the way in when EASEL_SIGNUP=closed.
    CreateUser {
        email: String,
        /// The person's name (default: the part of the email before the @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum WorkspaceAction {
    /// Move a workspace's rows to another database (copied, verified, then
    /// switched; members can read it meanwhile). Run it again to resume.
    Move {
        /// The workspace's id.
        id: uuid::Uuid,
        /// The database: `main` or a name from EASEL_DATABASES.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum StorageAction {
    /// Copy every stored file to another store, verifying each by size and
    /// SHA-256; run it again to resume. Then point EASEL_STORAGE at the target.
    Copy {
        /// The target: s3://bucket/prefix (with EASEL_S3_ENDPOINT, AWS_ACCESS_KEY_ID, …) or a folder.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum SecretsAction {
    /// Seal every stored API key again under the newest master key.
    Rotate,
}

fn main() -> ExitCode {
    easel::allocator::return_large_blocks_to_the_kernel();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("easel: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("easel=info,tower_http=info")),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("easel: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("easel: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            easel::prepare(config).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Secrets { action: SecretsAction::Rotate } => {
            let state = easel::prepare(config).await?;
            let count = easel::integrations::reseal_all(&state.databases, &state.secrets).await?
                + easel::auth::two_factor::reseal_all(&state.db, &state.secrets).await?;
            println!("re-sealed {count} value(s) under the newest key");
            Ok(())
        }
        Command::Export { workspace, output } => {
            let state = easel::prepare(config).await?;
            easel::archive::commands::export(&state, workspace, &output).await
        }
        Command::Import { archive, as_new, invite } => {
            let state = easel::prepare(config).await?;
            let options = easel::archive::ImportOptions { as_new, invite };
            easel::archive::commands::import(&state, &archive, options).await
        }
        Command::Backup { output } => {
            let state = easel::prepare(config).await?;
            easel::archive::commands::backup(&state, &output).await
        }
        Command::Restore { archive } => {
            let state = easel::prepare(config).await?;
            easel::archive::commands::restore(&state, &archive).await
        }
        Command::Copy { to } => {
            let state = easel::prepare(config).await?;
            easel::archive::commands::copy(&state.db, &to).await
        }
        Command::Storage { action: StorageAction::Copy { to } } => {
            let from = easel::storage::Storage::open(&config.storage.setting, &config.data_dir)
                .map_err(|e| anyhow::anyhow!("EASEL_STORAGE: {e}"))?;
            let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            let target =
                easel::storage::StorageSetting::parse(&to, &lookup).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            let to =
                easel::storage::Storage::open(&target, &config.data_dir).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            easel::storage::copy::command(&from, &to).await
        }
        Command::Workspace { action: WorkspaceAction::Move { id, to } } => {
            let halt = easel::admin::moving::Halt::from_env()?;
            let state = easel::prepare(config).await?;
            let to = to.trim();
            match easel::admin::moving::move_workspace(&state.databases, id, to, halt).await? {
                easel::admin::moving::Outcome::Moved { rows } => {
                    println!("moved workspace {id} to the database '{to}' ({rows} rows, verified)")
                }
                easel::admin::moving::Outcome::Finished => {
                    println!("workspace {id} was already in '{to}'; the old copy left by an interrupted move is gone")
                }
                easel::admin::moving::Outcome::Stopped(step) => println!("stopped after {step}"),
            }
            Ok(())
        }
        Command::Admin { action } => {
            let state = easel::prepare(config).await?;
            let (email, grant) = match action {
                AdminAction::Grant { email } => (email, true),
                AdminAction::Revoke { email } => (email, false),
                AdminAction::CreateUser { email, name } => {
                    let link = easel::auth::operator::create_user(&state, &email, name.as_deref()).await?;
                    println!(
                        "created the account for {}; pass on this one-time link to set its password:",
                        email.trim()
                    );
                    println!("{link}");
                    return Ok(());
                }
            };
            let email = email.trim().to_lowercase();
            if easel::admin::set_platform_admin(&state.db, &email, grant, "command line").await? {
                println!("{email} is {} a platform admin", if grant { "now" } else { "no longer" });
                Ok(())
            } else {
                anyhow::bail!(
                    "no change: there is no account for {email}, or it already was {}",
                    if grant { "one" } else { "not one" }
                )
            }
        }
        Command::Serve => {
            let bind = config.bind;
            let base_url = config.base_url.clone();
            let state = easel::prepare(config).await?;
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .map_err(|e| anyhow::anyhow!("EASEL_BIND: cannot listen on {bind}: {e}"))?;
            tracing::info!("Easel is serving on http://{bind} (base URL {base_url})");
            easel::launch(listener, state, easel::shutdown_signal()).await
        }
    }
}
