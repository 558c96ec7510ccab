//! One export that runs what every page load of the tag runs in the shared core: a model document read
//! and checked, a saved visitor state read, events ingested, the card scored, the card and the state
//! written as JSON text. The tag's agent does this and more; the probe's size is the core's share.

use leadscore::model::ModelSet;
use leadscore::state::{TimedEvent, VisitorState};
use leadscore::value::Value;
use wasm_bindgen::prelude::*;

// The tag's allocator, so the probe is built as the tag is.
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// The card and the state as JSON text, or "" when the model is rejected.
#[wasm_bindgen]
pub fn probe(model: &str, saved: &str, events: &str, now: f64) -> String {
    let Some(set) = leadscore::json::parse(model).and_then(|doc| ModelSet::parse(&doc).ok()) else {
        return String::new();
    };
    let Some(model) = set.models.first() else { return String::new() };
    let mut state = leadscore::json::parse(saved).and_then(|v| VisitorState::from_value(&v).ok()).unwrap_or_default();
    if let Some(Value::Array(items)) = leadscore::json::parse(events) {
        for item in &items {
            if let Ok(event) = TimedEvent::parse(item, "events") {
                state.ingest(&event);
            }
        }
    }
    let card = leadscore::engine::score(model, &state, now as i64);
    let mut out = leadscore::json::write(&card.to_value());
    out.push_str(&leadscore::json::write(&state.to_value()));
    out
}
