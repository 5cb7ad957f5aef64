//! A dialogue's settings are edited after creation and whole dialogues are archived (issue
//! #16): a version for optimistic concurrency, and the instant it was archived (hidden from
//! the lists, restorable).
use super::{add_column, drop_column};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "dialogue", integer("version").default(1)).await?;
    add_column(m, "dialogue", timestamp_with_time_zone_null("archived_at")).await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_column(m, "dialogue", "archived_at").await?;
    drop_column(m, "dialogue", "version").await
}
