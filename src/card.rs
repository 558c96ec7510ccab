//! The score card's one encoding. Each part of a card (the card, a breakdown line, the lead value) lists
//! its fields once, in order, in `write`; two writers take that list: a `Value` (`to_value`), which the
//! website tag hands to JS (its wasm carries no serializer), and `Serialize`, which the npm API uses
//! because serde-wasm-bindgen caches `&'static str` field names as JS strings, several times cheaper
//! than a map with owned keys.

use crate::engine::{Line, ScoreCard};
use crate::points;
use crate::value::Value;
use crate::value_tiers::LeadValue;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Where a part's fields go: a `Value` object or a serde struct.
trait Out {
    fn field<T: Encode + ?Sized>(&mut self, name: &'static str, value: &T);
}

/// A field's value, in both encodings.
trait Encode: Serialize {
    fn to_value(&self) -> Value;
}

/// A card or one of its parts: its fields, in order.
trait Part {
    fn write(&self, out: &mut impl Out);
}

impl Part for ScoreCard {
    fn write(&self, out: &mut impl Out) {
        out.field("model", &self.model);
        out.field("model_version", &self.model_version);
        out.field("fit", &points(self.fit));
        out.field("engagement", &points(self.engagement));
        out.field("total", &points(self.total));
        out.field("grade", &self.grade);
        out.field("stage", &self.stage);
        out.field("qualified", &self.qualified);
        out.field("reasons", &self.reasons);
        out.field("disqualified_by", &self.disqualified_by);
        out.field("next_step", &self.next_step);
        out.field("scored_at", &(self.scored_at as f64));
        out.field("breakdown", &self.breakdown);
        // Only models with a `value` section add it, so other cards keep their exact shape.
        if let Some(value) = &self.value {
            out.field("value", value);
        }
    }
}

impl Part for Line {
    fn write(&self, out: &mut impl Out) {
        out.field("rule", &self.rule);
        out.field("label", &self.label);
        out.field("score", self.score);
        out.field("points", &points(self.points));
        out.field("base", &points(self.base));
        out.field("decayed", &points(self.base - self.points));
        out.field("count", &self.count);
        out.field("counted", &self.counted);
    }
}

impl Part for LeadValue {
    fn write(&self, out: &mut impl Out) {
        out.field("expected", &self.expected);
        out.field("tier", &self.tier);
    }
}

impl Out for Vec<(String, Value)> {
    fn field<T: Encode + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.push((name.to_string(), value.to_value()));
    }
}

impl ScoreCard {
    /// The card as a `Value`, field for field what `Serialize` writes.
    pub fn to_value(&self) -> Value {
        object(self)
    }
}

fn object(part: &impl Part) -> Value {
    let mut fields = Vec::new();
    part.write(&mut fields);
    Value::Object(fields)
}

/// A serde struct being written; the first error stops it.
struct Struct<S: SerializeStruct>(Result<S, S::Error>);

impl<S: SerializeStruct> Out for Struct<S> {
    fn field<T: Encode + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Ok(out) = &mut self.0 {
            if let Err(e) = out.serialize_field(name, value) {
                self.0 = Err(e);
            }
        }
    }
}

/// Counts a part's fields, for serde's struct length.
impl Out for usize {
    fn field<T: Encode + ?Sized>(&mut self, _: &'static str, _: &T) {
        *self += 1;
    }
}

fn serialize<S: Serializer>(name: &'static str, part: &impl Part, serializer: S) -> Result<S::Ok, S::Error> {
    let mut len = 0;
    part.write(&mut len);
    let mut out = Struct(serializer.serialize_struct(name, len));
    part.write(&mut out);
    out.0?.end()
}

macro_rules! encode {
    ($($part:ty),*) => {$(
        impl Serialize for $part {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize(stringify!($part), self, serializer)
            }
        }
        impl Encode for $part {
            fn to_value(&self) -> Value {
                object(self)
            }
        }
    )*};
}
encode!(ScoreCard, Line, LeadValue);

/// The leaves: text, numbers, flags, and lists or absences of them.
macro_rules! leaf {
    ($($kind:ty => |$v:ident| $value:expr),*) => {$(
        impl Encode for $kind {
            fn to_value(&self) -> Value {
                let $v = self;
                $value
            }
        }
    )*};
}
leaf!(str => |s| Value::from(s), String => |s| Value::from(s.as_str()), f64 => |n| Value::Number(*n),
    u32 => |n| Value::Number(f64::from(*n)), bool => |b| Value::Bool(*b));

impl<T: Encode> Encode for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_value)
    }
}
impl<T: Encode> Encode for Vec<T> {
    fn to_value(&self) -> Value {
        // A loop rather than map/collect, as in `engine::fire`: the collect's paths are a copy of their own.
        let mut items = Vec::with_capacity(self.len());
        for item in self {
            items.push(item.to_value());
        }
        Value::Array(items)
    }
}
