//! A uniform sample of the rows of a CSV of any size, streamed (reservoir sampling, Algorithm R
//! with a seeded generator, so the same file and seed give the same sample): what `calibrate`
//! learns from when the file is larger than it can hold. The sample comes back as CSV text in
//! file order, header first.

use super::stream::{RowStream, StreamOptions, Streamed};
use crate::csv;
use crate::error::Errors;
use crate::value::Value;

pub struct SampleStream {
    rows: RowStream,
    size: usize,
    /// (row ordinal, the row as a CSV line)
    kept: Vec<(u64, String)>,
    state: u64,
}

impl SampleStream {
    pub fn new(size: usize, seed: u64, read: &StreamOptions) -> SampleStream {
        // xorshift needs a state other than 0.
        SampleStream {
            rows: RowStream::new(read),
            size: size.max(1),
            kept: Vec::new(),
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// A uniform integer in 0..n (n > 0); the modulo bias is below 2^-40 for any n a file has.
    fn below(&mut self, n: u64) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state % n.max(1)
    }

    /// The sample as CSV text (header, then the kept rows in file order).
    pub fn text(&mut self) -> String {
        self.kept.sort_by_key(|(i, _)| *i);
        let mut out = String::new();
        csv::write_row(&mut out, &self.rows.header);
        for (_, line) in &self.kept {
            out.push_str(line);
        }
        out
    }

    /// `{ rows, bad, errors, sampled }`
    pub fn summary(&self) -> Value {
        self.rows.summary(vec![("sampled", Value::Number(self.kept.len() as f64))])
    }
}

impl Streamed for SampleStream {
    fn rows(&mut self) -> &mut RowStream {
        &mut self.rows
    }

    fn drain(&mut self) -> Result<Vec<u8>, Errors> {
        while let Some(data) = self.rows.next_row()? {
            if !data {
                continue;
            }
            let ordinal = self.rows.rows;
            // Row n (1-based) replaces a kept one with probability size/n.
            let slot = if self.kept.len() < self.size {
                Some(self.kept.len())
            } else {
                usize::try_from(self.below(ordinal)).ok().filter(|&j| j < self.size)
            };
            let Some(slot) = slot else { continue };
            let mut line = String::new();
            let cells: Vec<&str> = self.rows.record.cells().collect();
            csv::write_row(&mut line, &cells);
            match self.kept.get_mut(slot) {
                Some(entry) => *entry = (ordinal, line),
                None => self.kept.push((ordinal, line)),
            }
        }
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str, size: usize, seed: u64) -> String {
        let mut s = SampleStream::new(size, seed, &StreamOptions::default());
        for piece in text.as_bytes().chunks(100) {
            s.push(piece).unwrap();
        }
        s.finish().unwrap();
        s.text()
    }

    #[test]
    fn a_small_file_is_its_own_sample_and_a_large_one_is_sampled_uniformly() {
        let mut text = String::from("id,note\n");
        for i in 0..1000 {
            text.push_str(&format!("{i},\"a, b\"\n"));
        }
        assert_eq!(sample(&text, 5000, 1), text);
        let small = sample(&text, 100, 7);
        assert_eq!(small, sample(&text, 100, 7), "the same seed gives the same sample");
        let ids: Vec<u32> = small.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
        assert_eq!(ids.len(), 100);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "file order");
        // Uniform: about half the sample from each half of the file (binomial sd 5).
        let first_half = ids.iter().filter(|&&i| i < 500).count();
        assert!((30..=70).contains(&first_half), "{first_half}");
        // Over many seeds every row is as likely: the last row is kept about 10 % of the time.
        let last = (0..400).filter(|&seed| sample(&text, 100, seed).contains("\n999,")).count();
        assert!((20..=60).contains(&last), "{last}");
    }
}
