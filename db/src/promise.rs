//! Persistence of the citizen promise (*medborgarlöfte*): versions, sign-offs, commitments
//! linked to themes of an approved compilation, activities and progress. The rules themselves
//! are `domain::promise`; every change here is scope-checked, validated, stored in one
//! transaction with its audit entry, and refused with a message when it breaks a rule.

use crate::audit;
use crate::builder::{BuilderError, invalid};
use crate::entity::{
    activity, commitment, commitment_theme, compilation, dialogue, org_unit, progress_entry,
    promise, promise_municipality, promise_sign_off, promise_signatory, promise_version,
    promise_version_theme,
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
    pub(crate) fn parts(self) -> (&'static str, i64) {
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
    p.may(domain::Permission::EditPromises)
        && (p.role == Role::Admin || p.scope_unit_id == Some(lpo_id))
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    domain::time::stockholm_day(now)
}

/// The version staff work on: the revision drafted beside the version in force, or else
/// `current_version` (the version in force, or the first draft before any is agreed).
fn working(pr: &promise::Model) -> i32 {
    pr.revision.unwrap_or(pr.current_version)
}

/// The municipalities a promise covers.
async fn municipalities_of(db: &impl ConnectionTrait, promise_id: i64) -> Result<Vec<i64>, DbErr> {
    Ok(promise_municipality::Entity::find()
        .filter(promise_municipality::Column::PromiseId.eq(promise_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.municipality_id)
        .collect())
}

/// The named signatories of one version, in their order.
pub async fn signatories(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
) -> Result<Vec<Signer>, DbErr> {
    Ok(promise_signatory::Entity::find()
        .filter(promise_signatory::Column::PromiseId.eq(promise_id))
        .filter(promise_signatory::Column::Version.eq(version))
        .order_by_asc(promise_signatory::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| Signer::parse(&s.signer))
        .collect())
}

async fn write_signatories(
    txn: &DatabaseTransaction,
    promise_id: i64,
    version: i32,
    required: &[Signer],
) -> Result<(), DbErr> {
    promise_signatory::Entity::delete_many()
        .filter(promise_signatory::Column::PromiseId.eq(promise_id))
        .filter(promise_signatory::Column::Version.eq(version))
        .exec(txn)
        .await?;
    promise_signatory::Entity::insert_many(required.iter().enumerate().map(|(i, s)| {
        promise_signatory::ActiveModel {
            promise_id: Set(promise_id),
            version: Set(version),
            signer: Set(s.code()),
            position: Set(i as i32),
        }
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The theme links of one version's commitments, as part of its snapshot (the shared
/// `commitment_theme` rows follow the newest text and are never read for what is shown).
async fn write_version_themes(
    txn: &DatabaseTransaction,
    promise_id: i64,
    version: i32,
    text: &PromiseText,
    links: &[Vec<(i64, i64)>],
) -> Result<(), DbErr> {
    promise_version_theme::Entity::delete_many()
        .filter(promise_version_theme::Column::PromiseId.eq(promise_id))
        .filter(promise_version_theme::Column::Version.eq(version))
        .exec(txn)
        .await?;
    let rows: Vec<promise_version_theme::ActiveModel> = text
        .commitments
        .iter()
        .zip(links)
        .filter_map(|(c, these)| c.id.map(|id| (id, these)))
        .flat_map(|(id, these)| {
            these
                .iter()
                .map(move |(theme, comp)| promise_version_theme::ActiveModel {
                    promise_id: Set(promise_id),
                    version: Set(version),
                    commitment_id: Set(id),
                    theme_id: Set(*theme),
                    compilation_id: Set(*comp),
                })
        })
        .collect();
    if !rows.is_empty() {
        promise_version_theme::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Activities shown with `version`: those planned under it or an earlier one.
fn shown_in(rows: Vec<(activity::Model, f64)>, version: i32) -> Vec<(activity::Model, f64)> {
    rows.into_iter()
        .filter(|(a, _)| a.since_version <= version)
        .collect()
}

/// A promise and its status; `NotFound` when there is none.
pub(crate) async fn load(
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

/// An audit entry by `p` in the LPO's scope.
pub(crate) fn audit_entry(
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

/// Drafts a promise of the principal's LPO for `municipalities` (of that LPO), to be signed
/// by the LPO manager and a representative of each municipality.
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    lpo_id: i64,
    municipalities: &[i64],
    period: (NaiveDate, NaiveDate),
    text: PromiseText,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    create_with(db, p, lpo_id, municipalities, period, text, &[], now).await
}

/// [`create`] with `extra` signatories beside the police and the municipalities (the
/// community officer, the chair of a municipal board, a municipal director).
#[allow(clippy::too_many_arguments)]
pub async fn create_with(
    db: &DatabaseConnection,
    p: &Principal,
    lpo_id: i64,
    municipalities: &[i64],
    period: (NaiveDate, NaiveDate),
    mut text: PromiseText,
    extra: &[Signer],
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
    let required = rules::signatories(municipalities, extra).map_err(refused)?;
    let links = validate(db, lpo_id, &text).await?;
    let txn = db.begin().await?;
    let id = promise::Entity::insert(promise::ActiveModel {
        lpo_id: Set(lpo_id),
        status: Set(Status::Draft.code().to_owned()),
        period_from: Set(period.0),
        period_to: Set(period.1),
        current_version: Set(1),
        created_at: Set(now),
        revision: Set(None),
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
    write_version_themes(&txn, id, 1, &text, &links).await?;
    write_signatories(&txn, id, 1, &required).await?;
    audit::record(
        &txn,
        audit_entry(
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
        .order_by_asc(promise_sign_off::Column::SignedOn)
        .order_by_asc(promise_sign_off::Column::Signer)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| {
            Some(SignOff {
                signer: Signer::parse(&s.signer)?,
                name: s.name,
                on: s.signed_on,
            })
        })
        .collect())
}

/// Changes a promise's text. A draft nobody has signed changes in place; otherwise the change
/// is a new version that needs new sign-offs. Once a version is in force, the new version is
/// a revision drafted beside it: the version in force, its status and its follow-up stay as
/// they are until every signatory of the revision has signed. Signed versions never change.
/// Returns the version the change went into.
pub async fn edit(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    text: PromiseText,
    now: DateTime<Utc>,
) -> Result<i32, BuilderError> {
    edit_with(db, p, promise_id, text, None, now).await
}

/// [`edit`], naming the extra signatories of the changed version (`None`: those of the
/// version it changes).
pub async fn edit_with(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    mut text: PromiseText,
    extra: Option<&[Signer]>,
    now: DateTime<Utc>,
) -> Result<i32, BuilderError> {
    let (pr, status) = load(db, promise_id).await?;
    if !edits(p, pr.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    let kind = rules::edit(status).map_err(refused)?;
    let work = working(&pr);
    let revising = pr.revision.is_some();
    let signed = !sign_offs(db, pr.id, work).await?.is_empty();
    let municipalities = municipalities_of(db, pr.id).await?;
    let required = match extra {
        Some(extra) => rules::signatories(&municipalities, extra).map_err(refused)?,
        None => {
            let before = signatories(db, pr.id, work).await?;
            if before.is_empty() {
                rules::signatories(&municipalities, &[]).map_err(refused)?
            } else {
                before
            }
        }
    };
    let links = validate(db, pr.lpo_id, &text).await?;
    let txn = db.begin().await?;
    write_commitments(&txn, pr.id, &mut text, &links).await?;
    let version = if (kind == EditKind::InPlace || revising) && !signed {
        let data = serde_json::to_string(&text).map_err(|e| DbErr::Custom(e.to_string()))?;
        let v = promise_version::Entity::find()
            .filter(promise_version::Column::PromiseId.eq(pr.id))
            .filter(promise_version::Column::Version.eq(work))
            .one(&txn)
            .await?
            .ok_or(BuilderError::NotFound)?;
        let mut am: promise_version::ActiveModel = v.into();
        am.data = Set(data);
        am.update(&txn).await?;
        work
    } else {
        let next = work + 1;
        insert_version(&txn, pr.id, next, &text, p, now).await?;
        let mut am: promise::ActiveModel = pr.clone().into();
        if status == Status::Draft {
            // Nothing is in force yet: the partly signed draft is set aside.
            am.current_version = Set(next);
        } else {
            am.revision = Set(Some(next));
        }
        am.update(&txn).await?;
        next
    };
    write_version_themes(&txn, pr.id, version, &text, &links).await?;
    write_signatories(&txn, pr.id, version, &required).await?;
    audit::record(
        &txn,
        audit_entry(
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

/// Signs the version being signed (the first draft, or a revision) as the first of its named
/// signatories `p` may sign for and nobody has signed yet. Returns the status after signing.
pub async fn sign(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    now: DateTime<Utc>,
) -> Result<Status, BuilderError> {
    sign_as(db, p, promise_id, None, now).await.map(|(s, _)| s)
}

/// Signs as `slot` (`None`: as [`sign`] picks). Who may sign as what is
/// [`Signer::may_sign`]; anyone outside the promise's LPO and municipalities is refused
/// (403), staff of them who are not (that) named signatory get a message. One person signs a version once,
/// whatever roles they could sign for. Returns the status after signing and whether this
/// was the last signature: a first draft is then agreed, a revision comes into force (its
/// activities with it; the lifecycle status stays).
pub async fn sign_as(
    db: &DatabaseConnection,
    p: &Principal,
    promise_id: i64,
    slot: Option<Signer>,
    now: DateTime<Utc>,
) -> Result<(Status, bool), BuilderError> {
    let (pr, status) = load(db, promise_id).await?;
    let work = working(&pr);
    let required = signatories(db, pr.id, work).await?;
    let signed = sign_offs(db, pr.id, work).await?;
    let may = |s: &Signer| s.may_sign(p.role, p.scope_unit_id, pr.lpo_id);
    // Outside the promise's LPO and municipalities: 403. Inside, but not (as) a named
    // signatory, e.g. an officer when no community officer is named: a message (422).
    let in_scope = match p.role {
        Role::LpoManager | Role::Officer => p.scope_unit_id == Some(pr.lpo_id),
        Role::MunicipalPartner => partner_of(db, p, pr.id).await?,
        _ => false,
    };
    let not_mine = || {
        if in_scope {
            refused(Refusal::Signatories)
        } else {
            BuilderError::Forbidden
        }
    };
    let signer = match slot {
        Some(s) if may(&s) => s,
        Some(_) => return Err(not_mine()),
        None => {
            let mine: Vec<Signer> = required.iter().copied().filter(may).collect();
            let open = mine
                .iter()
                .copied()
                .find(|s| !signed.iter().any(|x| x.signer == *s));
            open.or(mine.first().copied()).ok_or_else(not_mine)?
        }
    };
    let by_me = promise_sign_off::Entity::find()
        .filter(promise_sign_off::Column::PromiseId.eq(pr.id))
        .filter(promise_sign_off::Column::Version.eq(work))
        .filter(promise_sign_off::Column::UserId.eq(p.user_id))
        .one(db)
        .await?;
    if by_me.is_some() {
        return Err(refused(Refusal::AlreadySigned));
    }
    let done =
        rules::sign(status, pr.revision.is_some(), &required, &signed, signer).map_err(refused)?;
    let txn = db.begin().await?;
    promise_sign_off::Entity::insert(promise_sign_off::ActiveModel {
        promise_id: Set(pr.id),
        version: Set(work),
        signer: Set(signer.code()),
        user_id: Set(Some(p.user_id)),
        name: Set(p.name.clone()),
        signed_on: Set(today(now)),
    })
    .exec_without_returning(&txn)
    .await?;
    if let Some(next) = done {
        let mut am: promise::ActiveModel = pr.clone().into();
        am.status = Set(next.code().to_owned());
        am.current_version = Set(work);
        am.revision = Set(None);
        am.update(&txn).await?;
    }
    audit::record(
        &txn,
        audit_entry(
            p,
            pr.lpo_id,
            now,
            "sign",
            "promise",
            pr.id,
            format!("version={work} signer={}", signer.code()),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((done.unwrap_or(status), done.is_some()))
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
        audit_entry(
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

/// An activity's input as adding and editing check it: a title, a target and a weight above 0.
pub(crate) fn check_activity(input: &ActivityInput) -> Result<(), BuilderError> {
    if input.title.trim().is_empty() {
        return Err(invalid("title", "form.required"));
    }
    if !input.target.is_finite() || input.target <= 0.0 {
        return Err(invalid("target", "promise.target_positive"));
    }
    if !input.weight.is_finite() || input.weight <= 0.0 {
        return Err(invalid("weight", "promise.weight_positive"));
    }
    Ok(())
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
    check_activity(input)?;
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
        since_version: Set(working(&pr)),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        audit_entry(
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
    if !may_log(p, pr.lpo_id, &a) {
        return Err(BuilderError::Forbidden);
    }
    // Progress is logged against the version in force, also while a revision is drafted;
    // an activity planned for the revision waits for its signatures.
    if !status.takes_progress() || a.since_version > pr.current_version {
        return Err(refused(
            if status == Status::Draft || status.takes_progress() {
                Refusal::Unsigned
            } else {
                Refusal::Closed
            },
        ));
    }
    crate::history::takes_progress(&a)?;
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
        audit_entry(
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

/// A promise's progress in percent, rolled up from its activities' logged amounts, over the
/// commitments and weights of the version in force (before any is agreed: of the draft).
pub async fn percent(db: &impl ConnectionTrait, promise_id: i64) -> Result<f64, DbErr> {
    let Some(pr) = promise::Entity::find_by_id(promise_id).one(db).await? else {
        return Ok(0.0);
    };
    let Some(text) = version_text(db, pr.id, pr.current_version).await? else {
        return Ok(0.0);
    };
    let mut parts = Vec::new();
    for c in &text.commitments {
        let Some(cid) = c.id else { continue };
        let rows = shown_in(activities_of(db, cid).await?, pr.current_version);
        parts.push((
            domain::progress::commitment_percent(&progress_of(&rows)),
            c.weight,
        ));
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
    let achieved = crate::history::achieved_by_activity(
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

/// The version in force and its sign-offs: `current_version` once a version is agreed
/// (every named signatory signed it), never a draft.
async fn signed_version(
    db: &impl ConnectionTrait,
    pr: &promise::Model,
) -> Result<Option<(i32, Vec<SignOff>)>, DbErr> {
    if Status::parse(&pr.status).unwrap_or(Status::Draft) == Status::Draft {
        return Ok(None);
    }
    Ok(Some((
        pr.current_version,
        sign_offs(db, pr.id, pr.current_version).await?,
    )))
}

/// The theme links of one commitment in one version's snapshot, in the order it lists them.
async fn version_links(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
    c: &CommitmentText,
) -> Result<Vec<promise_version_theme::Model>, DbErr> {
    let Some(cid) = c.id else {
        return Ok(Vec::new());
    };
    let rows = promise_version_theme::Entity::find()
        .filter(promise_version_theme::Column::PromiseId.eq(promise_id))
        .filter(promise_version_theme::Column::Version.eq(version))
        .filter(promise_version_theme::Column::CommitmentId.eq(cid))
        .all(db)
        .await?;
    Ok(c.theme_ids
        .iter()
        .filter_map(|t| rows.iter().find(|r| r.theme_id == *t).cloned())
        .collect())
}

/// How many people raised a theme, as the approved compilation published it (n<5 applied),
/// for a commitment as `version` links it.
async fn theme_people(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
    c: &CommitmentText,
) -> Result<Vec<domain::promise::PublicTheme>, DbErr> {
    let links = version_links(db, promise_id, version, c).await?;
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
            .filter(activity::Column::SinceVersion.lte(version))
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
            let achieved = crate::history::achieved(&entries);
            let pct = rules::activity_percent(a.target, achieved);
            updates.extend(crate::history::updates(&a, &entries));
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
            themes: theme_people(db, pr.id, version, c).await?,
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
    let follow_up = follow_up(db, pr.id, version, &text, now).await?;
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
        revising: pr.revision.is_some(),
    }))
}

/// Before and after for a promise: the dialogue whose compilation its commitments answer,
/// and the newest dialogue marked as that one's follow-up.
async fn follow_up(
    db: &impl ConnectionTrait,
    promise_id: i64,
    version: i32,
    text: &PromiseText,
    now: DateTime<Utc>,
) -> Result<Option<domain::promise::BeforeAfter>, DbErr> {
    let mut compilations: Vec<i64> = Vec::new();
    for c in &text.commitments {
        for l in version_links(db, promise_id, version, c).await? {
            compilations.push(l.compilation_id);
        }
    }
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
            revision: pr.revision,
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
    let status = Status::parse(&pr.status).unwrap_or(Status::Draft);
    let work = working(&pr);
    let Some(text) = version_text(db, pr.id, work).await? else {
        return Ok(None);
    };
    let mut commitments = Vec::new();
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
                version: a.version,
            });
        }
        let cp = domain::progress::commitment_percent(&progress);
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
        status,
        version: work,
        period_from: pr.period_from,
        period_to: pr.period_to,
        signed: sign_offs(db, pr.id, work).await?,
        text,
        commitments,
        // As the staff list and the public page show it: the version in force.
        percent: percent(db, pr.id).await?,
        municipalities,
        in_force: (status != Status::Draft).then_some(pr.current_version),
        required: signatories(db, pr.id, work).await?,
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

/// The signatories of the version being signed that `p` may still sign as (empty once they
/// have signed it, or when nothing awaits signatures).
pub async fn signer_for(
    db: &impl ConnectionTrait,
    p: &Principal,
    promise_id: i64,
) -> Result<Vec<Signer>, DbErr> {
    let Some(pr) = promise::Entity::find_by_id(promise_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let status = Status::parse(&pr.status).unwrap_or(Status::Draft);
    if status == Status::Closed || (status != Status::Draft && pr.revision.is_none()) {
        return Ok(Vec::new());
    }
    let work = working(&pr);
    let by_me = promise_sign_off::Entity::find()
        .filter(promise_sign_off::Column::PromiseId.eq(pr.id))
        .filter(promise_sign_off::Column::Version.eq(work))
        .filter(promise_sign_off::Column::UserId.eq(p.user_id))
        .one(db)
        .await?;
    if by_me.is_some() {
        return Ok(Vec::new());
    }
    let signed = sign_offs(db, pr.id, work).await?;
    Ok(signatories(db, pr.id, work)
        .await?
        .into_iter()
        .filter(|s| s.may_sign(p.role, p.scope_unit_id, pr.lpo_id))
        .filter(|s| !signed.iter().any(|x| x.signer == *s))
        .collect())
}

/// Whether `p` is a municipal partner of a municipality the promise covers.
pub async fn partner_of(
    db: &impl ConnectionTrait,
    p: &Principal,
    promise_id: i64,
) -> Result<bool, DbErr> {
    Ok(p.role == Role::MunicipalPartner
        && municipalities_of(db, promise_id)
            .await?
            .iter()
            .any(|m| Some(*m) == p.scope_unit_id))
}

/// Whether `p` edits this LPO's promises.
pub fn may_edit(p: &Principal, lpo_id: i64) -> bool {
    edits(p, lpo_id)
}

/// Whether `p` may log (and so correct) progress on `a`: the LPO's editors, and a municipal
/// partner on what their unit owns.
pub(crate) fn may_log(p: &Principal, lpo_id: i64, a: &activity::Model) -> bool {
    let owns = p.role == Role::MunicipalPartner
        && a.owner_kind == "municipal_unit"
        && p.municipal_unit_id == Some(a.owner_id);
    edits(p, lpo_id) || owns
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
    if partner && partner_of(db, p, promise_id).await? {
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
        audit_entry(
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
        commitment_id: i64,
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
            "SELECT p.id AS promise_id, p.lpo_id, p.current_version AS version, \
                    a.commitment_id, a.title, a.unit, \
                    a.target, a.due_on, COALESCE(SUM(e.amount), 0.0) AS achieved \
             FROM activity a JOIN commitment c ON c.id = a.commitment_id \
             JOIN promise p ON p.id = c.promise_id \
             LEFT JOIN progress_entry e ON e.activity_id = a.id \
                 AND NOT EXISTS (SELECT 1 FROM progress_entry x WHERE x.corrects = e.id) \
             WHERE a.due_on < {p1} AND p.status IN ('agreed', 'active') \
               AND a.since_version <= p.current_version \
               AND a.status NOT IN ('done', 'cancelled') \
             GROUP BY p.id, p.lpo_id, p.current_version, a.commitment_id, a.id, a.title, a.unit, \
                      a.target, a.due_on \
             HAVING COALESCE(SUM(e.amount), 0.0) < a.target \
             ORDER BY a.due_on, a.id"
        ),
        [today(now).into()],
    ))
    .all(db)
    .await?;
    // The version in force of each promise: its title, and the commitments it still has.
    let mut texts: HashMap<i64, Option<PromiseText>> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        if lpos.is_some_and(|l| !l.contains(&r.lpo_id)) {
            continue;
        }
        let text = match texts.get(&r.promise_id) {
            Some(t) => t.clone(),
            None => {
                let t = version_text(db, r.promise_id, r.version).await?;
                texts.insert(r.promise_id, t.clone());
                t
            }
        };
        let Some(text) = text else { continue };
        if !text
            .commitments
            .iter()
            .any(|c| c.id == Some(r.commitment_id))
        {
            continue;
        }
        let title = text.title;
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
