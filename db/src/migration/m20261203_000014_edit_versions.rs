//! Staff edit what they created (issue #16): a version on each edited record for optimistic
//! concurrency (a save names the version it was made from; a save made from an older one is
//! refused), and on accounts the instant before which their sessions no longer count (set
//! when the role or scope changes, so the account signs in again under the new one).
use super::{add_column, drop_column};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "staff_user", integer("version").default(1)).await?;
    add_column(
        m,
        "staff_user",
        timestamp_with_time_zone_null("sessions_since"),
    )
    .await?;
    add_column(m, "activity", integer("version").default(1)).await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_column(m, "activity", "version").await?;
    drop_column(m, "staff_user", "sessions_since").await?;
    drop_column(m, "staff_user", "version").await
}
