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
            AppError::TooFast => 422,
            AppError::Rejected => 400,
            AppError::BadInvite | AppError::BadKiosk => 403,
            AppError::AlreadyAnswered => 409,
            AppError::Internal | AppError::Transport(_) => 500,
        }
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
