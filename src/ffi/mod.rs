//! The one boundary to JavaScript (wasm32 builds only). Each file holds one JS class and the functions
//! beside it (`model`, `scorer`, `flat_scorer`), or the exports of one area (`edge`, `calibrate`, `browser`);
//! the helpers here convert values and errors, and no scoring logic lives in this module. Errors cross
//! in one shape, `{ path, message }`.

#[cfg(all(feature = "browser", target_arch = "wasm32"))]
pub mod browser;
#[cfg(feature = "calibrate")]
pub mod calibrate;
#[cfg(feature = "api")]
pub mod edge;
#[cfg(feature = "api")]
pub mod flat_scorer;
#[cfg(feature = "api")]
pub mod model;
#[cfg(feature = "api")]
pub mod scorer;
#[cfg(feature = "validator")]
pub mod validate;

#[cfg(any(feature = "api", feature = "calibrate"))]
use crate::error::Errors;
use crate::value::Value;
use wasm_bindgen::{JsCast, JsValue};

/// A core value as a plain JS value (objects keep their key order). Walked with js-sys rather
/// than serialized with serde-wasm-bindgen, so the website tag's wasm carries no serializer.
/// Recursion is bounded: values from JS are at most `MAX_DEPTH` deep, the engine's are shallow.
#[cfg(any(feature = "api", feature = "calibrate", feature = "browser"))]
pub(crate) fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Value::Object(entries) => {
            let object = js_sys::Object::new();
            for (key, item) in entries {
                // Reflect::set only fails on frozen objects; a fresh one is not.
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &to_js(item));
            }
            object.into()
        }
    }
}

/// A plain JS value as a core value; `undefined` reads as null. Walked with js-sys rather than
/// deserialized with serde-wasm-bindgen: its error path formats floats, and float formatting is
/// a large share of a small WASM module (the website tag has a size budget).
#[cfg(any(feature = "api", feature = "calibrate"))]
pub(crate) fn from_js(value: JsValue, what: &str) -> Result<Value, JsValue> {
    js_to_value(&value, 0).map_err(|message| error(&Errors::single(what, message), "invalid input"))
}

/// [`from_js`] without the error: the website tag only tells plain data from the rest, so its wasm
/// carries no JS `Error` builder.
#[cfg(feature = "browser")]
pub(crate) fn plain(value: &JsValue) -> Option<Value> {
    js_to_value(value, 0).ok()
}

fn js_to_value(value: &JsValue, depth: usize) -> Result<Value, &'static str> {
    if depth > crate::value::MAX_DEPTH {
        return Err("nested too deeply");
    }
    // Strings and numbers first: each test is a call into JS, and they are most of what crosses.
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(n) = value.as_f64() {
        return Ok(Value::Number(n));
    }
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    // Arrays are read by index (`get`), not with `iter()`, whose `get_unchecked` would be a second import.
    if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        let mut items = Vec::new();
        for i in 0..array.length() {
            items.push(js_to_value(&array.get(i), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_object() {
        let pairs = js_sys::Object::entries(value.unchecked_ref());
        let mut entries = Vec::new();
        for i in 0..pairs.length() {
            let pair: js_sys::Array = pairs.get(i).unchecked_into();
            let key = pair.get(0).as_string().unwrap_or_default();
            entries.push((key, js_to_value(&pair.get(1), depth + 1)?));
        }
        return Ok(Value::Object(entries));
    }
    Err("not plain data (a function, symbol or bigint)")
}

/// A JS `Error` whose message lists every problem and whose `errors` property holds them as
/// `{ path, message }` objects, so tools can point at each field.
#[cfg(any(feature = "api", feature = "calibrate"))]
pub(crate) fn error(errors: &Errors, prefix: &str) -> JsValue {
    let err = js_sys::Error::new(&crate::read::concat(&[prefix, ": ", &errors.text()]));
    // Built item by item rather than through `field_errors`: the website tag's wasm stays smaller.
    let list = js_sys::Array::new();
    for e in &errors.0 {
        list.push(&to_js(&field_error(e)));
    }
    // Reflect::set only fails on frozen objects; a fresh Error is not one.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("errors"), &list);
    err.into()
}

#[cfg(any(feature = "api", feature = "calibrate"))]
fn field_error(e: &crate::error::FieldError) -> Value {
    Value::object(vec![("path", Value::from(e.path.as_str())), ("message", Value::from(e.message.as_str()))])
}

/// Errors as the boundary gives them everywhere: `[{ path, message }]`.
#[cfg(feature = "api")]
fn field_errors(errors: &Errors) -> Value {
    Value::Array(errors.0.iter().map(field_error).collect())
}

/// Typed results go straight to JS objects (no intermediate `Value`); nothing in them can fail.
#[cfg(feature = "api")]
fn serialize<T: serde::Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// A call's `now` in milliseconds, the current time when not given.
#[cfg(feature = "api")]
fn now_or(now: Option<f64>) -> i64 {
    match now {
        Some(n) if n.is_finite() => n as i64,
        _ => js_sys::Date::now() as i64,
    }
}

/// `options.model`: which model of a multi-model document.
#[cfg(feature = "api")]
fn model_option(options: &JsValue) -> Option<String> {
    if !options.is_object() {
        return None;
    }
    js_sys::Reflect::get(options, &JsValue::from_str("model")).ok().and_then(|v| v.as_string())
}

/// The module's memory, for encoders that write into WASM buffers directly (`js/scorer.js`, `js/flat.js`).
#[cfg(feature = "api")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
