//! Dialogues and bank items after creation (issue #16): a dialogue's settings are edited
//! under a version (optimistic concurrency) and a whole dialogue is archived (hidden from the
//! lists, restorable); a bank item in use is retired (no longer offered to new dialogues,
//! restorable), never deleted; so is an organisation unit with history.
use super::{add_column, drop_column};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "dialogue", integer("version").default(1)).await?;
    add_column(m, "dialogue", timestamp_with_time_zone_null("archived_at")).await?;
    add_column(m, "bank_item", timestamp_with_time_zone_null("retired_at")).await?;
    add_column(m, "org_unit", timestamp_with_time_zone_null("retired_at")).await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_column(m, "org_unit", "retired_at").await?;
    drop_column(m, "bank_item", "retired_at").await?;
    drop_column(m, "dialogue", "archived_at").await?;
    drop_column(m, "dialogue", "version").await
}
