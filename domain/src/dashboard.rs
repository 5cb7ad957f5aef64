//! The dialogue dashboard's read model. Built at the service layer with the n<5 rule
//! already applied ([`crate::suppress`]), so no view, export or API can bypass it.

use crate::survey::Choice;
use crate::text::LocalizedText;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Who reads: staff see exact response counts (the coverage meter is useful from the first
/// answer); the public and every export see those counts suppressed too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    Staff,
    Public,
}

/// Answers through one target group against its target, per channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCoverage {
    pub group_code: String,
    pub group_name: LocalizedText,
    pub target: i64,
    /// `None`: suppressed for this audience.
    pub count: Option<i64>,
    /// `(channel code, count)`.
    pub by_channel: Vec<(String, Option<i64>)>,
    /// Answers expected by now at an even pace over the dialogue's period.
    pub expected_now: i64,
    /// How far behind that pace the group is (0 when on pace); `None` when suppressed.
    pub behind: Option<i64>,
}

/// The code of a distribution's "did not answer" column (*Inget svar*): published for
/// optional and conditional questions, so that the total less the answers reveals nothing.
pub const NO_ANSWER: &str = "-";

/// A closed question's answers: overall, by target group and by area (the last area row, named
/// by an empty string, is those who gave no area).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub question_id: i64,
    pub text: LocalizedText,
    /// The answer values, in the order of the cells below.
    pub values: Vec<Choice>,
    /// How many answered the question; `None` when under the threshold.
    pub answered: Option<i64>,
    pub overall: Vec<Option<i64>>,
    pub by_group: Vec<(LocalizedText, Vec<Option<i64>>)>,
    pub by_area: Vec<(String, Vec<Option<i64>>)>,
    /// Scale questions: the mean of 1–5 ("vet ej" left out), and the share at 4–5.
    pub mean: Option<f64>,
    pub share_high: Option<f64>,
}

/// A recent free-text answer (staff only; never on public views or wall screens).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeText {
    pub answer_id: i64,
    pub question_id: i64,
    /// The question's wording (filled when read).
    #[serde(default)]
    pub question: LocalizedText,
    pub text: String,
}

/// A spam quarantine as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineLine {
    pub id: i64,
    pub from_hour: DateTime<Utc>,
    pub to_hour: DateTime<Utc>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub released: bool,
    /// Responses it holds now (0 once released).
    pub responses: u64,
}

/// One dialogue in the regional comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionalRow {
    pub dialogue_id: i64,
    pub lpo_name: String,
    pub title: LocalizedText,
    pub preliminary: bool,
    pub total: Option<i64>,
    pub target: i64,
    /// Target groups behind their expected pace.
    pub groups_behind: usize,
    /// Per shared bank item (in [`Regional::items`] order): mean and share at 4–5, as
    /// published, each `None` below the threshold or when the dialogue does not ask it.
    pub items: Vec<(Option<f64>, Option<f64>)>,
}

/// LPOs side by side: reach, and the shared question-bank items that make them comparable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Regional {
    pub items: Vec<(i64, LocalizedText)>,
    pub rows: Vec<RegionalRow>,
}

/// How many recent free-text answers a dashboard shows.
pub const LATEST_TEXTS: u64 = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub dialogue_id: i64,
    pub lpo_id: i64,
    pub title: LocalizedText,
    /// Open dialogues show "preliminary".
    pub preliminary: bool,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub total: Option<i64>,
    pub groups: Vec<GroupCoverage>,
    /// Responses per hour over the last 48 hours (UTC hours, oldest first).
    pub hourly: Vec<(DateTime<Utc>, Option<i64>)>,
    /// Responses per day (Stockholm dates) over the whole period so far.
    pub daily: Vec<(NaiveDate, Option<i64>)>,
    /// The distributions as last published: a new state only after 5 new answers, or at close.
    pub distributions: Vec<Distribution>,
    /// The response total the distributions were published at.
    pub published_at_total: i64,
    /// The latest free-text answers as published (staff only, never hidden ones; empty
    /// below [`crate::suppress::MIN_ANSWERS`] answers).
    pub texts: Vec<FreeText>,
}

/// Answers expected by `now` at an even pace from `opens` to `closes`.
pub fn expected_by(
    target: i64,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    now: DateTime<Utc>,
) -> i64 {
    let span = (closes - opens).num_seconds().max(1);
    let gone = (now - opens).num_seconds().clamp(0, span);
    // Rounded down: a group is behind only once it is a whole answer behind.
    ((target as i128 * gone as i128) / span as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn pace_is_linear_over_the_period() {
        let opens = Utc::now();
        let closes = opens + Duration::days(10);
        assert_eq!(expected_by(60, opens, closes, opens - Duration::days(1)), 0);
        assert_eq!(
            expected_by(60, opens, closes, opens + Duration::days(5)),
            30
        );
        assert_eq!(
            expected_by(60, opens, closes, closes + Duration::days(3)),
            60
        );
    }
}
