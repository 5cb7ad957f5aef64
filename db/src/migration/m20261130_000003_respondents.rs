//! Respondent protections: invitation codes, the one-answer-per-browser check, kiosk tokens.
use super::{add_column, drop_tables, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "dialogue_group", string_len_null("invite_code", 80)).await?;
    // Salts the browser check of this dialogue, so its hashes mean nothing elsewhere.
    add_column(m, "dialogue", string_len("dedup_salt", 64).default("")).await?;
    // Browsers that have answered a dialogue: a salted hash of a random cookie token,
    // kept apart from the answers (nothing links a row here to a response).
    m.create_table(
        table("browser_seen")
            .col(big_integer("dialogue_id"))
            .col(string_len("hash", 64))
            .primary_key(Index::create().col("dialogue_id").col("hash"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("kiosk")
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

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["kiosk", "browser_seen"]).await?;
    Ok(())
}
