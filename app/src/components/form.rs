//! The staff form kit: a refused form's values and messages (`PostedBuilderForm`), the
//! summary and banner above a form, and labelled inputs that show their own error. Every staff
//! page with a form uses these.

use crate::i18n::{Lang, tr};
use domain::builder::FormErrors;
use leptos::prelude::*;

/// A refused builder form, re-rendered with its values and messages.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PostedBuilderForm {
    /// Which form on the page: `create`, `bank-new`, `bank-{id}`, `question-new`,
    /// `question-{id}`, `bank-questions`, `kiosk`, `move-{id}`, `remove-{id}`.
    pub form: String,
    pub values: Vec<(String, String)>,
    pub errors: FormErrors,
    /// A form-level message key (e.g. the questionnaire is frozen).
    pub message: Option<String>,
}

pub(crate) fn posted_for(
    posted: &Option<PostedBuilderForm>,
    form: &str,
) -> Option<PostedBuilderForm> {
    posted.as_ref().filter(|p| p.form == form).cloned()
}

/// A page-level refusal (e.g. the questionnaire is frozen), shown at the top of the page.
pub(crate) fn banner(lang: Lang, posted: &Option<PostedBuilderForm>) -> Option<AnyView> {
    let key = posted.as_ref()?.message.clone()?;
    Some(
        view! {
            <div class="error-summary" role="alert" tabindex="-1" id="refused">
                <p class="error-summary-title">{tr(lang, &key)}</p>
            </div>
        }
        .into_any(),
    )
}

/// The field messages of a refused form, above the form.
pub(crate) fn summary(lang: Lang, posted: &Option<PostedBuilderForm>) -> Option<AnyView> {
    let p = posted.as_ref().filter(|p| !p.errors.is_empty())?;
    let mut keys: Vec<String> = Vec::new();
    for (_, k) in &p.errors {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let items = keys
        .into_iter()
        .map(|k| view! { <li>{tr(lang, &k)}</li> })
        .collect_view();
    Some(
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <p class="error-summary-title">{tr(lang, "form.errors_title")}</p>
                <ul>{items}</ul>
            </div>
        }
        .into_any(),
    )
}

/// Per-field error helpers for one form (`key` prefixes the element ids).
#[derive(Clone)]
pub(crate) struct Errs {
    key: String,
    errors: FormErrors,
    pub(crate) lang: Lang,
}

impl Errs {
    pub(crate) fn new(key: &str, posted: &Option<PostedBuilderForm>, lang: Lang) -> Self {
        Errs {
            key: key.to_owned(),
            errors: posted
                .as_ref()
                .map(|p| p.errors.clone())
                .unwrap_or_default(),
            lang,
        }
    }
    pub(crate) fn id(&self, field: &str) -> String {
        format!("{}-{field}", self.key)
    }
    pub(crate) fn msg(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, k)| tr(self.lang, k))
    }
    pub(crate) fn error(&self, field: &str) -> Option<AnyView> {
        self.msg(field).map(|m| {
            view! { <p id=format!("{}-error", self.id(field)) class="field-error">{m}</p> }
                .into_any()
        })
    }
    /// `aria-describedby`: an optional hint id plus the error id.
    pub(crate) fn described(&self, field: &str, hint: bool) -> Option<String> {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{}-hint", self.id(field)));
        }
        if self.msg(field).is_some() {
            ids.push(format!("{}-error", self.id(field)));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
    pub(crate) fn invalid(&self, field: &str) -> Option<&'static str> {
        self.msg(field).map(|_| "true")
    }
}

pub(crate) fn text_input(e: &Errs, field: &'static str, label: String, value: String) -> AnyView {
    typed_input(e, field, "text", label, value)
}

/// A labelled input of `kind` (`text`, `datetime-local`, …) with its error message.
pub(crate) fn typed_input(
    e: &Errs,
    field: &'static str,
    kind: &'static str,
    label: String,
    value: String,
) -> AnyView {
    let id = e.id(field);
    view! {
        <label class="q-label" for=id.clone()>{label}</label>
        {e.error(field)}
        <input id=id name=field type=kind autocomplete="off" value=value
            aria-describedby=e.described(field, false) aria-invalid=e.invalid(field) />
    }
    .into_any()
}

pub(crate) fn text_area(
    e: &Errs,
    field: &'static str,
    label: String,
    value: String,
    hint: Option<String>,
) -> AnyView {
    let id = e.id(field);
    let has_hint = hint.is_some();
    view! {
        <label class="q-label" for=id.clone()>{label}</label>
        {hint.map(|h| view! { <p class="hint" id=format!("{}-hint", e.id(field))>{h}</p> })}
        {e.error(field)}
        <textarea id=id name=field rows="3" aria-describedby=e.described(field, has_hint) aria-invalid=e.invalid(field)>
            {crate::textarea_text(&value)}
        </textarea>
    }
    .into_any()
}

/// A one-button form that posts `action=what` to `path`, labelled `label` (a catalogue key).
pub(crate) fn action_button(lang: Lang, path: &str, what: &'static str, label: &str) -> AnyView {
    view! {
        <form method="post" action=path.to_owned() class="inline-form">
            <input type="hidden" name="action" value=what />
            <button type="submit" class="button small">{tr(lang, label)}</button>
        </form>
    }
    .into_any()
}

/// A change that cannot be undone, asked twice without JavaScript: a disclosure (`open`)
/// that says what will happen (`confirm`) and holds the form that posts `action=what` with
/// `confirm=1` (its button: `really`). The three texts are catalogue keys.
pub(crate) fn asked_twice(
    lang: Lang,
    path: &str,
    what: &'static str,
    [open, confirm, really]: [&str; 3],
    danger: bool,
) -> AnyView {
    let class = if danger {
        "button small danger"
    } else {
        "button small"
    };
    view! {
        <details class="confirm">
            <summary>{tr(lang, open)}</summary>
            <p>{tr(lang, confirm)}</p>
            <form method="post" action=path.to_owned() class="inline-form">
                <input type="hidden" name="action" value=what />
                <input type="hidden" name="confirm" value="1" />
                <button type="submit" class=class>{tr(lang, really)}</button>
            </form>
        </details>
    }
    .into_any()
}

/// Session key of a staff form saved while its session had ended ([`StaffDraft`]).
pub const STAFF_DRAFT_KEY: &str = "staff_draft";

/// A long staff form posted after its session ended: kept in a fresh session, and shown
/// again, filled in, on `page` once its author has signed in (`server::drafts`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StaffDraft {
    pub page: String,
    pub form: PostedBuilderForm,
}

/// Hidden fields that let a form survive a session that ended while it was typed: which
/// form it is (its key in [`PostedBuilderForm::form`]) and the page it lives on.
pub(crate) fn keeps_draft(form: &str, page: &str) -> AnyView {
    view! {
        <input type="hidden" name="_draft" value=form.to_owned() />
        <input type="hidden" name="_page" value=page.to_owned() />
    }
    .into_any()
}
