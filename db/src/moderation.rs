//! Staff moderation of a dialogue's answers:
//! - **quarantine** the responses that arrived in a time window (a bot burst): they leave
//!   every count, which is rebuilt by [`crate::stats::recount`]; release puts them back;
//! - **hide** a free-text answer that identifies someone: it is never shown or quoted.
//!
//! Each change is scope-checked, stored in one transaction with its audit entry, and
//! announced to live dashboards by the caller.

use crate::audit;
use crate::builder::{BuilderError, audit_entry, in_scope, invalid};
use crate::entity::{answer, published_snapshot, quarantine, response};
use chrono::{DateTime, Duration, Utc};
use domain::Principal;
use domain::dashboard::QuarantineLine;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

/// The longest window one quarantine may cover.
pub const MAX_WINDOW_HOURS: i64 = 24 * 14;
pub const MAX_REASON_LEN: usize = 500;

/// An active quarantine window, `[from_hour, to_hour)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub dialogue_id: i64,
    pub from_hour: DateTime<Utc>,
    pub to_hour: DateTime<Utc>,
}

impl Window {
    pub fn covers(&self, hour: DateTime<Utc>) -> bool {
        self.from_hour <= hour && hour < self.to_hour
    }
}

/// The active quarantine windows of these dialogues (one query per write batch).
pub async fn active_windows(
    db: &impl ConnectionTrait,
    dialogue_ids: impl Iterator<Item = i64>,
) -> Result<Vec<Window>, DbErr> {
    let mut ids: Vec<i64> = dialogue_ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(quarantine::Entity::find()
        .filter(quarantine::Column::DialogueId.is_in(ids))
        .filter(quarantine::Column::ReleasedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|q| Window {
            dialogue_id: q.dialogue_id,
            from_hour: q.from_hour,
            to_hour: q.to_hour,
        })
        .collect())
}

/// Whether `p` may moderate `dialogue_id` (checked before the input, so a caller out of scope
/// learns nothing from validation messages).
pub async fn may_moderate(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
) -> Result<(), BuilderError> {
    in_scope(db, p, dialogue_id).await.map(|_| ())
}

/// Quarantines the responses of `dialogue_id` that arrived in `[from, to)`, widened to whole
/// hours (arrival times are only kept to the hour). Returns how many responses it holds.
pub async fn quarantine(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let from_hour = domain::time::truncate_to_hour(from);
    let to_hour = {
        let t = domain::time::truncate_to_hour(to);
        if t < to { t + Duration::hours(1) } else { t }
    };
    if to_hour <= from_hour {
        return Err(invalid("to", "quarantine.order"));
    }
    if to_hour - from_hour > Duration::hours(MAX_WINDOW_HOURS) {
        return Err(invalid("to", "quarantine.too_long"));
    }
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_LEN {
        return Err(invalid("reason", "form.too_long"));
    }
    let txn = db.begin().await?;
    let id = quarantine::Entity::insert(quarantine::ActiveModel {
        dialogue_id: Set(d.id),
        from_hour: Set(from_hour),
        to_hour: Set(to_hour),
        reason: Set(reason.to_owned()),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        released_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let held = mark_and_recount(&txn, d.id).await?;
    let window = in_window(d.id, from_hour, to_hour);
    let n = response::Entity::find().filter(window).count(&txn).await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "quarantine",
            "quarantine",
            id,
            format!(
                "dialogue={} from={from_hour} to={to_hour} responses={n} held={held} reason={reason}",
                d.id
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(n)
}

/// Releases a quarantine: its responses count again (unless another active window holds them).
pub async fn release(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    quarantine_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let txn = db.begin().await?;
    let q = quarantine::Entity::find_by_id(quarantine_id)
        .filter(quarantine::Column::DialogueId.eq(d.id))
        .one(&txn)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if q.released_at.is_none() {
        let mut am: quarantine::ActiveModel = q.into();
        am.released_at = Set(Some(now));
        am.update(&txn).await?;
        let held = mark_and_recount(&txn, d.id).await?;
        audit::record(
            &txn,
            audit_entry(
                p,
                &d,
                now,
                "release",
                "quarantine",
                quarantine_id,
                format!("dialogue={} held={held}", d.id),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn in_window(
    dialogue_id: i64,
    from_hour: DateTime<Utc>,
    to_hour: DateTime<Utc>,
) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(response::Column::DialogueId.eq(dialogue_id))
        .add(response::Column::SubmittedHour.gte(from_hour))
        .add(response::Column::SubmittedHour.lt(to_hour))
}

/// Sets each response's `quarantined` flag from the active windows, rebuilds the counts and
/// drops the published distributions (they may hold quarantined answers). Returns how many
/// responses are held in all.
async fn mark_and_recount(
    txn: &sea_orm::DatabaseTransaction,
    dialogue_id: i64,
) -> Result<u64, DbErr> {
    let windows = active_windows(txn, std::iter::once(dialogue_id)).await?;
    response::Entity::update_many()
        .col_expr(response::Column::Quarantined, Expr::value(false))
        .filter(response::Column::DialogueId.eq(dialogue_id))
        .filter(response::Column::Quarantined.eq(true))
        .exec(txn)
        .await?;
    for w in &windows {
        response::Entity::update_many()
            .col_expr(response::Column::Quarantined, Expr::value(true))
            .filter(in_window(dialogue_id, w.from_hour, w.to_hour))
            .exec(txn)
            .await?;
    }
    crate::stats::recount_in(txn, dialogue_id).await?;
    published_snapshot::Entity::delete_by_id(dialogue_id)
        .exec(txn)
        .await?;
    response::Entity::find()
        .filter(response::Column::DialogueId.eq(dialogue_id))
        .filter(response::Column::Quarantined.eq(true))
        .count(txn)
        .await
}

/// A dialogue's quarantines, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<QuarantineLine>, DbErr> {
    let rows = quarantine::Entity::find()
        .filter(quarantine::Column::DialogueId.eq(dialogue_id))
        .order_by_desc(quarantine::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for q in rows {
        let responses = if q.released_at.is_some() {
            0
        } else {
            response::Entity::find()
                .filter(in_window(dialogue_id, q.from_hour, q.to_hour))
                .filter(response::Column::Quarantined.eq(true))
                .count(db)
                .await?
        };
        out.push(QuarantineLine {
            id: q.id,
            from_hour: q.from_hour,
            to_hour: q.to_hour,
            reason: q.reason,
            created_at: q.created_at,
            released: q.released_at.is_some(),
            responses,
        });
    }
    Ok(out)
}

/// Hides a free-text answer of `dialogue_id` from every view and quote.
pub async fn hide_text(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    answer_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let txn = db.begin().await?;
    let a = answer::Entity::find_by_id(answer_id)
        .one(&txn)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let r = response::Entity::find_by_id(a.response_id)
        .one(&txn)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if r.dialogue_id != d.id || a.value_text.is_none() {
        return Err(BuilderError::NotFound);
    }
    if !a.hidden {
        let mut am: answer::ActiveModel = a.into();
        am.hidden = Set(true);
        am.update(&txn).await?;
        audit::record(
            &txn,
            audit_entry(
                p,
                &d,
                now,
                "hide",
                "answer",
                answer_id,
                format!("dialogue={}", d.id),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
