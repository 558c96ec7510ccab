//! Saved states are untrusted (localStorage, form fields): any bytes are refused or read into a
//! state that saves back to itself and scores without trouble.
#![no_main]

use leadscore::state::VisitorState;
use leadscore::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(state) = VisitorState::from_value(&value) else { return };
    let again = VisitorState::from_value(&state.to_value()).unwrap_or_else(|e| panic!("re-import failed: {e}"));
    assert_eq!(again.to_value(), state.to_value(), "save and load is not stable");
    let doc = r#"{"name":"s","rules":[{"id":"p","points":10,"when":{"page_view":{}},"decay":{"half_life":"7d"}},
      {"id":"v","points":5,"when":{"visits":{"at_least":2}}},{"id":"e","points":5,"when":{"engaged":{"seconds":10}}}]}"#;
    if let Ok(model) = serde_json::from_str::<Value>(doc) {
        if let Ok(set) = leadscore::model::ModelSet::parse(&model) {
            if let Some(m) = set.models.first() {
                let card = leadscore::engine::score(m, &state, 1_763_856_000_000);
                let sum: i64 = card.breakdown.iter().map(|l| l.points).sum();
                assert_eq!(sum, card.total);
            }
        }
    }
});
