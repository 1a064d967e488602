//! The one error type, with the stable codes that programs match on.

use alloc::string::String;
use core::fmt;

/// The reason a webhook was rejected or a verifier could not be built.
///
/// Every variant has a stable [`code`](Error::code) for programs and a message
/// (its `Display`) for people. Messages name the value that failed and what to
/// do, and never contain a secret or an expected MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The request has no signature header.
    MissingSignature,
    /// The signature header contains no candidate that decodes to 32 bytes,
    /// or more candidates than a verifier looks at.
    MalformedSignature {
        /// The problem with the header.
        reason: String,
    },
    /// The signature is well formed, but no candidate matches any secret.
    SignatureMismatch {
        /// How many well-formed candidates the header contained.
        candidates: usize,
        /// How many secrets were tried.
        secrets: usize,
    },
    /// The `timestamp.body` scheme was required and the timestamp header is
    /// absent.
    MissingTimestamp,
    /// The timestamp header is not a count of seconds in ASCII digits.
    MalformedTimestamp {
        /// The problem with the value.
        reason: String,
    },
    /// The authenticated timestamp is older than the tolerance.
    TimestampTooOld {
        /// Seconds between the timestamp and now.
        age: u64,
        /// The tolerance in seconds.
        tolerance: u64,
    },
    /// The authenticated timestamp is further in the future than the
    /// tolerance.
    TimestampTooNew {
        /// Seconds the timestamp is ahead of now.
        skew: u64,
        /// The tolerance in seconds.
        tolerance: u64,
        /// True when the value has the magnitude of milliseconds.
        looks_like_milliseconds: bool,
    },
    /// The body is longer than the configured maximum.
    BodyTooLarge {
        /// The body's length in bytes.
        length: usize,
        /// The maximum in bytes.
        max: usize,
    },
    /// The body is not JSON.
    InvalidJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error (0 when the body ended early).
        column: usize,
        /// The parser's description of the error.
        detail: String,
    },
    /// The body is JSON but not a webhook envelope.
    InvalidEnvelope {
        /// The member that is missing or has the wrong type, as a path such as
        /// `timestamp` or `data.user_id`.
        member: String,
        /// The problem with it.
        detail: String,
    },
    /// The verifier was given no secret, or an empty one.
    NoSecret,
    /// A verifier or signing option is out of range.
    InvalidOptions {
        /// The option's name and what is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Returns the stable code of this error, such as `signature_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingSignature => "missing_signature",
            Error::MalformedSignature { .. } => "malformed_signature",
            Error::SignatureMismatch { .. } => "signature_mismatch",
            Error::MissingTimestamp => "missing_timestamp",
            Error::MalformedTimestamp { .. } => "malformed_timestamp",
            Error::TimestampTooOld { .. } => "timestamp_too_old",
            Error::TimestampTooNew { .. } => "timestamp_too_new",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::InvalidJson { .. } => "invalid_json",
            Error::InvalidEnvelope { .. } => "invalid_envelope",
            Error::NoSecret => "no_secret",
            Error::InvalidOptions { .. } => "invalid_options",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingSignature => f.write_str(
                "missing signature header: the request was not signed, or a proxy \
                 removed the header",
            ),
            Error::MalformedSignature { reason } => {
                write!(f, "malformed signature header: {reason}")
            }
            // The number of secrets stays out of the message, because the edge
            // worker returns messages to unauthenticated callers.
            Error::SignatureMismatch { candidates, .. } => write!(
                f,
                "signature mismatch: none of {candidates} signature(s) matches the \
                 configured secrets; check the secret and that the body is the raw request \
                 body, not re-serialised JSON"
            ),
            Error::MissingTimestamp => f.write_str(
                "missing timestamp header: the timestamp.body scheme requires it; \
                 sign with a timestamp or use the body scheme",
            ),
            Error::MalformedTimestamp { reason } => {
                write!(f, "malformed timestamp header: {reason}")
            }
            Error::TimestampTooOld { age, tolerance } => write!(
                f,
                "timestamp too old: it is {age} seconds in the past, over the tolerance \
                 of {tolerance} seconds; this may be a replay, or the clocks disagree"
            ),
            Error::TimestampTooNew {
                skew,
                tolerance,
                looks_like_milliseconds,
            } => {
                write!(
                    f,
                    "timestamp too new: it is {skew} seconds in the future, over the \
                     tolerance of {tolerance} seconds"
                )?;
                if *looks_like_milliseconds {
                    f.write_str("; the value looks like milliseconds, send seconds")
                } else {
                    f.write_str("; check the clocks of sender and receiver")
                }
            }
            Error::BodyTooLarge { length, max } => write!(
                f,
                "body too large: {length} bytes, over the maximum of {max} bytes"
            ),
            Error::InvalidJson {
                line,
                column,
                detail,
            } => write!(f, "invalid JSON at line {line}, column {column}: {detail}"),
            Error::InvalidEnvelope { member, detail } => {
                write!(f, "invalid envelope: member `{member}` {detail}")
            }
            Error::NoSecret => f.write_str(
                "no secret: give at least one non-empty secret (the webhook secret \
                 shared with Networked)",
            ),
            Error::InvalidOptions { reason } => write!(f, "invalid options: {reason}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
