//! The timestamp header and the freshness window.

use alloc::format;
use alloc::string::String;

use crate::Error;

/// Digit count of a UNIX time in milliseconds from 2001 to 2286.
const MILLISECOND_DIGITS: usize = 13;

/// Maximum digit count accepted as seconds. Twelve digits already reach
/// past the year 30000, so longer values are never seconds.
const MAX_SECOND_DIGITS: usize = 12;

/// Parses the timestamp header: ASCII digits only, surrounding whitespace
/// trimmed. Returns the trimmed text, which is what the sender signed, and
/// its value in seconds.
pub(crate) fn parse_header(raw: &str) -> Result<(&str, u64), Error> {
    let value = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if value.is_empty() {
        return Err(malformed(
            "the value is empty; send UNIX seconds such as 1750689600",
        ));
    }
    if let Some(bad) = value.chars().find(|c| !c.is_ascii_digit()) {
        let hint = match bad {
            '-' | '+' => "a sign is not allowed",
            '.' => "a fraction is not allowed",
            ',' => "the header was sent more than once",
            _ => "only the digits 0-9 are allowed",
        };
        return Err(Error::MalformedTimestamp {
            reason: format!(
                "{} characters with a non-digit {bad:?}: {hint}; send whole UNIX seconds",
                value.chars().count()
            ),
        });
    }
    if value.len() == MILLISECOND_DIGITS {
        return Err(malformed(
            "13 digits is a UNIX time in milliseconds; divide by 1000 and send seconds",
        ));
    }
    if value.len() > MAX_SECOND_DIGITS {
        return Err(Error::MalformedTimestamp {
            reason: format!(
                "{} digits is too long for UNIX seconds (at most {MAX_SECOND_DIGITS})",
                value.len()
            ),
        });
    }

    // At most twelve ASCII digits always fit in a u64.
    let seconds = value
        .parse::<u64>()
        .map_err(|_| malformed("not a number"))?;
    Ok((value, seconds))
}

fn malformed(reason: &str) -> Error {
    Error::MalformedTimestamp {
        reason: String::from(reason),
    }
}

/// Checks that `timestamp` is within `tolerance` seconds of `now`, both ways.
pub(crate) fn check_freshness(timestamp: u64, now: u64, tolerance: u64) -> Result<(), Error> {
    if timestamp <= now {
        let age = now - timestamp;
        if age > tolerance {
            return Err(Error::TimestampTooOld { age, tolerance });
        }
    } else {
        let skew = timestamp - now;
        if skew > tolerance {
            return Err(Error::TimestampTooNew {
                skew,
                tolerance,
                looks_like_milliseconds: looks_like_milliseconds(timestamp),
            });
        }
    }
    Ok(())
}

fn looks_like_milliseconds(timestamp: u64) -> bool {
    (1_000_000_000_000..10_000_000_000_000).contains(&timestamp)
}
