// SPDX-License-Identifier: GPL-2.0

//! Binary-coded decimal, as the time registers hold their fields.

/// Decodes a BCD byte, or returns `None` if a digit is above 9 or the value is above `max`.
pub const fn decode(value: u8, max: u8) -> Option<u8> {
    let (tens, ones) = (value >> 4, value & 0x0f);
    if tens > 9 || ones > 9 {
        return None;
    }
    let n = tens * 10 + ones;
    if n > max {
        return None;
    }
    Some(n)
}

/// Encodes `value`, which is at most 99, as BCD.
pub const fn encode(value: u8) -> u8 {
    ((value / 10) << 4) | (value % 10)
}
