//! Live dashboards: spam quarantine by time window, hiding free text that identifies someone,
//! and read-only wall-screen display links (kept with the kiosk tokens, by purpose).
use super::m20261130_000001_foundation::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A quarantine takes the responses of `[from_hour, to_hour)` out of every count.
        m.create_table(
            Table::create()
                .table("quarantine")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("dialogue_id"))
                .col(timestamp_with_time_zone("from_hour"))
                .col(timestamp_with_time_zone("to_hour"))
                .col(string_len("reason", 500))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("released_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "quarantine",
            "idx_quarantine_dialogue",
            &["dialogue_id"],
        ))
        .await?;
        // A free-text answer hidden by staff because it identifies someone.
        m.alter_table(
            Table::alter()
                .table("answer")
                .add_column_if_not_exists(boolean("hidden").default(false))
                .to_owned(),
        )
        .await?;
        // `kiosk` (takes answers) or `display` (a read-only wall screen).
        m.alter_table(
            Table::alter()
                .table("kiosk")
                .add_column_if_not_exists(string_len("purpose", 20).default("kiosk"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("quarantine").if_exists().to_owned())
            .await
    }
}
