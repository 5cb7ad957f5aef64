//! Themes are retired or merged, never lost (issue #16): a retired theme leaves the coding
//! choices, the suggestions and the draft compilation, and can be restored; a merged theme's
//! coded answers moved to the theme it was merged into, which it names.
use super::{add_column, drop_column};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "theme", timestamp_with_time_zone_null("retired_at")).await?;
    add_column(m, "theme", big_integer_null("merged_into")).await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_column(m, "theme", "merged_into").await?;
    drop_column(m, "theme", "retired_at").await
}
