//! A dialogue after creation (issue #16): its settings are edited (title, introduction,
//! period, targets) under the rules of `domain::dialogue`, against the version the form was
//! opened from; it is closed early, archived and restored, or deleted while it has no
//! history. Every change is audited, with each changed field's old and new value.

use crate::audit;
use crate::builder::{BuilderError, check_text, in_scope, invalid};
pub use crate::builder::{has_history, phase};
use crate::entity::{
    browser_seen, dialogue, dialogue_group, dialogue_municipality, kiosk, question, question_meta,
    question_revision, tally, tally_hour, target_group,
};
use crate::survey::{parse_text, text_json};
use chrono::{DateTime, Utc};
use domain::builder::{
    FormErrors, MAX_LABEL_LEN, MAX_LONG_TEXT_LEN, parse_day, stockholm_start_of,
};
use domain::dialogue::{Change, SettingsInput, change_refusal, period_refusal};
pub use domain::dialogue::{first_day, last_day};
use domain::{Lang, LocalizedText, Principal};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use std::collections::HashMap;

/// Saves a dialogue's settings: the title and introduction in both languages (checked as at
/// creation), the period (`domain::dialogue::period_refusal`) and each group's target
/// (1–1,000,000). `version` is the one the form was opened from: if the dialogue was saved
/// since, nothing is written ([`BuilderError::Conflict`]). A refused save writes nothing.
pub async fn save_settings(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    input: &SettingsInput,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let mut errors: FormErrors = Vec::new();
    check_text(&mut errors, "title_sv", &input.title_sv, MAX_LABEL_LEN);
    check_text(&mut errors, "title_en", &input.title_en, MAX_LABEL_LEN);
    check_text(&mut errors, "intro_sv", &input.intro_sv, MAX_LONG_TEXT_LEN);
    check_text(&mut errors, "intro_en", &input.intro_en, MAX_LONG_TEXT_LEN);

    // The period: a day that is not changed keeps its stored instant.
    let opens_changed = input.opens_on.trim() != first_day(d.opens_at);
    let closes_changed = input.closes_on.trim() != last_day(d.closes_at);
    let opens = if opens_changed {
        parse_day(input.opens_on.trim()).and_then(stockholm_start_of)
    } else {
        Some(d.opens_at)
    };
    let closes = if closes_changed {
        parse_day(input.closes_on.trim())
            .and_then(|day| day.succ_opt())
            .and_then(stockholm_start_of)
    } else {
        Some(d.closes_at)
    };
    if opens.is_none() {
        errors.push(("opens_on".to_owned(), "form.bad_date".to_owned()));
    }
    if closes.is_none() {
        errors.push(("closes_on".to_owned(), "form.bad_date".to_owned()));
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && let Some((field, key)) =
            period_refusal(phase(&d, now), (opens_changed, closes_changed), (o, c), now)
    {
        errors.push((field.to_owned(), key.to_owned()));
    }

    // Targets: every group of the dialogue, each 1..=1,000,000.
    let groups = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::DialogueId.eq(d.id))
        .order_by_asc(dialogue_group::Column::Id)
        .all(db)
        .await?;
    let codes: HashMap<i64, String> = target_group::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.code))
        .collect();
    let mut targets = Vec::with_capacity(groups.len());
    for g in &groups {
        match input.target(g.id).map(|t| t.trim().parse::<i32>()) {
            Some(Ok(n)) if (1..=1_000_000).contains(&n) => targets.push((g, n)),
            // A form without the field leaves the target as it is.
            None => targets.push((g, g.target_count)),
            Some(_) => errors.push((format!("target_{}", g.id), "builder.bad_target".to_owned())),
        }
    }
    let (Some(opens), Some(closes), true) = (opens, closes, errors.is_empty()) else {
        return Err(BuilderError::Invalid(errors));
    };
    if d.version != version {
        return Err(BuilderError::Conflict);
    }

    let title = LocalizedText::new(input.title_sv.trim(), input.title_en.trim());
    let intro = LocalizedText::new(input.intro_sv.trim(), input.intro_en.trim());
    let old_title = parse_text(&d.title);
    let old_intro = parse_text(&d.intro);
    let mut changes: Vec<(String, String, String)> = vec![
        (
            "title_sv".into(),
            old_title.get(Lang::Sv).to_owned(),
            title.get(Lang::Sv).to_owned(),
        ),
        (
            "title_en".into(),
            old_title.get(Lang::En).to_owned(),
            title.get(Lang::En).to_owned(),
        ),
        (
            "intro_sv".into(),
            old_intro.get(Lang::Sv).to_owned(),
            intro.get(Lang::Sv).to_owned(),
        ),
        (
            "intro_en".into(),
            old_intro.get(Lang::En).to_owned(),
            intro.get(Lang::En).to_owned(),
        ),
        (
            "opens_at".into(),
            d.opens_at.to_rfc3339(),
            opens.to_rfc3339(),
        ),
        (
            "closes_at".into(),
            d.closes_at.to_rfc3339(),
            closes.to_rfc3339(),
        ),
    ];
    for (g, n) in &targets {
        let code = codes.get(&g.target_group_id).cloned().unwrap_or_default();
        changes.push((
            format!("target.{code}"),
            g.target_count.to_string(),
            n.to_string(),
        ));
    }
    changes.retain(|(_, old, new)| old != new);
    if changes.is_empty() {
        return Ok(());
    }

    let txn = db.begin().await?;
    let saved = dialogue::Entity::update_many()
        .set(dialogue::ActiveModel {
            title: Set(text_json(&title)),
            intro: Set(text_json(&intro)),
            opens_at: Set(opens),
            closes_at: Set(closes),
            version: Set(d.version + 1),
            ..Default::default()
        })
        .filter(dialogue::Column::Id.eq(d.id))
        .filter(dialogue::Column::Version.eq(d.version))
        .exec(&txn)
        .await?;
    if saved.rows_affected != 1 {
        // Another save came between the read and this one.
        txn.rollback().await?;
        return Err(BuilderError::Conflict);
    }
    for (g, n) in targets.iter().filter(|(g, n)| g.target_count != *n) {
        dialogue_group::Entity::update_many()
            .set(dialogue_group::ActiveModel {
                target_count: Set(*n),
                ..Default::default()
            })
            .filter(dialogue_group::Column::Id.eq(g.id))
            .exec(&txn)
            .await?;
    }
    let fields: Vec<(&str, String, String)> = changes
        .iter()
        .map(|(f, old, new)| (f.as_str(), old.clone(), new.clone()))
        .collect();
    audit::record(
        &txn,
        crate::builder::audit_entry(
            p,
            &d,
            now,
            "update",
            "dialogue",
            d.id,
            audit::changes(&fields),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Closes a dialogue early, archives or restores it, or deletes it
/// (`domain::dialogue::change_refusal` says when). Closing early ends the period now (the
/// survey, the dashboard and the compilation follow the period); deleting removes the
/// dialogue with its questions, links and kiosk tokens, in one transaction. Closing early
/// and deleting cannot be undone: they need `confirmed` (the form's second "yes").
pub async fn change(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    what: Change,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    if what.needs_confirmation() && !confirmed {
        return Err(invalid("confirm", "dialogue.confirm_needed"));
    }
    let history = has_history(db, d.id).await?;
    if let Some(key) = change_refusal(what, phase(&d, now), d.archived_at.is_some(), history) {
        return Err(invalid("change", key));
    }
    let txn = db.begin().await?;
    let (action, detail) = match what {
        Change::CloseEarly => {
            set(&txn, &d, |am| am.closes_at = Set(now)).await?;
            (
                "close_early",
                audit::changes(&[("closes_at", d.closes_at.to_rfc3339(), now.to_rfc3339())]),
            )
        }
        Change::Archive => {
            set(&txn, &d, |am| am.archived_at = Set(Some(now))).await?;
            ("archive", String::new())
        }
        Change::Restore => {
            set(&txn, &d, |am| am.archived_at = Set(None)).await?;
            ("restore", String::new())
        }
        Change::Delete => {
            delete_all(&txn, d.id).await?;
            ("delete", parse_text(&d.title).get(Lang::Sv).to_owned())
        }
    };
    audit::record(
        &txn,
        crate::builder::audit_entry(p, &d, now, action, "dialogue", d.id, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets what `f` sets on the dialogue and raises its version (an open settings form then
/// sees the change as a conflict).
async fn set(
    txn: &impl ConnectionTrait,
    d: &dialogue::Model,
    f: impl FnOnce(&mut dialogue::ActiveModel),
) -> Result<(), DbErr> {
    let mut am = dialogue::ActiveModel {
        version: Set(d.version + 1),
        ..Default::default()
    };
    f(&mut am);
    dialogue::Entity::update_many()
        .set(am)
        .filter(dialogue::Column::Id.eq(d.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Removes a dialogue without history and everything that only it holds.
async fn delete_all(txn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let questions: Vec<i64> = question::Entity::find()
        .filter(question::Column::DialogueId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|q| q.id)
        .collect();
    question_revision::Entity::delete_many()
        .filter(question_revision::Column::QuestionId.is_in(questions.clone()))
        .exec(txn)
        .await?;
    question_meta::Entity::delete_many()
        .filter(question_meta::Column::QuestionId.is_in(questions))
        .exec(txn)
        .await?;
    question::Entity::delete_many()
        .filter(question::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    tally::Entity::delete_many()
        .filter(tally::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    tally_hour::Entity::delete_many()
        .filter(tally_hour::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    browser_seen::Entity::delete_many()
        .filter(browser_seen::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    kiosk::Entity::delete_many()
        .filter(kiosk::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    dialogue_group::Entity::delete_many()
        .filter(dialogue_group::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    dialogue_municipality::Entity::delete_many()
        .filter(dialogue_municipality::Column::DialogueId.eq(id))
        .exec(txn)
        .await?;
    dialogue::Entity::delete_by_id(id).exec(txn).await?;
    Ok(())
}
