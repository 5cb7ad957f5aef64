//! Respondent protections: invitation codes, the one-answer-per-browser check, kiosk tokens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("dialogue_group")
                .add_column_if_not_exists(string_len_null("invite_code", 80))
                .to_owned(),
        )
        .await?;
        // Salts the browser check of this dialogue, so its hashes mean nothing elsewhere.
        m.alter_table(
            Table::alter()
                .table("dialogue")
                .add_column_if_not_exists(string_len("dedup_salt", 64).default(""))
                .to_owned(),
        )
        .await?;
        // Browsers that have answered a dialogue: a salted hash of a random cookie token,
        // kept apart from the answers (nothing links a row here to a response).
        m.create_table(
            Table::create()
                .table("browser_seen")
                .if_not_exists()
                .col(big_integer("dialogue_id"))
                .col(string_len("hash", 64))
                .primary_key(Index::create().col("dialogue_id").col("hash"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kiosk")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("dialogue_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len("label", 200))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["kiosk", "browser_seen"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
