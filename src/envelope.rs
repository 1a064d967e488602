//! The JSON envelope `{ event, timestamp, data }` and its parsing.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use crate::events::EventKind;
use crate::Error;

/// Maximum body length that [`parse`] accepts, in bytes (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// A parsed webhook: the envelope's three members plus anything else the
/// platform sent beside them.
///
/// Numbers inside `data` and `extra` keep the exact text the sender wrote, so
/// ids above 2^53 are never rounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event type, such as `user.joined`. Unknown types are kept as they
    /// are.
    pub event: String,
    /// UNIX seconds when the event happened.
    pub timestamp: u64,
    /// The event's fields.
    pub data: Map<String, Value>,
    /// Envelope members other than `event`, `timestamp` and `data`.
    pub extra: Map<String, Value>,
}

impl Event {
    /// Returns the catalogue entry of this event, or [`EventKind::Unknown`].
    pub fn kind(&self) -> EventKind {
        EventKind::from_name(&self.event)
    }
}

/// Parses a webhook body without checking any signature.
///
/// Use this only on a body that was already authenticated, or in tests. The
/// body may be at most [`DEFAULT_MAX_BODY_BYTES`] long.
pub fn parse(body: &[u8]) -> Result<Event, Error> {
    if body.len() > DEFAULT_MAX_BODY_BYTES {
        return Err(Error::BodyTooLarge {
            length: body.len(),
            max: DEFAULT_MAX_BODY_BYTES,
        });
    }
    parse_unlimited(body)
}

/// Parses a body whose length the caller has already checked.
pub(crate) fn parse_unlimited(body: &[u8]) -> Result<Event, Error> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        // JavaScript's JSON.stringify writes a string cut inside a surrogate
        // pair as a lone `\ud83d` escape, and JSON.parse accepts it. Rust
        // strings cannot hold it, so it becomes U+FFFD instead of losing the
        // delivery.
        Err(err) => match replace_lone_surrogates(body) {
            Some(repaired) => serde_json::from_slice(&repaired).map_err(invalid_json)?,
            None => return Err(invalid_json(err)),
        },
    };
    let Value::Object(mut members) = value else {
        return Err(envelope_error(
            "(root)",
            format!("is {}, expected an object", type_name(&value)),
        ));
    };

    let event = match members.remove("event") {
        Some(Value::String(name)) if !name.is_empty() => name,
        Some(Value::String(_)) => return Err(envelope_error("event", "is an empty string")),
        Some(other) => return Err(wrong_type("event", &other, "a string")),
        None => return Err(missing("event")),
    };
    let timestamp = match members.remove("timestamp") {
        Some(value) => parse_envelope_timestamp(&value)?,
        None => return Err(missing("timestamp")),
    };
    let data = match members.remove("data") {
        Some(Value::Object(data)) => data,
        Some(other) => return Err(wrong_type("data", &other, "an object")),
        None => return Err(missing("data")),
    };

    Ok(Event {
        event,
        timestamp,
        data,
        extra: members,
    })
}

/// Accepts a non-negative integer or a string of decimal digits.
fn parse_envelope_timestamp(value: &Value) -> Result<u64, Error> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        other => return Err(wrong_type("timestamp", other, "UNIX seconds")),
    };
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits_only {
        return Err(envelope_error(
            "timestamp",
            format!("is {text:?}, expected whole UNIX seconds (digits only)"),
        ));
    }
    text.parse::<u64>().map_err(|_| {
        envelope_error(
            "timestamp",
            format!("is {text:?}, too large for UNIX seconds"),
        )
    })
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn missing(member: &str) -> Error {
    envelope_error(
        member,
        "is missing; a webhook body is {\"event\", \"timestamp\", \"data\"}",
    )
}

fn wrong_type(member: &str, value: &Value, expected: &str) -> Error {
    envelope_error(
        member,
        format!("is {}, expected {expected}", type_name(value)),
    )
}

pub(crate) fn envelope_error(member: &str, detail: impl Into<String>) -> Error {
    Error::InvalidEnvelope {
        member: String::from(member),
        detail: detail.into(),
    }
}

fn invalid_json(err: serde_json::Error) -> Error {
    Error::InvalidJson {
        line: err.line(),
        column: err.column(),
        detail: strip_position(err.to_string()),
    }
}

/// Returns a copy of `body` with every unpaired surrogate escape (`\uD800`
/// to `\uDFFF`) replaced by `\uFFFD`, or `None` when there is none. The
/// replacement has the same length, so error positions stay valid.
fn replace_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let mut repaired: Option<Vec<u8>> = None;
    let mut index = 0;
    while index < body.len() {
        if body[index] != b'\\' {
            index += 1;
            continue;
        }
        let Some(unit) = unicode_escape(body, index) else {
            // Any other escape is two bytes long: skip both, so that the
            // second backslash of `\\` never starts an escape.
            index += 2;
            continue;
        };
        let is_high = (0xD800..=0xDBFF).contains(&unit);
        let is_low = (0xDC00..=0xDFFF).contains(&unit);
        let paired_low =
            unicode_escape(body, index + 6).is_some_and(|next| (0xDC00..=0xDFFF).contains(&next));
        if is_high && paired_low {
            index += 12;
            continue;
        }
        if is_high || is_low {
            let copy = repaired.get_or_insert_with(|| body.to_vec());
            copy[index + 2..index + 6].copy_from_slice(b"FFFD");
        }
        index += 6;
    }
    repaired
}

/// Returns the code unit of a `\uXXXX` escape starting at `index`.
fn unicode_escape(body: &[u8], index: usize) -> Option<u16> {
    let escape = body.get(index..index + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let digits = core::str::from_utf8(&escape[2..]).ok()?;
    u16::from_str_radix(digits, 16).ok()
}

/// Drops serde_json's " at line L column C" suffix, which the error carries
/// in its own fields.
fn strip_position(mut message: String) -> String {
    if let Some(index) = message.rfind(" at line ") {
        message.truncate(index);
    }
    message
}
