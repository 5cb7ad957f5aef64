//! The dialogue dashboard's read model. Built at the service layer with the n<5 rule
//! already applied ([`crate::suppress`]), so no view, export or API can bypass it.

use crate::survey::Choice;
use crate::text::LocalizedText;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Who reads: staff see exact response counts (the coverage meter is useful from the first
/// answer); the public and every export see those counts suppressed too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A closed question's answers: overall, by target group and by area.
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
