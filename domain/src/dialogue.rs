//! A dialogue's life after it was created (issue #16): its settings (title, introduction,
//! period, each group's target) and what may be done with it (close early, archive, restore,
//! delete), with the rules of change that say when. The questionnaire's own rule (frozen once
//! it opened, wording fixes only) stays with the builder (`crate::builder`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a dialogue is in its life at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not open yet: everything may change.
    Upcoming,
    /// Taking answers.
    Open,
    /// Its period is over.
    Closed,
}

impl Phase {
    pub fn at(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>, now: DateTime<Utc>) -> Phase {
        if now < opens_at {
            Phase::Upcoming
        } else if now < closes_at {
            Phase::Open
        } else {
            Phase::Closed
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }
}

/// The first day of a period, as staff type it (`YYYY-MM-DD`, a Stockholm day).
pub fn first_day(t: DateTime<Utc>) -> String {
    crate::time::stockholm_day(t).format("%Y-%m-%d").to_string()
}

/// The last day of a period as staff type it: the day before the instant it closes.
pub fn last_day(t: DateTime<Utc>) -> String {
    first_day(t - chrono::Duration::seconds(1))
}

/// Why a new period is refused (field, catalogue key), or `None`. `opens_changed` and
/// `closes_changed` say whether the typed day differs from the stored one (an unchanged day
/// keeps the stored instant, which "close early" may have set to any time of day).
///
/// The rule of change: before the dialogue opens, both days may move (it must close after it
/// opens, and in the future); once open, the first day is fixed (answers were given under it)
/// and the last day may move, later to extend or earlier to close sooner, as long as it is
/// still ahead; once closed, the period is fixed (the compilation rests on it).
pub fn period_refusal(
    phase: Phase,
    (opens_changed, closes_changed): (bool, bool),
    (opens, closes): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Option<(&'static str, &'static str)> {
    match phase {
        Phase::Closed if opens_changed || closes_changed => {
            let field = if closes_changed {
                "closes_on"
            } else {
                "opens_on"
            };
            Some((field, "dialogue.period_closed"))
        }
        Phase::Open if opens_changed => Some(("opens_on", "dialogue.opens_fixed")),
        _ if closes <= opens => Some(("closes_on", "builder.closes_before_opens")),
        _ if closes_changed && closes <= now => Some(("closes_on", "builder.closes_in_past")),
        _ => None,
    }
}

/// What may be done with a whole dialogue, beside editing its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// End the period now (an open dialogue only).
    CloseEarly,
    /// Hide it from the lists (a closed one: an open one is closed first, an upcoming one
    /// without answers can be deleted).
    Archive,
    /// Bring an archived one back into the lists.
    Restore,
    /// Gone for good: only without history (no answer, no compilation, no follow-up).
    Delete,
}

impl Change {
    pub fn parse(code: &str) -> Option<Change> {
        match code {
            "close" => Some(Change::CloseEarly),
            "archive" => Some(Change::Archive),
            "restore" => Some(Change::Restore),
            "delete" => Some(Change::Delete),
            _ => None,
        }
    }

    /// Deleting and closing early cannot be undone: the form asks a second time.
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Change::CloseEarly | Change::Delete)
    }
}

/// Why `change` is refused (catalogue key), or `None` when it may be made. `history`: the
/// dialogue has answers (or quarantined ones), a compilation, or a dialogue following it up.
pub fn change_refusal(
    change: Change,
    phase: Phase,
    archived: bool,
    history: bool,
) -> Option<&'static str> {
    match change {
        Change::CloseEarly if phase != Phase::Open => Some("dialogue.not_open"),
        Change::Archive if archived => Some("dialogue.already_archived"),
        Change::Archive if phase != Phase::Closed => Some("dialogue.archive_not_closed"),
        Change::Restore if !archived => Some("dialogue.not_archived"),
        Change::Delete if history => Some("dialogue.has_history"),
        _ => None,
    }
}

/// The settings form as typed: `title_sv`, `title_en`, `intro_sv`, `intro_en`, `opens_on`,
/// `closes_on` (Stockholm days, as at creation), `target_{group}` for each of the dialogue's
/// groups (its `dialogue_group` id), and `version`, the one the form was opened from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsInput {
    pub title_sv: String,
    pub title_en: String,
    pub intro_sv: String,
    pub intro_en: String,
    pub opens_on: String,
    pub closes_on: String,
    /// `(dialogue group id, target as typed)`.
    pub targets: Vec<(i64, String)>,
}

impl SettingsInput {
    pub fn from_fields(fields: &[(String, String)]) -> SettingsInput {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        SettingsInput {
            title_sv: get("title_sv"),
            title_en: get("title_en"),
            intro_sv: get("intro_sv"),
            intro_en: get("intro_en"),
            opens_on: get("opens_on"),
            closes_on: get("closes_on"),
            targets: fields
                .iter()
                .filter_map(|(k, v)| {
                    let id = k.strip_prefix("target_")?.parse::<i64>().ok()?;
                    Some((id, v.clone()))
                })
                .collect(),
        }
    }

    /// The typed target of group `id`, if the form had one.
    pub fn target(&self, id: i64) -> Option<&str> {
        self.targets
            .iter()
            .find(|(g, _)| *g == id)
            .map(|(_, v)| v.as_str())
    }
}

/// How many dialogues the list shows at once.
pub const DIALOGUES_PAGE: u64 = 20;

/// The dialogues list's view, kept in the URL: `?sok=trygg&visa=arkiverade&sida=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueQuery {
    /// Part of the title (either language, any case).
    pub text: String,
    /// `None`: every dialogue not archived; `Some(phase)`: those in it (not archived).
    pub phase: Option<Phase>,
    /// The archived ones instead.
    pub archived: bool,
    /// 1-based.
    pub page: u64,
}

impl DialogueQuery {
    /// Reads the URL's query pairs; what cannot be read falls back to the whole list.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> DialogueQuery {
        let mut q = DialogueQuery {
            page: 1,
            ..DialogueQuery::default()
        };
        for (k, v) in pairs {
            match (k, v) {
                ("sok", v) => q.text = v.trim().chars().take(100).collect(),
                ("visa", "kommande") => q.phase = Some(Phase::Upcoming),
                ("visa", "oppna") => q.phase = Some(Phase::Open),
                ("visa", "avslutade") => q.phase = Some(Phase::Closed),
                ("visa", "arkiverade") => q.archived = true,
                ("sida", v) => q.page = v.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        q
    }

    /// The `visa` value of this view, empty for the whole list.
    pub fn view_code(&self) -> &'static str {
        match (self.archived, self.phase) {
            (true, _) => "arkiverade",
            (false, Some(Phase::Upcoming)) => "kommande",
            (false, Some(Phase::Open)) => "oppna",
            (false, Some(Phase::Closed)) => "avslutade",
            (false, None) => "",
        }
    }

    /// The query pairs of this view at `page` (the whole list has none).
    pub fn pairs(&self, page: u64) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.text.is_empty() {
            out.push(("sok", self.text.clone()));
        }
        if !self.view_code().is_empty() {
            out.push(("visa", self.view_code().to_owned()));
        }
        if page > 1 {
            out.push(("sida", page.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn phases_follow_the_period() {
        assert_eq!(Phase::at(t(10), t(20), t(9)), Phase::Upcoming);
        assert_eq!(Phase::at(t(10), t(20), t(10)), Phase::Open);
        assert_eq!(Phase::at(t(10), t(20), t(19)), Phase::Open);
        assert_eq!(Phase::at(t(10), t(20), t(20)), Phase::Closed);
    }

    #[test]
    fn the_period_rule_row_by_row() {
        let now = t(15);
        // Upcoming: both days may move, forward or back, while it closes after it opens.
        assert_eq!(
            period_refusal(Phase::Upcoming, (true, true), (t(16), t(25)), now),
            None
        );
        assert_eq!(
            period_refusal(Phase::Upcoming, (true, false), (t(20), t(18)), now),
            Some(("closes_on", "builder.closes_before_opens"))
        );
        // Open: the first day is fixed; the last may move later or earlier, not into the past.
        assert_eq!(
            period_refusal(Phase::Open, (true, false), (t(11), t(20)), now),
            Some(("opens_on", "dialogue.opens_fixed"))
        );
        assert_eq!(
            period_refusal(Phase::Open, (false, true), (t(10), t(28)), now),
            None
        );
        assert_eq!(
            period_refusal(Phase::Open, (false, true), (t(10), t(16)), now),
            None
        );
        assert_eq!(
            period_refusal(Phase::Open, (false, true), (t(10), t(15)), now),
            Some(("closes_on", "builder.closes_in_past"))
        );
        // Closed: fixed, both ends.
        assert_eq!(
            period_refusal(Phase::Closed, (false, true), (t(1), t(28)), now),
            Some(("closes_on", "dialogue.period_closed"))
        );
        assert_eq!(
            period_refusal(Phase::Closed, (true, false), (t(2), t(10)), now),
            Some(("opens_on", "dialogue.period_closed"))
        );
        // Unchanged is always fine, even when it ended at an odd hour (closed early).
        assert_eq!(
            period_refusal(
                Phase::Closed,
                (false, false),
                (t(1), t(10) + Duration::minutes(17)),
                now
            ),
            None
        );
    }

    #[test]
    fn the_change_rule_row_by_row() {
        use Change::*;
        use Phase::*;
        assert_eq!(change_refusal(CloseEarly, Open, false, true), None);
        assert_eq!(
            change_refusal(CloseEarly, Upcoming, false, false),
            Some("dialogue.not_open")
        );
        assert_eq!(
            change_refusal(CloseEarly, Closed, false, true),
            Some("dialogue.not_open")
        );
        assert_eq!(change_refusal(Archive, Closed, false, true), None);
        assert_eq!(
            change_refusal(Archive, Open, false, true),
            Some("dialogue.archive_not_closed")
        );
        assert_eq!(
            change_refusal(Archive, Closed, true, true),
            Some("dialogue.already_archived")
        );
        assert_eq!(change_refusal(Restore, Closed, true, true), None);
        assert_eq!(
            change_refusal(Restore, Closed, false, true),
            Some("dialogue.not_archived")
        );
        assert_eq!(change_refusal(Delete, Upcoming, false, false), None);
        assert_eq!(change_refusal(Delete, Closed, true, false), None);
        assert_eq!(
            change_refusal(Delete, Open, false, true),
            Some("dialogue.has_history")
        );
        assert!(Delete.needs_confirmation() && CloseEarly.needs_confirmation());
        assert!(!Archive.needs_confirmation() && !Restore.needs_confirmation());
    }

    #[test]
    fn the_list_view_round_trips_through_the_url() {
        let q = DialogueQuery::from_pairs([("sok", " trygg "), ("visa", "oppna"), ("sida", "3")]);
        assert_eq!(q.text, "trygg");
        assert_eq!(q.phase, Some(Phase::Open));
        assert_eq!(
            DialogueQuery::from_pairs(q.pairs(3).iter().map(|(k, v)| (*k, v.as_str()))),
            q
        );
        let a = DialogueQuery::from_pairs([("visa", "arkiverade"), ("sida", "x")]);
        assert!(a.archived && a.page == 1);
        assert_eq!(a.pairs(1), vec![("visa", "arkiverade".to_owned())]);
        assert!(
            DialogueQuery::from_pairs([("visa", "bogus")])
                .pairs(1)
                .is_empty()
        );
    }

    #[test]
    fn settings_read_each_groups_target() {
        let f = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let s = SettingsInput::from_fields(&[
            f("title_sv", "Trygg"),
            f("target_7", "120"),
            f("target_x", "5"),
            f("target_9", ""),
        ]);
        assert_eq!(s.title_sv, "Trygg");
        assert_eq!(s.target(7), Some("120"));
        assert_eq!(s.target(9), Some(""));
        assert_eq!(s.target(8), None);
        assert_eq!(s.targets.len(), 2);
    }
}
