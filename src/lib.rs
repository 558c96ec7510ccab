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
mod card;
#[cfg(feature = "calibrate")]
pub mod cells;
#[cfg(feature = "calibrate")]
pub mod csv;
pub mod engine;
pub mod error;
pub mod flat;
pub mod form;
mod free_domains;
pub mod json;
pub mod model;
pub mod pattern;
mod read;
pub mod sanitize;
#[cfg(feature = "calibrate")]
pub mod score_stream;
pub mod state;
pub mod url;
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
    /// What is wrong with it, by field (`event.type`).
    Rejected(Errors),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestSummary {
    pub accepted: u32,
    pub duplicates: u32,
    /// (index in the batch, what is wrong with it by field: `events[3].ts`)
    pub rejected: Vec<(usize, Errors)>,
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
            Err(errors) => Ingest::Rejected(errors),
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
                let too_many = format!("more than {MAX_EVENTS_PER_CALL} events in one call");
                summary.rejected.push((i, Errors::single(&index("events", i), too_many)));
                continue;
            }
            match TimedEvent::parse(event, &index("events", i)) {
                Err(errors) => summary.rejected.push((i, errors)),
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
