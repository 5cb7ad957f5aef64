//! One-time links by e-mail (issue #16): a forgotten password's reset link and a new
//! account's invitation. Only a hash of the link's secret is stored; a link works once and
//! until it expires.
use super::{drop_tables, index, table, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("password_link")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            // SHA-256 of the secret in the link, hex.
            .col(string_len("token_hash", 64))
            // `reset` or `invite`.
            .col(string_len("purpose", 16))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("used_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(unique_index(
        "password_link",
        "idx_password_link_token",
        &["token_hash"],
    ))
    .await?;
    m.create_index(index(
        "password_link",
        "idx_password_link_user",
        &["user_id"],
    ))
    .await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["password_link"]).await
}
