//! Staff accounts, sessions, the audit log, and the community officers' register.
use super::{drop_tables, index, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("staff_user")
            .col(big_pk_auto("id"))
            .col(string_len_uniq("email", 254))
            .col(string_len("name", 200))
            .col(string_len("password_hash", 200))
            .col(string_len("role", 40))
            .col(big_integer_null("scope_unit_id"))
            .col(big_integer_null("municipal_unit_id"))
            .col(boolean("active"))
            .col(boolean("must_change_password"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("session")
            .col(string_len("id", 64).primary_key())
            .col(text("data"))
            .col(timestamp_with_time_zone("expires_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("session", "idx_session_expires", &["expires_at"]))
        .await?;
    m.create_table(
        table("audit_log")
            .col(big_pk_auto("id"))
            .col(timestamp_with_time_zone("at"))
            .col(big_integer_null("user_id"))
            .col(big_integer_null("scope_unit_id"))
            .col(string_len("action", 60))
            .col(string_len("entity", 60))
            .col(string_len("entity_id", 80))
            .col(text("detail"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "audit_log",
        "idx_audit_scope_at",
        &["scope_unit_id", "at"],
    ))
    .await?;
    m.create_table(
        table("special_area")
            .col(big_pk_auto("id"))
            .col(string_len_uniq("code", 80))
            .col(text("name"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("officer_special_area")
            .col(big_integer("user_id"))
            .col(big_integer("special_area_id"))
            .primary_key(Index::create().col("user_id").col("special_area_id"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("agreement")
            .col(big_pk_auto("id"))
            .col(string_len_uniq("uid", 40))
            .col(big_integer("lpo_id"))
            .col(big_integer_null("officer_id"))
            .col(big_integer("municipal_unit_id"))
            .col(big_integer("special_area_id"))
            .col(text("purpose"))
            .col(date("starts_on"))
            .col(date("review_on"))
            .col(string_len("contact_person", 200))
            .col(string_len("status", 20))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("agreement", "idx_agreement_lpo", &["lpo_id"]))
        .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(
        m,
        &[
            "agreement",
            "officer_special_area",
            "special_area",
            "audit_log",
            "session",
            "staff_user",
        ],
    )
    .await?;
    Ok(())
}
