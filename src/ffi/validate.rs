//! The website tag's full model validator (`pkg/browser/leadscore-validate.wasm`, feature `validator`, with the
//! messages): the tag's own reader only tells a valid model from a rejected one (feature `terse-errors`), and
//! its loader fetches this file only then, to say which field is wrong and why, as `validateModel` does.

use crate::model::ModelSet;
use wasm_bindgen::prelude::*;

/// Why the model document `doc` (as the tag was given it) is rejected: every error with the field's path and
/// message, e.g. `rules[0].points: expected a number, got a string`; "" when it is valid. `name`: the model the
/// tag selects ("" for the document's first).
#[wasm_bindgen]
pub fn validate(doc: JsValue, name: &str) -> String {
    let doc = match super::js_to_value(&doc, 0) {
        Ok(doc) => doc,
        Err(why) => return why.to_string(),
    };
    let name = Some(name).filter(|name| !name.is_empty());
    match ModelSet::parse(&doc).and_then(|set| set.select_index(name)) {
        Ok(_) => String::new(),
        Err(errors) => errors.text(),
    }
}
