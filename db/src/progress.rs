//! Corrections of logged progress (*rättelse*) and an activity's status, stored so that the
//! public record never changes silently: a correction is a new entry that names the entry it
//! replaces and why, nothing is edited or deleted, and every change is audited in the same
//! transaction. The rules are `domain::progress` (the chain rule is documented there).

use crate::audit;
use crate::builder::{BuilderError, invalid};
use crate::entity::{activity, commitment, progress_entry, promise};
use crate::history::{achieved, refused, updates};
use chrono::{DateTime, Utc};
use domain::Principal;
use domain::progress::{self as rules, ActivityRecord, ActivityStatus, Current, Refusal};
use domain::promise::Status;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use std::collections::HashMap;

/// An activity, its promise and that promise's status; `NotFound` unless the activity belongs
/// to `promise_id` (another promise's activity through this promise's page is unknown here).
async fn activity_of(
    db: &impl ConnectionTrait,
    promise_id: i64,
    activity_id: i64,
) -> Result<(activity::Model, promise::Model, Status), BuilderError> {
    let a = activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let c = commitment::Entity::find_by_id(a.commitment_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if c.promise_id != promise_id {
        return Err(BuilderError::NotFound);
    }
    let (pr, status) = crate::promise::load(db, promise_id).await?;
    Ok((a, pr, status))
}

/// Corrects progress entry `entry_id` of promise `promise_id` with a correcting entry: the new
/// amount (`None`: unchanged) and/or text (`None` or blank: unchanged) and a required reason.
/// The replaced entry stays as it was; only the entry that counts now can be corrected (an
/// already corrected one is refused, also when two corrections race). Not on a closed promise.
/// Returns the correcting entry's id.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    entry_id: i64,
    amount: Option<f64>,
    text: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let old = progress_entry::Entity::find_by_id(entry_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let (a, pr, status) = activity_of(db, promise_id, old.activity_id).await?;
    if !crate::promise::may_log(p, pr.lpo_id, &a) {
        return Err(BuilderError::Forbidden);
    }
    if status == Status::Closed {
        return Err(invalid("promise", "promise.closed"));
    }
    let superseded = progress_entry::Entity::find()
        .filter(progress_entry::Column::Corrects.eq(entry_id))
        .one(db)
        .await?
        .is_some();
    let current = Current {
        amount: old.amount,
        text: &old.text,
        superseded,
    };
    let (new_amount, new_text, why) =
        rules::correction(&current, amount, text, reason).map_err(refused)?;
    let txn = db.begin().await?;
    let inserted = progress_entry::Entity::insert(progress_entry::ActiveModel {
        activity_id: Set(old.activity_id),
        // The figure is about the day the work was done; the correction's own day is its
        // `created_at`.
        on_day: Set(old.on_day),
        text: Set(new_text),
        amount: Set(new_amount),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        corrects: Set(Some(entry_id)),
        reason: Set(Some(why.clone())),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let id = match inserted {
        Ok(r) => r.last_insert_id,
        // Another correction of the same entry committed first (unique `corrects`).
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(refused(Refusal::Superseded));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        crate::promise::audit_entry(
            p,
            pr.lpo_id,
            now,
            "correct",
            "progress_entry",
            id,
            format!(
                "corrects={entry_id} activity={} amount={}->{new_amount} reason={why}",
                old.activity_id, old.amount
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Edits an activity (the LPO's officers and manager, admins): title, owner, target, unit,
/// due date and weight, checked as when it was added and by the rule of change
/// (`domain::activity::edit_refusal`). `version` is the one the form was opened from: if the
/// activity was saved since, nothing is written ([`BuilderError::Conflict`]). The audit entry
/// holds each changed field's old and new value.
pub async fn edit_activity(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    activity_id: i64,
    input: &crate::promise::ActivityInput,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let (a, pr, status) = activity_of(db, promise_id, activity_id).await?;
    if !crate::promise::may_edit(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    crate::promise::check_activity(input)?;
    if a.version != version {
        return Err(BuilderError::Conflict);
    }
    let unit = input.unit.trim().to_owned();
    let logged = progress_entry::Entity::find()
        .filter(progress_entry::Column::ActivityId.eq(activity_id))
        .one(db)
        .await?
        .is_some();
    if let Some((field, key)) =
        domain::activity::edit_refusal(status == Status::Closed, logged, unit != a.unit)
    {
        return Err(invalid(field, key));
    }
    let (kind, owner) = input.owner.parts();
    let title = input.title.trim().to_owned();
    let changes: Vec<(&str, String, String)> = [
        ("title", a.title.clone(), title.clone()),
        (
            "owner",
            format!("{}:{}", a.owner_kind, a.owner_id),
            format!("{kind}:{owner}"),
        ),
        ("target", a.target.to_string(), input.target.to_string()),
        ("unit", a.unit.clone(), unit.clone()),
        ("due_on", a.due_on.to_string(), input.due_on.to_string()),
        ("weight", a.weight.to_string(), input.weight.to_string()),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    let saved = activity::Entity::update_many()
        .set(activity::ActiveModel {
            title: Set(title),
            owner_kind: Set(kind.to_owned()),
            owner_id: Set(owner),
            target: Set(input.target),
            unit: Set(unit),
            due_on: Set(input.due_on),
            weight: Set(input.weight),
            version: Set(a.version + 1),
            ..Default::default()
        })
        .filter(activity::Column::Id.eq(activity_id))
        .filter(activity::Column::Version.eq(a.version))
        .exec(&txn)
        .await?;
    if saved.rows_affected != 1 {
        // Another save came between the read and this one.
        txn.rollback().await?;
        return Err(BuilderError::Conflict);
    }
    audit::record(
        &txn,
        crate::promise::audit_entry(
            p,
            pr.lpo_id,
            now,
            "update",
            "activity",
            activity_id,
            audit::changes(&changes),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets an activity's status (the LPO's officers and manager, admins). Cancelling needs a
/// reason (kept, and shown in public); another status clears it. Not on a closed promise.
pub async fn set_status(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    activity_id: i64,
    to: ActivityStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let (a, pr, status) = activity_of(db, promise_id, activity_id).await?;
    if !crate::promise::may_edit(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    if status == Status::Closed {
        return Err(invalid("promise", "promise.closed"));
    }
    let from = ActivityStatus::from_stored(&a.status);
    let kept =
        rules::status_change((from, a.status_reason.as_deref()), to, reason).map_err(refused)?;
    let txn = db.begin().await?;
    let mut am: activity::ActiveModel = a.into();
    am.status = Set(to.code().to_owned());
    am.status_reason = Set(kept.clone());
    am.update(&txn).await?;
    audit::record(
        &txn,
        crate::promise::audit_entry(
            p,
            pr.lpo_id,
            now,
            "status",
            "activity",
            activity_id,
            format!(
                "{}->{} reason={}",
                from.code(),
                to.code(),
                kept.as_deref().unwrap_or("")
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The status, weight and full history of every activity of a promise, for its staff page.
pub async fn records(
    db: &impl ConnectionTrait,
    promise_id: i64,
) -> Result<Vec<ActivityRecord>, DbErr> {
    let commitments: Vec<i64> = commitment::Entity::find()
        .filter(commitment::Column::PromiseId.eq(promise_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let activities = activity::Entity::find()
        .filter(activity::Column::CommitmentId.is_in(commitments))
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let entries = progress_entry::Entity::find()
        .filter(progress_entry::Column::ActivityId.is_in(activities.iter().map(|a| a.id)))
        .order_by_desc(progress_entry::Column::Id)
        .all(db)
        .await?;
    let mut by: HashMap<i64, Vec<progress_entry::Model>> = HashMap::new();
    for e in entries {
        by.entry(e.activity_id).or_default().push(e);
    }
    Ok(activities
        .into_iter()
        .map(|a| {
            let es = by.remove(&a.id).unwrap_or_default();
            let status = ActivityStatus::from_stored(&a.status);
            ActivityRecord {
                activity_id: a.id,
                status,
                shown: status.shown(a.target, achieved(&es)),
                status_reason: a.status_reason.clone(),
                weight: a.weight,
                entries: updates(&a, &es),
            }
        })
        .collect())
}
