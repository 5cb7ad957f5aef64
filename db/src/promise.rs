//! Persistence of the citizen promise (*medborgarlöfte*): versions, sign-offs, commitments
//! linked to themes of an approved compilation, activities and progress. The rules themselves
//! are `domain::promise`; every change here is scope-checked, validated, stored in one
//! transaction with its audit entry, and refused with a message when it breaks a rule.

use crate::audit;
use crate::builder::{BuilderError, invalid};
use crate::entity::{
    activity, commitment, commitment_theme, compilation, dialogue, org_unit, progress_entry,
    promise, promise_municipality, promise_sign_off, promise_version,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::compilation::Compilation;
use domain::progress::ActivityStatus;
use domain::promise::{self as rules, EditKind, Refusal, SignOff, Signer, Status};
use domain::{LocalizedText, Principal, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use domain::promise::{CommitmentText, PromiseText};

/// Who owns an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owner {
    Officer(i64),
    PoliceUnit(i64),
    MunicipalUnit(i64),
}

impl Owner {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Owner::Officer(id) => ("officer", id),
            Owner::PoliceUnit(id) => ("police_unit", id),
            Owner::MunicipalUnit(id) => ("municipal_unit", id),
        }
    }
}

/// An activity as staff add it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityInput {
    pub title: String,
    pub owner: Owner,
    pub target: f64,
    pub unit: String,
    pub due_on: NaiveDate,
    pub weight: f64,
}

fn refused(r: Refusal) -> BuilderError {
    match r {
        Refusal::Frozen => BuilderError::Frozen,
        other => invalid("promise", other.message_key()),
    }
}

/// Officers and the manager of the LPO (admins anywhere) edit; the municipal partner signs
/// and logs progress on what their unit owns.
fn edits(p: &Principal, lpo_id: i64) -> bool {
    match p.role {
        Role::Admin => true,
        Role::LpoManager | Role::Officer => p.scope_unit_id == Some(lpo_id),
        _ => false,
    }
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    domain::time::stockholm_day(now)
}

async fn load(
    db: &impl ConnectionTrait,
    promise_id: i64,
) -> Result<(promise::Model, Status), BuilderError> {
    let pr = promise::Entity::find_by_id(promise_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let status = Status::parse(&pr.status).unwrap_or(Status::Draft);
    Ok((pr, status))
}

fn entry(
    p: &Principal,
    lpo_id: i64,
    now: DateTime<Utc>,
    action: &'static str,
    entity: &'static str,
    id: i64,
    detail: String,
) -> audit::Entry<'static> {
    audit::Entry {
        at: now,
        user_id: Some(p.user_id),
        scope_unit_id: Some(lpo_id),
        action,
        entity,
        entity_id: id.to_string(),
        detail,
    }
}

/// Themes of the LPO's approved compilations: `(theme id, compilation row id)`.
async fn approved_themes(db: &impl ConnectionTrait, lpo_id: i64) -> Result<Vec<(i64, i64)>, DbErr> {
    let rows = compilation::Entity::find()
        .order_by_desc(compilation::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        if crate::dashboard::lpo_of(db, row.dialogue_id).await? != Some(lpo_id) {
            continue;
        }
        if let Ok(c) = serde_json::from_str::<Compilation>(&row.data) {
            for t in c.themes {
                if !out.iter().any(|(id, _)| *id == t.theme_id) {
                    out.push((t.theme_id, row.id));
                }
            }
        }
    }
    Ok(out)
}

/// Checks a version's text: a title, at least one commitment, each with a positive weight and
/// at least one theme of an approved compilation of the LPO (a theme of another LPO is
/// refused). Returns each commitment's `(theme, compilation)` links.
async fn validate(
    db: &impl ConnectionTrait,
    lpo_id: i64,
    text: &PromiseText,
) -> Result<Vec<Vec<(i64, i64)>>, BuilderError> {
    if text.title.get(domain::Lang::Sv).trim().is_empty() {
        return Err(invalid("title_sv", "form.required"));
    }
    if text.commitments.is_empty() {
        return Err(invalid("commitments", "promise.no_commitments"));
    }
    let themes = approved_themes(db, lpo_id).await?;
    let mut links = Vec::new();
    for c in &text.commitments {
        if c.text.get(domain::Lang::Sv).trim().is_empty() {
            return Err(invalid("commitments", "form.required"));
        }
        if c.weight.is_nan() || c.weight <= 0.0 {
            return Err(invalid("weight", "promise.weight_positive"));
        }
        if c.theme_ids.is_empty() {
            return Err(invalid("themes", "promise.needs_theme"));
        }
        let mut these = Vec::new();
        for t in &c.theme_ids {
            match themes.iter().find(|(id, _)| id == t) {
                Some(link) => these.push(*link),
                None => return Err(invalid("themes", "coding.other_lpo")),
            }
        }
        links.push(these);
    }
    Ok(links)
}

/// Writes the commitments of a version (stable ids kept) and their theme links.
async fn write_commitments(
    txn: &DatabaseTransaction,
    promise_id: i64,
    text: &mut PromiseText,
    links: &[Vec<(i64, i64)>],
) -> Result<(), BuilderError> {
    for (i, (c, these)) in text.commitments.iter_mut().zip(links).enumerate() {
        let json = crate::survey::text_json(&c.text);
        let id = match c.id {
            Some(id) => {
                let existing = commitment::Entity::find_by_id(id)
                    .filter(commitment::Column::PromiseId.eq(promise_id))
                    .one(txn)
                    .await?
                    .ok_or(BuilderError::NotFound)?;
                let mut am: commitment::ActiveModel = existing.into();
                am.position = Set(i as i32 + 1);
                am.text = Set(json);
                am.weight = Set(c.weight);
                am.update(txn).await?;
                id
            }
            None => {
                commitment::Entity::insert(commitment::ActiveModel {
                    promise_id: Set(promise_id),
                    position: Set(i as i32 + 1),
                    text: Set(json),
                    weight: Set(c.weight),
                    ..Default::default()
                })
                .exec(txn)
                .await?
                .last_insert_id
            }
        };
        c.id = Some(id);
        commitment_theme::Entity::delete_many()
            .filter(commitment_theme::Column::CommitmentId.eq(id))
            .exec(txn)
            .await?;
        commitment_theme::Entity::insert_many(these.iter().map(|(theme, comp)| {
            commitment_theme::ActiveModel {
                commitment_id: Set(id),
                theme_id: Set(*theme),
                compilation_id: Set(*comp),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Drafts a promise of the principal's LPO for `municipalities` (of that LPO).
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    lpo_id: i64,
    municipalities: &[i64],
    period: (NaiveDate, NaiveDate),
    mut text: PromiseText,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    if !edits(p, lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    if period.1 <= period.0 {
        return Err(invalid("period_to", "promise.period_order"));
    }
    if municipalities.is_empty() {
        return Err(invalid("municipalities", "form.required"));
    }
    for m in municipalities {
        let lpo = crate::org::ancestor_of_kind(db, *m, "lpo").await?;
        let is_municipality = org_unit::Entity::find_by_id(*m)
            .one(db)
            .await?
            .is_some_and(|u| u.kind == "municipality");
        if !is_municipality || lpo.map(|l| l.id) != Some(lpo_id) {
            return Err(invalid("municipalities", "promise.other_municipality"));
        }
    }
    let links = validate(db, lpo_id, &text).await?;
    let txn = db.begin().await?;
    let id = promise::Entity::insert(promise::ActiveModel {
        lpo_id: Set(lpo_id),
        status: Set(Status::Draft.code().to_owned()),
        period_from: Set(period.0),
        period_to: Set(period.1),
        current_version: Set(1),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    promise_municipality::Entity::insert_many(municipalities.iter().map(|m| {
        promise_municipality::ActiveModel {
            promise_id: Set(id),
            municipality_id: Set(*m),
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    write_commitments(&txn, id, &mut text, &links).await?;
    insert_version(&txn, id, 1, &text, p, now).await?;
    audit::record(
        &txn,
        entry(
            p,
            lpo_id,
            now,
            "create",
            "promise",
            id,
            "version=1".to_owned(),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

async fn insert_version(
    txn: &DatabaseTransaction,
    promise_id: i64,
    version: i32,
    text: &PromiseText,
    p: &Principal,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let data = serde_json::to_string(text).map_err(|e| DbErr::Custom(e.to_string()))?;
    promise_version::Entity::insert(promise_version::ActiveModel {
        promise_id: Set(promise_id),
        version: Set(version),
        data: Set(data),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

async fn sign_offs(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
) -> Result<Vec<SignOff>, DbErr> {
    Ok(promise_sign_off::Entity::find()
        .filter(promise_sign_off::Column::PromiseId.eq(promise_id))
        .filter(promise_sign_off::Column::Version.eq(version))
        .all(db)
        .await?
        .into_iter()
        .map(|s| SignOff {
            signer: if s.signer == "police" {
                Signer::Police
            } else {
                Signer::Municipality
            },
            name: s.name,
            on: s.signed_on,
        })
        .collect())
}

/// Changes a promise's text. A draft nobody has signed changes in place; otherwise the change
/// is a new version, back to draft, which needs new sign-offs. Signed versions never change.
/// Returns the version now current.
pub async fn edit(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    mut text: PromiseText,
    now: DateTime<Utc>,
) -> Result<i32, BuilderError> {
    let (pr, status) = load(db, promise_id).await?;
    if !edits(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    let kind = rules::edit(status).map_err(refused)?;
    let signed = !sign_offs(db, pr.id, pr.current_version).await?.is_empty();
    let links = validate(db, pr.lpo_id, &text).await?;
    let txn = db.begin().await?;
    write_commitments(&txn, pr.id, &mut text, &links).await?;
    let version = if kind == EditKind::InPlace && !signed {
        let data = serde_json::to_string(&text).map_err(|e| DbErr::Custom(e.to_string()))?;
        let v = promise_version::Entity::find()
            .filter(promise_version::Column::PromiseId.eq(pr.id))
            .filter(promise_version::Column::Version.eq(pr.current_version))
            .one(&txn)
            .await?
            .ok_or(BuilderError::NotFound)?;
        let mut am: promise_version::ActiveModel = v.into();
        am.data = Set(data);
        am.update(&txn).await?;
        pr.current_version
    } else {
        let next = pr.current_version + 1;
        insert_version(&txn, pr.id, next, &text, p, now).await?;
        let mut am: promise::ActiveModel = pr.clone().into();
        am.current_version = Set(next);
        am.status = Set(Status::Draft.code().to_owned());
        am.update(&txn).await?;
        next
    };
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "edit",
            "promise",
            pr.id,
            format!("version={version}"),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(version)
}

/// Signs the current version: the LPO manager for the police, a municipal partner of one of
/// the promise's municipalities for the municipality. Anyone else is refused (403). Returns
/// the status after signing (the second signature makes it agreed).
pub async fn sign(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    now: DateTime<Utc>,
) -> Result<Status, BuilderError> {
    let (pr, status) = load(db, promise_id).await?;
    let signer = match p.role {
        Role::LpoManager if p.scope_unit_id == Some(pr.lpo_id) => Signer::Police,
        Role::MunicipalPartner => {
            let covered = promise_municipality::Entity::find()
                .filter(promise_municipality::Column::PromiseId.eq(pr.id))
                .all(db)
                .await?
                .iter()
                .any(|m| Some(m.municipality_id) == p.scope_unit_id);
            if !covered {
                return Err(BuilderError::Forbidden);
            }
            Signer::Municipality
        }
        _ => return Err(BuilderError::Forbidden),
    };
    let signed = sign_offs(db, pr.id, pr.current_version).await?;
    let next = rules::sign(status, &signed, signer).map_err(refused)?;
    let txn = db.begin().await?;
    promise_sign_off::Entity::insert(promise_sign_off::ActiveModel {
        promise_id: Set(pr.id),
        version: Set(pr.current_version),
        signer: Set(match signer {
            Signer::Police => "police",
            Signer::Municipality => "municipality",
        }
        .to_owned()),
        user_id: Set(Some(p.user_id)),
        name: Set(p.name.clone()),
        signed_on: Set(today(now)),
    })
    .exec_without_returning(&txn)
    .await?;
    if next != status {
        let mut am: promise::ActiveModel = pr.clone().into();
        am.status = Set(next.code().to_owned());
        am.update(&txn).await?;
    }
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "sign",
            "promise",
            pr.id,
            format!("version={} signer={signer:?}", pr.current_version),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// Moves an agreed promise on: active, followed up, closed (one step at a time).
pub async fn advance(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    to: Status,
    now: DateTime<Utc>,
) -> Result<Status, BuilderError> {
    let (pr, status) = load(db, promise_id).await?;
    if !edits(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    let next = rules::advance(status, to).map_err(refused)?;
    let txn = db.begin().await?;
    let mut am: promise::ActiveModel = pr.clone().into();
    am.status = Set(next.code().to_owned());
    am.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "advance",
            "promise",
            pr.id,
            next.code().to_owned(),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

async fn promise_of_commitment(
    db: &impl ConnectionTrait,
    commitment_id: i64,
) -> Result<(promise::Model, Status), BuilderError> {
    let c = commitment::Entity::find_by_id(commitment_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    load(db, c.promise_id).await
}

/// Adds an activity with a measurable target (> 0) to a commitment.
pub async fn add_activity(
    db: &DatabaseConnection,
    p: &Principal,
    commitment_id: i64,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let (pr, status) = promise_of_commitment(db, commitment_id).await?;
    if !edits(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    if status == Status::Closed {
        return Err(refused(Refusal::Closed));
    }
    if input.title.trim().is_empty() {
        return Err(invalid("title", "form.required"));
    }
    if !input.target.is_finite() || input.target <= 0.0 {
        return Err(invalid("target", "promise.target_positive"));
    }
    if !input.weight.is_finite() || input.weight <= 0.0 {
        return Err(invalid("weight", "promise.weight_positive"));
    }
    let (kind, owner) = input.owner.parts();
    let txn = db.begin().await?;
    let id = activity::Entity::insert(activity::ActiveModel {
        commitment_id: Set(commitment_id),
        title: Set(input.title.trim().to_owned()),
        owner_kind: Set(kind.to_owned()),
        owner_id: Set(owner),
        target: Set(input.target),
        unit: Set(input.unit.trim().to_owned()),
        due_on: Set(input.due_on),
        status: Set("planned".to_owned()),
        weight: Set(input.weight),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "add",
            "activity",
            id,
            format!(
                "commitment={commitment_id} target={} {}",
                input.target, input.unit
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Logs progress on an activity: not in the future (Stockholm date), not on a promise that
/// is not agreed or is closed. Officers and the manager of the LPO log any activity; a
/// municipal partner only those their unit owns.
pub async fn log_progress(
    db: &DatabaseConnection,
    p: &Principal,
    activity_id: i64,
    on_day: NaiveDate,
    text: &str,
    amount: f64,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let a = activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let (pr, status) = promise_of_commitment(db, a.commitment_id).await?;
    let owns = p.role == Role::MunicipalPartner
        && a.owner_kind == "municipal_unit"
        && p.municipal_unit_id == Some(a.owner_id);
    if !edits(p, pr.lpo_id) && !owns {
        return Err(BuilderError::Forbidden);
    }
    if !status.takes_progress() {
        return Err(refused(if status == Status::Draft {
            Refusal::Unsigned
        } else {
            Refusal::Closed
        }));
    }
    crate::progress::takes_progress(&a)?;
    if on_day > today(now) {
        return Err(invalid("on_day", "promise.future"));
    }
    if !amount.is_finite() || amount < 0.0 {
        return Err(invalid("amount", "promise.amount"));
    }
    let txn = db.begin().await?;
    let id = progress_entry::Entity::insert(progress_entry::ActiveModel {
        activity_id: Set(activity_id),
        on_day: Set(on_day),
        text: Set(text.trim().to_owned()),
        amount: Set(amount),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "progress",
            "activity",
            activity_id,
            format!("amount={amount} on={on_day}"),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A promise's progress in percent, rolled up from its activities' logged amounts.
pub async fn percent(db: &impl ConnectionTrait, promise_id: i64) -> Result<f64, DbErr> {
    let commitments = commitment::Entity::find()
        .filter(commitment::Column::PromiseId.eq(promise_id))
        .all(db)
        .await?;
    let mut parts = Vec::new();
    for c in commitments {
        let progress = progress_of(&activities_of(db, c.id).await?);
        parts.push((domain::progress::commitment_percent(&progress), c.weight));
    }
    Ok(rules::promise_percent(&parts))
}

/// A commitment's activities in id order, each with the amount logged on it (two queries).
async fn activities_of(
    db: &impl ConnectionTrait,
    commitment_id: i64,
) -> Result<Vec<(activity::Model, f64)>, DbErr> {
    let activities = activity::Entity::find()
        .filter(activity::Column::CommitmentId.eq(commitment_id))
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let achieved = crate::progress::achieved_by_activity(
        &progress_entry::Entity::find()
            .filter(progress_entry::Column::ActivityId.is_in(activities.iter().map(|a| a.id)))
            .all(db)
            .await?,
    );
    Ok(activities
        .into_iter()
        .map(|a| {
            let done = achieved.get(&a.id).copied().unwrap_or(0.0);
            (a, done)
        })
        .collect())
}

fn progress_of(rows: &[(activity::Model, f64)]) -> Vec<(rules::ActivityProgress, ActivityStatus)> {
    rows.iter()
        .map(|(a, achieved)| {
            let p = rules::ActivityProgress {
                target: a.target,
                achieved: *achieved,
                weight: a.weight,
            };
            (p, ActivityStatus::from_stored(&a.status))
        })
        .collect()
}

/// The text of one version (for showing earlier versions unchanged).
pub async fn version_text(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
) -> Result<Option<PromiseText>, DbErr> {
    let Some(v) = promise_version::Entity::find()
        .filter(promise_version::Column::PromiseId.eq(promise_id))
        .filter(promise_version::Column::Version.eq(version))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    serde_json::from_str(&v.data)
        .map(Some)
        .map_err(|e| DbErr::Custom(e.to_string()))
}

/// The latest version of a promise that both parties signed.
async fn signed_version(
    db: &impl ConnectionTrait,
    pr: &promise::Model,
) -> Result<Option<(i32, Vec<SignOff>)>, DbErr> {
    for v in (1..=pr.current_version).rev() {
        let s = sign_offs(db, pr.id, v).await?;
        if s.len() >= 2 {
            return Ok(Some((v, s)));
        }
    }
    Ok(None)
}

/// How many people raised a theme, as the approved compilation published it (n<5 applied).
async fn theme_people(
    db: &impl ConnectionTrait,
    commitment_id: i64,
) -> Result<Vec<domain::promise::PublicTheme>, DbErr> {
    let links = commitment_theme::Entity::find()
        .filter(commitment_theme::Column::CommitmentId.eq(commitment_id))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for l in links {
        let Some(row) = compilation::Entity::find_by_id(l.compilation_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let Ok(c) = serde_json::from_str::<Compilation>(&row.data) else {
            continue;
        };
        if let Some(t) = c.themes.into_iter().find(|t| t.theme_id == l.theme_id) {
            out.push(domain::promise::PublicTheme {
                name: t.name,
                people: t.overall,
            });
        }
    }
    Ok(out)
}

/// The public follow-up page of a municipality (by its org code), or `None` when it has no
/// signed promise. Drafts and unsigned versions are never public.
pub async fn public(
    db: &impl ConnectionTrait,
    municipality_code: &str,
    now: DateTime<Utc>,
) -> Result<Option<domain::promise::PublicPromise>, DbErr> {
    use domain::promise::{Earlier, PublicActivity, PublicCommitment, PublicPromise};
    let Some(m) = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("municipality"))
        .filter(org_unit::Column::Code.eq(municipality_code))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let ids: Vec<i64> = promise_municipality::Entity::find()
        .filter(promise_municipality::Column::MunicipalityId.eq(m.id))
        .all(db)
        .await?
        .into_iter()
        .map(|x| x.promise_id)
        .collect();
    let promises = promise::Entity::find()
        .filter(promise::Column::Id.is_in(ids))
        .order_by_desc(promise::Column::PeriodFrom)
        .all(db)
        .await?;
    let mut signed = Vec::new();
    for pr in promises {
        if let Some((v, s)) = signed_version(db, &pr).await? {
            signed.push((pr, v, s));
        }
    }
    let mut earlier = Vec::new();
    let mut current = None;
    for (pr, v, s) in signed {
        let Some(text) = version_text(db, pr.id, v).await? else {
            continue;
        };
        let status = Status::parse(&pr.status).unwrap_or(Status::Draft);
        if current.is_none() && status != Status::Closed {
            current = Some((pr, v, s, text));
        } else {
            earlier.push(Earlier {
                title: text.title,
                period_from: pr.period_from,
                period_to: pr.period_to,
                status,
                percent: percent(db, pr.id).await?,
            });
        }
    }
    let Some((pr, version, signed, text)) = current else {
        return Ok(None);
    };
    let today = today(now);
    let mut commitments = Vec::new();
    let mut updates = Vec::new();
    let mut parts = Vec::new();
    for c in &text.commitments {
        let Some(cid) = c.id else { continue };
        let activities = activity::Entity::find()
            .filter(activity::Column::CommitmentId.eq(cid))
            .order_by_asc(activity::Column::Id)
            .all(db)
            .await?;
        let mut shown = Vec::new();
        let mut progress = Vec::new();
        for a in activities {
            let entries = progress_entry::Entity::find()
                .filter(progress_entry::Column::ActivityId.eq(a.id))
                .order_by_desc(progress_entry::Column::Id)
                .all(db)
                .await?;
            let achieved = crate::progress::achieved(&entries);
            let pct = rules::activity_percent(a.target, achieved);
            updates.extend(crate::progress::updates(&a, &entries));
            let status = ActivityStatus::from_stored(&a.status);
            progress.push((
                rules::ActivityProgress {
                    target: a.target,
                    achieved,
                    weight: a.weight,
                },
                status,
            ));
            shown.push(PublicActivity {
                overdue: a.due_on < today && pct < 100.0 && status.may_be_overdue(),
                status: status.shown(a.target, achieved),
                status_reason: a.status_reason,
                weight: a.weight,
                title: a.title,
                unit: a.unit,
                target: a.target,
                achieved,
                percent: pct,
                due_on: a.due_on,
            });
        }
        let cp = domain::progress::commitment_percent(&progress);
        parts.push((cp, c.weight));
        commitments.push(PublicCommitment {
            text: c.text.clone(),
            percent: cp,
            themes: theme_people(db, cid).await?,
            activities: shown,
        });
    }
    updates.sort_by(|a, b| b.on.cmp(&a.on).then(b.id.cmp(&a.id)));
    updates.truncate(20);
    let lpo_name = org_unit::Entity::find_by_id(pr.lpo_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let follow_up = follow_up(db, &text, now).await?;
    Ok(Some(PublicPromise {
        id: pr.id,
        municipality: m.name,
        lpo_name,
        title: text.title,
        body: text.body,
        status: Status::parse(&pr.status).unwrap_or(Status::Draft),
        period_from: pr.period_from,
        period_to: pr.period_to,
        version,
        signed,
        percent: rules::promise_percent(&parts),
        commitments,
        updates,
        earlier,
        follow_up,
    }))
}

/// Before and after for a promise: the dialogue whose compilation its commitments answer,
/// and the newest dialogue marked as that one's follow-up.
async fn follow_up(
    db: &impl ConnectionTrait,
    text: &PromiseText,
    now: DateTime<Utc>,
) -> Result<Option<domain::promise::BeforeAfter>, DbErr> {
    let ids: Vec<i64> = text.commitments.iter().filter_map(|c| c.id).collect();
    let compilations: Vec<i64> = commitment_theme::Entity::find()
        .filter(commitment_theme::Column::CommitmentId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.compilation_id)
        .collect();
    let Some(before) = compilation::Entity::find()
        .filter(compilation::Column::Id.is_in(compilations))
        .order_by_desc(compilation::Column::ApprovedAt)
        .one(db)
        .await?
        .map(|c| c.dialogue_id)
    else {
        return Ok(None);
    };
    let Some(after) = dialogue::Entity::find()
        .filter(dialogue::Column::FollowUpOf.eq(before))
        .order_by_desc(dialogue::Column::OpensAt)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if after.opens_at > now {
        return Ok(None);
    }
    crate::dashboard::before_after(db, before, after.id, now).await
}

/// Promises of the LPOs `lpos` (`None`: all), newest period first, for the staff list.
pub async fn staff_list(
    db: &impl ConnectionTrait,
    lpos: Option<&[i64]>,
) -> Result<Vec<domain::promise::PromiseRow>, DbErr> {
    let mut q = promise::Entity::find().order_by_desc(promise::Column::PeriodFrom);
    if let Some(lpos) = lpos {
        q = q.filter(promise::Column::LpoId.is_in(lpos.iter().copied()));
    }
    let mut out = Vec::new();
    for pr in q.all(db).await? {
        let Some(text) = version_text(db, pr.id, pr.current_version).await? else {
            continue;
        };
        out.push(domain::promise::PromiseRow {
            id: pr.id,
            lpo_name: org_unit::Entity::find_by_id(pr.lpo_id)
                .one(db)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            title: text.title,
            status: Status::parse(&pr.status).unwrap_or(Status::Draft),
            version: pr.current_version,
            percent: percent(db, pr.id).await?,
        });
    }
    Ok(out)
}

/// One promise as staff work on it, or `None` when unknown.
pub async fn staff_detail(
    db: &impl ConnectionTrait,
    promise_id: i64,
) -> Result<Option<domain::promise::PromiseDetail>, DbErr> {
    use domain::promise::{ActivityLine, CommitmentLine, PromiseDetail};
    let Some(pr) = promise::Entity::find_by_id(promise_id).one(db).await? else {
        return Ok(None);
    };
    let Some(text) = version_text(db, pr.id, pr.current_version).await? else {
        return Ok(None);
    };
    let mut commitments = Vec::new();
    let mut parts = Vec::new();
    for c in &text.commitments {
        let Some(cid) = c.id else { continue };
        let rows = activities_of(db, cid).await?;
        let progress = progress_of(&rows);
        let mut lines = Vec::new();
        for (a, achieved) in rows {
            lines.push(ActivityLine {
                id: a.id,
                percent: rules::activity_percent(a.target, achieved),
                title: a.title,
                owner_kind: a.owner_kind,
                owner_id: a.owner_id,
                target: a.target,
                unit: a.unit,
                due_on: a.due_on,
                achieved,
            });
        }
        let cp = domain::progress::commitment_percent(&progress);
        parts.push((cp, c.weight));
        commitments.push(CommitmentLine {
            id: cid,
            text: c.text.clone(),
            weight: c.weight,
            percent: cp,
            activities: lines,
        });
    }
    let mut municipalities = Vec::new();
    for m in promise_municipality::Entity::find()
        .filter(promise_municipality::Column::PromiseId.eq(pr.id))
        .all(db)
        .await?
    {
        if let Some(u) = org_unit::Entity::find_by_id(m.municipality_id)
            .one(db)
            .await?
        {
            municipalities.push(domain::Named {
                id: u.id,
                name: LocalizedText::new(&u.name, &u.name),
            });
        }
    }
    Ok(Some(PromiseDetail {
        id: pr.id,
        lpo_id: pr.lpo_id,
        lpo_name: org_unit::Entity::find_by_id(pr.lpo_id)
            .one(db)
            .await?
            .map(|o| o.name)
            .unwrap_or_default(),
        status: Status::parse(&pr.status).unwrap_or(Status::Draft),
        version: pr.current_version,
        period_from: pr.period_from,
        period_to: pr.period_to,
        signed: sign_offs(db, pr.id, pr.current_version).await?,
        text,
        commitments,
        percent: rules::promise_percent(&parts),
        municipalities,
    }))
}

/// What the "new promise" form offers an LPO: its municipalities and the themes of its
/// approved compilations.
pub async fn choices(
    db: &impl ConnectionTrait,
    lpo_id: i64,
) -> Result<(Vec<domain::Named>, Vec<domain::Named>), DbErr> {
    let municipalities = crate::org::children(db, lpo_id, "municipality")
        .await?
        .into_iter()
        .map(|u| domain::Named {
            id: u.id,
            name: LocalizedText::new(&u.name, &u.name),
        })
        .collect();
    let approved: Vec<i64> = approved_themes(db, lpo_id)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    // Only themes of an approved compilation are offered, so these exist already: reading
    // them must not seed the standard list (a refused draft re-renders this form).
    let themes = crate::themes::lpo_themes_as_stored(db, lpo_id)
        .await?
        .into_iter()
        .filter(|t| approved.contains(&t.id))
        .map(|t| domain::Named {
            id: t.id,
            name: t.name,
        })
        .collect();
    Ok((municipalities, themes))
}

/// Whether `p` may sign this promise's current version (and as what).
pub async fn signer_for(
    db: &impl ConnectionTrait,
    p: &Principal,
    promise_id: i64,
) -> Result<Option<Signer>, DbErr> {
    let Some(pr) = promise::Entity::find_by_id(promise_id).one(db).await? else {
        return Ok(None);
    };
    Ok(match p.role {
        Role::LpoManager if p.scope_unit_id == Some(pr.lpo_id) => Some(Signer::Police),
        Role::MunicipalPartner => promise_municipality::Entity::find()
            .filter(promise_municipality::Column::PromiseId.eq(pr.id))
            .all(db)
            .await?
            .iter()
            .any(|m| Some(m.municipality_id) == p.scope_unit_id)
            .then_some(Signer::Municipality),
        _ => None,
    })
}

/// Whether `p` edits this LPO's promises.
pub fn may_edit(p: &Principal, lpo_id: i64) -> bool {
    edits(p, lpo_id)
}

/// [`add_activity`] through a promise's page: the commitment must belong to `promise_id`.
pub async fn add_activity_of(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    commitment_id: i64,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let c = commitment::Entity::find_by_id(commitment_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if c.promise_id != promise_id {
        return Err(BuilderError::NotFound);
    }
    add_activity(db, p, commitment_id, input, now).await
}

/// [`log_progress`] through a promise's page: the activity must belong to `promise_id`.
#[allow(clippy::too_many_arguments)]
pub async fn log_progress_of(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    activity_id: i64,
    on_day: NaiveDate,
    text: &str,
    amount: f64,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let a = activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let (pr, _) = promise_of_commitment(db, a.commitment_id).await?;
    if pr.id != promise_id {
        return Err(BuilderError::NotFound);
    }
    log_progress(db, p, activity_id, on_day, text, amount, now).await
}

/// Checked before any input: `p` works on this promise (its LPO's officers and manager,
/// admins; with `partner`, also a municipal partner of a covered municipality).
pub async fn may_work_on(
    db: &impl ConnectionTrait,
    p: &Principal,
    promise_id: i64,
    partner: bool,
) -> Result<(), BuilderError> {
    let (pr, _) = load(db, promise_id).await?;
    if edits(p, pr.lpo_id) {
        return Ok(());
    }
    if partner && signer_for(db, p, promise_id).await? == Some(Signer::Municipality) {
        return Ok(());
    }
    Err(BuilderError::Forbidden)
}

/// Links the promise to community officers' agreements of its LPO, replacing the earlier links
/// (the LPO's officers and manager, or an admin). An agreement of another LPO is refused.
pub async fn link_agreements(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    agreements: &[i64],
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    use crate::entity::{agreement, promise_agreement};
    let (pr, _) = load(db, promise_id).await?;
    if !edits(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    let mut wanted: Vec<i64> = agreements.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let found = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(wanted.iter().copied()))
        .filter(agreement::Column::LpoId.eq(pr.lpo_id))
        .all(db)
        .await?;
    if found.len() != wanted.len() {
        return Err(BuilderError::Invalid(vec![(
            "agreement".to_owned(),
            "promise.bad_agreement".to_owned(),
        )]));
    }
    let txn = db.begin().await?;
    promise_agreement::Entity::delete_many()
        .filter(promise_agreement::Column::PromiseId.eq(pr.id))
        .exec(&txn)
        .await?;
    if !wanted.is_empty() {
        promise_agreement::Entity::insert_many(wanted.iter().map(|a| {
            promise_agreement::ActiveModel {
                promise_id: Set(pr.id),
                agreement_id: Set(*a),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(
        &txn,
        entry(
            p,
            pr.lpo_id,
            now,
            "link_agreements",
            "promise",
            pr.id,
            format!("agreements={wanted:?}"),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The LPO's agreements as choices `(id, purpose, linked to the promise)`.
pub async fn agreement_choices(
    db: &impl ConnectionTrait,
    promise_id: i64,
    lpo_id: i64,
) -> Result<Vec<(i64, String, bool)>, DbErr> {
    use crate::entity::{agreement, promise_agreement};
    let linked: Vec<i64> = promise_agreement::Entity::find()
        .filter(promise_agreement::Column::PromiseId.eq(promise_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.agreement_id)
        .collect();
    Ok(agreement::Entity::find()
        .filter(agreement::Column::LpoId.eq(lpo_id))
        .order_by_asc(agreement::Column::ReviewOn)
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let on = linked.contains(&a.id);
            (a.id, a.purpose, on)
        })
        .collect())
}

/// Activities of agreed and active promises of the LPOs `lpos` (`None`: all) that are past
/// their due date (a Stockholm date) and short of their target, the most overdue first.
pub async fn overdue(
    db: &impl ConnectionTrait,
    lpos: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<Vec<domain::promise::OverdueActivity>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        promise_id: i64,
        lpo_id: i64,
        version: i32,
        title: String,
        unit: String,
        target: f64,
        achieved: f64,
        due_on: NaiveDate,
    }
    let backend = db.get_database_backend();
    let p1 = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT p.id AS promise_id, p.lpo_id, p.current_version AS version, a.title, a.unit, \
                    a.target, a.due_on, COALESCE(SUM(e.amount), 0.0) AS achieved \
             FROM activity a JOIN commitment c ON c.id = a.commitment_id \
             JOIN promise p ON p.id = c.promise_id \
             LEFT JOIN progress_entry e ON e.activity_id = a.id \
                 AND NOT EXISTS (SELECT 1 FROM progress_entry x WHERE x.corrects = e.id) \
             WHERE a.due_on < {p1} AND p.status IN ('agreed', 'active') \
                 AND a.status NOT IN ('done', 'cancelled') \
             GROUP BY p.id, p.lpo_id, p.current_version, a.id, a.title, a.unit, a.target, a.due_on \
             HAVING COALESCE(SUM(e.amount), 0.0) < a.target \
             ORDER BY a.due_on, a.id"
        ),
        [today(now).into()],
    ))
    .all(db)
    .await?;
    let mut titles: HashMap<i64, LocalizedText> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        if lpos.is_some_and(|l| !l.contains(&r.lpo_id)) {
            continue;
        }
        let title = match titles.get(&r.promise_id) {
            Some(t) => t.clone(),
            None => {
                let t = version_text(db, r.promise_id, r.version)
                    .await?
                    .map(|t| t.title)
                    .unwrap_or_default();
                titles.insert(r.promise_id, t.clone());
                t
            }
        };
        out.push(domain::promise::OverdueActivity {
            promise_id: r.promise_id,
            promise_title: title,
            title: r.title,
            unit: r.unit,
            target: r.target,
            achieved: r.achieved,
            due_on: r.due_on,
        });
    }
    Ok(out)
}
