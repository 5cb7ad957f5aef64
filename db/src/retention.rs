//! Retention of raw free text (*gallring*). Free text sent to an authority is an official
//! record and may name people, so each LPO sets how many days after the first approval of a
//! dialogue's compilation its raw text is kept. A daily job then deletes the text. It keeps
//! the answer rows (the theme codes point at them), the quotes the officers picked, and the
//! frozen compilation versions, and records what it deleted (counts only) in the audit log.

use crate::audit;
use crate::builder::{BuilderError, audit_entry, in_scope, invalid};
use crate::entity::{lpo_retention, published_snapshot};
use chrono::{DateTime, Duration, Utc};
use domain::Principal;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, Statement, TransactionTrait, sea_query::OnConflict,
};

/// Days an LPO that set nothing keeps raw free text after approval.
pub const DEFAULT_DAYS: i32 = 365;
/// The shortest and longest retention an LPO may set.
pub const MIN_DAYS: i32 = 1;
pub const MAX_DAYS: i32 = 3650;

/// The LPO's retention in days.
pub async fn days(db: &impl ConnectionTrait, lpo_id: i64) -> Result<i32, DbErr> {
    Ok(lpo_retention::Entity::find_by_id(lpo_id)
        .one(db)
        .await?
        .map(|r| r.days)
        .unwrap_or(DEFAULT_DAYS))
}

/// Sets the retention of the dialogue's LPO (its manager, or an admin). `days` is the raw
/// form value, checked here.
pub async fn set_days(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    days: &str,
    now: DateTime<Utc>,
) -> Result<i32, BuilderError> {
    if !p.may(domain::Permission::Approve) {
        return Err(BuilderError::Forbidden);
    }
    let d = in_scope(db, p, dialogue_id).await?;
    let days = match days.trim().parse::<i32>() {
        Ok(n) if (MIN_DAYS..=MAX_DAYS).contains(&n) => n,
        _ => return Err(invalid("days", "retention.range")),
    };
    let txn = db.begin().await?;
    lpo_retention::Entity::insert(lpo_retention::ActiveModel {
        lpo_id: Set(d.lpo_id),
        days: Set(days),
        updated_by: Set(Some(p.user_id)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(lpo_retention::Column::LpoId)
            .update_columns([
                lpo_retention::Column::Days,
                lpo_retention::Column::UpdatedBy,
                lpo_retention::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "retention",
            "lpo",
            d.lpo_id,
            format!("days={days}"),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(days)
}

/// When the dialogue's raw free text is due for deletion: the first approval of its
/// compilation plus the LPO's retention. `None` while nothing is approved.
pub async fn due_at(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(due(db)
        .await?
        .into_iter()
        .find(|d| d.dialogue_id == dialogue_id)
        .map(|d| d.due_at()))
}

#[derive(Debug, FromQueryResult)]
struct Due {
    dialogue_id: i64,
    lpo_id: i64,
    approved_at: DateTime<Utc>,
    days: Option<i32>,
}

impl Due {
    fn due_at(&self) -> DateTime<Utc> {
        self.approved_at + Duration::days(i64::from(self.days.unwrap_or(DEFAULT_DAYS)))
    }
}

async fn due(db: &impl ConnectionTrait) -> Result<Vec<Due>, DbErr> {
    Due::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT d.id AS dialogue_id, d.lpo_id, c.approved_at, r.days \
         FROM dialogue d \
         JOIN (SELECT dialogue_id, MIN(approved_at) AS approved_at FROM compilation \
               GROUP BY dialogue_id) c ON c.dialogue_id = d.id \
         LEFT JOIN lpo_retention r ON r.lpo_id = d.lpo_id \
         ORDER BY d.id",
    ))
    .all(db)
    .await
}

/// What one run deleted in one dialogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub dialogue_id: i64,
    pub texts: u64,
}

/// The daily job: deletes the raw free text of every dialogue that is due, except the picked
/// quotes, one transaction per dialogue. Running it again deletes nothing more.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Deleted>, DbErr> {
    let mut done = Vec::new();
    for d in due(db).await? {
        if d.due_at() > now {
            continue;
        }
        let backend = db.get_database_backend();
        let (p1, p2) = if backend == DbBackend::Postgres {
            ("$1", "$2")
        } else {
            ("?", "?")
        };
        let txn = db.begin().await?;
        let deleted = txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE answer SET value_text = NULL WHERE value_text IS NOT NULL \
                     AND response_id IN (SELECT id FROM response WHERE dialogue_id = {p1}) \
                     AND NOT EXISTS (SELECT 1 FROM compilation_quote q \
                                     WHERE q.dialogue_id = {p2} AND q.answer_id = answer.id)"
                ),
                [d.dialogue_id.into(), d.dialogue_id.into()],
            ))
            .await?
            .rows_affected();
        if deleted == 0 {
            txn.rollback().await?;
            continue;
        }
        // The published snapshot holds the latest free text too: it republishes without it.
        published_snapshot::Entity::delete_by_id(d.dialogue_id)
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            audit::Entry {
                at: now,
                user_id: None,
                scope_unit_id: Some(d.lpo_id),
                action: "retention_delete",
                entity: "dialogue",
                entity_id: d.dialogue_id.to_string(),
                detail: format!(
                    "deleted_texts={deleted} approved_at={} days={}",
                    d.approved_at.format("%Y-%m-%d"),
                    d.days.unwrap_or(DEFAULT_DAYS)
                ),
            },
        )
        .await?;
        txn.commit().await?;
        done.push(Deleted {
            dialogue_id: d.dialogue_id,
            texts: deleted,
        });
    }
    Ok(done)
}

/// One raw free-text answer, for the confidentiality review before deletion.
#[derive(Clone, Debug, FromQueryResult)]
pub struct RawText {
    pub answer_id: i64,
    pub question_id: i64,
    pub value_text: Option<String>,
    pub hidden: bool,
    pub quarantined: bool,
}

/// Every raw free-text answer still kept for the dialogue (its LPO's officers and manager, or
/// an admin). The export is audited.
pub async fn raw_texts(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<RawText>, BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let backend = db.get_database_backend();
    let p1 = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = RawText::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT a.id AS answer_id, a.question_id, a.value_text, a.hidden, r.quarantined \
             FROM answer a JOIN response r ON r.id = a.response_id \
             WHERE r.dialogue_id = {p1} AND a.value_text IS NOT NULL AND a.value_text <> '' \
             ORDER BY a.id"
        ),
        [d.id.into()],
    ))
    .all(db)
    .await?;
    audit::record(
        db,
        audit_entry(
            p,
            &d,
            now,
            "export_raw_text",
            "dialogue",
            d.id,
            format!("texts={}", rows.len()),
        ),
    )
    .await?;
    Ok(rows)
}

/// The raw texts as CSV, every text cell neutralised against formula injection.
pub fn raw_csv(rows: &[RawText], question: impl Fn(i64) -> String) -> String {
    use domain::compilation::csv_cell as cell;
    let mut out =
        String::from("\u{feff}\"answer\";\"question\";\"text\";\"hidden\";\"quarantined\"\r\n");
    for r in rows {
        out.push_str(&format!(
            "{};{};{};{};{}\r\n",
            r.answer_id,
            cell(&question(r.question_id)),
            cell(r.value_text.as_deref().unwrap_or_default()),
            r.hidden,
            r.quarantined
        ));
    }
    out
}
