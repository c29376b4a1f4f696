//! Characters that change how a name reads without being seen: Unicode's format
//! characters (general category Cf: bidirectional controls, zero-width spaces and joiners,
//! the byte order mark, soft hyphen, tag characters ...) and the blank fillers that render
//! as nothing. A name holding one can look like another name (`Sys<U+202E>live` shows as
//! "Sysevil"), so no name that enters a certificate or a mail may hold one.

/// Control characters (general category Cc: C0, DEL and C1), as inclusive ranges.
pub const CONTROL: &[(u32, u32)] = &[(0x0000, 0x001F), (0x007F, 0x009F)];

/// Format characters (Unicode 15.1, general category Cf), as inclusive ranges.
pub const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Letters and marks that render as blank space: the combining grapheme joiner, the
/// Hangul fillers, the Mongolian variation selectors and the Braille blank.
pub const BLANK: &[(u32, u32)] = &[
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFFA0, 0xFFA0),
];

fn in_ranges(c: char, ranges: &[(u32, u32)]) -> bool {
    let c = u32::from(c);
    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Whether `c` is a control, format or blank-filler character: one a name must not hold.
pub fn is_hidden(c: char) -> bool {
    in_ranges(c, CONTROL) || in_ranges(c, FORMAT) || in_ranges(c, BLANK)
}

/// Every hidden character, as inclusive ranges: what [`is_hidden`] refuses.
pub fn hidden_ranges() -> impl Iterator<Item = (u32, u32)> {
    CONTROL.iter().chain(FORMAT).chain(BLANK).copied()
}

/// A regular-expression character class (without the brackets) of `ranges`, written so
/// that ECMA-262 with the `u` flag (JSON Schema's dialect), Python's `re` and Rust's
/// `regex` read it alike: `\uXXXX` in the Basic Multilingual Plane, the character itself
/// above it (the three spell escapes of astral code points differently).
pub fn class_of(ranges: impl IntoIterator<Item = (u32, u32)>) -> String {
    let one = |c: u32| match char::from_u32(c) {
        Some(ch) if c > 0xFFFF => ch.to_string(),
        _ => format!("\\u{c:04X}"),
    };
    ranges
        .into_iter()
        .map(|(lo, hi)| {
            if lo == hi {
                one(lo)
            } else {
                format!("{}-{}", one(lo), one(hi))
            }
        })
        .collect()
}

/// The first hidden character of `s` and its position (1 for the first character).
pub fn first_hidden(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_hidden(c))
        .map(|(i, c)| (i + 1, c))
}

/// What a person should read for a hidden character: its code point, and its name for
/// the ones seen in attacks.
pub fn describe(c: char) -> String {
    let name = match u32::from(c) {
        0x00AD => " (SOFT HYPHEN)",
        0x200B => " (ZERO WIDTH SPACE)",
        0x200C => " (ZERO WIDTH NON-JOINER)",
        0x200D => " (ZERO WIDTH JOINER)",
        0x200E => " (LEFT-TO-RIGHT MARK)",
        0x200F => " (RIGHT-TO-LEFT MARK)",
        0x202A => " (LEFT-TO-RIGHT EMBEDDING)",
        0x202B => " (RIGHT-TO-LEFT EMBEDDING)",
        0x202C => " (POP DIRECTIONAL FORMATTING)",
        0x202D => " (LEFT-TO-RIGHT OVERRIDE)",
        0x202E => " (RIGHT-TO-LEFT OVERRIDE)",
        0x2060 => " (WORD JOINER)",
        0x2066 => " (LEFT-TO-RIGHT ISOLATE)",
        0x2067 => " (RIGHT-TO-LEFT ISOLATE)",
        0x2068 => " (FIRST STRONG ISOLATE)",
        0x2069 => " (POP DIRECTIONAL ISOLATE)",
        0x3164 => " (HANGUL FILLER)",
        0xFEFF => " (ZERO WIDTH NO-BREAK SPACE)",
        0x09 => " (TAB)",
        0x0A => " (LINE FEED)",
        0x0D => " (CARRIAGE RETURN)",
        0x00 => " (NUL)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bidi_zero_width_and_fillers_but_not_letters() {
        for c in [
            '\u{202E}', '\u{200B}', '\u{2066}', '\u{FEFF}', '\u{AD}', '\u{3164}', '\n',
        ] {
            assert!(is_hidden(c), "{}", describe(c));
        }
        for c in ['a', 'Ø', 'å', 'é', ' ', '-', '.', '&', 'ß', 'Ł', 'ı'] {
            assert!(!is_hidden(c), "{c}");
        }
        assert_eq!(first_hidden("Ann\u{202E}gnE"), Some((4, '\u{202E}')));
        assert_eq!(first_hidden("Løn-system"), None);
        assert_eq!(describe('\u{202E}'), "U+202E (RIGHT-TO-LEFT OVERRIDE)");
        assert_eq!(describe('\u{E0041}'), "U+E0041");
    }

    #[test]
    fn control_ranges_are_exactly_the_control_characters() {
        for c in char::MIN..=char::MAX {
            assert_eq!(
                in_ranges(c, CONTROL),
                c.is_control(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn classes_escape_the_basic_plane_and_spell_astral_characters() {
        assert_eq!(
            class_of([(0x00, 0x1F), (0x00AD, 0x00AD), (0xE0020, 0xE007F)]),
            "\\u0000-\\u001F\\u00AD\u{E0020}-\u{E007F}"
        );
    }
}
