//! Untrusted visitor states: what an edge function receives from a browser is data anyone can
//! write. The state import already rejects malformed data; [`clamp`] then bounds the well-formed
//! but impossible (more engaged time than time passed, a thousand visits in an hour, events in
//! the future), and [`score_submission`] scores a form submission on the clamped state.

use crate::engine::{self, ScoreCard};
use crate::error::{fail, Errors};
use crate::model::Model;
use crate::state::{self, Event, Tally, TimedEvent, VisitorState, VISIT_GAP_MS};
use crate::value::Value;

/// Engaged time one page may add beyond the span between first and last activity: the report of
/// the page in view can be stamped when its engagement began rather than when it ended.
pub const ONE_PAGE_MS: i64 = 5 * 60 * 1000;
/// Most occurrences one key (a page, a download, a click name…) can claim.
pub const MAX_COUNT: u32 = 1_000;
/// Longest accepted form name (the same limit as any key in the state).
const MAX_FORM_LEN: usize = 512;

/// Bounds a state to what could have happened by `now`; returns one note per kind of change
/// (empty when the state was plausible). Never fails: an impossible claim is cut down, not trusted.
pub fn clamp(state: &mut VisitorState, now: i64) -> Vec<String> {
    let mut notes = Vec::new();
    if state.first == 0 && state.last == 0 && state.tallies().all(|t| t.n == 0 && t.recent.is_empty()) {
        return notes;
    }

    // 1. Nothing after `now`; `last` is the latest activity anywhere in the state.
    let mut moved = 0u32;
    let mut cut = |t: &mut i64| {
        if *t > now {
            *t = now;
            moved += 1;
        }
    };
    cut(&mut state.first);
    cut(&mut state.last);
    for t in state.tallies_mut() {
        t.recent.iter_mut().for_each(&mut cut);
        cut(&mut t.older);
        cut(&mut t.older_first);
        cut(&mut t.active);
    }
    if moved > 0 {
        notes.push(format!("times after now moved to now: {moved}"));
    }
    let latest = state.tallies().flat_map(|t| [t.active, t.older, t.last()]).fold(state.last, i64::max);
    state.last = latest;
    if state.first == 0 || state.first > state.last {
        state.first = state.last;
    }
    let elapsed = state.last - state.first;

    // 2. Engaged time: at most the time between the first and last activity, plus one page.
    let budget = elapsed.saturating_add(ONE_PAGE_MS);
    let engaged: i64 = state.pages.iter().map(|p| p.engaged_ms.max(0)).fold(0, i64::saturating_add);
    if engaged > budget {
        for page in &mut state.pages {
            // f64 keeps the product exact enough and spares the wasm a 128-bit division routine.
            page.engaged_ms = (page.engaged_ms.max(0) as f64 * (budget as f64 / engaged as f64)).floor() as i64;
        }
        notes.push(format!(
            "engaged time {} s > {} s possible between first and last activity: scaled down",
            engaged / 1000,
            budget / 1000
        ));
    }

    // 3. Counts: a new visit needs a gap of VISIT_GAP_MS; anything else at most one a second.
    let visits_cap = u32::try_from(1 + elapsed / VISIT_GAP_MS).unwrap_or(u32::MAX);
    if cap_count(&mut state.visits, visits_cap) {
        notes.push(format!("visits capped at {visits_cap}"));
    }
    let occurrence_cap = u32::try_from(1 + elapsed / 1000).unwrap_or(u32::MAX).min(MAX_COUNT);
    let mut capped = Vec::new();
    for t in state.tallies_mut().skip(1) {
        if cap_count(t, occurrence_cap) {
            capped.push(t.key.clone());
        }
    }
    if !capped.is_empty() {
        notes.push(format!("counts capped at {occurrence_cap} for: {}", capped.join(", ")));
    }
    notes
}

/// Caps `t.n` (never below the recent times it lists, unless those exceed the cap too: then the
/// oldest of them go). True when something changed.
fn cap_count(t: &mut Tally, cap: u32) -> bool {
    if t.n <= cap {
        return false;
    }
    t.n = cap;
    let keep = cap as usize;
    if t.recent.len() > keep {
        t.recent.drain(..t.recent.len() - keep);
    }
    true
}

/// The visits tally first, then every keyed list.
/// A scored submission: the card and what [`clamp`] changed in the client's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub card: ScoreCard,
    pub clamped: Vec<String>,
}

/// Scores a form submission received by an edge function:
/// `{ "state"?: saved visitor state, "traits"?: {…}, "form"?: "webinar", "form_id"?: "…" }`.
/// The state is read (malformed → errors under `state`), clamped at `now`, the traits are merged,
/// and when `form` is given the submission itself counts as a `form_submit` at `now` (with
/// `form_id` as its event id, so a submission the browser already recorded is not counted twice).
pub fn score_submission(model: &Model, submission: &Value, now: i64) -> Result<Scored, Errors> {
    let mut errors = Errors::default();
    let Some(entries) = submission.as_object() else {
        return Err(Errors::single("submission", format!("expected an object, got {}", submission.kind())));
    };
    let field = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| v).filter(|v| **v != Value::Null);
    for (key, _) in entries {
        if !["state", "traits", "form", "form_id"].contains(&key.as_str()) {
            fail!(errors, key, "unknown field (expected one of: state, traits, form, form_id)");
        }
    }
    let mut visitor = match field("state") {
        Some(saved) => VisitorState::from_value(saved)?,
        None => VisitorState::default(),
    };
    let clamped = clamp(&mut visitor, now);
    let traits = field("traits").map(|t| state::parse_traits(t, "traits", &mut errors)).unwrap_or_default();
    let text = |k: &str, errors: &mut Errors| match field(k) {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= MAX_FORM_LEN => Some(s.clone()),
        Some(_) => {
            fail!(errors, k, "expected a string of 1 to {MAX_FORM_LEN} characters");
            None
        }
    };
    let form = text("form", &mut errors);
    let form_id = text("form_id", &mut errors);
    errors.into_result(())?;
    match form {
        Some(form) => {
            let ts = now.div_euclid(1000) * 1000;
            let event = Event::FormSubmit { form: form.to_ascii_lowercase(), traits };
            visitor.ingest(&TimedEvent { ts, id: form_id, event });
        }
        None => visitor.merge_traits(&traits),
    }
    Ok(Scored { card: engine::score(model, &visitor, now), clamped })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::model::ModelSet;

    const T0: i64 = 1_763_769_600_000;
    const MIN: i64 = 60_000;

    fn page(key: &str, n: u32, recent: Vec<i64>, engaged_s: i64) -> Tally {
        let active = recent.last().copied().unwrap_or(0);
        Tally { key: key.into(), n, recent, older: 0, older_first: 0, engaged_ms: engaged_s * 1000, scroll: 0, active }
    }

    fn state(first: i64, last: i64, pages: Vec<Tally>) -> VisitorState {
        let visits = Tally {
            key: String::new(),
            n: 1,
            recent: vec![first],
            older: 0,
            older_first: 0,
            engaged_ms: 0,
            scroll: 0,
            active: first,
        };
        VisitorState { first, last, visits, pages, ..VisitorState::default() }
    }

    #[test]
    fn a_plausible_state_is_left_alone() {
        let mut s = state(T0, T0 + 10 * MIN, vec![page("/pricing", 2, vec![T0, T0 + 5 * MIN], 120)]);
        let before = s.clone();
        assert!(clamp(&mut s, T0 + 60 * MIN).is_empty());
        assert_eq!(s, before);
    }

    #[test]
    fn an_empty_state_is_left_alone() {
        let mut s = VisitorState::default();
        assert!(clamp(&mut s, T0).is_empty());
        assert_eq!(s, VisitorState::default());
    }

    #[test]
    fn engaged_time_is_bounded_by_elapsed_time_plus_one_page() {
        // One minute of activity cannot hold a day of engaged time: at most 1 min + one page.
        let mut s = state(T0, T0 + MIN, vec![page("/pricing", 1, vec![T0], 86_400), page("/", 1, vec![T0 + MIN], 0)]);
        let notes = clamp(&mut s, T0 + 2 * MIN);
        let total: i64 = s.pages.iter().map(|p| p.engaged_ms).sum();
        assert!(total <= MIN + ONE_PAGE_MS, "{total}");
        assert_eq!(s.pages[0].engaged_ms, MIN + ONE_PAGE_MS);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("engaged time 86400 s > 360 s"), "{notes:?}");
    }

    #[test]
    fn engaged_time_is_scaled_in_proportion_across_pages() {
        let mut s = state(T0, T0, vec![page("/a", 1, vec![T0], 3_600), page("/b", 1, vec![T0], 1_800)]);
        clamp(&mut s, T0);
        assert_eq!(s.pages[0].engaged_ms, 200_000);
        assert_eq!(s.pages[1].engaged_ms, 100_000);
    }

    #[test]
    fn times_in_the_future_move_to_now() {
        let now = T0 + 5 * MIN;
        let mut s = state(T0, T0 + 90 * MIN, vec![page("/pricing", 2, vec![T0, T0 + 90 * MIN], 0)]);
        let notes = clamp(&mut s, now);
        assert_eq!(s.last, now);
        assert_eq!(s.pages[0].recent, vec![T0, now]);
        assert_eq!(s.pages[0].active, now);
        assert_eq!(notes[0], "times after now moved to now: 3", "{notes:?}"); // last, a recent time, active
    }

    #[test]
    fn a_state_entirely_in_the_future_collapses_to_now() {
        let now = T0;
        let mut s = state(T0 + 100 * MIN, T0 + 200 * MIN, vec![page("/x", 1, vec![T0 + 150 * MIN], 0)]);
        clamp(&mut s, now);
        assert_eq!((s.first, s.last), (now, now));
        assert_eq!(s.pages[0].recent, vec![now]);
    }

    #[test]
    fn last_covers_every_recorded_activity() {
        let mut s = state(T0, T0, vec![page("/pricing", 1, vec![T0 + 10 * MIN], 0)]);
        clamp(&mut s, T0 + 60 * MIN);
        assert_eq!(s.last, T0 + 10 * MIN);
    }

    #[test]
    fn visits_need_a_gap_between_them() {
        // Two hours of activity hold at most 1 + 120/30 = 5 visits.
        let mut s = state(T0, T0 + 120 * MIN, vec![]);
        s.visits.n = 40;
        s.visits.recent = vec![T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN];
        let notes = clamp(&mut s, T0 + 120 * MIN);
        assert_eq!(s.visits.n, 5);
        assert_eq!(notes, vec!["visits capped at 5".to_string()]);
        let mut one = state(T0, T0 + 10 * MIN, vec![]);
        one.visits.n = 3;
        one.visits.recent = vec![T0, T0 + MIN, T0 + 2 * MIN];
        clamp(&mut one, T0 + 10 * MIN);
        assert_eq!((one.visits.n, one.visits.recent.clone()), (1, vec![T0 + 2 * MIN]));
    }

    #[test]
    fn counts_stay_under_one_a_second_and_the_sane_cap() {
        let mut s = state(T0, T0 + 9_000, vec![page("/pricing", 500, vec![T0], 0)]);
        clamp(&mut s, T0 + 9_000);
        assert_eq!(s.pages[0].n, 10);
        let mut long = state(T0, T0 + 30 * 24 * 60 * MIN, vec![page("/pricing", 1_000_000, vec![T0], 0)]);
        let notes = clamp(&mut long, T0 + 30 * 24 * 60 * MIN);
        assert_eq!(long.pages[0].n, MAX_COUNT);
        assert_eq!(notes, vec![format!("counts capped at {MAX_COUNT} for: /pricing")]);
    }

    fn textbook() -> Model {
        let doc: Value = serde_json::from_str(
            r#"{ "name": "t", "rules": [
                 { "id": "pricing-2m", "points": 30, "when": { "engaged": { "path": "/pricing", "seconds": 7200 } } },
                 { "id": "webinar", "points": 20, "max": 1, "when": { "form_submit": { "form": "webinar" } } },
                 { "id": "size", "points": 25, "when": { "trait": "company_size", "between": [50, 200] } } ] }"#,
        )
        .unwrap();
        ModelSet::parse(&doc).unwrap().models.remove(0)
    }

    fn submission(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_forged_engaged_time_does_not_score() {
        let forged = state(T0, T0 + MIN, vec![page("/pricing", 1, vec![T0], 86_400)]).to_value();
        let sub = Value::object(vec![("state", forged), ("traits", submission(r#"{ "company_size": 120 }"#))]);
        let scored = score_submission(&textbook(), &sub, T0 + 2 * MIN).unwrap();
        assert_eq!(scored.card.total, 2_500);
        assert_eq!(scored.clamped.len(), 1);
    }

    #[test]
    fn the_submission_counts_once_as_a_form_submit() {
        let sub = submission(r#"{ "form": "Webinar", "form_id": "f-1", "traits": { "company_size": 120 } }"#);
        let scored = score_submission(&textbook(), &sub, T0).unwrap();
        assert_eq!(scored.card.total, 4_500);
        // The browser already recorded the same submission (same id): it is not counted again.
        let mut s = VisitorState::default();
        let event = Event::FormSubmit { form: "webinar".into(), traits: vec![] };
        s.ingest(&TimedEvent { ts: T0 - MIN, id: Some("f-1".into()), event });
        let sub = Value::object(vec![("state", s.to_value()), ("form", "webinar".into()), ("form_id", "f-1".into())]);
        let card = score_submission(&textbook(), &sub, T0).unwrap().card;
        assert_eq!(card.breakdown.iter().find(|l| l.rule == "webinar").map(|l| l.count), Some(1));
    }

    #[test]
    fn bad_parts_are_named() {
        let bad = submission(r#"{ "state": { "v": 2 }, "traits": {} }"#);
        assert_eq!(score_submission(&textbook(), &bad, T0).unwrap_err().0[0].path, "state.v");
        let bad = submission(r#"{ "traits": { "company_size": [1] }, "form": 3, "score": 100 }"#);
        let paths: Vec<String> =
            score_submission(&textbook(), &bad, T0).unwrap_err().0.into_iter().map(|e| e.path).collect();
        assert_eq!(paths, vec!["score", "traits.company_size", "form"]);
        assert!(score_submission(&textbook(), &Value::Null, T0).is_err());
    }
}
