//! The load generator's HTTP client: hyper's pooled client (keep-alive, as a browser holds
//! its connection), bounded in time on every call.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::{Client as HyperClient, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

pub type Client = HyperClient<HttpConnector, Full<Bytes>>;
pub type Req = Request<Full<Bytes>>;

/// A client that keeps as many idle connections as the load needs.
pub fn client() -> Client {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    HyperClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(usize::MAX)
        .build(connector)
}

/// A whole answer: status, headers and the collected body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The `name=value` part of every `Set-Cookie`.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(|c| c.trim().to_owned())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `req` and reads the whole answer, or gives up after `timeout`.
pub async fn send(client: &Client, req: Req, timeout: Duration) -> Result<Reply, String> {
    let exchange = async {
        let res = client.request(req).await.map_err(|e| e.to_string())?;
        let (parts, body) = res.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| "timed out".to_owned())?
}

fn with_cookie(
    mut b: hyper::http::request::Builder,
    cookie: Option<&str>,
) -> hyper::http::request::Builder {
    if let Some(c) = cookie.filter(|c| !c.is_empty()) {
        b = b.header(header::COOKIE, c);
    }
    b
}

/// A page request, as a browser sends it.
pub fn get(url: &str, cookie: Option<&str>, accept: &str) -> Result<Req, String> {
    with_cookie(Request::get(url), cookie)
        .header(header::ACCEPT, accept)
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())
}

/// A form post from a page of `origin`, as a browser sends it.
pub fn post_form(
    url: &str,
    origin: &str,
    cookie: Option<&str>,
    body: String,
) -> Result<Req, String> {
    let origin = HeaderValue::from_str(origin).map_err(|e| e.to_string())?;
    with_cookie(Request::post(url), cookie)
        .header(header::ORIGIN, origin)
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())
}
