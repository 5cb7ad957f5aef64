//! Live dashboards: spam quarantine by time window, hiding free text that identifies someone,
//! and read-only wall-screen display links (kept with the kiosk tokens, by purpose).
use super::{add_column, drop_tables, index, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // A quarantine takes the responses of `[from_hour, to_hour)` out of every count.
    m.create_table(
        table("quarantine")
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
    add_column(m, "answer", boolean("hidden").default(false)).await?;
    // `kiosk` (takes answers) or `display` (a read-only wall screen).
    add_column(m, "kiosk", string_len("purpose", 20).default("kiosk")).await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["quarantine"]).await
}
