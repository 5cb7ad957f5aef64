//! The questionnaire of a citizen dialogue (*medborgardialog*) and the rules an answer must meet.
//!
//! The same `validate` runs in the browser (inline messages) and on the server (the authority),
//! so both paths refuse exactly the same input.

use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

/// The code stored for a scale's "vet ej" (don't know).
pub const DONT_KNOW: &str = "vet_ej";
/// Hard ceiling on any free-text answer, whatever a question says.
pub const MAX_TEXT_LEN: u32 = 2000;

/// An option of a choice question, or an area of a dialogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: LocalizedText,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged: the cheapest form to decode in the browser bundle.
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 1–5, optionally with "vet ej".
    Scale {
        dont_know: bool,
        low: LocalizedText,
        high: LocalizedText,
    },
    Single {
        options: Vec<Choice>,
    },
    Multi {
        options: Vec<Choice>,
    },
    Text {
        max_len: u32,
    },
    /// Pick one of the dialogue's areas.
    Area,
}

/// Show a question only if an earlier answer has one of these codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub question_id: i64,
    pub any_of: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: i64,
    pub required: bool,
    pub text: LocalizedText,
    pub kind: QuestionKind,
    pub condition: Option<Condition>,
}

impl Question {
    /// The form field that carries this question's answer.
    pub fn field(&self) -> String {
        field_name(self.id)
    }
}

pub fn field_name(question_id: i64) -> String {
    format!("q{question_id}")
}

/// Everything a respondent needs to answer one dialogue, frozen once it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub questions: Vec<Question>,
    pub areas: Vec<Choice>,
}

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Qr,
    Meeting,
    Paper,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Web, Channel::Qr, Channel::Meeting, Channel::Paper];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Qr => "qr",
            Channel::Meeting => "meeting",
            Channel::Paper => "paper",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerValue {
    Scale(u8),
    DontKnow,
    Choice(String),
    Choices(Vec<String>),
    Text(String),
    Area(String),
}

impl AnswerValue {
    /// The codes a condition can match on; free text has none.
    pub fn codes(&self) -> Vec<String> {
        match self {
            AnswerValue::Scale(n) => vec![n.to_string()],
            AnswerValue::DontKnow => vec![DONT_KNOW.to_owned()],
            AnswerValue::Choice(c) | AnswerValue::Area(c) => vec![c.clone()],
            AnswerValue::Choices(cs) => cs.clone(),
            AnswerValue::Text(_) => Vec::new(),
        }
    }
}

/// Why one answer was refused. Each maps to a message in the i18n catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    OutOfRange,
    UnknownOption,
    TooLong,
    Malformed,
}

impl FieldProblem {
    pub const ALL: [FieldProblem; 5] = [
        FieldProblem::Required,
        FieldProblem::OutOfRange,
        FieldProblem::UnknownOption,
        FieldProblem::TooLong,
        FieldProblem::Malformed,
    ];

    /// The code serde uses (`required`, `out_of_range`, …), for code that reads JSON without serde.
    pub fn code(self) -> &'static str {
        match self {
            FieldProblem::Required => "required",
            FieldProblem::OutOfRange => "out_of_range",
            FieldProblem::UnknownOption => "unknown_option",
            FieldProblem::TooLong => "too_long",
            FieldProblem::Malformed => "malformed",
        }
    }

    pub fn from_code(code: &str) -> Option<FieldProblem> {
        FieldProblem::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            FieldProblem::Required => "error.required",
            FieldProblem::OutOfRange => "error.out_of_range",
            FieldProblem::UnknownOption => "error.unknown_option",
            FieldProblem::TooLong => "error.too_long",
            FieldProblem::Malformed => "error.malformed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub question_id: i64,
    pub problem: FieldProblem,
}

/// Why a whole submission was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invalid {
    /// Answers to unknown questions: the form is not this dialogue's.
    UnknownQuestion(String),
    Fields(Vec<FieldError>),
}

/// The raw `qN` values of a form, by field, in order of appearance.
pub type RawValues<'a> = Vec<(&'a str, Vec<&'a str>)>;

/// Collects the raw `qN` values of a form, in order, ignoring empty ones.
pub fn values_by_field(fields: &[(String, String)]) -> RawValues<'_> {
    let mut out: RawValues<'_> = Vec::new();
    for (k, v) in fields {
        if is_question_field(k) {
            let i = match out.iter().position(|(name, _)| *name == k) {
                Some(i) => i,
                None => {
                    out.push((k.as_str(), Vec::new()));
                    out.len() - 1
                }
            };
            if !v.trim().is_empty() {
                out[i].1.push(v.as_str());
            }
        }
    }
    out
}

/// The values given for one field (empty when none).
pub fn values_of<'a>(raw: &RawValues<'a>, field: &str) -> Vec<&'a str> {
    raw.iter()
        .find(|(name, _)| *name == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn is_question_field(k: &str) -> bool {
    k.strip_prefix('q')
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks one question's raw values. `Ok(None)` means unanswered (and allowed to be).
pub fn check_answer(
    question: &Question,
    areas: &[Choice],
    values: &[&str],
) -> Result<Option<AnswerValue>, FieldProblem> {
    if values.is_empty() {
        return if question.required {
            Err(FieldProblem::Required)
        } else {
            Ok(None)
        };
    }
    let single = || -> Result<&str, FieldProblem> {
        match values {
            [one] => Ok(one.trim()),
            _ => Err(FieldProblem::Malformed),
        }
    };
    let value = match &question.kind {
        QuestionKind::Scale { dont_know, .. } => {
            let v = single()?;
            if v == DONT_KNOW {
                if *dont_know {
                    AnswerValue::DontKnow
                } else {
                    return Err(FieldProblem::OutOfRange);
                }
            } else {
                match v.parse::<i64>() {
                    Ok(n) if (1..=5).contains(&n) => AnswerValue::Scale(n as u8),
                    Ok(_) => return Err(FieldProblem::OutOfRange),
                    Err(_) => return Err(FieldProblem::Malformed),
                }
            }
        }
        QuestionKind::Single { options } => {
            let v = single()?;
            if !options.iter().any(|o| o.code == v) {
                return Err(FieldProblem::UnknownOption);
            }
            AnswerValue::Choice(v.to_owned())
        }
        QuestionKind::Multi { options } => {
            let mut picked: Vec<String> = Vec::new();
            for v in values {
                let v = v.trim();
                if !options.iter().any(|o| o.code == v) {
                    return Err(FieldProblem::UnknownOption);
                }
                if !picked.iter().any(|p| p == v) {
                    picked.push(v.to_owned());
                }
            }
            AnswerValue::Choices(picked)
        }
        QuestionKind::Text { max_len } => {
            let v = single()?;
            let cleaned: String = v
                .chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .collect::<String>()
                .replace("\r\n", "\n");
            let cleaned = cleaned.trim();
            if cleaned.chars().count() as u32 > (*max_len).min(MAX_TEXT_LEN) {
                return Err(FieldProblem::TooLong);
            }
            if cleaned.is_empty() {
                return if question.required {
                    Err(FieldProblem::Required)
                } else {
                    Ok(None)
                };
            }
            AnswerValue::Text(cleaned.to_owned())
        }
        QuestionKind::Area => {
            let v = single()?;
            if !areas.iter().any(|a| a.code == v) {
                return Err(FieldProblem::UnknownOption);
            }
            AnswerValue::Area(v.to_owned())
        }
    };
    Ok(Some(value))
}

/// Whether a question is shown, given the answers accepted so far.
pub fn condition_met(question: &Question, answered: &[(i64, AnswerValue)]) -> bool {
    match &question.condition {
        None => true,
        Some(c) => answered
            .iter()
            .find(|(id, _)| *id == c.question_id)
            .is_some_and(|(_, a)| a.codes().iter().any(|code| c.any_of.contains(code))),
    }
}

/// The questions shown for the values typed so far, in order.
pub fn visible_questions(q: &Questionnaire, fields: &[(String, String)]) -> Vec<i64> {
    let raw = values_by_field(fields);
    let mut answered: Vec<(i64, AnswerValue)> = Vec::new();
    let mut shown = Vec::new();
    for question in &q.questions {
        if !condition_met(question, &answered) {
            continue;
        }
        shown.push(question.id);
        if let Ok(Some(v)) = check_answer(question, &q.areas, &values_of(&raw, &question.field())) {
            answered.push((question.id, v));
        }
    }
    shown
}

/// Validates a whole form. Answers to questions whose condition is not met are dropped,
/// never stored: without JavaScript every question is visible, so this matters.
pub fn validate(
    questionnaire: &Questionnaire,
    fields: &[(String, String)],
) -> Result<Vec<(i64, AnswerValue)>, Invalid> {
    let raw = values_by_field(fields);
    for (name, _) in &raw {
        if !questionnaire.questions.iter().any(|q| q.field() == *name) {
            return Err(Invalid::UnknownQuestion((*name).to_owned()));
        }
    }
    let mut ordered: Vec<(i64, AnswerValue)> = Vec::new();
    let mut errors = Vec::new();
    for q in &questionnaire.questions {
        if !condition_met(q, &ordered) {
            continue;
        }
        let values = values_of(&raw, &q.field());
        match check_answer(q, &questionnaire.areas, &values) {
            Ok(Some(v)) => {
                ordered.push((q.id, v));
            }
            Ok(None) => {}
            Err(problem) => errors.push(FieldError {
                question_id: q.id,
                problem,
            }),
        }
    }
    if errors.is_empty() {
        Ok(ordered)
    } else {
        Err(Invalid::Fields(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_codes_match_serde() {
        for p in FieldProblem::ALL {
            assert_eq!(
                serde_json::to_string(&p).expect("serialize"),
                format!("\"{}\"", p.code())
            );
            assert_eq!(FieldProblem::from_code(p.code()), Some(p));
        }
        assert_eq!(FieldProblem::from_code("nope"), None);
    }

    fn opt(code: &str) -> Choice {
        Choice {
            code: code.into(),
            label: LocalizedText::new(code, code),
        }
    }

    fn sample() -> Questionnaire {
        Questionnaire {
            questions: vec![
                Question {
                    id: 1,
                    required: true,
                    text: LocalizedText::new("Trygg?", "Safe?"),
                    kind: QuestionKind::Scale {
                        dont_know: true,
                        low: LocalizedText::default(),
                        high: LocalizedText::default(),
                    },
                    condition: None,
                },
                Question {
                    id: 2,
                    required: false,
                    text: LocalizedText::new("Varför otrygg?", "Why unsafe?"),
                    kind: QuestionKind::Text { max_len: 10 },
                    condition: Some(Condition {
                        question_id: 1,
                        any_of: vec!["1".into(), "2".into()],
                    }),
                },
                Question {
                    id: 3,
                    required: false,
                    text: LocalizedText::new("Problem", "Problems"),
                    kind: QuestionKind::Multi {
                        options: vec![opt("drugs"), opt("traffic")],
                    },
                    condition: None,
                },
            ],
            areas: vec![opt("centrum")],
        }
    }

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn accepts_valid_and_drops_unmet_conditions() {
        let got = validate(
            &sample(),
            &f(&[("q1", "4"), ("q2", "dropped"), ("q3", "drugs")]),
        )
        .expect("valid");
        assert_eq!(
            got,
            vec![
                (1, AnswerValue::Scale(4)),
                (3, AnswerValue::Choices(vec!["drugs".into()]))
            ]
        );
    }

    #[test]
    fn keeps_answers_whose_condition_is_met() {
        let got = validate(&sample(), &f(&[("q1", "2"), ("q2", "mörkt")])).expect("valid");
        assert_eq!(got[1], (2, AnswerValue::Text("mörkt".into())));
    }

    #[test]
    fn refuses_missing_out_of_range_long_and_unknown() {
        assert_eq!(
            validate(&sample(), &f(&[("q3", "drugs")])),
            Err(Invalid::Fields(vec![FieldError {
                question_id: 1,
                problem: FieldProblem::Required
            }]))
        );
        assert!(matches!(
            validate(&sample(), &f(&[("q1", "6")])),
            Err(Invalid::Fields(e)) if e[0].problem == FieldProblem::OutOfRange
        ));
        assert!(matches!(
            validate(&sample(), &f(&[("q1", "1"), ("q2", "elva tecken")])),
            Err(Invalid::Fields(e)) if e[0].problem == FieldProblem::TooLong
        ));
        assert!(matches!(
            validate(&sample(), &f(&[("q1", "1"), ("q3", "ufo")])),
            Err(Invalid::Fields(e)) if e[0].problem == FieldProblem::UnknownOption
        ));
        assert_eq!(
            validate(&sample(), &f(&[("q1", "1"), ("q99", "x")])),
            Err(Invalid::UnknownQuestion("q99".into()))
        );
        assert!(matches!(
            validate(&sample(), &f(&[("q1", "1"), ("q1", "2")])),
            Err(Invalid::Fields(e)) if e[0].problem == FieldProblem::Malformed
        ));
    }

    #[test]
    fn dont_know_and_control_characters() {
        let got = validate(&sample(), &f(&[("q1", "vet_ej")])).expect("valid");
        assert_eq!(got, vec![(1, AnswerValue::DontKnow)]);
        let got = validate(&sample(), &f(&[("q1", "1"), ("q2", "a\u{0}b")])).expect("valid");
        assert_eq!(got[1], (2, AnswerValue::Text("ab".into())));
    }
}

/// A dialogue as reached through one target group's public link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub dialogue_id: i64,
    /// The local police area (LPO) the dialogue belongs to.
    pub lpo_id: i64,
    pub dialogue_group_id: i64,
    pub link_code: String,
    pub group_code: String,
    pub group_name: LocalizedText,
    pub lpo_name: String,
    pub title: LocalizedText,
    pub intro: LocalizedText,
    pub opens_at: chrono::DateTime<chrono::Utc>,
    pub closes_at: chrono::DateTime<chrono::Utc>,
    /// A closed group (e.g. a council meeting): answers need the group's invitation code.
    /// The code itself never leaves the server.
    pub invite_required: bool,
    pub questionnaire: Questionnaire,
}

/// Whether a dialogue takes answers at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Openness {
    NotYetOpen,
    Open,
    Closed,
}

impl Survey {
    pub fn openness(&self, now: chrono::DateTime<chrono::Utc>) -> Openness {
        if now < self.opens_at {
            Openness::NotYetOpen
        } else if now >= self.closes_at {
            Openness::Closed
        } else {
            Openness::Open
        }
    }
}

/// A submission id: created when the form is rendered, so that a retry is recognised.
pub fn is_valid_submission_id(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}
