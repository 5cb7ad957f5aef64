//! The dialogue dashboard, read from the incrementally kept tallies (never a scan of answers),
//! with the n<5 rule applied here, at the service layer.

use crate::entity::{
    answer, dialogue, dialogue_group, published_snapshot, tally, tally_hour, target_group,
};
use crate::survey::{load_questionnaire, parse_text};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::dashboard::{
    Audience, Dashboard, Distribution, FreeText, GroupCoverage, LATEST_TEXTS, expected_by,
};
use domain::suppress::{MIN_ANSWERS, gate, publishable, suppress_table};
use domain::{Channel, Choice, LocalizedText, QuestionKind, Questionnaire};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Statement,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A dialogue group with its target group's code and name.
struct Group {
    id: i64,
    code: String,
    name: LocalizedText,
    target: i64,
}

/// The dashboard of one dialogue for `audience`, or `None` for an unknown dialogue.
pub async fn dashboard(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    audience: Audience,
    now: DateTime<Utc>,
) -> Result<Option<Dashboard>, DbErr> {
    let Some(d) = dialogue::Entity::find_by_id(dialogue_id).one(db).await? else {
        return Ok(None);
    };
    let groups = groups_of(db, dialogue_id).await?;
    let tallies = tally::Entity::find()
        .filter(tally::Column::DialogueId.eq(dialogue_id))
        .all(db)
        .await?;
    let responses = |group: i64, channel: Option<&str>| -> i64 {
        tallies
            .iter()
            .filter(|t| t.question_id == 0 && t.dialogue_group_id == group)
            .filter(|t| channel.is_none_or(|c| t.channel == c))
            .map(|t| t.n)
            .sum()
    };
    let total: i64 = groups.iter().map(|g| responses(g.id, None)).sum();

    // Coverage: groups × channels. Staff see exact counts; everyone else the suppressed table.
    let table: Vec<Vec<i64>> = groups
        .iter()
        .map(|g| {
            Channel::ALL
                .iter()
                .map(|c| responses(g.id, Some(c.code())))
                .collect()
        })
        .collect();
    let shown: Vec<Vec<Option<i64>>> = match audience {
        Audience::Staff => table
            .iter()
            .map(|row| row.iter().map(|n| Some(*n)).collect())
            .collect(),
        Audience::Public => suppress_table(&table),
    };
    let coverage = groups
        .iter()
        .zip(table.iter().zip(shown))
        .map(|(g, (raw, cells))| {
            let count = for_audience(audience, raw.iter().sum());
            let expected_now = expected_by(g.target, d.opens_at, d.closes_at, now);
            GroupCoverage {
                group_code: g.code.clone(),
                group_name: g.name.clone(),
                target: g.target,
                behind: count.map(|c| (expected_now - c).max(0)),
                count,
                by_channel: Channel::ALL
                    .iter()
                    .zip(cells)
                    .map(|(c, n)| (c.code().to_owned(), n))
                    .collect(),
                expected_now,
            }
        })
        .collect();

    let (hourly, daily) = time_series(db, dialogue_id, audience, now).await?;
    let closed = now >= d.closes_at;
    let questionnaire = load_questionnaire(db, dialogue_id).await?;
    let state = published(db, dialogue_id, total, closed, now, || {
        distributions(&questionnaire, &groups, &tallies)
    })
    .await?;
    let texts = match audience {
        Audience::Staff => visible_texts(db, state.texts)
            .await?
            .into_iter()
            .map(|mut t| {
                if let Some(q) = questionnaire
                    .questions
                    .iter()
                    .find(|q| q.id == t.question_id)
                {
                    t.question = q.text.clone();
                }
                t
            })
            .collect(),
        Audience::Public => Vec::new(),
    };
    Ok(Some(Dashboard {
        dialogue_id,
        lpo_id: d.lpo_id,
        title: parse_text(&d.title),
        preliminary: !closed,
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        total: for_audience(audience, total),
        groups: coverage,
        hourly,
        daily,
        distributions: state.distributions,
        published_at_total: state.total,
        texts,
    }))
}

/// The LPO a dialogue belongs to, or `None` for an unknown dialogue.
pub async fn lpo_of(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Option<i64>, DbErr> {
    Ok(dialogue::Entity::find_by_id(dialogue_id)
        .one(db)
        .await?
        .map(|d| d.lpo_id))
}

/// A response count as `audience` may see it: exact for staff, under the n<5 rule otherwise.
fn for_audience(audience: Audience, n: i64) -> Option<i64> {
    match audience {
        Audience::Staff => Some(n),
        Audience::Public => publishable(n).then_some(n),
    }
}

/// The dialogue's group ids, in the order every dashboard table lists them.
pub(crate) async fn group_ids(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<i64>, DbErr> {
    Ok(groups_of(db, dialogue_id)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect())
}

async fn groups_of(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<Group>, DbErr> {
    let links = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(dialogue_group::Column::Id)
        .all(db)
        .await?;
    let names: HashMap<i64, target_group::Model> = target_group::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(links
        .into_iter()
        .map(|l| {
            let tg = names.get(&l.target_group_id);
            Group {
                id: l.id,
                code: tg.map(|t| t.code.clone()).unwrap_or_default(),
                name: tg.map(|t| parse_text(&t.name)).unwrap_or_default(),
                target: i64::from(l.target_count),
            }
        })
        .collect())
}

type Series = (
    Vec<(DateTime<Utc>, Option<i64>)>,
    Vec<(NaiveDate, Option<i64>)>,
);

/// Responses per hour for the last 48 hours and per Stockholm day, from `tally_hour`.
async fn time_series(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    audience: Audience,
    now: DateTime<Utc>,
) -> Result<Series, DbErr> {
    let rows = tally_hour::Entity::find()
        .filter(tally_hour::Column::DialogueId.eq(dialogue_id))
        .all(db)
        .await?;
    let mut per_hour: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for r in &rows {
        *per_hour.entry(r.hour).or_default() += r.n;
        *per_day
            .entry(domain::time::stockholm_day(r.hour))
            .or_default() += r.n;
    }
    let this_hour = domain::time::truncate_to_hour(now);
    let hours: Vec<DateTime<Utc>> = (0..48)
        .rev()
        .map(|i| this_hour - Duration::hours(i))
        .collect();
    let hourly: Vec<i64> = hours
        .iter()
        .map(|h| per_hour.get(h).copied().unwrap_or(0))
        .collect();
    let daily: Vec<(NaiveDate, i64)> = per_day.into_iter().collect();
    let shown = |values: Vec<i64>| -> Vec<Option<i64>> {
        match audience {
            Audience::Staff => values.into_iter().map(Some).collect(),
            Audience::Public => suppress_table(&[values]).pop().unwrap_or_default(),
        }
    };
    let hourly = hours.into_iter().zip(shown(hourly)).collect();
    let (days, counts): (Vec<NaiveDate>, Vec<i64>) = daily.into_iter().unzip();
    let daily = days.into_iter().zip(shown(counts)).collect();
    Ok((hourly, daily))
}

/// The values a closed question is counted by, with their labels.
fn values_of(kind: &QuestionKind, areas: &[Choice]) -> Option<Vec<Choice>> {
    let num = |n: u8| Choice {
        code: n.to_string(),
        label: LocalizedText::new(&n.to_string(), &n.to_string()),
    };
    match kind {
        QuestionKind::Scale { dont_know, .. } => {
            let mut v: Vec<Choice> = (1..=5).map(num).collect();
            if *dont_know {
                v.push(Choice {
                    code: domain::DONT_KNOW.to_owned(),
                    label: LocalizedText::new("Vet ej", "Don't know"),
                });
            }
            Some(v)
        }
        QuestionKind::Single { options } | QuestionKind::Multi { options } => Some(options.clone()),
        QuestionKind::Area => Some(areas.to_vec()),
        QuestionKind::Text { .. } => None,
    }
}

/// Every closed question's distribution, suppressed, from the tallies.
fn distributions(
    questionnaire: &Questionnaire,
    groups: &[Group],
    tallies: &[tally::Model],
) -> Vec<Distribution> {
    // Sums by (question, group, value), (question, area, value) and (question, value).
    let mut by_group: HashMap<(i64, i64, &str), i64> = HashMap::new();
    let mut by_area: HashMap<(i64, &str, &str), i64> = HashMap::new();
    let mut overall: HashMap<(i64, &str), i64> = HashMap::new();
    for t in tallies.iter().filter(|t| t.question_id != 0) {
        let v = t.value_key.as_str();
        *by_group
            .entry((t.question_id, t.dialogue_group_id, v))
            .or_default() += t.n;
        *by_area
            .entry((t.question_id, t.area.as_str(), v))
            .or_default() += t.n;
        *overall.entry((t.question_id, v)).or_default() += t.n;
    }
    let count = |q: i64, group: Option<i64>, area: Option<&str>, value: &str| -> i64 {
        match (group, area) {
            (Some(g), _) => by_group.get(&(q, g, value)),
            (None, Some(a)) => by_area.get(&(q, a, value)),
            (None, None) => overall.get(&(q, value)),
        }
        .copied()
        .unwrap_or(0)
    };
    questionnaire
        .questions
        .iter()
        .filter_map(|q| {
            let values = values_of(&q.kind, &questionnaire.areas)?;
            let by_group_raw: Vec<Vec<i64>> = groups
                .iter()
                .map(|g| {
                    values
                        .iter()
                        .map(|v| count(q.id, Some(g.id), None, &v.code))
                        .collect()
                })
                .collect();
            let by_area_raw: Vec<Vec<i64>> = questionnaire
                .areas
                .iter()
                .map(|a| {
                    values
                        .iter()
                        .map(|v| count(q.id, None, Some(&a.code), &v.code))
                        .collect()
                })
                .collect();
            let overall_raw: Vec<i64> = values
                .iter()
                .map(|v| count(q.id, None, None, &v.code))
                .collect();
            let answered_raw: i64 = overall_raw.iter().sum();
            let (mean, share_high) = match q.kind {
                QuestionKind::Scale { .. } => {
                    let n: i64 = overall_raw.iter().take(5).sum();
                    let sum: i64 = overall_raw
                        .iter()
                        .take(5)
                        .enumerate()
                        .map(|(i, c)| (i as i64 + 1) * c)
                        .sum();
                    let high: i64 = overall_raw.iter().skip(3).take(2).sum();
                    (
                        gate(n, sum as f64 / n.max(1) as f64),
                        gate(n, high as f64 / n.max(1) as f64),
                    )
                }
                _ => (None, None),
            };
            let multi = matches!(q.kind, QuestionKind::Multi { .. });
            Some(Distribution {
                question_id: q.id,
                text: q.text.clone(),
                answered: (!multi && answered_raw >= MIN_ANSWERS).then_some(answered_raw),
                overall: suppress_table(&[overall_raw]).pop().unwrap_or_default(),
                by_group: groups
                    .iter()
                    .map(|g| g.name.clone())
                    .zip(suppress_table(&by_group_raw))
                    .collect(),
                by_area: questionnaire
                    .areas
                    .iter()
                    .map(|a| a.label.get(domain::Lang::Sv).to_owned())
                    .zip(suppress_table(&by_area_raw))
                    .collect(),
                values,
                mean,
                share_high,
            })
        })
        .collect()
}

/// What a dialogue's dashboards show of what people answered: a new state only once at least
/// [`MIN_ANSWERS`] new answers have arrived since the last one, or when the dialogue has closed.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Published {
    #[serde(default)]
    total: i64,
    distributions: Vec<Distribution>,
    texts: Vec<FreeText>,
}

/// The state to show: the last published one, or a new one when it is due.
async fn published(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    total: i64,
    closed: bool,
    now: DateTime<Utc>,
    compute: impl FnOnce() -> Vec<Distribution>,
) -> Result<Published, DbErr> {
    let last = published_snapshot::Entity::find_by_id(dialogue_id)
        .one(db)
        .await?;
    if let Some(s) = &last {
        let fresh_enough = total - s.total < MIN_ANSWERS && !(closed && total != s.total);
        if fresh_enough && let Ok(mut state) = serde_json::from_str::<Published>(&s.data) {
            state.total = s.total;
            return Ok(state);
        }
    }
    let texts = if total >= MIN_ANSWERS {
        latest_texts(db, dialogue_id).await?
    } else {
        Vec::new()
    };
    let state = Published {
        total,
        distributions: compute(),
        texts,
    };
    let json = serde_json::to_string(&state).map_err(|e| DbErr::Custom(e.to_string()))?;
    published_snapshot::Entity::insert(published_snapshot::ActiveModel {
        dialogue_id: Set(dialogue_id),
        total: Set(total),
        data: Set(json),
        at: Set(now),
    })
    .on_conflict(
        OnConflict::column(published_snapshot::Column::DialogueId)
            .update_columns([
                published_snapshot::Column::Total,
                published_snapshot::Column::Data,
                published_snapshot::Column::At,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(state)
}

#[derive(FromQueryResult)]
struct TextRow {
    id: i64,
    question_id: i64,
    value_text: Option<String>,
}

/// The newest free-text answers of counted (non-quarantined) responses, not hidden.
async fn latest_texts(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<FreeText>, DbErr> {
    let backend = db.get_database_backend();
    let (p1, p2) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    // Newest answers first, each checked against its response: `CROSS JOIN` keeps SQLite's
    // planner from scanning every response of the dialogue first (7 s at 1,000,000 answers);
    // the walk stops at the limit.
    let sql = format!(
        "SELECT a.id, a.question_id, a.value_text FROM answer a \
         CROSS JOIN response r \
         WHERE r.id = a.response_id AND r.dialogue_id = {p1} AND NOT r.quarantined \
           AND a.value_text IS NOT NULL AND NOT a.hidden \
         ORDER BY a.id DESC LIMIT {p2}"
    );
    let rows = TextRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [dialogue_id.into(), (LATEST_TEXTS as i64).into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| FreeText {
            answer_id: r.id,
            question_id: r.question_id,
            question: LocalizedText::default(),
            text: r.value_text.unwrap_or_default(),
        })
        .collect())
}

/// The published texts less any hidden since publication.
async fn visible_texts(
    db: &impl ConnectionTrait,
    texts: Vec<FreeText>,
) -> Result<Vec<FreeText>, DbErr> {
    if texts.is_empty() {
        return Ok(texts);
    }
    let hidden: Vec<i64> = answer::Entity::find()
        .filter(answer::Column::Id.is_in(texts.iter().map(|t| t.answer_id)))
        .filter(answer::Column::Hidden.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    Ok(texts
        .into_iter()
        .filter(|t| !hidden.contains(&t.answer_id))
        .collect())
}

/// A bank item's published mean and share at 4–5 in one dialogue.
type ItemFigure = (Option<f64>, Option<f64>);

/// LPOs side by side for `lpos` (`None`: all): each dialogue's reach and the shared bank
/// items' published mean and share at 4–5. Built from each dialogue's dashboard, so the
/// n<5 rule and the over-time rule hold here too.
/// Which question is which bank item.
async fn bank_of(db: &impl ConnectionTrait) -> Result<HashMap<i64, i64>, DbErr> {
    use crate::entity::question_meta;
    Ok(question_meta::Entity::find()
        .filter(question_meta::Column::BankItemId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.bank_item_id.map(|b| (m.question_id, b)))
        .collect())
}

/// The dashboard's 1–5 scale distributions that are bank items, with their item.
fn scale_items<'a>(
    dash: &'a domain::dashboard::Dashboard,
    bank_of: &'a HashMap<i64, i64>,
) -> impl Iterator<Item = (i64, &'a domain::dashboard::Distribution)> + 'a {
    dash.distributions.iter().filter_map(|dist| {
        let item = bank_of.get(&dist.question_id)?;
        (matches!(dist.values.len(), 5 | 6) && dist.values.first().is_some_and(|v| v.code == "1"))
            .then_some((*item, dist))
    })
}

/// A dialogue and its follow-up on the bank items both ask, from their public dashboards
/// (so the n<5 rule and the over-time rule hold). `None` when either is unknown.
pub async fn before_after(
    db: &impl ConnectionTrait,
    before: i64,
    after: i64,
    now: DateTime<Utc>,
) -> Result<Option<domain::promise::BeforeAfter>, DbErr> {
    use crate::entity::bank_item;
    use domain::promise::{BeforeAfterItem, ItemFigure};
    let (Some(b), Some(a)) = (
        dashboard(db, before, Audience::Public, now).await?,
        dashboard(db, after, Audience::Public, now).await?,
    ) else {
        return Ok(None);
    };
    let bank_of = bank_of(db).await?;
    let figure = |d: &domain::dashboard::Distribution| ItemFigure {
        answered: d.answered,
        mean: d.mean,
        share_high: d.share_high,
    };
    let after_items: HashMap<i64, ItemFigure> = scale_items(&a, &bank_of)
        .map(|(i, d)| (i, figure(d)))
        .collect();
    let mut items = Vec::new();
    for (item, dist) in scale_items(&b, &bank_of) {
        let Some(later) = after_items.get(&item) else {
            continue;
        };
        let Some(bi) = bank_item::Entity::find_by_id(item).one(db).await? else {
            continue;
        };
        items.push(BeforeAfterItem {
            text: parse_text(&bi.text),
            before: figure(dist),
            after: later.clone(),
        });
    }
    Ok(Some(domain::promise::BeforeAfter {
        before: b.title,
        after: a.title,
        after_preliminary: a.preliminary,
        items,
    }))
}

pub async fn regional(
    db: &impl ConnectionTrait,
    lpos: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<domain::dashboard::Regional, DbErr> {
    use crate::entity::{bank_item, org_unit};
    let mut query = dialogue::Entity::find().order_by_desc(dialogue::Column::OpensAt);
    if let Some(lpos) = lpos {
        query = query.filter(dialogue::Column::LpoId.is_in(lpos.iter().copied()));
    }
    let dialogues = query.all(db).await?;
    let lpo_names: HashMap<i64, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("lpo"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let bank_of = bank_of(db).await?;
    let mut rows = Vec::new();
    let mut used: Vec<i64> = Vec::new();
    let mut figures: Vec<HashMap<i64, ItemFigure>> = Vec::new();
    for d in &dialogues {
        let Some(dash) = dashboard(db, d.id, Audience::Staff, now).await? else {
            continue;
        };
        let mut by_item = HashMap::new();
        for (item, dist) in scale_items(&dash, &bank_of) {
            by_item.insert(item, (dist.mean, dist.share_high));
            if !used.contains(&item) {
                used.push(item);
            }
        }
        figures.push(by_item);
        rows.push(domain::dashboard::RegionalRow {
            dialogue_id: d.id,
            lpo_name: lpo_names.get(&d.lpo_id).cloned().unwrap_or_default(),
            title: dash.title,
            preliminary: dash.preliminary,
            total: dash.total,
            target: dash.groups.iter().map(|g| g.target).sum(),
            groups_behind: dash
                .groups
                .iter()
                .filter(|g| g.behind.is_some_and(|b| b > 0))
                .count(),
            items: Vec::new(),
        });
    }
    let items: Vec<bank_item::Model> = bank_item::Entity::find()
        .filter(bank_item::Column::Id.is_in(used.iter().copied()))
        .order_by_asc(bank_item::Column::Position)
        .all(db)
        .await?;
    for (row, by_item) in rows.iter_mut().zip(&figures) {
        row.items = items
            .iter()
            .map(|i| by_item.get(&i.id).copied().unwrap_or((None, None)))
            .collect();
    }
    Ok(domain::dashboard::Regional {
        items: items.iter().map(|i| (i.id, parse_text(&i.text))).collect(),
        rows,
    })
}
