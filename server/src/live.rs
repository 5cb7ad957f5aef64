//! Live dashboards: one Server-Sent Events stream per open dashboard.
//!
//! - Change notices come from [`db::live::Bus`] (in-process on SQLite, `LISTEN/NOTIFY` on
//!   PostgreSQL, so any instance's answers reach every instance's streams).
//! - The hub coalesces them: at most one frame per dialogue and view every [`TICK`] (2 a
//!   second), computed once from the kept aggregates (never a scan of answers), rendered once
//!   per language and shared by every stream through a `watch` channel, which keeps only the
//!   newest frame. A slow stream skips frames instead of queueing them.
//! - A frame is the whole current state, so a stream that (re)connects catches up at once.
//! - Streams end after [`Config::live_stream_max_seconds`] and the browser reconnects, which
//!   checks the session or the display link again; a display stream also checks its link
//!   every [`RECHECK`], so a revoked wall screen goes dark within that time.

use crate::ServerState;
use crate::guard::Staff;
use crate::route::PlainRoute;
use app::Lang;
use app::access::Access;
use app::pages::dashboard::{LiveView, live_frame};
use app::paths;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use db::clock::Clock;
use domain::Permission;
use domain::dashboard::Audience;
use futures_util::stream;
use sea_orm::{DatabaseConnection, DbErr};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, MissedTickBehavior};

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::get(
        "dashboard_stream",
        paths::DASHBOARD_STREAM,
        Access::Staff(Permission::SeeAnswers),
        || get(staff_stream),
    )
    .aggregating(),
    PlainRoute::get(
        "display_stream",
        paths::DISPLAY_STREAM,
        Access::Public,
        || get(display_stream),
    )
    .aggregating(),
];

/// Frames per dialogue and view are at most this often (2 a second).
pub const TICK: Duration = Duration::from_millis(500);
/// Every open dashboard is refreshed this often without news: pace, the 48-hour window and
/// the "preliminary" label move with the clock.
const IDLE_REFRESH: Duration = Duration::from_secs(60);
/// How long a stream waits for the first frame another stream of its view is computing.
const FIRST_FRAME_WAIT: Duration = Duration::from_secs(5);
/// How often a display stream checks that its link is still live.
pub const RECHECK: Duration = Duration::from_secs(15);

type Key = (i64, LiveView, Lang);
type Slot = watch::Sender<Option<Arc<Frame>>>;

/// One rendered state of a dialogue for one view and language.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub json: String,
}

/// The per-process fan-out of live frames.
pub struct Hub {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    slots: Mutex<HashMap<Key, Slot>>,
    open: AtomicUsize,
    max_streams: usize,
    seq: AtomicU64,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("open", &self.open.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// Starts the hub's task, fed by `bus`. Must be called inside a Tokio runtime.
    pub fn start(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        bus: &db::live::Bus,
        max_streams: usize,
    ) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            db,
            clock,
            slots: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
            max_streams,
            seq: AtomicU64::new(0),
        });
        tokio::spawn(run(Arc::downgrade(&hub), bus.subscribe()));
        hub
    }

    /// Streams open on this instance.
    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    fn watched(&self) -> Vec<Key> {
        let Ok(mut slots) = self.slots.lock() else {
            return Vec::new();
        };
        slots.retain(|_, tx| tx.receiver_count() > 0);
        slots.keys().copied().collect()
    }

    /// Recomputes and sends the frames of one dialogue for the views being watched.
    async fn refresh(&self, dialogue_id: i64, keys: &[Key]) -> Result<(), DbErr> {
        let now = self.clock.now();
        let mut dashboards = HashMap::new();
        for key in keys.iter().filter(|k| k.0 == dialogue_id) {
            let audience = match key.1 {
                LiveView::Staff { .. } => Audience::Staff,
                LiveView::Wall => Audience::Public,
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = dashboards.entry(audience) {
                slot.insert(db::dashboard::dashboard(&self.db, dialogue_id, audience, now).await?);
            }
            let Some(Some(d)) = dashboards.get(&audience) else {
                continue;
            };
            let json = live_frame(d, key.2, key.1);
            let Ok(slots) = self.slots.lock() else {
                continue;
            };
            if let Some(tx) = slots.get(key) {
                tx.send_if_modified(|current| {
                    if current.as_ref().is_some_and(|f| f.json == json) {
                        return false;
                    }
                    let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
                    *current = Some(Arc::new(Frame { seq, json }));
                    true
                });
            }
        }
        Ok(())
    }

    /// A receiver of `key`'s frames, holding the current frame. `Ok(None)` for an unknown
    /// dialogue.
    async fn subscribe(
        &self,
        key: Key,
    ) -> Result<Option<watch::Receiver<Option<Arc<Frame>>>>, DbErr> {
        let (rx, first) = {
            let mut slots = self
                .slots
                .lock()
                .map_err(|_| DbErr::Custom("live hub lock poisoned".to_owned()))?;
            match slots.entry(key) {
                std::collections::hash_map::Entry::Occupied(slot) => {
                    (slot.get().subscribe(), false)
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    (slot.insert(watch::channel(None).0).subscribe(), true)
                }
            }
        };
        if rx.borrow().is_none() {
            // A wall of screens opening at once computes the first frame once: the first
            // subscriber computes it, the others wait for it (or compute it themselves if
            // it does not come).
            let arrived = !first
                && matches!(
                    tokio::time::timeout(FIRST_FRAME_WAIT, rx.clone().changed()).await,
                    Ok(Ok(()))
                );
            if !arrived && rx.borrow().is_none() {
                self.refresh(key.0, &[key]).await?;
            }
        }
        let ready = rx.borrow().is_some();
        Ok(ready.then_some(rx))
    }
}

/// The hub's task: collects change notices and sends at most one frame per [`TICK`].
async fn run(hub: std::sync::Weak<Hub>, mut notices: broadcast::Receiver<i64>) {
    let mut dirty: HashSet<i64> = HashSet::new();
    let mut everything = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut idle = tokio::time::interval(IDLE_REFRESH);
    idle.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            notice = notices.recv() => match notice {
                Ok(db::live::EVERYTHING) | Err(broadcast::error::RecvError::Lagged(_)) => everything = true,
                Ok(id) => { dirty.insert(id); }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = idle.tick() => everything = true,
            _ = tick.tick() => {
                let Some(hub) = hub.upgrade() else { return };
                if !everything && dirty.is_empty() {
                    continue;
                }
                let keys = hub.watched();
                let ids: HashSet<i64> = if everything {
                    keys.iter().map(|k| k.0).collect()
                } else {
                    dirty.iter().copied().filter(|id| keys.iter().any(|k| k.0 == *id)).collect()
                };
                everything = false;
                dirty.clear();
                for id in ids {
                    if let Err(e) = hub.refresh(id, &keys).await {
                        tracing::warn!(error = %e, dialogue = id, "live refresh failed");
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    #[serde(default)]
    lang: Option<String>,
}

impl StreamQuery {
    fn lang(&self) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default()
    }
}

/// `GET /personal/oversikt/{dialogue}/live`: the staff dashboard's stream (session, role and
/// LPO scope checked as for the page).
pub async fn staff_stream(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    Query(q): Query<StreamQuery>,
    Staff(p): Staff,
) -> Response {
    let lpo = match db::dashboard::lpo_of(&state.app.db, dialogue).await {
        Ok(Some(lpo)) => lpo,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return failed(e),
    };
    match db::register::visible_lpos(&state.app.db, &p).await {
        Ok(Some(lpos)) if !lpos.contains(&lpo) => return StatusCode::FORBIDDEN.into_response(),
        Ok(_) => {}
        Err(e) => return failed(e),
    }
    let view = LiveView::Staff {
        moderate: p.may(domain::Permission::Moderate),
    };
    open(state, (dialogue, view, q.lang()), None).await
}

/// `GET /visning/{token}/live`: a wall screen's stream, through its display link.
pub async fn display_stream(
    State(state): State<ServerState>,
    Path(token): Path<String>,
    Query(q): Query<StreamQuery>,
) -> Response {
    match db::kiosk::display_dialogue(&state.app.db, &token).await {
        Ok(Some(id)) => open(state, (id, LiveView::Wall, q.lang()), Some(token)).await,
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => failed(e),
    }
}

fn failed(e: DbErr) -> Response {
    crate::respond::failed("live stream failed", e)
}

/// Counts an open stream for as long as it lives.
struct Open(Arc<Hub>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Follow {
    rx: watch::Receiver<Option<Arc<Frame>>>,
    first: bool,
    ends: Instant,
    display: Option<String>,
    db: DatabaseConnection,
    _open: Open,
}

async fn open(state: ServerState, key: Key, display: Option<String>) -> Response {
    let hub = state.live.clone();
    if hub.open.fetch_add(1, Ordering::Relaxed) >= hub.max_streams {
        hub.open.fetch_sub(1, Ordering::Relaxed);
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let guard = Open(hub.clone());
    let rx = match hub.subscribe(key).await {
        Ok(Some(rx)) => rx,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return failed(e),
    };
    let follow = Follow {
        rx,
        first: true,
        ends: Instant::now() + Duration::from_secs(state.config.live_stream_max_seconds),
        display,
        db: state.app.db.clone(),
        _open: guard,
    };
    let events = stream::unfold(follow, |mut f| async move {
        loop {
            if f.first {
                f.first = false;
                let frame = f.rx.borrow_and_update().clone();
                if let Some(frame) = frame {
                    return Some((Ok::<_, std::convert::Infallible>(event(&frame)), f));
                }
            }
            tokio::select! {
                changed = f.rx.changed() => {
                    changed.ok()?;
                    let frame = f.rx.borrow_and_update().clone();
                    if let Some(frame) = frame {
                        return Some((Ok(event(&frame)), f));
                    }
                }
                _ = tokio::time::sleep(RECHECK), if f.display.is_some() => {
                    let token = f.display.as_deref().unwrap_or_default();
                    match db::kiosk::display_dialogue(&f.db, token).await {
                        Ok(Some(_)) => {}
                        // Revoked (or unreadable): the wall screen goes dark.
                        _ => return None,
                    }
                }
                _ = tokio::time::sleep_until(f.ends) => return None,
            }
        }
    });
    let mut res = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies must pass each event on at once.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}

fn event(frame: &Frame) -> Event {
    Event::default()
        .event("state")
        .id(frame.seq.to_string())
        .data(&frame.json)
}
