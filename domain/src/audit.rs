//! Finding entries in the audit log: the filters a reader sets in the URL, read and checked here
//! (the page, the CSV export and the database search all take the same [`AuditQuery`]).

use crate::AuditLine;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

/// Entries on one page of the log.
pub const PAGE_SIZE: u64 = 50;
/// The most entries one CSV export holds (narrow the filter for more).
pub const EXPORT_MAX: u64 = 100_000;
/// The longest text a filter field takes.
const FIELD_MAX: usize = 200;

/// What a reader asks of the log. Every field is optional; the empty query is the newest page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Part of the name or e-mail address of the staff member who acted.
    pub who: String,
    /// An action, exactly (`created`, `updated`, …).
    pub action: String,
    /// The kind of object (`dialogue`, `staff_user`, …), exactly.
    pub object: String,
    /// Part of the object's id or of the entry's detail text.
    pub text: String,
    /// The first Stockholm day included.
    pub from: Option<NaiveDate>,
    /// The last Stockholm day included.
    pub to: Option<NaiveDate>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// 1-based.
    pub page: u64,
}

/// A filter value that cannot be read: the field's name and the catalogue key of the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryProblem {
    pub field: String,
    pub message: String,
}

/// One page of the log as found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    /// Entries matching the query, on all pages.
    pub total: u64,
    pub query: AuditQuery,
    /// The actions and object kinds the reader's log holds, for the filter's choices.
    pub actions: Vec<String>,
    pub objects: Vec<String>,
}

impl AuditPage {
    /// How many pages the matching entries fill (at least one).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(PAGE_SIZE).max(1)
    }
}

impl AuditQuery {
    /// Reads the URL's query pairs. Unknown keys are ignored; a value that cannot be read is
    /// a problem, never silently dropped.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<AuditQuery, Vec<QueryProblem>> {
        let mut q = AuditQuery {
            page: 1,
            ..AuditQuery::default()
        };
        let mut problems = Vec::new();
        let mut problem = |field: &str, message: &str| {
            problems.push(QueryProblem {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        for (k, v) in pairs {
            let v = v.trim();
            let text = |problem: &mut dyn FnMut(&str, &str)| {
                if v.chars().count() > FIELD_MAX {
                    problem(k, "audit.filter_too_long");
                    String::new()
                } else {
                    v.to_owned()
                }
            };
            match k {
                "who" => q.who = text(&mut problem),
                "action" => q.action = text(&mut problem),
                "object" => q.object = text(&mut problem),
                "text" => q.text = text(&mut problem),
                "from" | "to" if v.is_empty() => {}
                "from" | "to" => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                    Ok(d) if k == "from" => q.from = Some(d),
                    Ok(d) => q.to = Some(d),
                    Err(_) => problem(k, "audit.bad_date"),
                },
                "order" => match v {
                    "" | "newest" => q.oldest_first = false,
                    "oldest" => q.oldest_first = true,
                    _ => problem(k, "audit.bad_order"),
                },
                "page" => match v.parse::<u64>() {
                    Ok(n) if n >= 1 => q.page = n,
                    _ if v.is_empty() => {}
                    _ => problem(k, "audit.bad_page"),
                },
                _ => {}
            }
        }
        if let (Some(f), Some(t)) = (q.from, q.to)
            && f > t
        {
            problem("to", "audit.to_before_from");
        }
        if problems.is_empty() {
            Ok(q)
        } else {
            Err(problems)
        }
    }

    /// The query as URL pairs, leaving out what is unset, with `page` replaced by `page`
    /// (the pager's and the export's links keep every filter).
    pub fn pairs(&self, page: Option<u64>) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (k, v) in [
            ("who", &self.who),
            ("action", &self.action),
            ("object", &self.object),
            ("text", &self.text),
        ] {
            if !v.is_empty() {
                out.push((k, v.clone()));
            }
        }
        if let Some(d) = self.from {
            out.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            out.push(("to", d.to_string()));
        }
        if self.oldest_first {
            out.push(("order", "oldest".to_owned()));
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            out.push(("page", p.to_string()));
        }
        out
    }

    /// The instants the date range covers: from the start of `from`'s Stockholm day to the
    /// start of the day after `to`.
    pub fn range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (
            self.from.and_then(day_start),
            self.to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .and_then(day_start),
        )
    }

    /// Rows to skip for this page.
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(PAGE_SIZE)
    }
}

/// The first instant of a Stockholm calendar day, in UTC.
fn day_start(d: NaiveDate) -> Option<DateTime<Utc>> {
    Stockholm
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A `LIKE` pattern matching `needle` anywhere, lower-cased, with `%`, `_` and the escape
/// character `\` taken literally.
pub fn contains_pattern(needle: &str) -> String {
    let mut p = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_is_the_newest_first_page() {
        let q = AuditQuery::parse([]).expect("empty is fine");
        assert_eq!(q.page, 1);
        assert!(!q.oldest_first);
        assert_eq!(q.offset(), 0);
        assert!(q.pairs(Some(1)).is_empty());
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let q = AuditQuery::parse([
            ("who", " Anna "),
            ("action", "updated"),
            ("object", "activity"),
            ("text", "50%"),
            ("from", "2026-03-01"),
            ("to", "2026-03-31"),
            ("order", "oldest"),
            ("page", "3"),
            ("utm", "ignored"),
        ])
        .expect("valid");
        assert_eq!(q.who, "Anna");
        assert_eq!(q.offset(), 2 * PAGE_SIZE);
        let pairs = q.pairs(Some(q.page));
        let back = AuditQuery::parse(pairs.iter().map(|(k, v)| (*k, v.as_str()))).expect("again");
        assert_eq!(back, q);
        let first = q.pairs(Some(1));
        assert!(
            first.iter().all(|(k, _)| *k != "page"),
            "page 1 is the default"
        );
    }

    #[test]
    fn unreadable_values_are_problems_not_silence() {
        let e = AuditQuery::parse([("from", "1 mars"), ("page", "0"), ("order", "sideways")])
            .expect_err("three problems");
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["from", "page", "order"]);
        let long = "x".repeat(FIELD_MAX + 1);
        assert!(AuditQuery::parse([("text", long.as_str())]).is_err());
        let e = AuditQuery::parse([("from", "2026-04-02"), ("to", "2026-04-01")])
            .expect_err("reversed range");
        assert_eq!(e[0].message, "audit.to_before_from");
    }

    #[test]
    fn the_date_range_is_whole_stockholm_days() {
        let q = AuditQuery::parse([("from", "2026-07-01"), ("to", "2026-07-01")]).expect("ok");
        let (from, to) = q.range();
        // Summer time: midnight in Stockholm is 22:00 UTC the day before.
        assert_eq!(
            from.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-06-30T22:00:00+00:00")
        );
        assert_eq!(
            to.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-07-01T22:00:00+00:00")
        );
    }

    #[test]
    fn search_text_is_taken_literally() {
        assert_eq!(contains_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn pages_count_at_least_one() {
        let mut p = AuditPage::default();
        assert_eq!(p.pages(), 1);
        p.total = PAGE_SIZE + 1;
        assert_eq!(p.pages(), 2);
    }
}
