//! CSV cells as the fast path reads them (`flat`): each cell of a model field becomes a (code,
//! number) pair straight from the row's text, the way the engine would read the cell as a text
//! trait, with no copy, no case-folded key and no hash map per cell. Text constants are found
//! through a small open-addressed table hashed on the case-folded bytes (`TextTable`).
//!
//! A cell that only the general engine can score exactly (a text on a field with a `contains`
//! test, or a text that reads as a number where numbers and texts score differently) encodes to
//! None; the caller then scores the row on the general path.

use crate::calibrate::stream::{number_safe, tests_of};
use crate::flat::{FlatModel, MISSING, NUMBER, UNKNOWN_TEXT};
use crate::model::{Model, TraitTest};
use crate::read::parse_decimal;

/// The engine's longest text trait, in characters; a longer cell is no answer.
const MAX_CELL: usize = 512;

/// How the cells of each field of a compiled model encode.
#[derive(Debug, Clone)]
pub struct CellEncoder {
    /// Per field: a text that reads as a number and is no text constant scores as that number
    /// (only range and number tests on the field), or an unknown text's code covers it.
    number_safe: Vec<bool>,
    /// Per field: some test looks inside the text (`contains`): texts go the general path.
    contains: Vec<bool>,
    /// Per field: an unknown text can be scored on the fast path (`FlatModel::unknown_ok`).
    unknown_ok: Vec<bool>,
    texts: TextTable,
}

impl CellEncoder {
    pub fn new(model: &Model, flat: &FlatModel) -> CellEncoder {
        CellEncoder {
            number_safe: number_safe(model, flat),
            contains: flat
                .fields
                .iter()
                .map(|f| tests_of(model, f).into_iter().any(|t| matches!(t, TraitTest::Contains(_))))
                .collect(),
            unknown_ok: flat.unknown_ok.clone(),
            texts: TextTable::new(&flat.texts),
        }
    }

    /// One cell of field `field` as (code, number); None when only the general engine can score
    /// it exactly.
    #[inline]
    pub fn encode(&self, field: usize, cell: &str) -> Option<(f64, f64)> {
        let number_safe = self.number_safe.get(field).copied().unwrap_or(false);
        if number_safe {
            if let Some(n) = whole_number(cell) {
                return Some((NUMBER, n));
            }
        }
        // `trim` is Unicode-aware; most cells start and end with a visible ASCII byte and need none.
        let bytes = cell.as_bytes();
        let plain = bytes.first().is_some_and(u8::is_ascii_graphic) && bytes.last().is_some_and(u8::is_ascii_graphic);
        let trimmed = if plain { cell } else { cell.trim() };
        if trimmed.is_empty() || (cell.len() > MAX_CELL && cell.chars().count() > MAX_CELL) {
            return Some((MISSING, 0.0));
        }
        if self.contains.get(field).copied().unwrap_or(true) {
            return None;
        }
        // A plain cell is its trimmed text, already read above.
        if number_safe && !plain {
            if let Some(n) = whole_number(trimmed) {
                return Some((NUMBER, n));
            }
        }
        // A constant found here reads as a number only where it would on the field (the case of
        // a letter does not change what `parse_decimal` reads), so it is looked up first.
        if let Some(code) = self.texts.find(trimmed.as_bytes()) {
            return Some((code as f64, 0.0));
        }
        let number = if may_be_number(trimmed) { parse_decimal(cell) } else { None };
        match number {
            // On such a field a text that reads as a number, constant or not, scores as that number.
            Some(n) if number_safe => Some((NUMBER, n)),
            // An unknown text that reads as a number: only the engine's number tests can say.
            Some(_) if !self.unknown_ok.get(field).copied().unwrap_or(false) => None,
            _ => Some((UNKNOWN_TEXT, 0.0)),
        }
    }
}

/// A cell of up to 15 ASCII digits, read the way `parse_decimal` reads it (digit by digit in an
/// f64, exact at that length) without its general handling of signs, commas and exponents: most
/// numeric cells of an export are plain counts.
#[inline]
pub fn whole_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    // Summed as an integer (below 10^15, so exact in an f64 too): one conversion, not one per digit.
    let mut value = 0u64;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    Some(value as f64)
}

/// Whether `parse_decimal` may read the trimmed text as a number: it starts with a digit, a
/// sign, a point or a thousands comma (a cheap check that spares it every word).
#[inline]
fn may_be_number(trimmed: &str) -> bool {
    trimmed.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b','))
}

/// The model's text constants (ASCII, lower case), found by a cell's text compared without case:
/// an open-addressed table of constant indexes at a hash of the case-folded bytes. The constants
/// are known when the model compiles, so the table is sized to keep probes short.
#[derive(Debug, Clone)]
struct TextTable {
    texts: Vec<Box<[u8]>>,
    /// Constant index + 1 per slot (0: empty); its length is a power of two.
    slots: Vec<u32>,
}

impl TextTable {
    fn new(texts: &[String]) -> TextTable {
        let size = (texts.len() * 4).next_power_of_two().max(8);
        let mut slots = vec![0u32; size];
        for (i, text) in texts.iter().enumerate() {
            let mut at = folded_hash(text.as_bytes()) & (size - 1);
            while slots.get(at).is_some_and(|&s| s != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = i as u32 + 1;
            }
        }
        TextTable { texts: texts.iter().map(|t| t.as_bytes().into()).collect(), slots }
    }

    /// The index of the constant equal to `cell` in ASCII lower case.
    #[inline]
    fn find(&self, cell: &[u8]) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = folded_hash(cell) & mask;
        loop {
            let index = (*self.slots.get(at)? as usize).checked_sub(1)?;
            // A constant is stored lower case: the cell matches when it folds to it.
            if self.texts.get(index).is_some_and(|t| t.len() == cell.len() && folds_to(cell, t)) {
                return Some(index);
            }
            at = (at + 1) & mask;
        }
    }
}

/// FNV-1a of the bytes with bit 5 set: a letter's two cases hash alike (so do a few other pairs,
/// such as `@` and a backtick; `folds_to` tells them apart), at one `or` a byte instead of a
/// case test.
#[inline]
fn folded_hash(bytes: &[u8]) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash = (hash ^ u32::from(b | 0x20)).wrapping_mul(0x0100_0193);
    }
    hash as usize
}

/// Whether `cell` in ASCII lower case is `lower` (of the same length).
#[inline]
fn folds_to(cell: &[u8], lower: &[u8]) -> bool {
    cell.iter().zip(lower).all(|(a, b)| a.to_ascii_lowercase() == *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_table_finds_every_constant_without_case_and_nothing_else() {
        let texts: Vec<String> = ["yes", "true", "head of sales", "vn", "", "decision-maker"].map(String::from).into();
        let table = TextTable::new(&texts);
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(table.find(text.to_ascii_uppercase().as_bytes()), Some(i), "{text}");
        }
        for other in ["ye", "yess", "head of sale", "v", "decision maker", "\u{e9}"] {
            assert_eq!(table.find(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn whole_numbers_are_plain_digits_only() {
        assert_eq!(whole_number("0"), Some(0.0));
        assert_eq!(whole_number("123456789012345"), Some(123_456_789_012_345.0));
        for text in ["", "1234567890123456", "-1", "1.5", " 1", "1,000", "1e3", "/", ":"] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }
}
