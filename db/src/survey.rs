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
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, TryInsertResult,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
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
    results.pop().unwrap_or(Err(SubmitError::WriterGone))
}

/// What storing one submission inside the shared transaction came to.
enum Stored {
    /// Counted in these tallies and this hour.
    New(BTreeMap<TallyKey, i64>, HourKey),
    /// Stored inside an active quarantine window: kept, but counted nowhere.
    Quarantined,
    Retry,
    Duplicate,
}

/// `(dialogue, question, group, channel, area, value)`; question 0 counts responses.
type TallyKey = (i64, i64, i64, &'static str, String, String);
/// `(dialogue, hour, group, channel)`: one response in the time series.
type HourKey = (i64, DateTime<Utc>, i64, &'static str);

/// Stores a batch in one transaction, each submission inside its own savepoint: a refused
/// submission rolls back alone; the others and all their tally changes commit together.
/// Nothing is acknowledged before the commit.
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
    let mut out = Vec::with_capacity(items.len());
    let mut tallies: BTreeMap<TallyKey, i64> = BTreeMap::new();
    let mut hours: BTreeMap<HourKey, i64> = BTreeMap::new();
    for item in items {
        let hour = domain::time::truncate_to_hour(item.now);
        let quarantined = windows
            .iter()
            .any(|w| w.dialogue_id == item.survey.survey.dialogue_id && w.covers(hour));
        let sp = txn.begin().await?;
        match store(&sp, item, quarantined).await {
            Ok(Stored::Quarantined) => {
                sp.commit().await?;
                out.push(Ok(Receipt::Stored));
            }
            Ok(Stored::New(keys, hour)) => {
                sp.commit().await?;
                for (k, n) in keys {
                    *tallies.entry(k).or_default() += n;
                }
                *hours.entry(hour).or_default() += 1;
                out.push(Ok(Receipt::Stored));
            }
            Ok(Stored::Retry) => {
                sp.rollback().await?;
                out.push(Ok(Receipt::AlreadyStored));
            }
            Ok(Stored::Duplicate) => {
                sp.rollback().await?;
                out.push(Err(SubmitError::AlreadyAnswered));
            }
            Err(e) => {
                sp.rollback().await?;
                out.push(Err(SubmitError::Db(e)));
            }
        }
    }
    bump_tallies(&txn, &tallies).await?;
    bump_hours(&txn, &hours).await?;
    txn.commit().await?;
    Ok(out)
}

async fn store(
    txn: &impl ConnectionTrait,
    item: &Prepared,
    quarantined: bool,
) -> Result<Stored, DbErr> {
    let survey = &item.survey.survey;
    let claimed = submission::Entity::insert(submission::ActiveModel {
        dialogue_id: Set(survey.dialogue_id),
        token: Set(item.submission_id.clone()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(txn)
    .await?;
    if !matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(Stored::Retry);
    }
    if let Some(hash) = &item.browser_hash {
        let seen = browser_seen::Entity::insert(browser_seen::ActiveModel {
            dialogue_id: Set(survey.dialogue_id),
            hash: Set(hash.clone()),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(txn)
        .await?;
        if !matches!(seen, TryInsertResult::Inserted(n) if n > 0) {
            return Ok(Stored::Duplicate);
        }
    }
    let area = item
        .answers
        .iter()
        .find_map(|(_, a)| match a {
            AnswerValue::Area(code) => Some(code.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let response_id = response::Entity::insert(response::ActiveModel {
        dialogue_id: Set(survey.dialogue_id),
        dialogue_group_id: Set(survey.dialogue_group_id),
        channel: Set(item.channel.code().to_owned()),
        area: Set(area.clone()),
        submitted_hour: Set(domain::time::truncate_to_hour(item.now)),
        quarantined: Set(quarantined),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;

    let mut rows = Vec::new();
    let mut keys: BTreeMap<TallyKey, i64> = BTreeMap::new();
    let key = |question_id: i64, value: String| -> TallyKey {
        (
            survey.dialogue_id,
            question_id,
            survey.dialogue_group_id,
            item.channel.code(),
            area.clone(),
            value,
        )
    };
    *keys.entry(key(0, String::new())).or_default() += 1;
    for (question_id, value) in &item.answers {
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
        for k in tally_keys(value) {
            *keys.entry(key(*question_id, k)).or_default() += 1;
        }
    }
    if !rows.is_empty() {
        answer::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    if quarantined {
        return Ok(Stored::Quarantined);
    }
    let hour = (
        survey.dialogue_id,
        domain::time::truncate_to_hour(item.now),
        survey.dialogue_group_id,
        item.channel.code(),
    );
    Ok(Stored::New(keys, hour))
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
/// in one transaction (one savepoint each). Under a burst, one commit carries many answers;
/// when quiet, a lone answer commits at once.
#[derive(Clone)]
pub struct Writer {
    db: DatabaseConnection,
    bus: crate::live::Bus,
    tx: mpsc::Sender<Job>,
    cache: Arc<Mutex<SurveyCache>>,
}

/// Loaded surveys by link code, with when they were loaded.
type SurveyCache = HashMap<String, (Instant, Arc<Loaded>)>;

/// The most submissions one shared commit carries.
pub const MAX_BATCH: usize = 256;
/// How long a loaded survey is reused: wording fixes show within this time.
const SURVEY_CACHE_TTL: Duration = Duration::from_secs(2);

impl Writer {
    /// Starts the writer tasks: one for SQLite (a single writer anyway), a few for
    /// PostgreSQL. Must be called inside a Tokio runtime.
    /// Each commit's dialogues are announced on `bus` once the commit is done.
    pub fn start(db: DatabaseConnection, bus: crate::live::Bus) -> Writer {
        let workers = match db.get_database_backend() {
            DbBackend::Postgres => 4,
            _ => 1,
        };
        let (tx, rx) = mpsc::channel::<Job>(MAX_BATCH * 16);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..workers {
            let db = db.clone();
            let rx = rx.clone();
            let bus = bus.clone();
            tokio::spawn(async move {
                loop {
                    let mut jobs = Vec::new();
                    {
                        let mut rx = rx.lock().await;
                        match rx.recv().await {
                            Some(job) => jobs.push(job),
                            None => return,
                        }
                        while jobs.len() < MAX_BATCH {
                            match rx.try_recv() {
                                Ok(job) => jobs.push(job),
                                Err(_) => break,
                            }
                        }
                    }
                    let changed = run_jobs(&db, jobs).await;
                    bus.publish(&changed).await;
                }
            });
        }
        Writer {
            db,
            bus,
            tx,
            cache: Arc::default(),
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
async fn run_jobs(db: &DatabaseConnection, jobs: Vec<Job>) -> Vec<i64> {
    let (items, replies): (Vec<Prepared>, Vec<_>) =
        jobs.into_iter().map(|j| (j.item, j.reply)).unzip();
    let mut changed = std::collections::BTreeSet::new();
    let mut answer = |item: &Prepared, reply: oneshot::Sender<_>, result| {
        if matches!(result, Ok(Receipt::Stored)) {
            changed.insert(item.survey.survey.dialogue_id);
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
