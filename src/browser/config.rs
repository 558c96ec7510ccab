//! The tag's configuration. The loader reads the script tag's `data-*` attributes and hands over
//! a normalized object (see `js/browser/start.js`); this is its Rust side. (Its `cta`, the CSS selector of
//! call-to-action elements, is the listeners' alone: `js/browser/listen.js`.)

use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// `data-endpoint` is set: qualified leads are queued for delivery.
    pub deliver: bool,
    /// `data-model-name`: which model of a multi-model document scores this site.
    pub model_name: Option<String>,
    /// Data may be stored and sent from the start: no `data-require-consent`, and no Global
    /// Privacy Control signal (unless `data-gpc="ignore"`).
    pub consent: bool,
    /// A consent manager decides (`consent: 'tcf' | 'gcm' | …`, js/browser/consent-sources.js): it
    /// keeps the visitor's choice itself, so an opt-out erases without storing `leadscore:opt-out`.
    pub consent_source: bool,
    /// `data-downloads`: link extensions that count as downloads, lower case.
    pub downloads: Vec<String>,
    /// `data-fields`: form field names read in addition to the built-in allow-list.
    pub fields: Vec<String>,
    /// Add the hidden `leadscore_state` input to submitted forms (`data-attach-state="false"`: no).
    pub attach_state: bool,
    /// The model URL and, when it could not be fetched or parsed, why.
    pub model_url: String,
    pub model_error: Option<String>,
    /// `data-shadow`: a challenger model's URL (or a note that it was given as an object), scored beside
    /// the model and reported in the payload, never deciding; and why it could not be fetched, if so.
    pub shadow_url: Option<String>,
    pub shadow_error: Option<String>,
}

impl Config {
    pub fn from_value(data: &Value) -> Config {
        let text = |key: &str| data.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let flag = |key: &str| data.get(key) == Some(&Value::Bool(true));
        // A plain loop: an iterator chain collected here costs more code.
        let list = |key: &str| -> Vec<String> {
            let mut items = Vec::new();
            for item in crate::pattern::split(data.get(key).and_then(Value::as_str).unwrap_or_default(), b',') {
                if !item.is_empty() {
                    items.push(item.to_string());
                }
            }
            items
        };
        Config {
            deliver: flag("deliver"),
            model_name: text("modelName"),
            consent: flag("consent"),
            consent_source: text("consentSource").is_some(),
            downloads: list("downloads"),
            fields: list("fields"),
            attach_state: flag("attachState"),
            model_url: text("model").unwrap_or_default(),
            model_error: text("modelError"),
            shadow_url: text("shadow"),
            shadow_error: text("shadowError"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_loaders_object() {
        let c = Config::from_value(&Value::object(vec![
            ("deliver", Value::Bool(true)),
            ("consent", Value::Bool(false)),
            ("downloads", Value::from("pdf,zip")),
            ("fields", Value::from("")),
            ("cta", Value::from(".cta")),
            ("attachState", Value::Bool(true)),
            ("model", Value::from("/m.json")),
            ("modelName", Value::from("")),
            ("consentSource", Value::from("tcf")),
        ]));
        assert!(c.deliver && !c.consent && c.attach_state && c.consent_source);
        assert_eq!(c.downloads, vec!["pdf", "zip"]);
        assert!(c.fields.is_empty());
        assert_eq!(c.model_name, None);
        assert_eq!(c.model_url, "/m.json");
        assert_eq!(Config::from_value(&Value::Null), Config::default());
    }
}
