//! The shared question bank: standard items every LPO can add to its dialogues, so results
//! can be compared. Admins edit it; a fresh install is seeded with the standard items.

use crate::audit;
use crate::entity::{bank_item, question_meta};
use crate::survey::{kind_json, parse_text, text_json};
use chrono::{DateTime, Utc};
use domain::builder::{
    BankChange, BankItem, FormErrors, QuestionInput, bank_change_refusal, parse_question,
};
use domain::{Choice, LocalizedText, Principal, QuestionKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FormErrors),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn t(sv: &str, en: &str) -> LocalizedText {
    LocalizedText::new(sv, en)
}

fn choices(list: &[(&str, &str, &str)]) -> Vec<Choice> {
    list.iter()
        .map(|(code, sv, en)| Choice {
            code: (*code).to_owned(),
            label: t(sv, en),
        })
        .collect()
}

fn scale(dont_know: bool, low: (&str, &str), high: (&str, &str)) -> QuestionKind {
    QuestionKind::Scale {
        dont_know,
        low: t(low.0, low.1),
        high: t(high.0, high.1),
    }
}

/// The standard items: the article's two open questions, the safety items and an age band.
pub fn standard_items() -> Vec<(&'static str, LocalizedText, QuestionKind)> {
    vec![
        (
            "forvantningar",
            t(
                "Vad förväntar du dig av polisen?",
                "What do you expect of the police?",
            ),
            QuestionKind::Text { max_len: 1000 },
        ),
        (
            "jobba-mer-med",
            t(
                "Vad önskar du att polisen ska jobba mer med?",
                "What do you want the police to work more on?",
            ),
            QuestionKind::Text { max_len: 1000 },
        ),
        (
            "trygghet-kvall",
            t(
                "Hur trygg känner du dig när du är ute i ditt område en sen kväll?",
                "How safe do you feel when you are out in your area late in the evening?",
            ),
            scale(
                true,
                ("Mycket otrygg", "Very unsafe"),
                ("Mycket trygg", "Very safe"),
            ),
        ),
        (
            "problem-omradet",
            t(
                "Vilka problem ser du i ditt område?",
                "Which problems do you see in your area?",
            ),
            QuestionKind::Multi {
                options: choices(&[
                    ("nedskrapning", "Nedskräpning", "Littering"),
                    ("skadegorelse", "Skadegörelse", "Vandalism"),
                    ("narkotika", "Narkotika", "Drugs"),
                    ("trafik", "Trafik", "Traffic"),
                    ("inbrott", "Inbrott", "Burglaries"),
                    (
                        "ordningsstorningar",
                        "Ordningsstörningar",
                        "Public disorder",
                    ),
                    ("annat", "Annat", "Other"),
                ]),
            },
        ),
        (
            "oro-brott",
            t(
                "Hur orolig är du för att utsättas för brott?",
                "How worried are you about becoming a victim of crime?",
            ),
            scale(
                true,
                ("Inte alls orolig", "Not at all worried"),
                ("Mycket orolig", "Very worried"),
            ),
        ),
        (
            "fortroende-lokalpolis",
            t(
                "Hur stort förtroende har du för polisen där du bor?",
                "How much do you trust the police where you live?",
            ),
            scale(
                true,
                ("Mycket litet", "Very little"),
                ("Mycket stort", "Very much"),
            ),
        ),
        (
            "alder",
            t(
                "Hur gammal är du? (frivilligt)",
                "How old are you? (optional)",
            ),
            QuestionKind::Single {
                options: choices(&[
                    ("under-18", "Under 18 år", "Under 18"),
                    ("18-29", "18–29 år", "18–29"),
                    ("30-49", "30–49 år", "30–49"),
                    ("50-64", "50–64 år", "50–64"),
                    ("65-plus", "65 år eller äldre", "65 or older"),
                    ("vill-ej-svara", "Vill inte svara", "Prefer not to say"),
                ]),
            },
        ),
    ]
}

/// Seeds the standard items into an empty bank. Returns whether it did. Runs inside an early
/// migration too, so it names only the columns that migration has (not `retired_at`).
pub async fn seed_if_empty(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<bool, DbErr> {
    use sea_orm::QuerySelect;
    let any = bank_item::Entity::find()
        .select_only()
        .column(bank_item::Column::Id)
        .count(db)
        .await?;
    if any > 0 {
        return Ok(false);
    }
    for (i, (code, text, kind)) in standard_items().into_iter().enumerate() {
        bank_item::Entity::insert(bank_item::ActiveModel {
            code: Set(code.to_owned()),
            position: Set(i as i32 + 1),
            text: Set(text_json(&text)),
            kind: Set(kind_json(&kind)),
            revision: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(true)
}

pub(crate) fn to_item(m: bank_item::Model) -> Result<BankItem, DbErr> {
    Ok(BankItem {
        id: m.id,
        code: m.code,
        text: parse_text(&m.text),
        kind: serde_json::from_str(&m.kind)
            .map_err(|e| DbErr::Custom(format!("stored bank kind is not valid JSON: {e}")))?,
        revision: m.revision,
        retired: m.retired_at.is_some(),
    })
}

/// The bank items offered to new dialogues (not retired), in bank order.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<BankItem>, DbErr> {
    items(
        db,
        bank_item::Entity::find().filter(bank_item::Column::RetiredAt.is_null()),
    )
    .await
}

/// The items `find` selects, in bank order.
async fn items(
    db: &impl ConnectionTrait,
    find: sea_orm::Select<bank_item::Entity>,
) -> Result<Vec<BankItem>, DbErr> {
    find.order_by_asc(bank_item::Column::Position)
        .order_by_asc(bank_item::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_item)
        .collect()
}

/// Bank item `id` for an admin to change: others are refused, an unknown id is not found.
async fn admins_item(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: i64,
) -> Result<bank_item::Model, BankError> {
    if !p.may(domain::Permission::Administer) {
        return Err(BankError::Forbidden);
    }
    bank_item::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(BankError::NotFound)
}

/// The audit entry of an admin's change to bank item `id`.
fn entry(
    p: &Principal,
    now: DateTime<Utc>,
    action: &'static str,
    id: i64,
    detail: String,
) -> audit::Entry<'static> {
    audit::Entry {
        at: now,
        user_id: Some(p.user_id),
        scope_unit_id: None,
        action,
        entity: "bank_item",
        entity_id: id.to_string(),
        detail,
    }
}

/// Bank item `id` if it is offered to new dialogues (it exists and is not retired).
pub(crate) async fn offered(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<bank_item::Model>, DbErr> {
    Ok(bank_item::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| i.retired_at.is_none()))
}

/// Every bank item, retired ones too, in bank order (the admins' bank page), and the ids of
/// those a dialogue holds a copy of (in use: retired, never deleted).
pub async fn list_all(db: &impl ConnectionTrait) -> Result<(Vec<BankItem>, Vec<i64>), DbErr> {
    let items = items(db, bank_item::Entity::find()).await?;
    let mut in_use: Vec<i64> = question_meta::Entity::find()
        .filter(question_meta::Column::BankItemId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.bank_item_id)
        .collect();
    in_use.sort_unstable();
    in_use.dedup();
    Ok((items, in_use))
}

/// Retires, restores or deletes a bank item (admins), by `domain::builder::bank_change_refusal`:
/// an item a dialogue holds a copy of is retired, never deleted. Deleting needs `confirmed`
/// (the form's second "yes"). Audited.
pub async fn change(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    what: BankChange,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Result<(), BankError> {
    let row = admins_item(db, p, id).await?;
    let refuse = |key: &str| {
        Err(BankError::Invalid(vec![(
            "change".to_owned(),
            key.to_owned(),
        )]))
    };
    if what == BankChange::Delete && !confirmed {
        return refuse("dialogue.confirm_needed");
    }
    let in_use = question_meta::Entity::find()
        .filter(question_meta::Column::BankItemId.eq(id))
        .count(db)
        .await?
        > 0;
    if let Some(key) = bank_change_refusal(what, row.retired_at.is_some(), in_use) {
        return refuse(key);
    }
    let txn = db.begin().await?;
    let action = match what {
        BankChange::Delete => {
            bank_item::Entity::delete_by_id(id).exec(&txn).await?;
            "delete"
        }
        BankChange::Retire | BankChange::Restore => {
            let retire = what == BankChange::Retire;
            let mut am: bank_item::ActiveModel = row.clone().into();
            am.retired_at = Set(retire.then_some(now));
            am.updated_at = Set(now);
            am.update(&txn).await?;
            if retire { "retire" } else { "restore" }
        }
    };
    audit::record(
        &txn,
        entry(p, now, action, id, format!("code={}", row.code)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 80
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Adds a bank item (admins).
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> Result<i64, BankError> {
    if !p.may(domain::Permission::Administer) {
        return Err(BankError::Forbidden);
    }
    let code = input.code.trim().to_lowercase();
    let mut errors = Vec::new();
    if !valid_code(&code) {
        errors.push(("code".to_owned(), "bank.bad_code".to_owned()));
    } else if bank_item::Entity::find()
        .filter(bank_item::Column::Code.eq(&code))
        .one(db)
        .await?
        .is_some()
    {
        errors.push(("code".to_owned(), "org.duplicate_code".to_owned()));
    }
    let parsed = parse_question(input, &[]);
    if let Err(e) = &parsed {
        errors.extend(e.iter().cloned());
    }
    let (text, kind) = match parsed {
        Ok(x) if errors.is_empty() => x,
        _ => return Err(BankError::Invalid(errors)),
    };
    let txn = db.begin().await?;
    let position = bank_item::Entity::find().count(&txn).await? as i32 + 1;
    let id = bank_item::Entity::insert(bank_item::ActiveModel {
        code: Set(code.clone()),
        position: Set(position),
        text: Set(text_json(&text)),
        kind: Set(kind_json(&kind)),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        entry(
            p,
            now,
            "create",
            id,
            format!("code={code} kind={}", input.kind.trim()),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Edits a bank item (admins). Dialogues keep their own copies; the edit bumps the item's
/// revision so copies made earlier can be told apart.
pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> Result<(), BankError> {
    let row = admins_item(db, p, id).await?;
    let old = to_item(row.clone())?;
    let previous = match &old.kind {
        QuestionKind::Single { options } | QuestionKind::Multi { options } => options.clone(),
        _ => Vec::new(),
    };
    let (text, kind) = parse_question(input, &previous).map_err(BankError::Invalid)?;
    let txn = db.begin().await?;
    let revision = row.revision + 1;
    let mut am: bank_item::ActiveModel = row.into();
    am.text = Set(text_json(&text));
    am.kind = Set(kind_json(&kind));
    am.revision = Set(revision);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            p,
            now,
            "update",
            id,
            format!("code={} revision={revision}", old.code),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
