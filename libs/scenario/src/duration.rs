//! Exercise-time durations written as `1d6h30m` (days, hours, minutes, seconds; each at most once, in that order).

use std::time::Duration;

/// Parses a duration such as `3h`, `1d6h` or `90m`; the error says what is wrong.
pub fn parse(text: &str) -> Result<Duration, String> {
    const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];
    let bad = || format!("`{text}` is not a duration like `1d6h30m` (units d, h, m, s in that order)");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut seconds = 0u64;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let index = UNITS.iter().position(|(u, _)| *u == unit).ok_or_else(bad)?;
        if index < next_unit {
            return Err(bad());
        }
        seconds = number.checked_mul(UNITS[index].1).and_then(|s| s.checked_add(seconds)).ok_or_else(bad)?;
        next_unit = index + 1;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Ok(Duration::from_secs(seconds))
}

/// Writes a duration the way [`parse`] reads it.
pub fn format(d: Duration) -> String {
    let mut s = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_combined_units() {
        assert_eq!(parse("1d6h30m"), Ok(Duration::from_secs(86_400 + 6 * 3_600 + 30 * 60)));
        assert_eq!(parse("90m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(format(Duration::from_secs(86_400 + 5_400)), "1d1h30m");
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in ["", "5", "h", "3x", "1h1d", "1h2h", "-3h", "99999999999999999999d"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
