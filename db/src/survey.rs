//! The respondent write path: load a survey by its public link, validate, store atomically.

use crate::entity::{
    answer, dialogue, dialogue_group, dialogue_municipality, org_unit, question, response,
    submission, tally, target_group,
};
use chrono::{DateTime, Utc};
use domain::{
    AnswerValue, Channel, Choice, Invalid, LocalizedText, Openness, Question, QuestionKind,
    Questionnaire, Survey,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait, TryInsertResult,
};
use std::collections::BTreeMap;

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

pub struct SubmitRequest<'a> {
    pub link_code: &'a str,
    pub submission_id: &'a str,
    pub channel: Channel,
    pub fields: &'a [(String, String)],
    pub now: DateTime<Utc>,
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
    Ok(Some(Survey {
        dialogue_id: d.id,
        dialogue_group_id: group.id,
        link_code: group.link_code,
        group_code: tg.as_ref().map(|t| t.code.clone()).unwrap_or_default(),
        group_name: tg.map(|t| parse_text(&t.name)).unwrap_or_default(),
        lpo_name: lpo.map(|l| l.name).unwrap_or_default(),
        title: parse_text(&d.title),
        intro: parse_text(&d.intro),
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        questionnaire,
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

/// Validates and stores one submission. Its rows and its tally changes commit together or
/// not at all; `Ok` is returned only after the commit.
pub async fn submit(
    db: &DatabaseConnection,
    req: SubmitRequest<'_>,
) -> Result<Receipt, SubmitError> {
    if !domain::is_valid_submission_id(req.submission_id) {
        return Err(SubmitError::BadSubmissionId);
    }
    let survey = load_by_link(db, req.link_code)
        .await?
        .ok_or(SubmitError::NotFound)?;
    match survey.openness(req.now) {
        Openness::Open => {}
        other => return Err(SubmitError::NotOpen(other)),
    }
    let answers =
        domain::validate(&survey.questionnaire, req.fields).map_err(SubmitError::Invalid)?;
    let txn = db.begin().await?;
    let receipt = store(&txn, &survey, &req, &answers).await?;
    txn.commit().await?;
    Ok(receipt)
}

async fn store(
    txn: &impl ConnectionTrait,
    survey: &Survey,
    req: &SubmitRequest<'_>,
    answers: &[(i64, AnswerValue)],
) -> Result<Receipt, DbErr> {
    let claimed = submission::Entity::insert(submission::ActiveModel {
        dialogue_id: Set(survey.dialogue_id),
        token: Set(req.submission_id.to_owned()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(txn)
    .await?;
    if !matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(Receipt::AlreadyStored);
    }
    let area = answers
        .iter()
        .find_map(|(_, a)| match a {
            AnswerValue::Area(code) => Some(code.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let response_id = response::Entity::insert(response::ActiveModel {
        dialogue_id: Set(survey.dialogue_id),
        dialogue_group_id: Set(survey.dialogue_group_id),
        channel: Set(req.channel.code().to_owned()),
        area: Set(area.clone()),
        submitted_hour: Set(domain::time::truncate_to_hour(req.now)),
        quarantined: Set(false),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;

    let mut rows = Vec::new();
    let mut keys: BTreeMap<(i64, String), i64> = BTreeMap::new();
    *keys.entry((0, String::new())).or_default() += 1;
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
        for key in tally_keys(value) {
            *keys.entry((*question_id, key)).or_default() += 1;
        }
    }
    if !rows.is_empty() {
        answer::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    bump_tallies(txn, survey, req.channel, &area, &keys).await?;
    Ok(Receipt::Stored)
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
    survey: &Survey,
    channel: Channel,
    area: &str,
    keys: &BTreeMap<(i64, String), i64>,
) -> Result<(), DbErr> {
    let models = keys
        .iter()
        .map(|((question_id, key), n)| tally::ActiveModel {
            dialogue_id: Set(survey.dialogue_id),
            question_id: Set(*question_id),
            dialogue_group_id: Set(survey.dialogue_group_id),
            channel: Set(channel.code().to_owned()),
            area: Set(area.to_owned()),
            value_key: Set(key.clone()),
            n: Set(*n),
        });
    tally::Entity::insert_many(models)
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
    Ok(())
}

/// Serialises a question kind for storage.
pub(crate) fn kind_json(kind: &QuestionKind) -> String {
    serde_json::to_string(kind).unwrap_or_else(|_| "{}".to_owned())
}
