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

    /// The field at `path` is not valid, with no message: [`fail!`] in the website tag's build. One call with
    /// the path alone at each of the readers' hundred-odd checks (no empty message built at each).
    #[cfg(feature = "terse-errors")]
    #[inline(never)]
    pub fn reject(&mut self, path: &str) {
        self.0.push(FieldError { path: path.to_string(), message: String::new() });
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
            $errors.reject($path);
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

/// A model field's path, for its error (`rules[3].when.page_view`): the text in the npm build; nothing in the
/// website tag's (`terse-errors`), whose model reader only tells a valid model from a rejected one, so no path
/// is built or allocated for any of its fields (a full validator, loaded only then, names the field: see
/// `ffi::validate`). One body of checks in `model/` either way: a `&Path` reads as the `&str` the readers take
/// (empty in the tag's build).
#[cfg(not(feature = "terse-errors"))]
pub struct Path(String);
#[cfg(feature = "terse-errors")]
pub struct Path;

impl Path {
    /// `parent.key` (see [`join`]).
    pub fn join(parent: &str, key: &str) -> Path {
        #[cfg(not(feature = "terse-errors"))]
        return Path(join(parent, key));
        #[cfg(feature = "terse-errors")]
        {
            let _ = (parent, key);
            Path
        }
    }

    /// `parent[i]` (see [`index`]).
    pub fn index(parent: &str, i: usize) -> Path {
        #[cfg(not(feature = "terse-errors"))]
        return Path(index(parent, i));
        #[cfg(feature = "terse-errors")]
        {
            let _ = (parent, i);
            Path
        }
    }
}

impl std::ops::Deref for Path {
    type Target = str;
    fn deref(&self) -> &str {
        #[cfg(not(feature = "terse-errors"))]
        return &self.0;
        #[cfg(feature = "terse-errors")]
        ""
    }
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
    fn model_paths_are_built_only_where_errors_name_the_field() {
        let path = Path::join(&Path::index("rules", 3), "when");
        assert_eq!(&*path, if cfg!(feature = "terse-errors") { "" } else { "rules[3].when" });
        assert_eq!(std::mem::size_of::<Path>() == 0, cfg!(feature = "terse-errors"));
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
