//! Schema migrations, run at start-up on SQLite and PostgreSQL alike.

use sea_orm_migration::prelude::*;

/// Declares the `Migration` of the file it stands in, named after that file (the name an
/// existing database remembers it by), running the file's `up` and `down`.
macro_rules! migration {
    () => {
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
                up(m).await
            }

            async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
                down(m).await
            }
        }
    };
}

mod m20261130_000001_foundation;
mod m20261130_000002_accounts;
mod m20261130_000003_respondents;
mod m20261130_000004_builder;
mod m20261130_000005_dashboard;
mod m20261130_000006_live;
mod m20261130_000007_themes;
mod m20261130_000008_compilation;
mod m20261130_000009_promise;
mod m20261130_000010_followup;
mod m20261202_000011_promise_signed;
mod m20261202_000012_progress_correction;
mod m20261202_000013_unlinkable;
mod m20261203_000014_edit_versions;
mod m20261203_000015_password_links;
mod m20261203_000016_theme_retired;
mod m20261203_000017_archive_and_retire;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_foundation::Migration),
            Box::new(m20261130_000002_accounts::Migration),
            Box::new(m20261130_000003_respondents::Migration),
            Box::new(m20261130_000004_builder::Migration),
            Box::new(m20261130_000005_dashboard::Migration),
            Box::new(m20261130_000006_live::Migration),
            Box::new(m20261130_000007_themes::Migration),
            Box::new(m20261130_000008_compilation::Migration),
            Box::new(m20261130_000009_promise::Migration),
            Box::new(m20261130_000010_followup::Migration),
            Box::new(m20261202_000011_promise_signed::Migration),
            Box::new(m20261202_000012_progress_correction::Migration),
            Box::new(m20261202_000013_unlinkable::Migration),
            Box::new(m20261203_000014_edit_versions::Migration),
            Box::new(m20261203_000015_password_links::Migration),
            Box::new(m20261203_000016_theme_retired::Migration),
            Box::new(m20261203_000017_archive_and_retire::Migration),
        ]
    }
}

/// A new table of that name, created only if it is not there yet.
fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).if_not_exists().to_owned()
}

/// An index over `cols` of `table`, created only if it is not there yet.
fn index(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table).if_not_exists();
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}

/// Like [`index`], and no two rows share the indexed values.
fn unique_index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
) -> IndexCreateStatement {
    index(table, name, cols).unique().to_owned()
}

/// Adds `col` to `table` unless it is there. One column per statement: SQLite alters one at a time.
async fn add_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: impl IntoColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(table)
            .add_column_if_not_exists(col)
            .to_owned(),
    )
    .await
}

async fn drop_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

/// Drops each table that exists, in the order given.
async fn drop_tables(m: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables {
        m.drop_table(Table::drop().table(*t).if_exists().to_owned())
            .await?;
    }
    Ok(())
}
