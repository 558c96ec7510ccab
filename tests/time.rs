//! Visitors' clocks (issue 16): a device clock that goes backwards, jumps forwards by days, is years
//! off, a tab suspended for hours, a change of time zone. The state counts every event once
//! whatever order its times come in, never holds a negative duration, and the edge (`clamp`, as
//! `qualify` and `relay` run it against their own clock) bounds whatever the device claimed.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use leadscore::engine;
use leadscore::model::{Model, ModelSet};
use leadscore::sanitize::{clamp, ONE_PAGE_MS};
use leadscore::state::{TimedEvent, VisitorState, VISIT_GAP_MS};
use leadscore::value::Value;
use proptest::prelude::*;
use serde_json::json;

/// The edge's clock.
const NOW: i64 = 1_763_856_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const YEAR: i64 = 365 * DAY;
const PATHS: [&str; 4] = ["/", "/pricing", "/features", "/webinar"];
/// The model's points added up (cards count hundredths of a point): no card can go past them.
const MAX_POINTS: i64 = (3 * 15 + 10 + 10 + 30 + 20) * 100;

fn v(json: serde_json::Value) -> Value {
    serde_json::from_value(json).unwrap()
}

fn model() -> Model {
    let doc = v(json!({ "name": "time", "rules": [
        { "id": "pricing", "points": 15, "when": { "page_view": { "path": "/pricing" } }, "per": "1d", "max": 3, "decay": { "half_life": "10d" } },
        { "id": "engaged", "points": 10, "when": { "engaged": { "path": "/features", "seconds": 30 } } },
        { "id": "back", "points": 10, "when": { "visits": { "at_least": 2 } } },
        { "id": "webinar", "points": 30, "when": { "form_submit": { "form": "webinar" } }, "window": "30d", "max": 1 },
        { "id": "inactive", "points": -20, "when": { "inactive": { "for": "90d" } } }
    ], "stages": [{ "name": "cold" }, { "name": "mql", "min": 40 }] }));
    ModelSet::parse(&doc).unwrap().models.remove(0)
}

/// A device clock's step between two events: forwards a little, backwards (a corrected clock), a
/// jump of days, or years off either way (a dead CMOS battery, a wrong year set by hand).
fn step() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1_000i64..(20 * 60_000),
        2 => -(3 * HOUR)..0i64,
        1 => DAY..(40 * DAY),
        1 => (3 * HOUR)..(12 * HOUR), // a tab suspended for hours, then resumed
        1 => prop_oneof![Just(15 * YEAR), Just(-15 * YEAR), Just(40 * YEAR)],
    ]
}

/// (kind, path, engaged seconds, clock step before it).
fn journey() -> impl Strategy<Value = Vec<(usize, usize, u32, i64)>> {
    prop::collection::vec((0usize..4, 0usize..4, 0u32..400, step()), 1..40)
}

/// The events as the tag would stamp them with the device clock, in the order they happened. Every
/// `page_view` carries an id; the event with that id is sent twice (a retried form post).
fn events(plan: &[(usize, usize, u32, i64)]) -> Vec<TimedEvent> {
    let mut device = NOW - 30 * DAY;
    let mut out = Vec::new();
    for (i, &(kind, path, seconds, step)) in plan.iter().enumerate() {
        device += step;
        // The core accepts 2000–2200: a clock outside that is a bug the tag's event is rejected for.
        let ts = device.clamp(946_684_800_000, 7_258_118_400_000 - 1);
        let event = match kind {
            0 => json!({ "type": "page_view", "ts": ts, "path": PATHS[path], "id": format!("view-{i}") }),
            1 => json!({ "type": "engaged", "ts": ts, "path": PATHS[path], "seconds": seconds }),
            2 => json!({ "type": "form_submit", "ts": ts, "form": "webinar" }),
            _ => json!({ "type": "download", "ts": ts, "url": "/files/a.pdf" }),
        };
        out.push(TimedEvent::parse(&v(event), "event").unwrap());
    }
    out
}

fn times(state: &VisitorState) -> Vec<i64> {
    let tallies = std::iter::once(&state.visits)
        .chain(state.pages.iter())
        .chain(state.forms.iter())
        .chain(state.downloads.iter());
    let mut all = vec![state.first, state.last];
    for t in tallies {
        all.extend(t.recent.iter().copied());
        all.extend([t.older, t.older_first, t.active]);
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever the device clock does: each event counted once (a replayed id not again), no
    /// negative engaged time, first ≤ last, and the state saves and loads unchanged.
    #[test]
    fn every_event_counted_once_whatever_the_clock(plan in journey()) {
        let list = events(&plan);
        let mut state = VisitorState::default();
        for event in &list {
            state.ingest(event);
            if event.id.is_some() {
                state.ingest(event); // the same event again (its id): not counted twice
            }
        }
        for (i, path) in PATHS.iter().enumerate() {
            let views = plan.iter().filter(|(k, p, _, _)| *k == 0 && *p == i).count() as u32;
            let engaged: i64 = plan.iter().filter(|(k, p, _, _)| *k == 1 && *p == i).map(|(_, _, s, _)| i64::from(*s) * 1000).sum();
            let page = state.pages.iter().find(|t| t.key == *path);
            prop_assert_eq!(page.map_or(0, |t| t.n), views, "views of {}", path);
            prop_assert_eq!(page.map_or(0, |t| t.engaged_ms), engaged, "engaged ms on {}", path);
        }
        let forms = plan.iter().filter(|(k, _, _, _)| *k == 2).count() as u32;
        prop_assert_eq!(state.forms.first().map_or(0, |t| t.n), forms);
        prop_assert!(state.pages.iter().all(|t| t.engaged_ms >= 0));
        prop_assert!(state.first <= state.last);
        let opening = plan.iter().filter(|(k, _, _, _)| *k != 1).count() as u32;
        prop_assert!(state.visits.n <= opening, "at most one visit per event that opens one");
        // The tag's first event on a page is its view: a visit is open from then on.
        prop_assert!(plan[0].0 == 1 || state.visits.n >= 1);
        for tally in state.pages.iter().chain(state.forms.iter()) {
            prop_assert!(tally.recent.windows(2).all(|w| w[0] <= w[1]), "recent times kept in order");
        }
        let back = VisitorState::from_value(&state.to_value()).unwrap();
        prop_assert_eq!(back, state);
    }

    /// The edge against its own clock: after `clamp`, nothing is after now, no duration is
    /// negative, engaged time fits between first and last activity, visits fit the time span; the
    /// card stays within the model's points and scoring does not panic, whatever the device claimed.
    #[test]
    fn the_edge_clamps_against_its_own_clock(plan in journey(), edge_skew in -(2 * DAY)..(2 * DAY)) {
        let mut state = VisitorState::default();
        for event in events(&plan) {
            state.ingest(&event);
        }
        let now = NOW + edge_skew;
        let before = state.clone();
        clamp(&mut state, now);
        prop_assert!(times(&state).into_iter().all(|t| t <= now), "nothing after the edge's now");
        prop_assert!(state.first <= state.last);
        let engaged: i64 = state.pages.iter().map(|p| p.engaged_ms).sum();
        prop_assert!(state.pages.iter().all(|p| p.engaged_ms >= 0));
        prop_assert!(engaged <= state.last - state.first + ONE_PAGE_MS, "engaged {} ms", engaged);
        prop_assert!(i64::from(state.visits.n) <= 1 + (state.last - state.first) / VISIT_GAP_MS);
        // Counts are only ever lowered, never raised.
        for (after, was) in state.pages.iter().zip(before.pages.iter()) {
            prop_assert!(after.n <= was.n);
        }
        // A second clamp at the same now changes nothing more.
        let once = state.clone();
        clamp(&mut state, now);
        prop_assert_eq!(&state, &once);
        let card = engine::score(&model(), &state, now);
        prop_assert!(card.total.abs() <= MAX_POINTS && card.fit.abs() <= MAX_POINTS && card.engagement.abs() <= MAX_POINTS, "{:?}", card);
    }

    /// Scoring at a `now` before the visitor's events (the device ahead of the edge, unclamped) or
    /// long after them never panics and stays within the model's points.
    #[test]
    fn scoring_at_any_now_is_finite(plan in journey(), at in prop_oneof![Just(-40 * YEAR), Just(-DAY), Just(0i64), Just(DAY), Just(40 * YEAR)]) {
        let mut state = VisitorState::default();
        for event in events(&plan) {
            state.ingest(&event);
        }
        let card = engine::score(&model(), &state, NOW + at);
        prop_assert!(card.total.abs() <= MAX_POINTS, "{:?}", card);
        prop_assert!(card.breakdown.iter().all(|line| line.points.abs() <= MAX_POINTS && line.count >= line.counted));
    }
}

/// A time-zone change moves no timestamp: the tag and the core use epoch milliseconds (Date.now())
/// only, and a model's periods are the same for every visitor: `per: "1d"` counts UTC days (epoch
/// milliseconds divided by the period), windows and decay count time since the event. So two views
/// 23 hours apart within one UTC day count once, and two an hour apart across UTC midnight twice,
/// whatever the visitor's zone says the date is.
#[test]
fn periods_do_not_depend_on_the_visitors_time_zone() {
    let view = |ts: i64, id: &str| {
        TimedEvent::parse(&v(json!({ "type": "page_view", "ts": ts, "path": "/pricing", "id": id })), "event").unwrap()
    };
    let counted = |times: [i64; 2]| {
        let mut state = VisitorState::default();
        for (i, ts) in times.into_iter().enumerate() {
            state.ingest(&view(ts, &format!("v{i}")));
        }
        let card = engine::score(&model(), &state, NOW + DAY);
        card.breakdown.iter().find(|l| l.rule == "pricing").unwrap().counted
    };
    // NOW is midnight UTC.
    assert_eq!(counted([NOW + HOUR / 2, NOW + 23 * HOUR]), 1, "one UTC day");
    assert_eq!(counted([NOW - HOUR / 2, NOW + HOUR / 2]), 2, "across UTC midnight");
}
