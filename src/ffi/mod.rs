//! The one boundary to JavaScript (wasm32 builds only). Each file holds the exports of one area;
//! the helpers here convert values and errors, and no scoring logic lives in this module.

#[cfg(all(feature = "browser", target_arch = "wasm32"))]
pub mod browser;
#[cfg(feature = "calibrate")]
pub mod calibrate;
#[cfg(feature = "api")]
pub mod edge;
#[cfg(feature = "api")]
pub mod scoring;

use crate::error::Errors;
use crate::value::Value;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A core value as a plain JS value (maps become objects).
pub(crate) fn to_js(value: &Value) -> JsValue {
    // A Value tree holds nothing that could fail to serialize.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// A plain JS value as a core value; `undefined` reads as null.
pub(crate) fn from_js(value: JsValue, what: &str) -> Result<Value, JsValue> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| error(&Errors::single(what, format!("not plain data: {e}")), "invalid input"))
}

/// A JS `Error` whose message lists every problem and whose `errors` property holds them as
/// `{ path, message }` objects, so tools can point at each field.
pub(crate) fn error(errors: &Errors, prefix: &str) -> JsValue {
    let err = js_sys::Error::new(&format!("{prefix}: {errors}"));
    let list = js_sys::Array::new();
    for e in &errors.0 {
        list.push(&to_js(&field_error(&e.path, &e.message)));
    }
    // Reflect::set only fails on frozen objects; a fresh Error is not one.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("errors"), &list);
    err.into()
}

pub(crate) fn field_error(path: &str, message: &str) -> Value {
    Value::object(vec![("path", Value::from(path)), ("message", Value::from(message))])
}
