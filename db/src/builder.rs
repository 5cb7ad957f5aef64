//! The dialogue builder: staff create a dialogue in their LPO, pick target groups and
//! municipalities, add questions from the shared bank or their own, and distribute links.
//!
//! Once a dialogue has opened its questionnaire is **frozen**: questions and options can no
//! longer be added, removed, reordered or re-kinded ([`BuilderError::Frozen`]); only wording
//! fixes are allowed, which keep every id, bump the question's revision and keep the previous
//! wording in `question_revision`. Every change is audited in the transaction that makes it.

use crate::audit;
use crate::entity::{
    bank_item, coded_answer, compilation, dialogue, dialogue_group, dialogue_municipality,
    org_unit, published_snapshot, quarantine, question, question_meta, question_revision, response,
    submission, target_group,
};
use crate::register::visible_lpos;
use crate::survey::{kind_json, parse_text, text_json};
use chrono::{DateTime, Duration, Utc};
use domain::builder::{
    BuilderGroup, BuilderQuestion, DialogueDetail, DialogueInput, DialogueSummary, FormErrors,
    KioskLine, MAX_LABEL_LEN, MAX_LONG_TEXT_LEN, QuestionInput, answer_codes, kind_code, parse_day,
    parse_question, same_structure, stockholm_start_of, valid_invite_code,
};
use domain::dialogue::DialogueQuery;
use domain::{Condition, LocalizedText, Named, Principal, QuestionKind, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, thiserror::Error)]
pub enum BuilderError {
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Field → catalogue key.
    #[error("invalid input")]
    Invalid(FormErrors),
    /// The dialogue has opened: its questionnaire is frozen.
    #[error("the questionnaire is frozen")]
    Frozen,
    /// Someone saved the record since the form was opened; nothing was written.
    #[error("changed by someone else")]
    Conflict,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub(crate) fn invalid(field: &str, key: &str) -> BuilderError {
    BuilderError::Invalid(vec![(field.to_owned(), key.to_owned())])
}

/// Whether `p` builds dialogues (in their LPO; admins anywhere).
pub fn may_build(p: &Principal) -> bool {
    p.may(domain::Permission::BuildDialogues)
}

/// Where the dialogue is in its life at `now` (`domain::dialogue::Phase`).
pub fn phase(d: &dialogue::Model, now: DateTime<Utc>) -> domain::dialogue::Phase {
    domain::dialogue::Phase::at(d.opens_at, d.closes_at, now)
}

/// Whether the dialogue has history: answers (or quarantined ones), a compilation, coded
/// answers, a published snapshot, or a later dialogue following it up. Such a dialogue is
/// archived, never deleted.
pub async fn has_history(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<bool, DbErr> {
    Ok(submission::Entity::find()
        .filter(submission::Column::DialogueId.eq(dialogue_id))
        .count(db)
        .await?
        + response::Entity::find()
            .filter(response::Column::DialogueId.eq(dialogue_id))
            .count(db)
            .await?
        + quarantine::Entity::find()
            .filter(quarantine::Column::DialogueId.eq(dialogue_id))
            .count(db)
            .await?
        + compilation::Entity::find()
            .filter(compilation::Column::DialogueId.eq(dialogue_id))
            .count(db)
            .await?
        + coded_answer::Entity::find()
            .filter(coded_answer::Column::DialogueId.eq(dialogue_id))
            .count(db)
            .await?
        + published_snapshot::Entity::find()
            .filter(published_snapshot::Column::DialogueId.eq(dialogue_id))
            .count(db)
            .await?
        + dialogue::Entity::find()
            .filter(dialogue::Column::FollowUpOf.eq(dialogue_id))
            .count(db)
            .await?
        > 0)
}

pub fn is_frozen(d: &dialogue::Model, now: DateTime<Utc>) -> bool {
    d.opens_at <= now
}

/// The dialogue if the principal may build it: unknown → `NotFound`, other LPO → `Forbidden`.
pub(crate) async fn in_scope(
    db: &impl ConnectionTrait,
    p: &Principal,
    dialogue_id: i64,
) -> Result<dialogue::Model, BuilderError> {
    if !may_build(p) {
        return Err(BuilderError::Forbidden);
    }
    let d = dialogue::Entity::find_by_id(dialogue_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if p.role != Role::Admin && p.scope_unit_id != Some(d.lpo_id) {
        return Err(BuilderError::Forbidden);
    }
    Ok(d)
}

/// Like [`in_scope`], and refused with `Frozen` once the dialogue has opened.
async fn editable(
    db: &impl ConnectionTrait,
    p: &Principal,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<dialogue::Model, BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    if is_frozen(&d, now) {
        return Err(BuilderError::Frozen);
    }
    Ok(d)
}

fn corrupt(e: serde_json::Error) -> DbErr {
    DbErr::Custom(format!("stored question kind is not valid JSON: {e}"))
}

fn parse_kind(s: &str) -> Result<QuestionKind, DbErr> {
    serde_json::from_str(s).map_err(corrupt)
}

fn parse_condition(s: &Option<String>) -> Result<Option<Condition>, DbErr> {
    match s {
        Some(c) => serde_json::from_str(c).map(Some).map_err(corrupt),
        None => Ok(None),
    }
}

/// One page of the dialogues the principal may build that `q` finds, newest period first,
/// and how many it finds in all. Archived ones only when asked for.
pub async fn list_dialogues(
    db: &impl ConnectionTrait,
    p: &Principal,
    q: &DialogueQuery,
    now: DateTime<Utc>,
) -> Result<(Vec<DialogueSummary>, u64), DbErr> {
    use domain::dialogue::Phase;
    if !may_build(p) {
        return Ok((Vec::new(), 0));
    }
    let mut find = dialogue::Entity::find();
    if let Some(lpos) = visible_lpos(db, p).await? {
        find = find.filter(dialogue::Column::LpoId.is_in(lpos));
    }
    find = if q.archived {
        find.filter(dialogue::Column::ArchivedAt.is_not_null())
    } else {
        find.filter(dialogue::Column::ArchivedAt.is_null())
    };
    find = match q.phase {
        Some(Phase::Upcoming) => find.filter(dialogue::Column::OpensAt.gt(now)),
        Some(Phase::Open) => find
            .filter(dialogue::Column::OpensAt.lte(now))
            .filter(dialogue::Column::ClosesAt.gt(now)),
        Some(Phase::Closed) => find.filter(dialogue::Column::ClosesAt.lte(now)),
        None => find,
    };
    if !q.text.is_empty() {
        // The title column is the JSON of both languages: either one matches.
        find = find.filter(audit::contains(dialogue::Column::Title, &q.text));
    }
    let pages = find
        .order_by_desc(dialogue::Column::OpensAt)
        .order_by_desc(dialogue::Column::Id)
        .paginate(db, domain::dialogue::DIALOGUES_PAGE);
    let total = pages.num_items().await?;
    let rows = pages.fetch_page(q.page.max(1) - 1).await?;
    let units: HashMap<i64, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("lpo"))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut out = Vec::new();
    for d in rows {
        let groups = dialogue_group::Entity::find()
            .filter(dialogue_group::Column::DialogueId.eq(d.id))
            .count(db)
            .await? as usize;
        let questions = question::Entity::find()
            .filter(question::Column::DialogueId.eq(d.id))
            .count(db)
            .await? as usize;
        out.push(DialogueSummary {
            id: d.id,
            title: parse_text(&d.title),
            lpo_name: units.get(&d.lpo_id).cloned().unwrap_or_default(),
            opens_at: d.opens_at,
            closes_at: d.closes_at,
            groups,
            questions,
            archived: d.archived_at.is_some(),
        });
    }
    Ok((out, total))
}

/// The target groups a dialogue can reach.
pub async fn target_groups(db: &impl ConnectionTrait) -> Result<Vec<Named>, DbErr> {
    Ok(target_group::Entity::find()
        .order_by_asc(target_group::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|g| Named {
            id: g.id,
            name: parse_text(&g.name),
        })
        .collect())
}

async fn questions_of(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<question::Model>, DbErr> {
    question::Entity::find()
        .filter(question::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(question::Column::Position)
        .order_by_asc(question::Column::Id)
        .all(db)
        .await
}

/// Everything the builder page shows of one dialogue. Out of scope reads as not found.
pub async fn load(
    db: &impl ConnectionTrait,
    p: &Principal,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<DialogueDetail, BuilderError> {
    let d = match in_scope(db, p, dialogue_id).await {
        Err(BuilderError::Forbidden) if may_build(p) => return Err(BuilderError::NotFound),
        other => other?,
    };
    let lpo_name = org_unit::Entity::find_by_id(d.lpo_id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let municipality_ids: Vec<i64> = dialogue_municipality::Entity::find()
        .filter(dialogue_municipality::Column::DialogueId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.municipality_id)
        .collect();
    let municipalities = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(municipality_ids))
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let names: HashMap<i64, LocalizedText> = target_groups(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let groups = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::DialogueId.eq(d.id))
        .order_by_asc(dialogue_group::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|g| BuilderGroup {
            id: g.id,
            name: names.get(&g.target_group_id).cloned().unwrap_or_default(),
            target_count: g.target_count,
            link_code: g.link_code,
            has_invite: g.invite_code.is_some_and(|c| !c.is_empty()),
        })
        .collect();
    let rows = questions_of(db, d.id).await?;
    let ids: Vec<i64> = rows.iter().map(|q| q.id).collect();
    let metas: HashMap<i64, question_meta::Model> = question_meta::Entity::find()
        .filter(question_meta::Column::QuestionId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.question_id, m))
        .collect();
    let mut history: HashMap<i64, Vec<(i32, LocalizedText)>> = HashMap::new();
    for r in question_revision::Entity::find()
        .filter(question_revision::Column::QuestionId.is_in(ids))
        .order_by_asc(question_revision::Column::Revision)
        .all(db)
        .await?
    {
        history
            .entry(r.question_id)
            .or_default()
            .push((r.revision, parse_text(&r.text)));
    }
    let mut questions = Vec::with_capacity(rows.len());
    for q in rows {
        let meta = metas.get(&q.id);
        questions.push(BuilderQuestion {
            id: q.id,
            position: q.position,
            required: q.required,
            text: parse_text(&q.text),
            kind: parse_kind(&q.kind)?,
            condition: parse_condition(&q.condition)?,
            bank_item_id: meta.and_then(|m| m.bank_item_id),
            revision: meta.map(|m| m.revision).unwrap_or(1),
            history: history.remove(&q.id).unwrap_or_default(),
        });
    }
    let kiosks = crate::kiosk::list(db, d.id)
        .await?
        .into_iter()
        .map(|k| KioskLine {
            id: k.id,
            display: k.purpose == crate::kiosk::Purpose::Display,
            label: k.label,
            created_at: k.created_at,
            revoked: k.revoked,
        })
        .collect();
    Ok(DialogueDetail {
        id: d.id,
        title: parse_text(&d.title),
        intro: parse_text(&d.intro),
        lpo_name,
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        frozen: is_frozen(&d, now),
        phase: phase(&d, now),
        archived: d.archived_at.is_some(),
        history: has_history(db, d.id).await?,
        version: d.version,
        municipalities,
        groups,
        questions,
        bank: crate::bank::list(db).await?,
        kiosks,
    })
}

const LINK_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
pub const LINK_CODE_LEN: usize = 7;

/// A short random link code (unambiguous letters and digits).
pub fn random_link_code() -> String {
    let bytes = uuid::Uuid::new_v4();
    bytes
        .as_bytes()
        .iter()
        .take(LINK_CODE_LEN)
        .map(|b| char::from(LINK_ALPHABET[usize::from(*b) % LINK_ALPHABET.len()]))
        .collect()
}

/// A link code no group uses yet.
async fn unused_link_code(
    db: &impl ConnectionTrait,
    taken: &BTreeSet<String>,
) -> Result<String, DbErr> {
    for _ in 0..20 {
        let code = random_link_code();
        if taken.contains(&code) {
            continue;
        }
        if dialogue_group::Entity::find()
            .filter(dialogue_group::Column::LinkCode.eq(&code))
            .one(db)
            .await?
            .is_none()
        {
            return Ok(code);
        }
    }
    Err(DbErr::Custom("no free link code".to_owned()))
}

pub(crate) fn check_text(errors: &mut FormErrors, field: &str, value: &str, max: usize) {
    let v = value.trim();
    if v.is_empty() {
        errors.push((field.to_owned(), "form.required".to_owned()));
    } else if v.chars().count() > max {
        errors.push((field.to_owned(), "form.too_long".to_owned()));
    }
}

/// Creates a dialogue with its municipalities, target groups (each with a fresh link code)
/// and the bank questions picked, in one transaction. Returns its id.
pub async fn create_dialogue(
    db: &DatabaseConnection,
    p: &Principal,
    input: &DialogueInput,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    if !may_build(p) {
        return Err(BuilderError::Forbidden);
    }
    let mut errors: FormErrors = Vec::new();
    check_text(&mut errors, "title_sv", &input.title_sv, MAX_LABEL_LEN);
    check_text(&mut errors, "title_en", &input.title_en, MAX_LABEL_LEN);
    check_text(&mut errors, "intro_sv", &input.intro_sv, MAX_LONG_TEXT_LEN);
    check_text(&mut errors, "intro_en", &input.intro_en, MAX_LONG_TEXT_LEN);

    let opens = parse_day(&input.opens_on).and_then(stockholm_start_of);
    let closes = parse_day(&input.closes_on)
        .and_then(|d| d.succ_opt())
        .and_then(stockholm_start_of);
    if opens.is_none() {
        errors.push(("opens_on".to_owned(), "form.bad_date".to_owned()));
    }
    match (opens, closes) {
        (_, None) => errors.push(("closes_on".to_owned(), "form.bad_date".to_owned())),
        (Some(o), Some(c)) if c <= o => errors.push((
            "closes_on".to_owned(),
            "builder.closes_before_opens".to_owned(),
        )),
        (_, Some(c)) if c <= now => {
            errors.push(("closes_on".to_owned(), "builder.closes_in_past".to_owned()))
        }
        _ => {}
    }

    // Municipalities: at least one, all in one LPO, the principal's own unless admin.
    let mut lpo: Option<i64> = None;
    let mut municipalities = BTreeSet::new();
    let mut bad_municipality = input.municipalities.is_empty();
    for raw in &input.municipalities {
        let unit = match raw.trim().parse::<i64>() {
            Ok(id) => org_unit::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|u| u.kind == "municipality"),
            Err(_) => None,
        };
        let parent = unit.as_ref().and_then(|u| u.parent_id);
        match (unit, parent) {
            (Some(u), Some(l))
                if lpo.is_none_or(|x| x == l)
                    && (p.role == Role::Admin || p.scope_unit_id == Some(l)) =>
            {
                lpo = Some(l);
                municipalities.insert(u.id);
            }
            _ => bad_municipality = true,
        }
    }
    if bad_municipality {
        errors.push((
            "municipalities".to_owned(),
            "builder.bad_municipalities".to_owned(),
        ));
    }

    // Target groups: at least one, each once, a target of 1..=1,000,000, an optional code.
    let known: BTreeSet<i64> = target_groups(db).await?.into_iter().map(|g| g.id).collect();
    let mut groups: Vec<(i64, i32, Option<String>)> = Vec::new();
    if input.groups.is_empty() {
        errors.push(("groups".to_owned(), "builder.pick_group".to_owned()));
    }
    for g in &input.groups {
        let Some(id) = g
            .target_group_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| known.contains(id) && !groups.iter().any(|x| x.0 == *id))
        else {
            errors.push(("groups".to_owned(), "builder.pick_group".to_owned()));
            continue;
        };
        let target = match g.target.trim().parse::<i32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                errors.push((format!("target_{id}"), "builder.bad_target".to_owned()));
                continue;
            }
        };
        let invite = g.invite_code.trim();
        let invite = if invite.is_empty() {
            None
        } else if valid_invite_code(invite) {
            Some(invite.to_owned())
        } else {
            errors.push((format!("invite_{id}"), "builder.bad_invite".to_owned()));
            continue;
        };
        groups.push((id, target, invite));
    }

    // Bank items picked at creation.
    let mut bank = Vec::new();
    for raw in &input.bank_items {
        match raw.trim().parse::<i64>() {
            Ok(id) => match crate::bank::offered(db, id).await? {
                Some(item) if !bank.iter().any(|b: &bank_item::Model| b.id == id) => {
                    bank.push(item)
                }
                Some(_) => {}
                None => errors.push(("bank_items".to_owned(), "form.pick_one".to_owned())),
            },
            Err(_) => errors.push(("bank_items".to_owned(), "form.pick_one".to_owned())),
        }
    }

    // The earlier dialogue this one follows up: of the same LPO, opened before this one.
    let follow_up_of = match input.follow_up_of.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => match dialogue::Entity::find_by_id(id).one(db).await? {
                Some(earlier)
                    if lpo == Some(earlier.lpo_id)
                        && opens.is_none_or(|o| earlier.opens_at < o) =>
                {
                    Some(earlier.id)
                }
                _ => {
                    errors.push((
                        "follow_up_of".to_owned(),
                        "builder.bad_follow_up".to_owned(),
                    ));
                    None
                }
            },
            Err(_) => {
                errors.push((
                    "follow_up_of".to_owned(),
                    "builder.bad_follow_up".to_owned(),
                ));
                None
            }
        },
    };

    let (Some(opens), Some(closes), Some(lpo), true) = (opens, closes, lpo, errors.is_empty())
    else {
        return Err(BuilderError::Invalid(errors));
    };

    let txn = db.begin().await?;
    let id = dialogue::Entity::insert(dialogue::ActiveModel {
        lpo_id: Set(lpo),
        title: Set(text_json(&LocalizedText::new(
            input.title_sv.trim(),
            input.title_en.trim(),
        ))),
        intro: Set(text_json(&LocalizedText::new(
            input.intro_sv.trim(),
            input.intro_en.trim(),
        ))),
        opens_at: Set(opens),
        closes_at: Set(closes),
        created_at: Set(now),
        dedup_salt: Set(uuid::Uuid::new_v4().simple().to_string()),
        follow_up_of: Set(follow_up_of),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    for m in &municipalities {
        dialogue_municipality::Entity::insert(dialogue_municipality::ActiveModel {
            dialogue_id: Set(id),
            municipality_id: Set(*m),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let mut taken = BTreeSet::new();
    for (group, target, invite) in &groups {
        let code = unused_link_code(&txn, &taken).await?;
        taken.insert(code.clone());
        dialogue_group::Entity::insert(dialogue_group::ActiveModel {
            dialogue_id: Set(id),
            target_group_id: Set(*group),
            target_count: Set(*target),
            link_code: Set(code),
            invite_code: Set(invite.clone()),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
    }
    for (i, item) in bank.iter().enumerate() {
        insert_question(
            &txn,
            id,
            i as i32 + 1,
            false,
            &item.text,
            &item.kind,
            None,
            Some(item.id),
        )
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(p.user_id),
            scope_unit_id: Some(lpo),
            action: "create",
            entity: "dialogue",
            entity_id: id.to_string(),
            detail: format!(
                "groups={} municipalities={} bank_questions={}",
                groups.len(),
                municipalities.len(),
                bank.len()
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_question(
    txn: &impl ConnectionTrait,
    dialogue_id: i64,
    position: i32,
    required: bool,
    text_json_value: &str,
    kind_json_value: &str,
    condition: Option<&Condition>,
    bank_item_id: Option<i64>,
) -> Result<i64, DbErr> {
    let id = question::Entity::insert(question::ActiveModel {
        dialogue_id: Set(dialogue_id),
        position: Set(position),
        required: Set(required),
        text: Set(text_json_value.to_owned()),
        kind: Set(kind_json_value.to_owned()),
        condition: Set(condition.map(|c| serde_json::to_string(c).unwrap_or_default())),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;
    question_meta::Entity::insert(question_meta::ActiveModel {
        question_id: Set(id),
        bank_item_id: Set(bank_item_id),
        revision: Set(1),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(id)
}

pub(crate) fn audit_entry(
    p: &Principal,
    d: &dialogue::Model,
    now: DateTime<Utc>,
    action: &'static str,
    entity: &'static str,
    entity_id: i64,
    detail: String,
) -> audit::Entry<'static> {
    audit::Entry {
        at: now,
        user_id: Some(p.user_id),
        scope_unit_id: Some(d.lpo_id),
        action,
        entity,
        entity_id: entity_id.to_string(),
        detail,
    }
}

/// Copies bank items into a dialogue (at the end), keeping a reference to each item.
pub async fn add_bank_questions(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    item_ids: &[String],
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = editable(db, p, dialogue_id, now).await?;
    let mut items: Vec<bank_item::Model> = Vec::new();
    for raw in item_ids {
        let item = match raw.trim().parse::<i64>() {
            Ok(id) => crate::bank::offered(db, id).await?,
            Err(_) => None,
        };
        match item {
            Some(i) if !items.iter().any(|x| x.id == i.id) => items.push(i),
            Some(_) => {}
            None => return Err(invalid("bank_items", "form.pick_one")),
        }
    }
    if items.is_empty() {
        return Err(invalid("bank_items", "form.pick_one"));
    }
    let txn = db.begin().await?;
    let mut position = next_position(&txn, d.id).await?;
    for item in &items {
        let qid = insert_question(
            &txn,
            d.id,
            position,
            false,
            &item.text,
            &item.kind,
            None,
            Some(item.id),
        )
        .await?;
        position += 1;
        audit::record(
            &txn,
            audit_entry(
                p,
                &d,
                now,
                "add_from_bank",
                "question",
                qid,
                format!("dialogue={} bank_item={}", d.id, item.code),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn next_position(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<i32, DbErr> {
    Ok(questions_of(db, dialogue_id)
        .await?
        .iter()
        .map(|q| q.position)
        .max()
        .unwrap_or(0)
        + 1)
}

/// Checks a condition against the questions before this one.
fn check_condition(
    input: &QuestionInput,
    earlier: &[question::Model],
) -> Result<Option<Condition>, BuilderError> {
    let raw = input.condition_question.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let Some(target) = raw
        .parse::<i64>()
        .ok()
        .and_then(|id| earlier.iter().find(|q| q.id == id))
    else {
        return Err(invalid(
            "condition_question",
            "builder.bad_condition_question",
        ));
    };
    let kind = parse_kind(&target.kind)?;
    let codes = input.condition_code_list();
    let ok = !codes.is_empty()
        && match answer_codes(&kind) {
            Some(valid) => !valid.is_empty() && codes.iter().all(|c| valid.contains(c)),
            None => codes.iter().all(|c| c.len() <= 80),
        };
    if !ok {
        return Err(invalid("condition_codes", "builder.bad_condition_codes"));
    }
    Ok(Some(Condition {
        question_id: target.id,
        any_of: codes,
    }))
}

/// Adds an own question at the end of a dialogue.
pub async fn add_question(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> Result<i64, BuilderError> {
    let d = editable(db, p, dialogue_id, now).await?;
    let (text, kind) = parse_question(input, &[]).map_err(BuilderError::Invalid)?;
    let existing = questions_of(db, d.id).await?;
    let condition = check_condition(input, &existing)?;
    let txn = db.begin().await?;
    let position = next_position(&txn, d.id).await?;
    let qid = insert_question(
        &txn,
        d.id,
        position,
        input.required,
        &text_json(&text),
        &kind_json(&kind),
        condition.as_ref(),
        None,
    )
    .await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "create",
            "question",
            qid,
            format!("dialogue={} kind={}", d.id, kind_code(&kind)),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(qid)
}

fn options_of(kind: &QuestionKind) -> Vec<domain::Choice> {
    match kind {
        QuestionKind::Single { options } | QuestionKind::Multi { options } => options.clone(),
        _ => Vec::new(),
    }
}

/// Edits a question. Before the dialogue opens anything may change; after, only wording
/// (texts of the question, its options and scale ends): that keeps the ids and codes, bumps
/// the revision and stores the previous wording.
pub async fn update_question(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    question_id: i64,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let all = questions_of(db, d.id).await?;
    let Some(old) = all.iter().find(|q| q.id == question_id).cloned() else {
        return Err(BuilderError::NotFound);
    };
    let old_kind = parse_kind(&old.kind)?;
    let old_condition = parse_condition(&old.condition)?;
    let (text, kind) =
        parse_question(input, &options_of(&old_kind)).map_err(BuilderError::Invalid)?;
    let frozen = is_frozen(&d, now);
    let txn = db.begin().await?;
    if frozen {
        let same_condition = match &old_condition {
            None => input.condition_question.trim().is_empty(),
            Some(c) => {
                input.condition_question.trim() == c.question_id.to_string()
                    && input.condition_code_list() == c.any_of
            }
        };
        if !same_structure(&old_kind, &kind) || input.required != old.required || !same_condition {
            return Err(BuilderError::Frozen);
        }
        let new_text = text_json(&text);
        let new_kind = kind_json(&kind);
        if new_text == old.text && new_kind == old.kind {
            return Ok(());
        }
        let meta = question_meta::Entity::find_by_id(old.id).one(&txn).await?;
        let revision = meta.as_ref().map(|m| m.revision).unwrap_or(1);
        question_revision::Entity::insert(question_revision::ActiveModel {
            question_id: Set(old.id),
            revision: Set(revision),
            text: Set(old.text.clone()),
            kind: Set(old.kind.clone()),
            changed_at: Set(now),
            changed_by: Set(Some(p.user_id)),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
        match meta {
            Some(m) => {
                let mut am: question_meta::ActiveModel = m.into();
                am.revision = Set(revision + 1);
                am.update(&txn).await?;
            }
            None => {
                question_meta::Entity::insert(question_meta::ActiveModel {
                    question_id: Set(old.id),
                    bank_item_id: Set(None),
                    revision: Set(revision + 1),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
        let mut am: question::ActiveModel = old.clone().into();
        am.text = Set(new_text);
        am.kind = Set(new_kind);
        am.update(&txn).await?;
        audit::record(
            &txn,
            audit_entry(
                p,
                &d,
                now,
                "reword",
                "question",
                old.id,
                format!("dialogue={} revision={}", d.id, revision + 1),
            ),
        )
        .await?;
    } else {
        let earlier: Vec<question::Model> = all
            .iter()
            .filter(|q| q.position < old.position && q.id != old.id)
            .cloned()
            .collect();
        let condition = check_condition(input, &earlier)?;
        // Later questions that depend on this one must still name valid answers.
        if let Some(valid) = answer_codes(&kind) {
            for q in &all {
                if let Some(c) = parse_condition(&q.condition)?
                    && c.question_id == old.id
                    && (valid.is_empty() || !c.any_of.iter().all(|code| valid.contains(code)))
                {
                    return Err(invalid("kind", "builder.condition_depends"));
                }
            }
        }
        let mut am: question::ActiveModel = old.clone().into();
        am.text = Set(text_json(&text));
        am.kind = Set(kind_json(&kind));
        am.required = Set(input.required);
        am.condition = Set(condition
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_default()));
        am.update(&txn).await?;
        audit::record(
            &txn,
            audit_entry(
                p,
                &d,
                now,
                "update",
                "question",
                old.id,
                format!("dialogue={} kind={}", d.id, kind_code(&kind)),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Moves a question one step up or down (before the dialogue opens). A question never moves
/// above the question its condition depends on.
pub async fn move_question(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    question_id: i64,
    up: bool,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = editable(db, p, dialogue_id, now).await?;
    let all = questions_of(db, d.id).await?;
    let Some(i) = all.iter().position(|q| q.id == question_id) else {
        return Err(BuilderError::NotFound);
    };
    let j = if up {
        i.checked_sub(1)
    } else {
        Some(i + 1).filter(|j| *j < all.len())
    };
    let Some(j) = j else {
        return Ok(()); // already first or last
    };
    let (first, second) = if up {
        (&all[j], &all[i])
    } else {
        (&all[i], &all[j])
    };
    if parse_condition(&second.condition)?.is_some_and(|c| c.question_id == first.id) {
        return Err(invalid("position", "builder.condition_order"));
    }
    let mut order: Vec<i64> = all.iter().map(|q| q.id).collect();
    order.swap(i, j);
    let txn = db.begin().await?;
    for (pos, q) in all.iter().enumerate() {
        let new_pos = order.iter().position(|id| *id == q.id).unwrap_or(pos) as i32 + 1;
        if new_pos != q.position {
            let mut am: question::ActiveModel = q.clone().into();
            am.position = Set(new_pos);
            am.update(&txn).await?;
        }
    }
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "move",
            "question",
            question_id,
            format!("dialogue={} {}", d.id, if up { "up" } else { "down" }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a question (before the dialogue opens) unless a later question depends on it.
pub async fn remove_question(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    question_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = editable(db, p, dialogue_id, now).await?;
    let all = questions_of(db, d.id).await?;
    if !all.iter().any(|q| q.id == question_id) {
        return Err(BuilderError::NotFound);
    }
    for q in &all {
        if parse_condition(&q.condition)?.is_some_and(|c| c.question_id == question_id) {
            return Err(invalid("remove", "builder.condition_depends"));
        }
    }
    let txn = db.begin().await?;
    question::Entity::delete_by_id(question_id)
        .exec(&txn)
        .await?;
    question_meta::Entity::delete_by_id(question_id)
        .exec(&txn)
        .await?;
    question_revision::Entity::delete_many()
        .filter(question_revision::Column::QuestionId.eq(question_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "delete",
            "question",
            question_id,
            format!("dialogue={}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Issues a kiosk token for a tablet at a meeting; returns it (shown once).
/// Issues a kiosk token or a wall-screen display link; returns the token (shown once).
pub async fn issue_kiosk(
    db: &DatabaseConnection,
    p: &Principal,
    purpose: crate::kiosk::Purpose,
    dialogue_id: i64,
    label: &str,
    now: DateTime<Utc>,
) -> Result<String, BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let label = label.trim();
    if label.is_empty() {
        return Err(invalid("label", "form.required"));
    }
    if label.chars().count() > 200 {
        return Err(invalid("label", "form.too_long"));
    }
    // A kiosk takes answers, so only while the dialogue is open; a wall screen may show
    // the final state after close.
    if purpose == crate::kiosk::Purpose::Kiosk && d.closes_at <= now {
        return Err(invalid("label", "builder.closed"));
    }
    let txn = db.begin().await?;
    let (id, token) = crate::kiosk::issue(&txn, purpose, d.id, label, Some(p.user_id), now).await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "issue",
            purpose.code(),
            id,
            format!("dialogue={} label={label}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(token)
}

pub async fn revoke_kiosk(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    kiosk_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let txn = db.begin().await?;
    if !crate::kiosk::revoke(&txn, d.id, kiosk_id, now).await? {
        return Err(BuilderError::NotFound);
    }
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "revoke",
            "kiosk",
            kiosk_id,
            format!("dialogue={}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Municipalities a principal may pick for a new dialogue (those of its LPO; all for admins).
pub async fn municipality_choices(
    db: &impl ConnectionTrait,
    p: &Principal,
) -> Result<Vec<Named>, DbErr> {
    if !may_build(p) {
        return Ok(Vec::new());
    }
    let lpos = visible_lpos(db, p).await?;
    let all = org_unit::Entity::find().all(db).await?;
    let lpo_names: HashMap<i64, String> = all
        .iter()
        .filter(|u| u.kind == "lpo")
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let mut out: Vec<Named> = all
        .iter()
        .filter(|m| m.kind == "municipality" && m.retired_at.is_none())
        .filter(|m| {
            lpos.as_ref()
                .is_none_or(|l| m.parent_id.is_some_and(|x| l.contains(&x)))
        })
        .map(|m| {
            let label = match m.parent_id.and_then(|l| lpo_names.get(&l)) {
                Some(l) if p.role == Role::Admin => format!("{} ({l})", m.name),
                _ => m.name.clone(),
            };
            Named {
                id: m.id,
                name: LocalizedText::new(&label, &label),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.name
            .get(domain::Lang::Sv)
            .cmp(b.name.get(domain::Lang::Sv))
    });
    Ok(out)
}

/// The default period offered by the create form: opens in a week, closes six weeks later.
pub fn default_period(now: DateTime<Utc>) -> (String, String) {
    let opens = domain::time::stockholm_day(now + Duration::days(7));
    let closes = domain::time::stockholm_day(now + Duration::days(49));
    (
        opens.format("%Y-%m-%d").to_string(),
        closes.format("%Y-%m-%d").to_string(),
    )
}
