//! Every path of the site, stated once. The patterns (axum syntax, `{name}` for a segment)
//! feed the router, the access tables and the tests; the link builders below fill them in for
//! pages and redirects. Leptos' own route list (`App`) spells the page patterns in its macro
//! syntax; the access-matrix test checks that it and [`crate::access::PAGES`] agree.

// Public pages.
pub const HOME: &str = "/";
pub const SURVEY: &str = "/s/{code}";
pub const SURVEY_THANKS: &str = "/s/{code}/tack";
pub const SURVEY_POSTER: &str = "/s/{code}/affisch";
pub const SURVEY_QR: &str = "/s/{code}/qr.svg";
pub const PRIVACY: &str = "/integritet";
pub const ACCESSIBILITY: &str = "/tillganglighet";
pub const PROMISE: &str = "/lofte/{municipality}";
pub const PROMISE_FEED: &str = "/lofte/{municipality}/flode";
pub const DISPLAY: &str = "/visning/{token}";
pub const DISPLAY_STREAM: &str = "/visning/{token}/live";
pub const HEALTHZ: &str = "/healthz";

// Signing in and out.
pub const LOGIN: &str = "/logga-in";
pub const LOGOUT: &str = "/logga-ut";
pub const CHANGE_PASSWORD: &str = "/byt-losenord";
pub const FORGOT_PASSWORD: &str = "/glomt-losenord";
pub const SET_PASSWORD: &str = "/nytt-losenord/{token}";

// Staff pages.
pub const STAFF: &str = "/personal";
pub const PAPER: &str = "/personal/papper/{code}";
pub const DASHBOARD: &str = "/personal/oversikt/{dialogue}";
pub const DASHBOARD_STREAM: &str = "/personal/oversikt/{dialogue}/live";
pub const QUARANTINE: &str = "/personal/oversikt/{dialogue}/karantan";
pub const RELEASE_QUARANTINE: &str = "/personal/oversikt/{dialogue}/karantan/{id}/slapp";
pub const HIDE_TEXT: &str = "/personal/oversikt/{dialogue}/svar/{answer}/dolj";
pub const REGION: &str = "/personal/region";
pub const AUDIT: &str = "/personal/logg";
pub const AUDIT_CSV: &str = "/personal/logg.csv";
pub const USERS: &str = "/personal/anvandare";
pub const USER: &str = "/personal/anvandare/{id}";
pub const USER_PASSWORD: &str = "/personal/anvandare/{id}/losenord";
pub const USER_ACTIVE: &str = "/personal/anvandare/{id}/aktiv";
pub const USER_INVITE: &str = "/personal/anvandare/{id}/inbjudan";
pub const ORG: &str = "/personal/organisation";
pub const ORG_UNIT: &str = "/personal/organisation/{unit}";

// The register of agreements and special areas.
pub const REGISTER: &str = "/personal/overenskommelser";
pub const AGREEMENT_STATUS: &str = "/personal/overenskommelser/{uid}/status";
pub const SPECIAL_AREAS: &str = "/personal/specialomraden";
pub const ASSIGN_SPECIAL_AREA: &str = "/personal/specialomraden/tilldela";

// Citizen dialogues and the question bank.
pub const DIALOGUES: &str = "/personal/dialoger";
pub const DIALOGUE: &str = "/personal/dialoger/{dialogue}";
pub const DIALOGUE_SETTINGS: &str = "/personal/dialoger/{dialogue}/installningar";
pub const DIALOGUE_CHANGE: &str = "/personal/dialoger/{dialogue}/andra";
pub const QUESTIONS: &str = "/personal/dialoger/{dialogue}/fragor";
pub const BANK_QUESTIONS: &str = "/personal/dialoger/{dialogue}/fragor/bank";
pub const QUESTION: &str = "/personal/dialoger/{dialogue}/fragor/{question}";
pub const MOVE_QUESTION: &str = "/personal/dialoger/{dialogue}/fragor/{question}/flytta";
pub const REMOVE_QUESTION: &str = "/personal/dialoger/{dialogue}/fragor/{question}/ta-bort";
pub const KIOSKS: &str = "/personal/dialoger/{dialogue}/kiosk";
pub const REVOKE_KIOSK: &str = "/personal/dialoger/{dialogue}/kiosk/{kiosk}/aterkalla";
pub const BANK: &str = "/personal/fragebank";
pub const BANK_ITEM: &str = "/personal/fragebank/{item}";
pub const BANK_ITEM_CHANGE: &str = "/personal/fragebank/{item}/andra";

// Theme coding and the compilation.
pub const CODING: &str = "/personal/kodning/{dialogue}";
pub const THEMES: &str = "/personal/kodning/{dialogue}/teman";
pub const THEME: &str = "/personal/kodning/{dialogue}/teman/{theme}";
pub const CODE_ANSWER: &str = "/personal/kodning/{dialogue}/{answer}";
pub const COMPILATION: &str = "/personal/sammanstallning/{dialogue}";
pub const APPROVE: &str = "/personal/sammanstallning/{dialogue}/godkann";
pub const QUOTES: &str = "/personal/sammanstallning/{dialogue}/citat";
pub const REMOVE_QUOTE: &str = "/personal/sammanstallning/{dialogue}/citat/{answer}/ta-bort";
pub const EXPORT: &str = "/personal/sammanstallning/{dialogue}/export/{format}";
pub const RETENTION: &str = "/personal/sammanstallning/{dialogue}/gallring";
pub const RAW_TEXT: &str = "/personal/sammanstallning/{dialogue}/fritext.csv";

// Promises and their follow-up.
pub const PROMISES: &str = "/personal/lofte";
pub const STAFF_PROMISE: &str = "/personal/lofte/{promise}";
pub const EDIT_PROMISE: &str = "/personal/lofte/{promise}/andra";
pub const LINK_AGREEMENTS: &str = "/personal/lofte/{promise}/overenskommelser";
pub const SIGN_PROMISE: &str = "/personal/lofte/{promise}/signera";
pub const ADVANCE_PROMISE: &str = "/personal/lofte/{promise}/steg";
pub const ADD_ACTIVITY: &str = "/personal/lofte/{promise}/aktivitet";
pub const LOG_PROGRESS: &str = "/personal/lofte/{promise}/aktivitet/{activity}/framsteg";
pub const ACTIVITY_STATUS: &str = "/personal/lofte/{promise}/aktivitet/{activity}/status";
pub const EDIT_ACTIVITY: &str = "/personal/lofte/{promise}/aktivitet/{activity}/andra";
pub const CORRECT_PROGRESS: &str = "/personal/lofte/{promise}/framsteg/{entry}/ratta";

/// `pattern` with its `{name}` segments replaced by `args`, in order. A pattern with more
/// segments than arguments keeps the rest as written (a mistake the tests see as a 404).
pub fn fill(pattern: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut args = args.iter();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        match args.next() {
            Some(a) => out.push_str(&a.to_string()),
            None => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `path` after a form was saved (the page shows "saved").
pub fn saved(path: &str) -> String {
    format!("{path}?sparad=1")
}

/// The page a mailed one-time link opens.
pub fn set_password(token: &str) -> String {
    fill(SET_PASSWORD, &[&token])
}

/// The sign-in page after a password was set through a link.
pub const LOGIN_AFTER_NEW_PASSWORD: &str = "/logga-in?losenord=1";

/// The sign-in page that comes back to `next` (a path on this site) afterwards.
pub fn login_then(next: &str) -> String {
    format!("{LOGIN}?next={next}")
}

pub fn survey(code: &str) -> String {
    fill(SURVEY, &[&code])
}

/// The thank-you page after an answer, in the language answered and back to the kiosk if any.
pub fn survey_thanks(code: &str, lang: domain::Lang, kiosk: Option<&str>) -> String {
    let mut query = Vec::new();
    if lang != domain::Lang::Sv {
        query.push(format!("lang={}", lang.code()));
    }
    if let Some(k) = kiosk.filter(|k| !k.is_empty()) {
        query.push(format!("kiosk={k}"));
    }
    if query.is_empty() {
        fill(SURVEY_THANKS, &[&code])
    } else {
        format!("{}?{}", fill(SURVEY_THANKS, &[&code]), query.join("&"))
    }
}

pub fn poster(code: &str) -> String {
    fill(SURVEY_POSTER, &[&code])
}

pub fn qr(code: &str) -> String {
    fill(SURVEY_QR, &[&code])
}

pub fn paper(code: &str) -> String {
    fill(PAPER, &[&code])
}

pub fn dialogue(id: i64) -> String {
    fill(DIALOGUE, &[&id])
}

pub fn dashboard(dialogue: i64) -> String {
    fill(DASHBOARD, &[&dialogue])
}

pub fn coding(dialogue: i64) -> String {
    fill(CODING, &[&dialogue])
}

pub fn compilation(dialogue: i64) -> String {
    fill(COMPILATION, &[&dialogue])
}

pub fn promise(municipality: &str) -> String {
    fill(PROMISE, &[&municipality])
}

pub fn promise_feed(municipality: &str) -> String {
    fill(PROMISE_FEED, &[&municipality])
}

pub fn staff_promise(id: i64) -> String {
    fill(STAFF_PROMISE, &[&id])
}

pub fn display(token: &str) -> String {
    fill(DISPLAY, &[&token])
}

/// `base` with `pairs` as its URL query (none: `base` itself), each value encoded.
pub fn with_query(base: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return base.to_owned();
    }
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    format!("{base}?{q}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_query_is_encoded_and_empty_is_the_path() {
        assert_eq!(super::with_query("/personal/logg", &[]), "/personal/logg");
        assert_eq!(
            super::with_query(
                "/personal/logg",
                &[("text", "50% & å".to_owned()), ("page", "2".to_owned())]
            ),
            "/personal/logg?text=50%25+%26+%C3%A5&page=2"
        );
    }

    use super::*;

    #[test]
    fn fill_replaces_each_segment_in_order_and_keeps_the_rest() {
        assert_eq!(
            fill(REMOVE_QUOTE, &[&7, &"12"]),
            "/personal/sammanstallning/7/citat/12/ta-bort"
        );
        assert_eq!(
            fill(QUESTION, &[&3]),
            "/personal/dialoger/3/fragor/{question}"
        );
        assert_eq!(fill(STAFF, &[&3]), "/personal");
        assert_eq!(
            login_then("/personal/logg"),
            "/logga-in?next=/personal/logg"
        );
    }
}
