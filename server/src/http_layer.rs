//! Cross-cutting HTTP protections: CSRF (Origin check), security headers, limits.

use crate::ServerState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses state-changing requests that a browser sent from another site.
///
/// Browsers send `Origin` on every cross-origin POST (and `Sec-Fetch-Site`); together with
/// `SameSite` cookies this is the OWASP "verify origin" defence. A request without either
/// header is not from a browser and so cannot be a forged one.
pub async fn csrf_guard(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) || same_origin(req.headers(), state.config.site_origin()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "cross-origin request refused");
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Förfrågan kom från en annan webbplats och har stoppats. / The request came from another site and was refused.",
    )
        .into_response()
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request's `Origin` (or, lacking it, `Referer` / `Sec-Fetch-Site`) is the site's own.
pub fn same_origin(headers: &HeaderMap, site_origin: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin
            .to_str()
            .is_ok_and(|o| o.eq_ignore_ascii_case(site_origin));
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer.to_str().is_ok_and(|r| {
            r.eq_ignore_ascii_case(site_origin)
                || r.to_ascii_lowercase()
                    .starts_with(&format!("{}/", site_origin.to_ascii_lowercase()))
        });
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

/// Refuses a NUL character anywhere in the input: in the path, the query or a form or JSON
/// body. No name, code, token or text here may hold one, and PostgreSQL cannot store one in
/// text (it would fail the query: a 500). Browsers never send one from a form.
pub async fn refuse_nul(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let refuse = || {
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Förfrågan innehåller ett otillåtet tecken (NUL). / The request holds a character that is not allowed (NUL).",
        )
            .into_response()
    };
    if req.uri().to_string().contains("%00") {
        return refuse();
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json");
    if is_safe(req.method()) || !(form || json) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config.body_limit_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                refusal_text(StatusCode::PAYLOAD_TOO_LARGE),
            )
                .into_response();
        }
    };
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.contains(&0) || (form && has(b"%00")) || (json && has(b"\\u0000")) {
        return refuse();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Gives every refusal a message: a 4xx that a handler answered with a bare status (an empty
/// body) gets a short bilingual text for its status, so no one is refused in silence.
pub async fn refusal_messages(req: Request, next: Next) -> Response {
    let head = req.method() == Method::HEAD;
    let res = next.run(req).await;
    let status = res.status();
    if head
        || !status.is_client_error()
        || axum::body::HttpBody::size_hint(res.body()).exact() != Some(0)
    {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(refusal_text(status)))
}

/// The message of a bare refusal, in Swedish and English.
pub fn refusal_text(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => {
            "Förfrågan kunde inte tolkas. / The request could not be understood."
        }
        StatusCode::UNAUTHORIZED => "Logga in först. / Sign in first.",
        StatusCode::FORBIDDEN => "Ingen behörighet. / Not allowed.",
        StatusCode::NOT_FOUND => "Det finns inte. / Not found.",
        StatusCode::METHOD_NOT_ALLOWED => {
            "Det går inte att göra så här. / That method is not allowed here."
        }
        StatusCode::CONFLICT => {
            "Det går inte i det här läget. / Not possible in the current state."
        }
        StatusCode::PAYLOAD_TOO_LARGE => "Förfrågan är för stor. / The request is too large.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Fel sorts innehåll. / The content type is not supported."
        }
        StatusCode::UNPROCESSABLE_ENTITY => {
            "Uppgifterna kunde inte godtas. / The input was not accepted."
        }
        StatusCode::TOO_MANY_REQUESTS => {
            "För många försök. Vänta en stund. / Too many requests: wait a while."
        }
        _ => "Förfrågan avvisades. / The request was refused.",
    }
}

/// Headers every response carries. Pages set their own CSP (with a nonce) in the shell.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
            ),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let site = "http://127.0.0.1:3000";
        assert!(same_origin(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            site
        ));
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example")]),
            site
        ));
        assert!(!same_origin(&headers(&[("origin", "null")]), site));
        assert!(same_origin(
            &headers(&[("referer", "http://127.0.0.1:3000/s/x")]),
            site
        ));
        assert!(!same_origin(
            &headers(&[("referer", "http://127.0.0.1:3000.evil.example/")]),
            site
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            site
        ));
        assert!(same_origin(&headers(&[]), site));
    }
}
