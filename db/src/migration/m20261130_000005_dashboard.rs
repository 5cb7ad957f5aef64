//! Read models for the live dashboards: responses per hour, kept with each commit.
use super::{drop_tables, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("tally_hour")
            .col(big_integer("dialogue_id"))
            .col(timestamp_with_time_zone("hour"))
            .col(big_integer("dialogue_group_id"))
            .col(string_len("channel", 20))
            .col(big_integer("n"))
            .primary_key(
                Index::create()
                    .col("dialogue_id")
                    .col("hour")
                    .col("dialogue_group_id")
                    .col("channel"),
            )
            .to_owned(),
    )
    .await?;
    // The distributions last published per dialogue: a new state only after 5 new
    // answers (or at close), so no one can watch a single answer appear.
    m.create_table(
        table("published_snapshot")
            .col(big_integer("dialogue_id").primary_key())
            .col(big_integer("total"))
            .col(text("data"))
            .col(timestamp_with_time_zone("at"))
            .to_owned(),
    )
    .await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["published_snapshot", "tally_hour"]).await?;
    Ok(())
}
