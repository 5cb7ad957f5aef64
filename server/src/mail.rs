//! Outgoing mail: SMTP through lettre when `SMTP_URL` is set; otherwise each mail is written
//! to the log, so `make run` shows the link a mail would carry.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_URL is not valid: {0}")]
    BadUrl(String),
    #[error("MAIL_FROM is not a valid mailbox: {0}")]
    BadFrom(String),
    #[error("the address is not valid")]
    BadTo,
    #[error("the mail could not be built: {0}")]
    Build(String),
    #[error("the mail could not be sent: {0}")]
    Send(String),
}

pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::BadFrom(e.to_string()))?;
        let smtp = match smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::BadUrl(e.to_string()))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
        };
        Ok(Mailer { smtp, from })
    }

    /// Sends a plain-text mail to one person.
    pub async fn send(
        &self,
        to_name: &str,
        to_address: &str,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let address = to_address.parse().map_err(|_| MailError::BadTo)?;
        let to = Mailbox::new(Some(to_name.to_owned()), address);
        let Some(smtp) = &self.smtp else {
            tracing::info!(
                to = %to_address,
                subject,
                "SMTP_URL is not set, so this mail is written here instead of sent:\n{body}"
            );
            return Ok(());
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        smtp.send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}
