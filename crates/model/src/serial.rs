//! Certificate serial numbers: 20 random bytes, positive.

use std::fmt;

/// Why a serial number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerialError {
    /// Hex text that does not decode to 1..=20 bytes.
    #[error("a serial number is 1 to 20 bytes of hex, got {0:?}")]
    Format(String),
}

/// A certificate serial number of exactly 20 bytes whose top bit is clear, so that its
/// DER INTEGER is positive and exactly 20 octets long (RFC 5280 §4.1.2.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial([u8; 20]);

impl Serial {
    /// Makes a serial from 20 random bytes: clears the top bit (positive) and sets the
    /// next one, so that the value never has a leading zero octet and is always 20
    /// octets in DER. 158 random bits remain.
    pub fn from_random(mut bytes: [u8; 20]) -> Self {
        bytes[0] = (bytes[0] & 0x7f) | 0x40;
        Serial(bytes)
    }

    /// Re-creates a serial read back from the store or a certificate.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SerialError> {
        let arr: [u8; 20] = bytes
            .try_into()
            .map_err(|_| SerialError::Format(hex::encode(bytes)))?;
        Ok(Serial(arr))
    }

    /// Parses lower- or upper-case hex (as shown by [`Serial`]'s `Display`).
    pub fn parse_hex(s: &str) -> Result<Self, SerialError> {
        // A table look-up per digit, straight into the array: the CRL builder parses a
        // million of these.
        let digits = s.trim().as_bytes();
        let mut arr = [0u8; 20];
        if digits.len() != 40 {
            return Err(SerialError::Format(s.to_owned()));
        }
        for (out, pair) in arr.iter_mut().zip(digits.chunks_exact(2)) {
            let (hi, lo) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
            if (hi | lo) & INVALID != 0 {
                return Err(SerialError::Format(s.to_owned()));
            }
            *out = (hi << 4) | lo;
        }
        Ok(Serial(arr))
    }

    /// The big-endian bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }
}

/// Marks a byte that is not a hex digit in [`HEX`] (its high bit survives any OR).
const INVALID: u8 = 0x80;

/// The value of each byte as a hex digit, or [`INVALID`].
const HEX: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_positive_twenty_octets() {
        for first in [0x00, 0x7f, 0x80, 0xff] {
            let s = Serial::from_random([first; 20]);
            assert_eq!(s.0[0] & 0xc0, 0x40);
        }
        let s = Serial::from_random([0xab; 20]);
        assert_eq!(Serial::parse_hex(&s.to_string()), Ok(s));
        assert!(Serial::parse_hex("abcd").is_err());
        let upper = s.to_string().to_uppercase();
        assert_eq!(Serial::parse_hex(&format!(" {upper}\n")), Ok(s));
        // Every position refuses a non-digit, including multi-byte characters.
        let text = s.to_string();
        for i in 0..40 {
            for bad in ["g", "-", " ", "\0", "\u{7f}"] {
                let t = format!("{}{bad}{}", &text[..i], &text[i + 1..]);
                assert!(Serial::parse_hex(&t).is_err(), "{t:?}");
            }
        }
        // A two-byte character in place of two digits keeps the length at 40 bytes.
        for i in 0..39 {
            let t = format!("{}ø{}", &text[..i], &text[i + 2..]);
            assert!(Serial::parse_hex(&t).is_err(), "{t:?}");
        }
    }
}
