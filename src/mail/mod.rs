//! Outgoing mail: over SMTP when `EASEL_SMTP_URL` is set, otherwise written
//! as `.eml` files under the data folder's `outbox/` (and logged), so an
//! instance without mail still works and a person can copy the link.

use std::path::PathBuf;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use crate::config::{Config, ConfigError};

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let from = config.mail_from.parse::<Mailbox>().map_err(|e| ConfigError {
            var: "EASEL_MAIL_FROM",
            why: format!("'{}' is not an address such as Easel <easel@example.com> ({e})", config.mail_from),
        })?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| ConfigError {
                        var: "EASEL_SMTP_URL",
                        why: format!("not an SMTP URL such as smtps://user:password@smtp.example.com ({e})"),
                    })?
                    .build(),
            ),
            None => Transport::Outbox(config.data_dir.join("outbox")),
        };
        Ok(Self { from, transport })
    }

    /// True when mail is written to the outbox instead of being sent.
    pub fn is_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox(_))
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse()?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
                tracing::info!(subject, "mail sent");
            }
            Transport::Outbox(dir) => {
                let file = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
                let (folder, path, bytes) = (dir.clone(), file.clone(), message.formatted());
                // Mails hold sign-in links: only Easel's user may read them.
                tokio::task::spawn_blocking(move || {
                    crate::storage::private::folder(&folder)?;
                    crate::storage::private::write_new(&path, &bytes)
                })
                .await??;
                tracing::info!(subject, file = %file.display(), "mail written to the outbox");
            }
        }
        Ok(())
    }
}
