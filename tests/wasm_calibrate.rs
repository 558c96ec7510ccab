//! The calibration exports at the JS boundary, in Node and headless Chromium: CSV text in, plain
//! objects out, progress reported through a JS callback, and errors as `Error`s naming the row.
#![cfg(all(target_arch = "wasm32", feature = "calibrate"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use js_sys::{Array, Function, Object, Reflect, JSON};
use leadscore::ffi::calibrate as ffi;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// 200 leads: the more visits, the likelier to convert.
fn leads() -> String {
    let mut csv = String::from("id,Visits,Plan,Converted\n");
    for i in 0..200u32 {
        let visits = i % 10;
        let converted = (i * 7919 % 10) < visits;
        csv += &format!("L{i},{visits},{},{}\n", ["Free", "Pro"][(i % 2) as usize], u8::from(converted));
    }
    csv
}

#[wasm_bindgen_test]
fn calibrate_returns_model_and_report_and_reports_progress() {
    let calls = Array::new();
    let record = Function::new_with_args("event", "this.push(event.step + '/' + event.steps)").bind0(&calls);
    let options = Object::new();
    Reflect::set(&options, &"label".into(), &"Converted".into()).unwrap();
    Reflect::set(&options, &"folds".into(), &JsValue::from_f64(3.0)).unwrap();
    Reflect::set(&options, &"onProgress".into(), &record).unwrap();
    let result = ffi::calibrate(&leads(), options.into()).unwrap();
    let model = get(&result, "model");
    assert_eq!(get(&model, "name").as_string().as_deref(), Some("calibrated"));
    let auc = get(&get(&get(&result, "report"), "cross_validation"), "auc").as_f64().unwrap();
    assert!(auc > 0.8, "{auc}");
    assert_eq!(calls.length(), 6, "start, three folds, the final model, done");
    assert_eq!(calls.get(5).as_string().as_deref(), Some("5/5"));

    let scored = ffi::score_csv(model, &leads(), JSON::parse(r#"{"now":0,"keep":["Converted"]}"#).unwrap()).unwrap();
    assert!(scored.starts_with("id,score,stage,qualified,fit,engagement,breakdown,Converted\nL0,"), "{scored}");
}

#[wasm_bindgen_test]
fn bad_input_throws_errors_naming_the_row_or_column() {
    let ragged =
        ffi::calibrate("Visits,Converted\n1,0\n2\n", JSON::parse(r#"{"label":"Converted"}"#).unwrap()).err().unwrap();
    assert!(ragged.is_instance_of::<js_sys::Error>());
    let message = get(&ragged, "message").as_string().unwrap();
    assert!(message.contains("row 3: 1 field, but the header has 2 columns"), "{message}");
    let errors: Array = get(&ragged, "errors").into();
    assert_eq!(get(&errors.get(0), "path").as_string().as_deref(), Some("csv"));

    let unknown =
        ffi::calibrate(&leads(), JSON::parse(r#"{"label":"Converted","colour":"red"}"#).unwrap()).err().unwrap();
    assert!(get(&unknown, "message").as_string().unwrap().contains("options.colour: unknown field"));

    let funnel = ffi::funnel("stage,Converted\nmql,1\nnew,yes?\n", JSON::parse(r#"{"label":"Converted"}"#).unwrap())
        .err()
        .unwrap();
    assert!(get(&funnel, "message").as_string().unwrap().contains("row 3: \"Converted\" is \"yes?\""));
}
