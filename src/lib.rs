//! leadscore: lead scoring that runs where the visitor is.
//!
//! The core is pure Rust with no JS in it: a validated [`model::ModelSet`], a bounded
//! [`state::VisitorState`] fed by events, and [`engine::score`] turning both into a score card.
//! The only bridge to JavaScript is `ffi` (wasm32 builds), a thin layer over [`Scorer`] and
//! [`score_lead`].
#![forbid(unsafe_code)]

/// The website tag: pure policy (config, form fields, URLs, storage envelope, payload) plus,
/// in wasm32 builds with the `browser` feature, the collector behind it (state in localStorage
/// through web-sys; the loader's JavaScript observes the page).
#[cfg(any(feature = "browser", test))]
pub mod browser;
#[cfg(feature = "calibrate")]
pub mod calibrate;
#[cfg(feature = "calibrate")]
pub mod cells;
#[cfg(feature = "calibrate")]
pub mod csv;
pub mod engine;
pub mod error;
pub mod flat;
mod free_domains;
pub mod json;
pub mod model;
pub mod pattern;
mod read;
pub mod sanitize;
#[cfg(feature = "calibrate")]
pub mod score_stream;
pub mod state;
pub mod value;
pub mod value_tiers;

#[cfg(target_arch = "wasm32")]
pub mod ffi;

/// The website tag's allocator: lol_alloc's free list (sorted by address, neighbours merged on free) is about
/// 1 KB of code where Rust's default dlmalloc is 5 KB, and the tag allocates little (a page's events, one
/// state, one payload), so its linear search costs nothing measurable. The npm and edge builds keep dlmalloc,
/// which is faster under the many allocations of batch scoring.
#[cfg(all(target_arch = "wasm32", feature = "browser"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

use engine::{ScoreCard, Summary};
use error::{index, Errors};
use model::{Model, ModelSet};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use state::{Ingested, TimedEvent, VisitorState};
use value::Value;

pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Events accepted in one call; a summary is small, a flood is an attack or a bug.
pub const MAX_EVENTS_PER_CALL: usize = 10_000;

/// The outcome of ingesting one event. A rejected event leaves the state untouched.
#[derive(Debug, Clone, PartialEq)]
pub enum Ingest {
    Counted,
    Duplicate,
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestSummary {
    pub accepted: u32,
    pub duplicates: u32,
    /// (index in the batch, reason)
    pub rejected: Vec<(usize, String)>,
}

/// One visitor scored against a document's models: the selected one by `score`, all by `score_all`.
#[derive(Debug, Clone)]
pub struct Scorer {
    models: ModelSet,
    selected: usize,
    state: VisitorState,
}

impl Scorer {
    pub fn new(doc: &Value, model: Option<&str>) -> Result<Scorer, Errors> {
        let models = ModelSet::parse(doc)?;
        let selected = models.select_index(model)?;
        Ok(Scorer { models, selected, state: VisitorState::default() })
    }

    pub fn model(&self) -> Option<&Model> {
        self.models.models.get(self.selected)
    }

    pub fn ingest(&mut self, event: &Value) -> Ingest {
        match TimedEvent::parse(event, "event") {
            Err(errors) => Ingest::Rejected(errors.to_string()),
            Ok(event) => match self.state.ingest(&event) {
                Ingested::Counted => Ingest::Counted,
                Ingested::Duplicate => Ingest::Duplicate,
            },
        }
    }

    pub fn ingest_many(&mut self, events: &[Value]) -> IngestSummary {
        let mut summary = IngestSummary::default();
        for (i, event) in events.iter().enumerate() {
            if i >= MAX_EVENTS_PER_CALL {
                summary.rejected.push((i, format!("more than {MAX_EVENTS_PER_CALL} events in one call")));
                continue;
            }
            match TimedEvent::parse(event, &index("events", i)) {
                Err(errors) => summary.rejected.push((i, errors.to_string())),
                Ok(event) => match self.state.ingest(&event) {
                    Ingested::Counted => summary.accepted += 1,
                    Ingested::Duplicate => summary.duplicates += 1,
                },
            }
        }
        summary
    }

    /// Ingests one validated event (`TimedEvent::parse`, `TimedEvent::from_fields`), then
    /// summarizes the selected model at `now`: for callers that rescore after every event and
    /// need the numbers, stage and qualification but not the breakdown. A duplicate is not
    /// counted again (the summary is then the current one).
    pub fn track(&mut self, event: &TimedEvent, now: i64) -> Option<Summary> {
        self.state.ingest(event);
        self.summary(now)
    }

    /// What `score` would report — fit, engagement, total, stage and qualification — without
    /// building the card's text (see `engine::summarize`).
    pub fn summary(&self, now: i64) -> Option<Summary> {
        self.model().map(|m| engine::summarize(m, &self.state, now))
    }

    pub fn score(&self, now: i64) -> Option<ScoreCard> {
        self.model().map(|m| engine::score(m, &self.state, now))
    }

    pub fn score_all(&self, now: i64) -> Vec<ScoreCard> {
        self.models.models.iter().map(|m| engine::score(m, &self.state, now)).collect()
    }

    pub fn export_state(&self) -> Value {
        self.state.to_value()
    }

    /// Replaces the state; on error the current state is kept.
    pub fn import_state(&mut self, saved: &Value) -> Result<(), Errors> {
        self.state = VisitorState::from_value(saved)?;
        Ok(())
    }

    pub fn state(&self) -> &VisitorState {
        &self.state
    }
}

/// Scores one lead given as `{ "traits": {…}, "events": […], "state": {…} }` (all optional):
/// the stateless path used by edge functions, batch scoring and the CLI.
pub fn score_lead(model: &Model, lead: &Value, now: i64) -> Result<ScoreCard, Errors> {
    let mut errors = Errors::default();
    let Some(entries) = read_lead(lead, &mut errors) else { return Err(errors) };
    let mut state = match entries.state {
        Some(saved) => VisitorState::from_value(saved)?,
        None => VisitorState::default(),
    };
    if let Some(traits) = entries.traits {
        let traits = state::parse_traits(traits, "lead.traits", &mut errors);
        state.merge_traits(&traits);
    }
    if let Some(events) = entries.events {
        match events.as_array() {
            Some(list) if list.len() <= MAX_EVENTS_PER_CALL => {
                for (i, event) in list.iter().enumerate() {
                    match TimedEvent::parse(event, &index("lead.events", i)) {
                        Ok(event) => {
                            state.ingest(&event);
                        }
                        Err(e) => errors.0.extend(e.0),
                    }
                }
            }
            Some(_) => errors.push("lead.events", format!("at most {MAX_EVENTS_PER_CALL} events")),
            None => errors.push("lead.events", format!("expected an array, got {}", events.kind())),
        }
    }
    errors.into_result(())?;
    Ok(engine::score(model, &state, now))
}

struct LeadParts<'a> {
    traits: Option<&'a Value>,
    events: Option<&'a Value>,
    state: Option<&'a Value>,
}

fn read_lead<'a>(lead: &'a Value, errors: &mut Errors) -> Option<LeadParts<'a>> {
    let Some(entries) = lead.as_object() else {
        errors.push("lead", format!("expected an object with traits, events or state, got {}", lead.kind()));
        return None;
    };
    for (key, _) in entries {
        if !["traits", "events", "state"].contains(&key.as_str()) {
            errors.push(&error::join("lead", key), "unknown field (expected one of: traits, events, state)");
        }
    }
    let field = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| v).filter(|v| **v != Value::Null);
    Some(LeadParts { traits: field("traits"), events: field("events"), state: field("state") })
}

/// Points in whole hundredths as the decimal number they stand for.
pub(crate) fn points(centi: i64) -> f64 {
    centi as f64 / 100.0
}

impl ScoreCard {
    /// The card as a `Value`: the same fields in the same order as its `Serialize` impl below (a
    /// test holds the two together). The website tag hands cards to JS this way, so its wasm
    /// carries no serializer; the npm API keeps serde for speed (see below).
    pub fn to_value(&self) -> Value {
        let text = |s: &Option<String>| s.as_ref().map_or(Value::Null, |s| Value::from(s.as_str()));
        let texts = |list: &[String]| Value::Array(list.iter().map(|s| Value::from(s.as_str())).collect());
        let mut card = Value::object(vec![
            ("model", Value::from(self.model.as_str())),
            ("model_version", text(&self.model_version)),
            ("fit", Value::Number(points(self.fit))),
            ("engagement", Value::Number(points(self.engagement))),
            ("total", Value::Number(points(self.total))),
            ("grade", Value::from(self.grade.as_str())),
            ("stage", Value::from(self.stage.as_str())),
            ("qualified", Value::Bool(self.qualified)),
            ("reasons", texts(&self.reasons)),
            ("disqualified_by", texts(&self.disqualified_by)),
            ("next_step", text(&self.next_step)),
            ("scored_at", Value::Number(self.scored_at as f64)),
            ("breakdown", Value::Array(self.breakdown.iter().map(engine::Line::to_value).collect())),
        ]);
        // Only models with a `value` section add it, so other cards keep their exact shape.
        if let (Value::Object(entries), Some(value)) = (&mut card, &self.value) {
            let fields = vec![("expected", Value::Number(value.expected)), ("tier", Value::from(value.tier.as_str()))];
            entries.push(("value".into(), Value::object(fields)));
        }
        card
    }
}

impl engine::Line {
    /// One breakdown line as a `Value`, like its `Serialize` impl.
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("rule", Value::from(self.rule.as_str())),
            ("label", Value::from(self.label.as_str())),
            ("score", Value::from(self.score)),
            ("points", Value::Number(points(self.points))),
            ("base", Value::Number(points(self.base))),
            ("decayed", Value::Number(points(self.base - self.points))),
            ("count", Value::Number(f64::from(self.count))),
            ("counted", Value::Number(f64::from(self.counted))),
        ])
    }
}

// The score card serializes with `&'static str` field names: serde-wasm-bindgen caches those as JS
// strings, which makes handing a card to JS several times cheaper than a map with owned keys.
impl Serialize for ScoreCard {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut card = serializer.serialize_struct("ScoreCard", 13 + usize::from(self.value.is_some()))?;
        card.serialize_field("model", &self.model)?;
        card.serialize_field("model_version", &self.model_version)?;
        card.serialize_field("fit", &points(self.fit))?;
        card.serialize_field("engagement", &points(self.engagement))?;
        card.serialize_field("total", &points(self.total))?;
        card.serialize_field("grade", &self.grade)?;
        card.serialize_field("stage", &self.stage)?;
        card.serialize_field("qualified", &self.qualified)?;
        card.serialize_field("reasons", &self.reasons)?;
        card.serialize_field("disqualified_by", &self.disqualified_by)?;
        card.serialize_field("next_step", &self.next_step)?;
        card.serialize_field("scored_at", &(self.scored_at as f64))?;
        card.serialize_field("breakdown", &self.breakdown)?;
        if let Some(value) = &self.value {
            card.serialize_field("value", value)?;
        }
        card.end()
    }
}

impl Serialize for value_tiers::LeadValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serializer.serialize_struct("LeadValue", 2)?;
        value.serialize_field("expected", &self.expected)?;
        value.serialize_field("tier", &self.tier)?;
        value.end()
    }
}

impl Serialize for engine::Line {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("Line", 8)?;
        line.serialize_field("rule", &self.rule)?;
        line.serialize_field("label", &self.label)?;
        line.serialize_field("score", self.score)?;
        line.serialize_field("points", &points(self.points))?;
        line.serialize_field("base", &points(self.base))?;
        line.serialize_field("decayed", &points(self.base - self.points))?;
        line.serialize_field("count", &self.count)?;
        line.serialize_field("counted", &self.counted)?;
        line.end()
    }
}
