//! Change notices for live dashboards: "dialogue N has new counts".
//!
//! - SQLite (one process): an in-process broadcast.
//! - PostgreSQL (N stateless instances): `NOTIFY` after each commit and `LISTEN` on every
//!   instance, so an answer stored through instance A reaches a dashboard on instance B.
//!
//! A notice carries ids only, never answers. Subscribers coalesce them (see the server's
//! live hub), so a burst of notices costs one dashboard read per tick.

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL channel every instance listens on.
pub const CHANNEL: &str = "mbl_changes";
/// Sent when notices may have been lost (a lagging subscriber, a listener that reconnected):
/// treat every dialogue as changed.
pub const EVERYTHING: i64 = 0;

#[derive(Clone, Debug)]
pub struct Bus {
    tx: broadcast::Sender<i64>,
    /// PostgreSQL: notices go through `NOTIFY` and come back through `LISTEN`.
    pg: Option<DatabaseConnection>,
}

impl Bus {
    /// Starts the bus. On PostgreSQL it is listening when this returns, and a task keeps the
    /// listener connected (after a reconnect it sends [`EVERYTHING`]). Must be called inside
    /// a Tokio runtime.
    pub async fn start(db: &DatabaseConnection, url: &str) -> Result<Bus, DbErr> {
        let (tx, _) = broadcast::channel(4096);
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Bus { tx, pg: None });
        }
        let listener = listen(url).await?;
        let forward = tx.clone();
        let url = url.to_owned();
        tokio::spawn(async move {
            let mut listener = Some(listener);
            loop {
                let mut l = match listener.take() {
                    Some(l) => l,
                    None => match listen(&url).await {
                        Ok(l) => {
                            let _ = forward.send(EVERYTHING);
                            l
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "LISTEN failed; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        }
                    },
                };
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => {
                            for id in n.payload().split(',').filter_map(|s| s.parse().ok()) {
                                let _ = forward.send(id);
                            }
                        }
                        // The connection dropped; the next call reconnects. Notices sent
                        // meanwhile are lost, so everything counts as changed.
                        Ok(None) => {
                            let _ = forward.send(EVERYTHING);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "LISTEN connection lost");
                            break;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Ok(Bus {
            tx,
            pg: Some(db.clone()),
        })
    }

    /// A bus for one process only (tests of the read side).
    pub fn local() -> Bus {
        let (tx, _) = broadcast::channel(4096);
        Bus { tx, pg: None }
    }

    /// Announces that these dialogues' counts changed. Call after the commit.
    pub async fn publish(&self, dialogue_ids: &[i64]) {
        if dialogue_ids.is_empty() {
            return;
        }
        let Some(db) = &self.pg else {
            for id in dialogue_ids {
                let _ = self.tx.send(*id);
            }
            return;
        };
        let payload = dialogue_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sent = db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await;
        if let Err(e) = sent {
            // The counts are stored; dashboards catch up on the next notice or reconnect.
            tracing::warn!(error = %e, "NOTIFY failed");
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }
}

async fn listen(url: &str) -> Result<PgListener, DbErr> {
    let mut l = PgListener::connect(url)
        .await
        .map_err(|e| DbErr::Custom(format!("listen connect: {e}")))?;
    l.listen(CHANNEL)
        .await
        .map_err(|e| DbErr::Custom(format!("listen: {e}")))?;
    Ok(l)
}
