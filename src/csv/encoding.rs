//! Text encodings of a CSV export: UTF-8, or Windows-1252 decoded to UTF-8 as bytes arrive.

/// How the bytes of a file are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// Windows-1252 (what Excel and many CRMs on Windows write); read as it is pushed.
    Windows1252,
}

impl Encoding {
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Some(Encoding::Utf8),
            "windows1252" | "cp1252" | "latin1" | "iso88591" => Some(Encoding::Windows1252),
            _ => None,
        }
    }
}

/// Windows-1252's characters at 0x80..=0x9F (0 where the code page has none; read as U+FFFD).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0, 0,
    0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

pub(super) fn push_cp1252(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut utf8 = [0u8; 4];
    for &b in bytes {
        if b < 0x80 {
            out.push(b);
            continue;
        }
        let code = match b {
            0x80..=0x9F => CP1252_HIGH.get(usize::from(b - 0x80)).copied().unwrap_or(0),
            _ => u16::from(b),
        };
        let c = char::from_u32(u32::from(code)).filter(|_| code != 0).unwrap_or('\u{fffd}');
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }
}
