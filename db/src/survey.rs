//! The respondent write path: load a survey by its public link, validate, store atomically.

use crate::entity::{
    answer, browser_seen, dialogue, dialogue_group, dialogue_municipality, org_unit, question,
    response, submission, tally, tally_hour, target_group,
};
use chrono::{DateTime, Utc};
use domain::{
    AnswerValue, Channel, Choice, Invalid, LocalizedText, Openness, Question, QuestionKind,
    Questionnaire, Survey,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter, QueryOrder,
    QueryTrait, Statement, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("no survey at that link")]
    NotFound,
    #[error("the dialogue is not open ({0:?})")]
    NotOpen(Openness),
    #[error("malformed submission id")]
    BadSubmissionId,
    #[error("invalid answers")]
    Invalid(Invalid),
    #[error("wrong or missing invitation code")]
    BadInvite,
    #[error("unknown or revoked kiosk")]
    BadKiosk,
    #[error("this browser has already answered this dialogue")]
    AlreadyAnswered,
    #[error("the writer has stopped")]
    WriterGone,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What the caller may tell the respondent. Both mean "your answer is stored".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receipt {
    Stored,
    /// The same submission id was stored before: a retry, acknowledged as the original.
    AlreadyStored,
}

/// Who is answering, which decides the channel and the checks.
#[derive(Clone, Copy, Debug)]
pub enum Gate<'a> {
    /// A resident's own browser. `browser` is the random token of its cookie (`None`: no
    /// cookie, so no one-per-browser check is possible). `invite` is the typed invitation
    /// code. `via_qr` tags answers that came through a QR code.
    Public {
        browser: Option<&'a str>,
        invite: Option<&'a str>,
        via_qr: bool,
    },
    /// A tablet at a meeting, with a kiosk token issued by staff: no one-per-browser rule.
    Kiosk { token: &'a str },
    /// Staff typing in a paper answer (the caller has checked the role and scope).
    Paper,
}

pub struct SubmitRequest<'a> {
    pub link_code: &'a str,
    pub submission_id: &'a str,
    pub gate: Gate<'a>,
    pub fields: &'a [(String, String)],
    pub now: DateTime<Utc>,
}

/// A survey with what only the server may know about it.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub survey: Survey,
    invite_code: Option<String>,
    dedup_salt: String,
}

/// A submission checked and ready to store.
#[derive(Debug)]
pub struct Prepared {
    survey: Arc<Loaded>,
    submission_id: String,
    channel: Channel,
    browser_hash: Option<String>,
    answers: Vec<(i64, AnswerValue)>,
    now: DateTime<Utc>,
}

/// The one-per-browser hash: the cookie token, salted per dialogue, so a stored hash means
/// nothing outside its dialogue and cannot be joined to anything else.
pub fn browser_hash(salt: &str, dialogue_id: i64, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(dialogue_id.to_string().as_bytes());
    h.update(b":");
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

fn same_code(a: &str, b: &str) -> bool {
    // Length-independent compare of the hashes, so timing says nothing about the code.
    Sha256::digest(a.trim().as_bytes()) == Sha256::digest(b.as_bytes())
}

/// Everything that can be checked before the write: link, period, gate, answers.
pub async fn prepare(
    db: &impl ConnectionTrait,
    loaded: Arc<Loaded>,
    req: &SubmitRequest<'_>,
) -> Result<Prepared, SubmitError> {
    if !domain::is_valid_submission_id(req.submission_id) {
        return Err(SubmitError::BadSubmissionId);
    }
    let survey = &loaded.survey;
    match survey.openness(req.now) {
        Openness::Open => {}
        other => return Err(SubmitError::NotOpen(other)),
    }
    let (channel, browser_hash) = match req.gate {
        Gate::Public {
            browser,
            invite,
            via_qr,
        } => {
            if let Some(code) = &loaded.invite_code
                && !invite.is_some_and(|typed| same_code(typed, code))
            {
                return Err(SubmitError::BadInvite);
            }
            let channel = if via_qr { Channel::Qr } else { Channel::Web };
            let hash = browser
                .filter(|t| !t.is_empty())
                .map(|t| browser_hash(&loaded.dedup_salt, survey.dialogue_id, t));
            (channel, hash)
        }
        Gate::Kiosk { token } => {
            if !crate::kiosk::is_valid(db, survey.dialogue_id, token).await? {
                return Err(SubmitError::BadKiosk);
            }
            (Channel::Meeting, None)
        }
        Gate::Paper => (Channel::Paper, None),
    };
    let answers =
        domain::validate(&survey.questionnaire, req.fields).map_err(SubmitError::Invalid)?;
    Ok(Prepared {
        survey: loaded.clone(),
        submission_id: req.submission_id.to_owned(),
        channel,
        browser_hash,
        answers,
        now: req.now,
    })
}

pub(crate) fn text_json(t: &LocalizedText) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| "{}".to_owned())
}

pub(crate) fn parse_text(s: &str) -> LocalizedText {
    serde_json::from_str(s).unwrap_or_default()
}

fn corrupt(what: &str, e: serde_json::Error) -> DbErr {
    DbErr::Custom(format!("stored {what} is not valid JSON: {e}"))
}

/// Loads the survey behind a public link, or `None` for an unknown link.
pub async fn load_by_link(
    db: &impl ConnectionTrait,
    link_code: &str,
) -> Result<Option<Survey>, DbErr> {
    Ok(load(db, link_code).await?.map(|l| l.survey))
}

/// [`load_by_link`] with the server-only parts (invitation code, dedup salt).
pub async fn load(db: &impl ConnectionTrait, link_code: &str) -> Result<Option<Loaded>, DbErr> {
    let Some(group) = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::LinkCode.eq(link_code))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(d) = dialogue::Entity::find_by_id(group.dialogue_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let tg = target_group::Entity::find_by_id(group.target_group_id)
        .one(db)
        .await?;
    let lpo = org_unit::Entity::find_by_id(d.lpo_id).one(db).await?;
    let questionnaire = load_questionnaire(db, d.id).await?;
    let survey = Survey {
        dialogue_id: d.id,
        lpo_id: d.lpo_id,
        dialogue_group_id: group.id,
        link_code: group.link_code,
        group_code: tg.as_ref().map(|t| t.code.clone()).unwrap_or_default(),
        group_name: tg.map(|t| parse_text(&t.name)).unwrap_or_default(),
        lpo_name: lpo.map(|l| l.name).unwrap_or_default(),
        title: parse_text(&d.title),
        intro: parse_text(&d.intro),
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        invite_required: group.invite_code.as_deref().is_some_and(|c| !c.is_empty()),
        questionnaire,
    };
    Ok(Some(Loaded {
        survey,
        invite_code: group.invite_code.filter(|c| !c.is_empty()),
        dedup_salt: d.dedup_salt,
    }))
}

pub async fn load_questionnaire(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Questionnaire, DbErr> {
    let rows = question::Entity::find()
        .filter(question::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(question::Column::Position)
        .order_by_asc(question::Column::Id)
        .all(db)
        .await?;
    let mut questions = Vec::with_capacity(rows.len());
    for r in rows {
        questions.push(Question {
            id: r.id,
            required: r.required,
            text: parse_text(&r.text),
            kind: serde_json::from_str(&r.kind).map_err(|e| corrupt("question kind", e))?,
            condition: match r.condition {
                Some(c) => Some(serde_json::from_str(&c).map_err(|e| corrupt("condition", e))?),
                None => None,
            },
        });
    }
    let municipalities: Vec<i64> = dialogue_municipality::Entity::find()
        .filter(dialogue_municipality::Column::DialogueId.eq(dialogue_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.municipality_id)
        .collect();
    let areas = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("area"))
        .filter(org_unit::Column::RetiredAt.is_null())
        .filter(org_unit::Column::ParentId.is_in(municipalities))
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Choice {
            code: a.code,
            label: LocalizedText::new(&a.name, &a.name),
        })
        .collect();
    Ok(Questionnaire { questions, areas })
}

/// Validates and stores one submission on its own (tests, tools). The server goes through
/// a [`Writer`], which groups concurrent submissions into shared commits.
pub async fn submit(
    db: &DatabaseConnection,
    req: SubmitRequest<'_>,
) -> Result<Receipt, SubmitError> {
    let loaded = load(db, req.link_code)
        .await?
        .ok_or(SubmitError::NotFound)?;
    let prepared = prepare(db, Arc::new(loaded), &req).await?;
    let mut results = commit_batch(db, std::slice::from_ref(&prepared)).await?;
    let result = results.pop().unwrap_or(Err(SubmitError::WriterGone));
    if matches!(result, Ok(Receipt::Stored)) {
        unlink_claims(db, prepared.survey.survey.dialogue_id).await?;
    }
    result
}

/// Rewrites a dialogue's anti-duplicate records (`browser_seen`, `submission`) in key order,
/// in a transaction of their own, so that nothing stored beside them sorts or groups them
/// with the answers they were written with.
///
/// On PostgreSQL a row's place in the heap (its `ctid`, and so the order of a plain scan or
/// of `pg_dump`) follows insertion, and its `xmin` names the transaction that wrote it: the
/// answer's own. Rewritten here, every record of the dialogue carries this transaction's
/// `xmin` and sits in key order. The old row versions are dead: gone from every query, dump
/// and logical backup; only a reader of the raw data files could find them until vacuum
/// reuses their space. Costs one pass over the dialogue's records (see [`Writer::start`]).
///
/// On SQLite nothing to do: both tables are `WITHOUT ROWID` (migration 13), so each is its
/// primary-key B-tree, ordered by the (random) hash or submission id alone.
pub async fn unlink_claims(db: &DatabaseConnection, dialogue_id: i64) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let txn = db.begin().await?;
    for (table, key) in [("browser_seen", "hash"), ("submission", "token")] {
        // One statement: the ORDER BY makes the delete finish before the first insert.
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "WITH gone AS (DELETE FROM {table} WHERE dialogue_id = $1 \
                 RETURNING dialogue_id, {key}) \
                 INSERT INTO {table} (dialogue_id, {key}) \
                 SELECT dialogue_id, {key} FROM gone ORDER BY {key}"
            ),
            [dialogue_id.into()],
        ))
        .await?;
    }
    txn.commit().await
}

/// What became of one submission in a shared commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Stored now (counted, unless inside an active quarantine window).
    Stored,
    /// Its submission id was already stored: a retry, acknowledged again.
    Retry,
    /// Its browser has already answered this dialogue.
    Duplicate,
    /// A second copy of the submission at this index in the same batch.
    CopyOf(usize),
}

/// `(dialogue, question, group, channel, area, value)`; question 0 counts responses.
type TallyKey = (i64, i64, i64, &'static str, String, String);
/// `(dialogue, hour, group, channel)`: one response in the time series.
type HourKey = (i64, DateTime<Utc>, i64, &'static str);

/// Rows a single statement carries at most: a bind-parameter limit applies per statement.
const ROWS_PER_STATEMENT: usize = 1000;

/// Stores a batch in one transaction with a handful of set-based statements (claim the
/// submission ids, the browsers, the responses, the answers, the counters), whatever the
/// batch size: a per-answer statement costs a round trip each, and on SQLite a thread
/// hand-off each. The outcome per submission is what storing them one after another would
/// give: a retried id is acknowledged without a second copy, a browser's second answer is
/// refused and leaves nothing behind. Nothing is acknowledged before the commit. When a
/// statement fails, nothing of the batch is stored and the caller retries one by one.
pub async fn commit_batch(
    db: &DatabaseConnection,
    items: &[Prepared],
) -> Result<Vec<Result<Receipt, SubmitError>>, DbErr> {
    // Read before the transaction: on SQLite a transaction that reads first and writes later
    // can fail to upgrade its lock under concurrent writers. A quarantine created between
    // this read and the commit leaves these answers counted, and counts still equal rows.
    let windows =
        crate::moderation::active_windows(db, items.iter().map(|i| i.survey.survey.dialogue_id))
            .await?;
    let txn = db.begin().await?;
    let mut fates = vec![Fate::Retry; items.len()];
    // 1. Claim the submission ids; a second copy inside the batch follows the first.
    let mut first_of: HashMap<(i64, &str), usize> = HashMap::new();
    let mut firsts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = (item.survey.survey.dialogue_id, item.submission_id.as_str());
        match first_of.get(&key) {
            Some(&f) => fates[i] = Fate::CopyOf(f),
            None => {
                first_of.insert(key, i);
                firsts.push(i);
            }
        }
    }
    let claimed = claim(
        &txn,
        firsts
            .iter()
            .map(|&i| submission::ActiveModel {
                dialogue_id: Set(items[i].survey.survey.dialogue_id),
                token: Set(items[i].submission_id.clone()),
            })
            .collect(),
        submission::Column::Token,
    )
    .await?;
    let claimed: Vec<usize> = firsts
        .into_iter()
        .filter(|&i| {
            claimed.contains(&(
                items[i].survey.survey.dialogue_id,
                items[i].submission_id.clone(),
            ))
        })
        .collect();
    // 2. One answer per browser and dialogue: the first claimant of a browser in the batch
    //    tries; an earlier answer, or an earlier claimant, makes the rest duplicates.
    let mut hash_first: HashMap<(i64, &str), usize> = HashMap::new();
    for &i in &claimed {
        if let Some(h) = &items[i].browser_hash {
            hash_first
                .entry((items[i].survey.survey.dialogue_id, h.as_str()))
                .or_insert(i);
        }
    }
    let mut trying: Vec<usize> = hash_first.values().copied().collect();
    trying.sort_unstable();
    let fresh = claim(
        &txn,
        trying
            .iter()
            .map(|&i| browser_seen::ActiveModel {
                dialogue_id: Set(items[i].survey.survey.dialogue_id),
                hash: Set(items[i].browser_hash.clone().unwrap_or_default()),
            })
            .collect(),
        browser_seen::Column::Hash,
    )
    .await?;
    let mut stored = Vec::new();
    let mut refused = Vec::new();
    for &i in &claimed {
        let dialogue = items[i].survey.survey.dialogue_id;
        let ok = match &items[i].browser_hash {
            None => true,
            Some(h) => {
                hash_first.get(&(dialogue, h.as_str())) == Some(&i)
                    && fresh.contains(&(dialogue, h.clone()))
            }
        };
        if ok {
            fates[i] = Fate::Stored;
            stored.push(i);
        } else {
            fates[i] = Fate::Duplicate;
            refused.push(i);
        }
    }
    // A refused answer leaves no claim behind.
    if !refused.is_empty() {
        let mut any = Condition::any();
        for &i in &refused {
            any = any.add(
                submission::Column::DialogueId
                    .eq(items[i].survey.survey.dialogue_id)
                    .and(submission::Column::Token.eq(items[i].submission_id.clone())),
            );
        }
        submission::Entity::delete_many()
            .filter(any)
            .exec(&txn)
            .await?;
    }
    // 3. The responses; each chunk's ids come back in the order of its rows. Each stored
    //    answer's area, hour and quarantine are worked out once, here.
    let placed: Vec<(&Prepared, String, DateTime<Utc>, bool)> = stored
        .iter()
        .map(|&i| {
            let item = &items[i];
            let hour = domain::time::truncate_to_hour(item.now);
            let quarantined = windows
                .iter()
                .any(|w| w.dialogue_id == item.survey.survey.dialogue_id && w.covers(hour));
            (item, area_of(&item.answers), hour, quarantined)
        })
        .collect();
    let mut response_ids = Vec::with_capacity(stored.len());
    for chunk in placed.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|(item, area, hour, quarantined)| response::ActiveModel {
                dialogue_id: Set(item.survey.survey.dialogue_id),
                dialogue_group_id: Set(item.survey.survey.dialogue_group_id),
                channel: Set(item.channel.code().to_owned()),
                area: Set(area.clone()),
                submitted_hour: Set(*hour),
                quarantined: Set(*quarantined),
                ..Default::default()
            });
        let mut q = response::Entity::insert_many(rows).into_query();
        q.returning_col(response::Column::Id);
        let mut ids = Vec::with_capacity(chunk.len());
        for row in txn.query_all(&q).await? {
            ids.push(row.try_get::<i64>("", "id")?);
        }
        if ids.len() != chunk.len() {
            return Err(DbErr::Custom(format!(
                "{} responses inserted, {} ids returned",
                chunk.len(),
                ids.len()
            )));
        }
        ids.sort_unstable();
        response_ids.extend(ids);
    }
    // 4. The answers, and what the counted ones add to the tallies and the time series.
    let mut rows = Vec::new();
    let mut tallies: BTreeMap<TallyKey, i64> = BTreeMap::new();
    let mut hours: BTreeMap<HourKey, i64> = BTreeMap::new();
    for ((item, area, hour, quarantined), &response_id) in placed.iter().zip(&response_ids) {
        answer_rows(response_id, &item.answers, &mut rows);
        if *quarantined {
            continue;
        }
        let survey = &item.survey.survey;
        let channel = item.channel.code();
        let key = |question_id: i64, value: String| -> TallyKey {
            (
                survey.dialogue_id,
                question_id,
                survey.dialogue_group_id,
                channel,
                area.clone(),
                value,
            )
        };
        *tallies.entry(key(0, String::new())).or_default() += 1;
        for (question_id, value) in &item.answers {
            for k in tally_keys(value) {
                *tallies.entry(key(*question_id, k)).or_default() += 1;
            }
        }
        *hours
            .entry((survey.dialogue_id, *hour, survey.dialogue_group_id, channel))
            .or_default() += 1;
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        answer::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    bump_tallies(&txn, &tallies).await?;
    bump_hours(&txn, &hours).await?;
    txn.commit().await?;
    let receipt = |fate: Fate| match fate {
        Fate::Stored => Ok(Receipt::Stored),
        Fate::Retry | Fate::CopyOf(_) => Ok(Receipt::AlreadyStored),
        Fate::Duplicate => Err(SubmitError::AlreadyAnswered),
    };
    Ok(fates
        .iter()
        .map(|&fate| match fate {
            Fate::CopyOf(f) if fates[f] == Fate::Duplicate => receipt(Fate::Duplicate),
            other => receipt(other),
        })
        .collect())
}

/// Inserts `(dialogue_id, key)` rows unless present; the keys actually inserted.
async fn claim<A>(
    txn: &impl ConnectionTrait,
    rows: Vec<A>,
    key: <A::Entity as EntityTrait>::Column,
) -> Result<HashSet<(i64, String)>, DbErr>
where
    A: ActiveModelTrait,
{
    let mut found = HashSet::new();
    if rows.is_empty() {
        return Ok(found);
    }
    let mut q = <A::Entity as EntityTrait>::insert_many(rows)
        .on_conflict_do_nothing()
        .into_query();
    q.returning(Query::returning().all());
    for row in txn.query_all(&q).await? {
        found.insert((
            row.try_get::<i64>("", "dialogue_id")?,
            row.try_get::<String>("", key.as_str())?,
        ));
    }
    Ok(found)
}

/// The area a response was given for, or empty.
pub fn area_of(answers: &[(i64, AnswerValue)]) -> String {
    answers
        .iter()
        .find_map(|(_, a)| match a {
            AnswerValue::Area(code) => Some(code.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// One row per answer (a multiple choice: one per option picked).
fn answer_rows(
    response_id: i64,
    answers: &[(i64, AnswerValue)],
    rows: &mut Vec<answer::ActiveModel>,
) {
    for (question_id, value) in answers {
        let mut row = |num: Option<i32>, code: Option<String>, text: Option<String>| {
            rows.push(answer::ActiveModel {
                response_id: Set(response_id),
                question_id: Set(*question_id),
                value_num: Set(num),
                value_code: Set(code),
                value_text: Set(text),
                ..Default::default()
            })
        };
        match value {
            AnswerValue::Scale(n) => row(Some(i32::from(*n)), None, None),
            AnswerValue::DontKnow => row(None, Some(domain::DONT_KNOW.to_owned()), None),
            AnswerValue::Choice(c) | AnswerValue::Area(c) => row(None, Some(c.clone()), None),
            AnswerValue::Choices(cs) => {
                for c in cs {
                    row(None, Some(c.clone()), None);
                }
            }
            AnswerValue::Text(t) => row(None, None, Some(t.clone())),
        }
    }
}

/// The tally buckets an answer counts in. Free text counts as "answered", never by content.
pub fn tally_keys(value: &AnswerValue) -> Vec<String> {
    match value {
        AnswerValue::Text(_) => vec!["text".to_owned()],
        other => other.codes(),
    }
}

/// Upserts the tallies in sorted key order (a `BTreeMap`), so concurrent writers never deadlock.
async fn bump_tallies(
    txn: &impl ConnectionTrait,
    keys: &BTreeMap<TallyKey, i64>,
) -> Result<(), DbErr> {
    if keys.is_empty() {
        return Ok(());
    }
    let models = keys.iter().map(
        |((dialogue_id, question_id, group_id, channel, area, key), n)| tally::ActiveModel {
            dialogue_id: Set(*dialogue_id),
            question_id: Set(*question_id),
            dialogue_group_id: Set(*group_id),
            channel: Set((*channel).to_owned()),
            area: Set(area.clone()),
            value_key: Set(key.clone()),
            n: Set(*n),
        },
    );
    // Chunked: a bind-parameter limit applies to one statement (7 per row).
    let models: Vec<_> = models.collect();
    for chunk in models.chunks(1000) {
        tally::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    tally::Column::DialogueId,
                    tally::Column::QuestionId,
                    tally::Column::DialogueGroupId,
                    tally::Column::Channel,
                    tally::Column::Area,
                    tally::Column::ValueKey,
                ])
                .value(
                    tally::Column::N,
                    Expr::col((tally::Entity, tally::Column::N)).add(Expr::cust("excluded.n")),
                )
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Upserts the hourly response counts, in sorted key order like the tallies.
async fn bump_hours(
    txn: &impl ConnectionTrait,
    hours: &BTreeMap<HourKey, i64>,
) -> Result<(), DbErr> {
    if hours.is_empty() {
        return Ok(());
    }
    let models: Vec<_> = hours
        .iter()
        .map(
            |((dialogue_id, hour, group_id, channel), n)| tally_hour::ActiveModel {
                dialogue_id: Set(*dialogue_id),
                hour: Set(*hour),
                dialogue_group_id: Set(*group_id),
                channel: Set((*channel).to_owned()),
                n: Set(*n),
            },
        )
        .collect();
    for chunk in models.chunks(1000) {
        tally_hour::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    tally_hour::Column::DialogueId,
                    tally_hour::Column::Hour,
                    tally_hour::Column::DialogueGroupId,
                    tally_hour::Column::Channel,
                ])
                .value(
                    tally_hour::Column::N,
                    Expr::col((tally_hour::Entity, tally_hour::Column::N))
                        .add(Expr::cust("excluded.n")),
                )
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

struct Job {
    item: Prepared,
    reply: oneshot::Sender<Result<Receipt, SubmitError>>,
}

/// Group commit: submissions queue here and a writer task stores whatever has queued up
/// in one transaction, with a handful of set-based statements. Under a burst, one commit carries many answers;
/// when quiet, a lone answer commits at once.
#[derive(Clone)]
pub struct Writer {
    db: DatabaseConnection,
    bus: crate::live::Bus,
    tx: mpsc::Sender<Job>,
    cache: Arc<Mutex<SurveyCache>>,
    /// The task that rewrites anti-duplicate records after commits (PostgreSQL only).
    unlinker: Option<mpsc::UnboundedSender<Unlink>>,
}

/// Work for the unlinker task.
enum Unlink {
    /// These dialogues got new anti-duplicate records.
    Dirty(Vec<i64>),
    /// Answer once everything sent before is rewritten.
    Settled(oneshot::Sender<()>),
}

/// How much longer the unlinker rests after a pass than the pass took: under a steady stream
/// of answers it then takes at most a fifth of the time, and a lone answer's records are
/// rewritten at once.
const UNLINK_REST_FACTOR: u32 = 4;

/// Rewrites the dialogues it is told about with [`unlink_claims`], coalescing what queued up
/// meanwhile, on the shared pool (not the writer's connection), so commits never wait for it.
fn start_unlinker(db: DatabaseConnection) -> mpsc::UnboundedSender<Unlink> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Unlink>();
    tokio::spawn(async move {
        let mut dirty = std::collections::BTreeSet::new();
        let mut waiting = Vec::new();
        while let Some(msg) = rx.recv().await {
            let mut take = |msg| match msg {
                Unlink::Dirty(ids) => dirty.extend(ids),
                Unlink::Settled(reply) => waiting.push(reply),
            };
            take(msg);
            while let Ok(msg) = rx.try_recv() {
                take(msg);
            }
            let started = Instant::now();
            for dialogue_id in std::mem::take(&mut dirty) {
                if let Err(e) = unlink_claims(&db, dialogue_id).await {
                    // Kept for the next pass; until then the records keep arrival order.
                    tracing::warn!(error = %e, dialogue_id, "rewriting anti-duplicate records failed");
                    dirty.insert(dialogue_id);
                }
            }
            for reply in waiting.drain(..) {
                let _ = reply.send(());
            }
            tokio::time::sleep(started.elapsed() * UNLINK_REST_FACTOR).await;
        }
    });
    tx
}

/// Loaded surveys by link code, with when they were loaded.
type SurveyCache = HashMap<String, (Instant, Arc<Loaded>)>;

/// The most submissions one shared commit carries.
pub const MAX_BATCH: usize = 256;
/// How long a loaded survey is reused: wording fixes show within this time.
const SURVEY_CACHE_TTL: Duration = Duration::from_secs(2);

impl Writer {
    /// Starts the writer task. Must be called inside a Tokio runtime.
    /// Each commit's dialogues are announced on `bus` once the commit is done.
    ///
    /// One writer per instance, on either backend. SQLite has a single writer anyway. On
    /// PostgreSQL every commit upserts the same hot counter rows, so a second writer of the
    /// same instance would mostly wait on the first one's row locks, and splitting the queue
    /// makes smaller batches that cost more statements per answer (measured with `make bench`:
    /// four writers reached p99 142.6 ms at 1,000 answers a second; one writer holds
    /// p99 ≤ 50 ms at 4,000–5,000; see docs/BENCHMARKS.md).
    ///
    /// The commits go through `writes`, a connection of the writer's own
    /// ([`crate::connect_writer`]); surveys are loaded and checked through `db`.
    ///
    /// On PostgreSQL a second task rewrites the anti-duplicate records of each commit's
    /// dialogues ([`unlink_claims`]) through `db`, told before the submitters are answered,
    /// so an acknowledged answer's records are rewritten by the next pass.
    pub fn start(
        db: DatabaseConnection,
        writes: DatabaseConnection,
        bus: crate::live::Bus,
    ) -> Writer {
        let (tx, mut rx) = mpsc::channel::<Job>(MAX_BATCH * 16);
        let unlinker =
            (db.get_database_backend() == DbBackend::Postgres).then(|| start_unlinker(db.clone()));
        {
            let db = writes;
            let bus = bus.clone();
            let unlinker = unlinker.clone();
            tokio::spawn(async move {
                while let Some(job) = rx.recv().await {
                    let mut jobs = vec![job];
                    while jobs.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    let changed = run_jobs(&db, jobs, unlinker.as_ref()).await;
                    bus.publish(&changed).await;
                }
            });
        }
        Writer {
            db,
            bus,
            tx,
            cache: Arc::default(),
            unlinker,
        }
    }

    /// Returns once the anti-duplicate records of every answer acknowledged so far are
    /// rewritten apart from the answers ([`unlink_claims`]; at once on SQLite).
    pub async fn settled(&self) {
        if let Some(unlinker) = &self.unlinker {
            let (reply, done) = oneshot::channel();
            if unlinker.send(Unlink::Settled(reply)).is_ok() {
                let _ = done.await;
            }
        }
    }

    /// The survey behind a link, from a short-lived cache.
    pub async fn survey(&self, link_code: &str) -> Result<Option<Arc<Loaded>>, DbErr> {
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((at, loaded)) = cache.get(link_code)
            && now.duration_since(*at) < SURVEY_CACHE_TTL
        {
            return Ok(Some(loaded.clone()));
        }
        let Some(loaded) = load(&self.db, link_code).await? else {
            return Ok(None);
        };
        let loaded = Arc::new(loaded);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(link_code.to_owned(), (now, loaded.clone()));
        }
        Ok(Some(loaded))
    }

    /// Where this writer announces changed counts.
    pub fn bus(&self) -> &crate::live::Bus {
        &self.bus
    }

    /// Checks and stores one submission; returns after its commit.
    pub async fn submit(&self, req: SubmitRequest<'_>) -> Result<Receipt, SubmitError> {
        let loaded = self
            .survey(req.link_code)
            .await?
            .ok_or(SubmitError::NotFound)?;
        let item = prepare(&self.db, loaded, &req).await?;
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { item, reply })
            .await
            .map_err(|_| SubmitError::WriterGone)?;
        rx.await.map_err(|_| SubmitError::WriterGone)?
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// Stores a batch and answers each submitter; returns the dialogues whose counts changed.
/// The unlinker hears of a stored answer's dialogue before its submitter does.
async fn run_jobs(
    db: &DatabaseConnection,
    jobs: Vec<Job>,
    unlinker: Option<&mpsc::UnboundedSender<Unlink>>,
) -> Vec<i64> {
    let (items, replies): (Vec<Prepared>, Vec<_>) =
        jobs.into_iter().map(|j| (j.item, j.reply)).unzip();
    let mut changed = std::collections::BTreeSet::new();
    let mut answer = |item: &Prepared, reply: oneshot::Sender<_>, result| {
        if matches!(result, Ok(Receipt::Stored)) {
            let dialogue_id = item.survey.survey.dialogue_id;
            changed.insert(dialogue_id);
            // Every time, not once per dialogue: a retry one by one is a commit each.
            if let Some(u) = unlinker {
                let _ = u.send(Unlink::Dirty(vec![dialogue_id]));
            }
        }
        let _ = reply.send(result);
    };
    match commit_batch(db, &items).await {
        Ok(results) => {
            for ((item, reply), result) in items.iter().zip(replies).zip(results) {
                answer(item, reply, result);
            }
        }
        Err(e) if items.len() > 1 => {
            // The shared commit failed: nothing of it is stored. Retry one by one, so one
            // bad submission cannot sink the others.
            tracing::warn!(error = %e, n = items.len(), "group commit failed; retrying singly");
            for (item, reply) in items.into_iter().zip(replies) {
                let result = match commit_batch(db, std::slice::from_ref(&item)).await {
                    Ok(mut r) => r.pop().unwrap_or(Err(SubmitError::WriterGone)),
                    Err(e) => Err(SubmitError::Db(e)),
                };
                answer(&item, reply, result);
            }
        }
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(SubmitError::Db(DbErr::Custom(e.to_string()))));
            }
        }
    }
    changed.into_iter().collect()
}

/// Serialises a question kind for storage.
pub(crate) fn kind_json(kind: &QuestionKind) -> String {
    serde_json::to_string(kind).unwrap_or_else(|_| "{}".to_owned())
}
