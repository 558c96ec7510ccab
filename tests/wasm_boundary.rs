//! The JS boundary, run by wasm-bindgen-test in Node and in headless Chromium: values cross as
//! plain JS objects, errors arrive as `Error`s naming the field, nothing throws on bad events.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use js_sys::{Array, JsString, Reflect, JSON};
use leadscore::ffi::model::{score_lead, validate_model};
use leadscore::ffi::scorer::JsScorer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

const MODEL: &str = r#"{"name":"t","version":"3","rules":[
  {"id":"pricing","points":15,"when":{"page_view":{"path":"/pricing*"}},"max":1},
  {"id":"size","points":25,"when":{"trait":"company_size","between":[50,200]}}],
  "qualify":{"stage":"warm"}}"#;

#[wasm_bindgen_test]
fn scorer_ingests_plain_objects_and_scores() {
    let mut scorer = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    let outcome = scorer.ingest(json(r#"{"type":"page_view","ts":1763769600000,"path":"/pricing","id":"a"}"#));
    assert_eq!(get(&outcome, "accepted"), JsValue::TRUE);
    let again = scorer.ingest(json(r#"{"type":"page_view","ts":1763769600000,"path":"/pricing","id":"a"}"#));
    assert_eq!(get(&again, "duplicate"), JsValue::TRUE);
    scorer.ingest(json(r#"{"type":"identify","ts":1763769600000,"traits":{"company_size":"120"}}"#));
    let card = scorer.score(Some(1_763_856_000_000.0));
    assert_eq!(get(&card, "total").as_f64(), Some(40.0));
    assert_eq!(get(&card, "stage").as_string().as_deref(), Some("warm"));
    assert_eq!(get(&card, "qualified"), JsValue::TRUE);
    assert_eq!(get(&card, "model_version").as_string().as_deref(), Some("3"));
    let breakdown: Array = get(&card, "breakdown").into();
    assert_eq!(breakdown.length(), 2);
}

#[wasm_bindgen_test]
fn a_bad_model_throws_an_error_naming_each_field() {
    let bad = json(r#"{"name":"t","rules":[{"id":"a","points":"x","when":{"page_view":{"path":1}}}]}"#);
    let err = JsScorer::new(bad, JsValue::UNDEFINED).err().unwrap();
    assert!(err.is_instance_of::<js_sys::Error>());
    let message: JsString = get(&err, "message").into();
    assert!(String::from(message).contains("rules[0].points"));
    let errors: Array = get(&err, "errors").into();
    assert_eq!(errors.length(), 2);
    assert_eq!(get(&errors.get(1), "path").as_string().as_deref(), Some("rules[0].when.page_view.path"));
}

#[wasm_bindgen_test]
fn bad_events_are_rejected_without_throwing_or_changing_state() {
    let mut scorer = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    let before = JSON::stringify(&scorer.export_state()).unwrap();
    for bad in [
        JsValue::NULL,
        JsValue::from_f64(3.0),
        json(r#"{"type":"page_view","ts":"now"}"#),
        js_sys::Function::new_no_args("").into(),
    ] {
        let outcome = scorer.ingest(bad);
        assert_eq!(get(&outcome, "accepted"), JsValue::FALSE);
        let first = js_sys::Reflect::get(&get(&outcome, "errors"), &JsValue::from_f64(0.0)).unwrap();
        assert!(get(&first, "path").is_string() && get(&first, "message").is_string());
    }
    assert_eq!(JSON::stringify(&scorer.export_state()).unwrap(), before);
}

#[wasm_bindgen_test]
fn state_round_trips_and_a_corrupt_state_is_refused_without_loss() {
    let mut scorer = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    scorer.ingest(json(r#"{"type":"page_view","ts":1763769600000,"path":"/pricing"}"#));
    let saved = scorer.export_state();
    let text = JSON::stringify(&saved).unwrap();
    let mut other = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    other.import_state(JSON::parse(&String::from(text.clone())).unwrap()).unwrap();
    assert_eq!(JSON::stringify(&other.export_state()).unwrap(), text);
    let err = other.import_state(json(r#"{"v":1,"first":1763769600000,"pages":"lots"}"#)).err().unwrap();
    let errors: Array = get(&err, "errors").into();
    assert_eq!(get(&errors.get(0), "path").as_string().as_deref(), Some("state.pages"));
    assert_eq!(JSON::stringify(&other.export_state()).unwrap(), text);
}

#[wasm_bindgen_test]
fn validate_model_reports_without_throwing() {
    let ok = validate_model(json(MODEL));
    assert_eq!(get(&ok, "ok"), JsValue::TRUE);
    let bad = validate_model(JsValue::from_str("not a model"));
    assert_eq!(get(&bad, "ok"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn score_lead_is_a_pure_function_of_its_inputs() {
    let lead = json(
        r#"{"traits":{"company_size":80},"events":[{"type":"page_view","ts":1763769600000,"path":"/pricing/x"}]}"#,
    );
    let a = score_lead(json(MODEL), lead.clone(), Some(1_763_856_000_000.0), JsValue::UNDEFINED).unwrap();
    let b = score_lead(json(MODEL), lead, Some(1_763_856_000_000.0), JsValue::UNDEFINED).unwrap();
    assert_eq!(JSON::stringify(&a).unwrap(), JSON::stringify(&b).unwrap());
    assert_eq!(get(&a, "total").as_f64(), Some(40.0));
    let err = score_lead(json(MODEL), json(r#"{"traits":{"x":[1]}}"#), None, JsValue::UNDEFINED).err().unwrap();
    let errors: Array = get(&err, "errors").into();
    assert_eq!(get(&errors.get(0), "path").as_string().as_deref(), Some("lead.traits.x"));
}

/// The summary `js/scorer.js` reads from WASM memory: total, fit, engagement, stage index, qualified.
#[allow(unsafe_code)]
fn summary_of(scorer: &JsScorer) -> Vec<f64> {
    let address = scorer.summary_address() as *const f64;
    // SAFETY: the address is that of the scorer's own [f64; 5], alive as long as the scorer.
    unsafe { std::slice::from_raw_parts(address, 5) }.to_vec()
}

#[wasm_bindgen_test]
fn track_fields_and_track_event_agree_and_refuse_bad_fields_without_changing_state() {
    let mut fast = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    let mut general = JsScorer::new(json(MODEL), JsValue::UNDEFINED).unwrap();
    let now = Some(1_763_856_000_000.0);
    // page_view is type 0; its fields after `type`: ts, id, path, url, title, referrer.
    let path = Some("/Pricing".to_string());
    assert!(fast.track_fields(
        0,
        now,
        None,
        Some(1_763_769_600_000.0),
        None,
        None,
        path,
        None,
        None,
        None,
        None,
        None,
        None,
        None
    ));
    general.track_event(json(r#"{"type":"page_view","ts":1763769600000,"path":"/Pricing"}"#), now).unwrap();
    assert_eq!(summary_of(&fast), vec![15.0, 0.0, 15.0, 0.0, 0.0]);
    assert_eq!(summary_of(&fast), summary_of(&general));
    let names: Array = fast.stage_names().into();
    assert_eq!(names.get(0).as_string().as_deref(), Some("new"));

    let before = JSON::stringify(&fast.export_state()).unwrap();
    let bad_ts = Some("yesterday".to_string());
    assert!(!fast.track_fields(
        0,
        now,
        bad_ts,
        None,
        None,
        None,
        Some("/x".into()),
        None,
        None,
        None,
        None,
        None,
        None,
        None
    ));
    assert_eq!(JSON::stringify(&fast.export_state()).unwrap(), before);
    let err = general.track_event(json(r#"{"type":"page_view","ts":"yesterday","path":"/x"}"#), now).unwrap_err();
    let errors: Array = get(&err, "errors").into();
    assert_eq!(get(&errors.get(0), "path").as_string().as_deref(), Some("event.ts"));

    general.summarize(Some(1_763_856_000_000.0 + 200.0 * 86_400_000.0));
    assert_eq!(summary_of(&general)[0], 15.0);
}
