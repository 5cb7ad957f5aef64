//! The compilation (*sammanställning*) of a dialogue.
//!
//! The working draft is computed from the kept aggregates and the theme coding, with the
//! n<5 rule applied here (the public dashboard's suppressed figures; theme counts suppressed
//! as a themes × groups table, against differencing too). The LPO manager approves it: the
//! draft is frozen as the next version, as JSON, and later coding or quotes never change it.

use crate::audit;
use crate::builder::{BuilderError, audit_entry, in_scope, invalid};
use crate::entity::{answer, compilation, compilation_quote, org_unit, response};
use chrono::{DateTime, Utc};
use domain::Principal;
use domain::compilation::{Compilation, MAX_QUOTES, Quote, Reach, ThemeCount};
use domain::dashboard::Audience;
use domain::suppress::{Linked, MIN_ANSWERS};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, Statement,
    TransactionTrait,
};
use std::collections::HashMap;

/// Who approves: the LPO manager (in scope) and admins.
pub fn may_approve(p: &Principal) -> bool {
    p.may(domain::Permission::Approve)
}

#[derive(FromQueryResult)]
struct ThemeGroup {
    theme_id: i64,
    dialogue_group_id: i64,
    n: i64,
}

/// The working draft of a dialogue's compilation, or `None` for an unknown dialogue.
pub async fn draft(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Compilation>, DbErr> {
    let Some(dash) = crate::dashboard::dashboard(db, dialogue_id, Audience::Public, now).await?
    else {
        return Ok(None);
    };
    let lpo_name = org_unit::Entity::find_by_id(dash.lpo_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let group_ids = crate::dashboard::group_ids(db, dialogue_id).await?;
    // People (responses) who raised each theme, by target group.
    let backend = db.get_database_backend();
    let p1 = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = ThemeGroup::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT t.theme_id, r.dialogue_group_id, COUNT(DISTINCT r.id) AS n \
             FROM answer_theme t JOIN answer a ON a.id = t.answer_id \
             JOIN response r ON r.id = a.response_id \
             WHERE r.dialogue_id = {p1} AND NOT r.quarantined AND t.accepted \
             GROUP BY t.theme_id, r.dialogue_group_id"
        ),
        [dialogue_id.into()],
    ))
    .all(db)
    .await?;
    let themes = crate::themes::lpo_themes(db, dash.lpo_id).await?;
    let counts: HashMap<(i64, i64), i64> = rows
        .into_iter()
        .map(|r| ((r.theme_id, r.dialogue_group_id), r.n))
        .collect();
    let table: Vec<Vec<i64>> = themes
        .iter()
        .map(|t| {
            group_ids
                .iter()
                .map(|g| counts.get(&(t.id, *g)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    // Themes × groups under the rule, linked to the group counts and the total (known
    // exactly to staff): those in a group who did not raise a theme are a count too.
    let exact = crate::dashboard::dashboard(db, dialogue_id, Audience::Staff, now).await?;
    let group_n: Vec<i64> = exact
        .as_ref()
        .map(|e| e.groups.iter().map(|g| g.count.unwrap_or(0)).collect())
        .unwrap_or_default();
    let total_n = exact.and_then(|e| e.total).unwrap_or(0);
    let mut p = Linked::new();
    let total_cell = p.known(total_n);
    let group_cells: Vec<usize> = group_ids
        .iter()
        .enumerate()
        .map(|(i, _)| p.known(group_n.get(i).copied().unwrap_or(0)))
        .collect();
    let mut planned: Vec<(usize, Vec<usize>)> = Vec::new();
    for raw in &table {
        let overall = p.cell(raw.iter().sum());
        let not_raised = p.unpublished(total_n - raw.iter().sum::<i64>());
        p.line(total_cell, vec![overall, not_raised]);
        let cells: Vec<usize> = raw.iter().map(|n| p.cell(*n)).collect();
        p.line(overall, cells.clone());
        let mut rest = Vec::new();
        for ((c, g), n) in cells.iter().zip(&group_cells).zip(raw) {
            let nt = p.unpublished(p.value(*g) - n);
            p.line(*g, vec![*c, nt]);
            rest.push(nt);
        }
        p.line(not_raised, rest);
        planned.push((overall, cells));
    }
    let visible = p.solve();
    let show = |id: usize| visible[id].then(|| p.value(id));
    let mut ranked: Vec<(i64, ThemeCount)> = themes
        .iter()
        .zip(table.iter().zip(planned))
        .map(|(t, (raw, (overall, cells)))| {
            let total: i64 = raw.iter().sum();
            (
                total,
                ThemeCount {
                    theme_id: t.id,
                    code: t.code.clone(),
                    name: t.name.clone(),
                    overall: show(overall),
                    by_group: cells.iter().map(|c| show(*c)).collect(),
                },
            )
        })
        .collect();
    ranked.sort_by(|(a, x), (b, y)| match (x.overall, y.overall) {
        (Some(_), Some(_)) => b.cmp(a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => x.code.cmp(&y.code),
    });
    // Quotes once enough people answered (the exact count: the public total may be hidden
    // for its neighbours' sake).
    let quotes = if total_n >= MIN_ANSWERS {
        quotes(db, dialogue_id).await?
    } else {
        Vec::new()
    };
    Ok(Some(Compilation {
        dialogue_id,
        title: dash.title,
        lpo_name,
        opens_at: dash.opens_at,
        closes_at: dash.closes_at,
        version: None,
        approved_at: None,
        approved_by: None,
        total: dash.total,
        groups: dash.groups.iter().map(|g| g.group_name.clone()).collect(),
        reach: dash
            .groups
            .iter()
            .map(|g| Reach {
                group_name: g.group_name.clone(),
                target: g.target,
                count: g.count,
                percent: g.count.filter(|_| g.target > 0).map(|c| c * 100 / g.target),
            })
            .collect(),
        distributions: dash.distributions,
        themes: ranked.into_iter().map(|(_, t)| t).collect(),
        quotes,
    }))
}

/// The picked quotes that may still be shown (not hidden, not quarantined).
async fn quotes(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<Quote>, DbErr> {
    let picked = compilation_quote::Entity::find()
        .filter(compilation_quote::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(compilation_quote::Column::AddedAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for q in picked {
        let Some(a) = answer::Entity::find_by_id(q.answer_id).one(db).await? else {
            continue;
        };
        let counted = response::Entity::find_by_id(a.response_id)
            .one(db)
            .await?
            .is_some_and(|r| !r.quarantined && r.dialogue_id == dialogue_id);
        if let (false, true, Some(text)) = (a.hidden, counted, a.value_text) {
            out.push(Quote {
                answer_id: a.id,
                text,
            });
        }
    }
    Ok(out)
}

/// The approved versions of a dialogue's compilation, newest first.
pub async fn approved(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<Compilation>, DbErr> {
    compilation::Entity::find()
        .filter(compilation::Column::DialogueId.eq(dialogue_id))
        .order_by_desc(compilation::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|c| serde_json::from_str(&c.data).map_err(|e| DbErr::Custom(e.to_string())))
        .collect()
}

/// Approves the current draft as the next version (the LPO manager, or an admin).
pub async fn approve(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<i32, BuilderError> {
    if !may_approve(p) {
        return Err(BuilderError::Forbidden);
    }
    let d = in_scope(db, p, dialogue_id).await?;
    let txn = db.begin().await?;
    let version = compilation::Entity::find()
        .filter(compilation::Column::DialogueId.eq(d.id))
        .count(&txn)
        .await? as i32
        + 1;
    let mut c = draft(&txn, d.id, now)
        .await?
        .ok_or(BuilderError::NotFound)?;
    c.version = Some(version);
    c.approved_at = Some(now);
    c.approved_by = Some(p.name.clone());
    let data = serde_json::to_string(&c).map_err(|e| DbErr::Custom(e.to_string()))?;
    compilation::Entity::insert(compilation::ActiveModel {
        dialogue_id: Set(d.id),
        version: Set(version),
        data: Set(data),
        approved_by: Set(Some(p.user_id)),
        approved_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "approve",
            "compilation",
            i64::from(version),
            format!("dialogue={} version={version}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(version)
}

/// Picks a free-text answer of the dialogue as a quote (at most [`MAX_QUOTES`]).
pub async fn add_quote(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    answer_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let a = answer::Entity::find_by_id(answer_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    let r = response::Entity::find_by_id(a.response_id)
        .one(db)
        .await?
        .ok_or(BuilderError::NotFound)?;
    if r.dialogue_id != d.id || a.value_text.is_none() {
        return Err(BuilderError::NotFound);
    }
    if a.hidden || r.quarantined {
        return Err(invalid("answer", "compilation.quote_hidden"));
    }
    let txn = db.begin().await?;
    let picked = compilation_quote::Entity::find()
        .filter(compilation_quote::Column::DialogueId.eq(d.id))
        .count(&txn)
        .await?;
    if picked as usize >= MAX_QUOTES {
        return Err(invalid("answer", "compilation.too_many_quotes"));
    }
    compilation_quote::Entity::insert(compilation_quote::ActiveModel {
        dialogue_id: Set(d.id),
        answer_id: Set(answer_id),
        added_by: Set(Some(p.user_id)),
        added_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "quote",
            "answer",
            answer_id,
            format!("dialogue={}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes a quote out of the draft.
pub async fn remove_quote(
    db: &DatabaseConnection,
    p: &Principal,
    dialogue_id: i64,
    answer_id: i64,
    now: DateTime<Utc>,
) -> Result<(), BuilderError> {
    let d = in_scope(db, p, dialogue_id).await?;
    let txn = db.begin().await?;
    let gone = compilation_quote::Entity::delete_by_id((d.id, answer_id))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(BuilderError::NotFound);
    }
    audit::record(
        &txn,
        audit_entry(
            p,
            &d,
            now,
            "unquote",
            "answer",
            answer_id,
            format!("dialogue={}", d.id),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Free-text answers that may be quoted: coded, not hidden, counted; newest first.
pub async fn quotable(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    limit: u64,
) -> Result<Vec<Quote>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        value_text: Option<String>,
    }
    let backend = db.get_database_backend();
    let (p1, p2) = if backend == DbBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    Ok(Row::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT a.id, a.value_text FROM coded_answer c \
             JOIN answer a ON a.id = c.answer_id JOIN response r ON r.id = a.response_id \
             WHERE c.dialogue_id = {p1} AND NOT a.hidden AND NOT r.quarantined \
               AND a.value_text IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM compilation_quote q \
                               WHERE q.dialogue_id = c.dialogue_id AND q.answer_id = a.id) \
             ORDER BY a.id DESC LIMIT {p2}"
        ),
        [dialogue_id.into(), (limit as i64).into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|r| Quote {
        answer_id: r.id,
        text: r.value_text.unwrap_or_default(),
    })
    .collect())
}

/// CSV of a compilation: one section per table, every text cell neutralised against formula
/// injection and quoted. The figures are the compilation's own, so suppression holds.
pub fn to_csv(c: &Compilation, lang: domain::Lang) -> String {
    use domain::compilation::csv_cell as cell;
    let num = |n: Option<i64>| {
        n.map(|n| n.to_string())
            .unwrap_or_else(|| cell(domain::suppress::hidden_label(lang)))
    };
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    };
    line(vec![cell(c.title.get(lang)), cell(&c.lpo_name)]);
    line(vec![cell("total"), num(c.total)]);
    line(vec![]);
    line(vec![
        cell("group"),
        cell("target"),
        cell("answers"),
        cell("percent"),
    ]);
    for r in &c.reach {
        line(vec![
            cell(r.group_name.get(lang)),
            r.target.to_string(),
            num(r.count),
            num(r.percent),
        ]);
    }
    line(vec![]);
    let mut head = vec![cell("theme"), cell("all")];
    head.extend(c.groups.iter().map(|g| cell(g.get(lang))));
    line(head);
    for t in &c.themes {
        let mut row = vec![cell(t.name.get(lang)), num(t.overall)];
        row.extend(t.by_group.iter().map(|n| num(*n)));
        line(row);
    }
    for d in &c.distributions {
        line(vec![]);
        let mut head = vec![cell(d.text.get(lang))];
        head.extend(d.values.iter().map(|v| cell(v.label.get(lang))));
        line(head);
        let mut all = vec![cell("all")];
        all.extend(d.overall.iter().map(|n| num(*n)));
        line(all);
        for (g, cells) in &d.by_group {
            let mut row = vec![cell(g.get(lang))];
            row.extend(cells.iter().map(|n| num(*n)));
            line(row);
        }
        for (a, cells) in &d.by_area {
            // The row of those who gave no area.
            let name = match (a.is_empty(), lang) {
                (false, _) => a.as_str(),
                (true, domain::Lang::Sv) => "Inget svar",
                (true, _) => "No answer",
            };
            let mut row = vec![cell(name)];
            row.extend(cells.iter().map(|n| num(*n)));
            line(row);
        }
    }
    line(vec![]);
    line(vec![cell("quote")]);
    for q in &c.quotes {
        line(vec![cell(&q.text)]);
    }
    out
}
