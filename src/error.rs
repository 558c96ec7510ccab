//! Errors that name the path of the offending field, so a marketer can find the typo.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is, e.g. `models[0].rules[3].when.page_view.path`.
    pub path: String,
    pub message: String,
}

impl FieldError {
    /// `path: message`; `path: not valid` where the build keeps no messages (see [`fail!`]).
    pub fn text(&self) -> String {
        let message = if self.message.is_empty() { "not valid" } else { &self.message };
        let mut text = String::with_capacity(self.path.len() + message.len() + 2);
        if !self.path.is_empty() {
            text.push_str(&self.path);
            text.push_str(": ");
        }
        text.push_str(message);
        text
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// One or more field errors, reported together so a model can be fixed in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(FieldError { path: path.to_string(), message: message.into() });
    }

    pub fn single(path: &str, message: impl Into<String>) -> Errors {
        let mut errors = Errors::default();
        errors.push(path, message);
        errors
    }

    /// Ok(value) when nothing was recorded, else all recorded errors.
    pub fn into_result<T>(self, value: T) -> Result<T, Errors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl Errors {
    /// Every error's [`FieldError::text`], joined by "; ".
    pub fn text(&self) -> String {
        let mut text = String::new();
        for error in &self.0 {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&error.text());
        }
        text
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for Errors {}

/// Records a problem at `path`: `fail!(errors, path, "format {}", args)`.
///
/// The message is written with `format!`, except in the website tag's build (feature `terse-errors`),
/// where only the path is kept: the messages and the formatting code behind them are a large part of
/// the tag's weight, and a field's path is enough to find it (`leadscore validate` gives the message).
/// The message is still type-checked there (a closure that is never called), so both builds agree.
macro_rules! fail {
    ($errors:expr, $path:expr, $($message:tt)+) => {{
        #[cfg(not(feature = "terse-errors"))]
        $errors.push($path, format!($($message)+));
        #[cfg(feature = "terse-errors")]
        {
            let _message = || format!($($message)+);
            $errors.push($path, String::new());
        }
    }};
}
pub(crate) use fail;

/// `parent.key`, or `key` at the root. (Written out rather than with `format!`, which the tag avoids.)
pub fn join(parent: &str, key: &str) -> String {
    let mut path = String::with_capacity(parent.len() + key.len() + 1);
    path.push_str(parent);
    if !parent.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    path
}

/// `parent[index]`.
pub fn index(parent: &str, i: usize) -> String {
    let mut path = String::with_capacity(parent.len() + 4);
    path.push_str(parent);
    path.push('[');
    crate::json::write_digits(i as u64, &mut path);
    path.push(']');
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_out() {
        assert_eq!(join("", "rules"), "rules");
        assert_eq!(join(&index("rules", 12), "points"), "rules[12].points");
    }

    #[test]
    fn a_failure_names_the_field_and_says_why_unless_the_build_is_terse() {
        let mut errors = Errors::default();
        fail!(errors, "rules[0].points", "expected a number, got {}", "a string");
        let expected = if cfg!(feature = "terse-errors") {
            "rules[0].points: not valid"
        } else {
            "rules[0].points: expected a number, got a string"
        };
        assert_eq!(errors.text(), expected);
        assert_eq!(errors.to_string(), expected);
    }
}
