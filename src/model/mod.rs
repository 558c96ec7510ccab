//! The model a marketer writes, validated and compiled into the form the engine runs.
//! See docs/api.md for the document format.
//!
//! This file holds the compiled form; `document` reads the document's sections into it and
//! `conditions` reads a rule's `when`.

mod conditions;
mod document;

use crate::error::{fail, Errors, Path};
use crate::pattern::Pattern;
use crate::read;
use crate::value::Value;

pub const MAX_POINTS: f64 = 1_000.0;
const MAX_RULES: usize = 500;
const MAX_TEXT: usize = 200;
const MAX_LIST: usize = 500;
const MAX_CONDITION_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    Fit,
    Engagement,
}

impl ScoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreKind::Fit => "fit",
            ScoreKind::Engagement => "engagement",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub version: Option<String>,
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
    /// Upper caps on the fit and engagement scores, in hundredths.
    pub cap_fit: Option<i64>,
    pub cap_engagement: Option<i64>,
    pub scale_min: i64,
    pub scale_max: i64,
    /// Ascending; the first has no threshold.
    pub stages: Vec<Stage>,
    /// Descending by `min`; a value below every band gets the last grade.
    pub fit_grades: Vec<Band>,
    pub engagement_grades: Vec<Band>,
    pub qualify: Qualify,
    pub next_steps: Vec<(String, String)>,
    /// Expected value and value tier per lead (the optional `value` section).
    pub value: Option<crate::value_tiers::ValueTiers>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub label: String,
    pub score: ScoreKind,
    /// Hundredths of a point.
    pub points: i64,
    pub when: Condition,
    pub group: Option<usize>,
    pub max: Option<u32>,
    pub per_ms: Option<i64>,
    pub window_ms: Option<i64>,
    pub decay: Option<Decay>,
    pub disqualify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decay {
    HalfLife {
        ms: i64,
    },
    /// Keep `keep` (0..1) of the points for each full `every_ms` elapsed.
    Step {
        keep: f64,
        every_ms: i64,
    },
}

impl Decay {
    /// The share of points left after `age_ms`; 1 for no age, never above 1.
    pub fn factor(self, age_ms: i64) -> f64 {
        let age = age_ms.max(0) as f64;
        match self {
            Decay::HalfLife { ms } => (-(age / ms as f64) * std::f64::consts::LN_2).exp(),
            Decay::Step { keep, every_ms } => keep.powi((age / every_ms as f64).floor().min(1e6) as i32),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub max: Option<i64>,
    pub min: Option<i64>,
    pub decay: Option<Decay>,
    pub score: Option<ScoreKind>,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    /// Reached when the total is at least `min` (hundredths), or above `above`.
    pub threshold: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    None,
    AtLeast(i64),
    Above(i64),
}

impl Threshold {
    pub fn reached(self, total: i64) -> bool {
        match self {
            Threshold::None => true,
            Threshold::AtLeast(min) => total >= min,
            Threshold::Above(min) => total > min,
        }
    }
    pub(super) fn key(self) -> (i64, i64) {
        match self {
            Threshold::None => (i64::MIN, 0),
            Threshold::AtLeast(m) => (m, 0),
            Threshold::Above(m) => (m, 1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Band {
    pub grade: String,
    pub min: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Qualify {
    pub stage: Option<usize>,
    pub min_total: Option<i64>,
    pub min_fit: Option<i64>,
    pub min_engagement: Option<i64>,
    pub rules: Vec<usize>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    Occurrence(Occurrence),
    State(StateCondition),
}

/// Conditions that count occurrences; `max`, `per`, `window` and `decay` apply to them.
#[derive(Debug, Clone)]
pub enum Occurrence {
    PageView { path: Pattern },
    Download { url: Pattern, types: Vec<String> },
    FormSubmit { form: Pattern },
    Click { name: Pattern },
    Event { name: Pattern },
    Campaign { source: Pattern, medium: Pattern, campaign: Pattern },
    Referrer { host: Pattern },
    EmailClick { campaign: Pattern },
}

/// Conditions that are true or false of the visitor as a whole; they count once.
#[derive(Debug, Clone)]
pub enum StateCondition {
    Engaged { path: Pattern, seconds: f64 },
    Visits { at_least: u32 },
    Scroll { path: Pattern, depth: f64 },
    Inactive { for_ms: i64 },
    Trait { field: String, tests: Vec<TraitTest> },
    EmailDomain { free: Option<bool>, domains: Vec<Pattern> },
    All(Vec<StateCondition>),
    Any(Vec<StateCondition>),
    Not(Box<StateCondition>),
}

#[derive(Debug, Clone)]
pub enum TraitTest {
    Equals(Scalar),
    OneOf(Vec<Scalar>),
    Contains(Vec<String>),
    Between(f64, f64),
    AtLeast(f64),
    AtMost(f64),
    Below(f64),
    Above(f64),
    Exists(bool),
    IsTrue(bool),
}

/// A trait value. Text is compared case-insensitively, so model text is stored lower-cased.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Scalar {
    pub fn from_value(value: &Value) -> Option<Scalar> {
        match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Number(n) if n.is_finite() => Some(Scalar::Number(*n)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Text(s) => Value::String(s.clone()),
            Scalar::Number(n) => Value::Number(*n),
            Scalar::Bool(b) => Value::Bool(*b),
        }
    }
}

/// A validated document: one or more models, each scored on its own.
#[derive(Debug, Clone)]
pub struct ModelSet {
    pub models: Vec<Model>,
}

impl ModelSet {
    pub fn parse(doc: &Value) -> Result<ModelSet, Errors> {
        let mut errors = Errors::default();
        let mut models = Vec::new();
        if doc.get("rules").is_some() {
            // A single model at the top level.
            if let Some(model) = document::parse_model(doc, "", &mut errors) {
                models.push(model);
            }
        } else {
            let Some(entries) = read::object(doc, "", &["$schema", "models"], &mut errors) else {
                return Err(errors);
            };
            match read::field(entries, "models") {
                None => fail!(errors, "models", "required: a list of models (or a single model with \"rules\")"),
                Some(list) => {
                    if let Some(items) = read::array(list, "models", &mut errors) {
                        if items.is_empty() {
                            fail!(errors, "models", "must hold at least one model");
                        }
                        for (i, item) in items.iter().enumerate() {
                            if let Some(model) = document::parse_model(item, &Path::index("models", i), &mut errors) {
                                models.push(model);
                            }
                        }
                    }
                }
            }
            for (i, model) in models.iter().enumerate() {
                if models.iter().take(i).any(|m| m.name == model.name) {
                    fail!(
                        errors,
                        &Path::join(&Path::index("models", i), "name"),
                        "duplicate model name \"{}\"",
                        model.name
                    );
                }
            }
        }
        errors.into_result(ModelSet { models })
    }

    /// The named model, or the first when no name is given.
    pub fn select(&self, name: Option<&str>) -> Result<&Model, Errors> {
        let index = self.select_index(name)?;
        self.models.get(index).ok_or_else(|| Errors::single("models", "no model in the document"))
    }

    fn names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }

    /// The position of the named model, or of the first when no name is given.
    pub fn select_index(&self, name: Option<&str>) -> Result<usize, Errors> {
        match name {
            None if self.models.is_empty() => Err(Errors::single("models", "no model in the document")),
            None => Ok(0),
            Some(name) => self.models.iter().position(|m| m.name == name).ok_or_else(|| {
                // Through `fail!`: the tag's build keeps the path only, and no `core::fmt`.
                let mut errors = Errors::default();
                fail!(errors, "model", "no model named \"{name}\" (the document has: {})", self.names().join(", "));
                errors
            }),
        }
    }
}

impl StateCondition {
    /// Whether the condition is tied to a moment that decay can count from.
    pub(super) fn has_time(&self) -> bool {
        matches!(self, StateCondition::Engaged { .. } | StateCondition::Visits { .. } | StateCondition::Scroll { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::ModelSet;
    use crate::json;

    /// The npm build names each wrong field and says why; the tag's (terse-errors) only rejects the model, at its
    /// first problem, and its loader asks the full validator (`ffi::validate`, this reader built without
    /// terse-errors) why.
    #[test]
    fn a_rejected_model_names_the_fields_unless_the_build_is_terse() {
        let rule = |id: &str| format!(r#"{{"id": "{id}", "points": "lots", "when": {{"visits": {{"at_least": 2}}}}}}"#);
        let doc = json::parse(&format!(r#"{{"name": "m", "rules": [{}, {}]}}"#, rule("a"), rule("b")));
        let errors = doc.map(|doc| ModelSet::parse(&doc).err().map(|e| e.text()));
        let expected = if cfg!(feature = "terse-errors") {
            "not valid"
        } else {
            "rules[0].points: expected a number, got a string; rules[1].points: expected a number, got a string"
        };
        assert_eq!(errors, Some(Some(expected.to_string())));
    }
}
