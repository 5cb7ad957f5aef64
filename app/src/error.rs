//! Typed errors at the server-fn boundary. A resident sees a clear message; the log gets detail.

use domain::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("the dialogue is closed")]
    Closed,
    #[error("the dialogue has not opened yet")]
    NotYetOpen,
    #[error("invalid answers")]
    Invalid(Vec<FieldError>),
    #[error("the form does not belong to this survey")]
    UnknownQuestion,
    #[error("malformed request")]
    BadRequest,
    #[error("sign in first")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("too many attempts")]
    RateLimited,
    #[error("the password must be changed first")]
    MustChangePassword,
    /// Staff forms: field name → catalogue key.
    #[error("invalid form")]
    FormInvalid(Vec<(String, String)>),
    #[error("too many answers from this address")]
    TooManyAnswers,
    #[error("the form was sent faster than a person can fill it in")]
    TooFast,
    /// The form is older than the longest time a form is accepted for. Carries a fresh token
    /// for the same submission id, so the answer can be sent again with its values kept.
    #[error("the form has been open too long")]
    FormExpired(String),
    #[error("the form was refused")]
    Rejected,
    #[error("wrong or missing invitation code")]
    BadInvite,
    #[error("unknown or revoked kiosk")]
    BadKiosk,
    #[error("this browser has already answered")]
    AlreadyAnswered,
    #[error("internal error")]
    Internal,
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Closed | AppError::NotYetOpen => 409,
            AppError::Invalid(_) | AppError::UnknownQuestion => 422,
            AppError::BadRequest => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::RateLimited => 429,
            AppError::MustChangePassword => 403,
            AppError::FormInvalid(_) => 422,
            AppError::TooManyAnswers => 429,
            AppError::TooFast | AppError::FormExpired(_) => 422,
            AppError::Rejected => 400,
            AppError::BadInvite | AppError::BadKiosk => 403,
            AppError::AlreadyAnswered => 409,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The variant without data that serde names `name` (its JSON is `"Name"`), for the
    /// browser code, which reads errors without serde.
    pub fn from_unit_name(name: &str) -> Option<AppError> {
        Some(match name {
            "NotFound" => AppError::NotFound,
            "Closed" => AppError::Closed,
            "NotYetOpen" => AppError::NotYetOpen,
            "UnknownQuestion" => AppError::UnknownQuestion,
            "BadRequest" => AppError::BadRequest,
            "Unauthorized" => AppError::Unauthorized,
            "Forbidden" => AppError::Forbidden,
            "RateLimited" => AppError::RateLimited,
            "MustChangePassword" => AppError::MustChangePassword,
            "TooManyAnswers" => AppError::TooManyAnswers,
            "TooFast" => AppError::TooFast,
            "Rejected" => AppError::Rejected,
            "BadInvite" => AppError::BadInvite,
            "BadKiosk" => AppError::BadKiosk,
            "AlreadyAnswered" => AppError::AlreadyAnswered,
            "Internal" => AppError::Internal,
            _ => return None,
        })
    }

    /// The catalogue key of the form-level message, if any.
    pub fn message_key(&self) -> Option<&'static str> {
        match self {
            AppError::NotFound => Some("survey.not_found"),
            AppError::Closed => Some("survey.closed"),
            AppError::NotYetOpen => Some("survey.not_yet_open"),
            AppError::Invalid(_) => Some("survey.errors_title"),
            AppError::UnknownQuestion => Some("survey.unknown_question"),
            AppError::BadRequest => Some("survey.bad_submission"),
            AppError::Unauthorized => Some("auth.sign_in_first"),
            AppError::Forbidden => Some("auth.forbidden"),
            AppError::RateLimited => Some("auth.rate_limited"),
            AppError::MustChangePassword => Some("auth.must_change"),
            AppError::FormInvalid(_) => Some("form.errors_title"),
            AppError::TooManyAnswers => Some("survey.rate_limited"),
            AppError::TooFast => Some("survey.too_fast"),
            AppError::FormExpired(_) => Some("survey.form_expired"),
            AppError::Rejected => Some("survey.rejected"),
            AppError::BadInvite => Some("survey.bad_invite"),
            AppError::BadKiosk => Some("survey.bad_kiosk"),
            AppError::AlreadyAnswered => Some("survey.already_answered"),
            AppError::Internal => Some("survey.server_error"),
            AppError::Transport(_) => Some("survey.network_error"),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => AppError::Transport(e),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::BadRequest
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_match_serde() {
        let units = [
            AppError::NotFound,
            AppError::Closed,
            AppError::NotYetOpen,
            AppError::UnknownQuestion,
            AppError::BadRequest,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::RateLimited,
            AppError::MustChangePassword,
            AppError::TooManyAnswers,
            AppError::TooFast,
            AppError::Rejected,
            AppError::BadInvite,
            AppError::BadKiosk,
            AppError::AlreadyAnswered,
            AppError::Internal,
        ];
        for e in units {
            let json = serde_json::to_string(&e).expect("serialize");
            let name = json.trim_matches('"');
            assert_eq!(AppError::from_unit_name(name), Some(e));
        }
        assert_eq!(AppError::from_unit_name("Invalid"), None);
    }
}
