//! The worker's responses: JSON error bodies, the origin's response passed
//! through, and the log line written for each request.

use networked_webhooks::Error;
use serde::Serialize;
use worker::{console_log, Headers, Response, ResponseBuilder};

/// Seconds a sender is asked to wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// Outcome of a request, as the log line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The origin accepted the delivery with a 2xx status.
    Forwarded,
    /// The origin responded with a 4xx status, which was passed on.
    OriginRejected,
    /// The origin could not be reached, timed out or failed.
    OriginUnavailable,
    /// The worker rejected the request and forwarded nothing.
    Rejected,
    /// The worker is misconfigured or one of its dependencies failed.
    Error,
    /// A CORS preflight from an allowed origin, which gets 204.
    Preflight,
}

/// A response to the sender, with the fields the log line records.
#[derive(Debug)]
pub struct Reply {
    /// Outcome of the request.
    pub outcome: Outcome,
    /// HTTP status sent to the sender.
    pub status: u16,
    /// Stable error code, absent when the origin's response is passed on.
    pub code: Option<&'static str>,
    /// Response body.
    pub body: Vec<u8>,
    /// Value of the `content-type` header, if any.
    pub content_type: Option<String>,
    /// Headers beyond `content-type`, such as `Allow` or `Retry-After`.
    pub extra_headers: Vec<(&'static str, String)>,
    /// Cause of a failure on the worker's or the origin's side, for the log
    /// line only.
    pub detail: Option<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
}

impl Reply {
    /// Builds an error response with the JSON body `{ "error", "message" }`.
    /// The message is also logged when the failure is on the worker's or
    /// the origin's side.
    pub fn error(outcome: Outcome, status: u16, code: &'static str, message: &str) -> Reply {
        let body = serde_json::to_vec(&ErrorBody {
            error: code,
            message,
        })
        .unwrap_or_else(|_| br#"{"error":"internal_error","message":"unserializable"}"#.to_vec());
        Reply {
            outcome,
            status,
            code: Some(code),
            body,
            content_type: Some(String::from("application/json; charset=utf-8")),
            extra_headers: Vec::new(),
            detail: matches!(outcome, Outcome::Error | Outcome::OriginUnavailable)
                .then(|| String::from(message)),
        }
    }

    /// Builds the rejection of a delivery that failed verification.
    pub fn rejected(error: &Error) -> Reply {
        let (outcome, status) = match error {
            Error::MissingSignature
            | Error::MalformedSignature { .. }
            | Error::SignatureMismatch { .. }
            | Error::MissingTimestamp
            | Error::MalformedTimestamp { .. }
            | Error::TimestampTooOld { .. }
            | Error::TimestampTooNew { .. } => (Outcome::Rejected, 401),
            Error::InvalidJson { .. } | Error::InvalidEnvelope { .. } => (Outcome::Rejected, 400),
            Error::BodyTooLarge { .. } => (Outcome::Rejected, 413),
            // The verifier was built before the request was read, so these
            // and any variant added to the core later point at the worker.
            _ => (Outcome::Error, 500),
        };
        Reply::error(outcome, status, error.code(), &error.to_string())
    }

    /// Adds a header such as `Allow` or `Retry-After`.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.extra_headers.push((name, value.into()));
        self
    }

    /// Converts the reply into a Workers response.
    pub fn into_response(self) -> worker::Result<Response> {
        let headers = Headers::new();
        if let Some(content_type) = &self.content_type {
            headers.set("content-type", content_type)?;
        }
        for (name, value) in &self.extra_headers {
            headers.set(name, value)?;
        }
        let builder = ResponseBuilder::new()
            .with_status(self.status)
            .with_headers(headers);
        // A 204 must have a null body: the runtime's `Response` constructor
        // throws on any body with that status, even an empty one.
        if self.outcome == Outcome::Preflight {
            return Ok(builder.empty());
        }
        Ok(builder.fixed(self.body))
    }
}

/// The fields of the one log line per request. It never contains a secret,
/// a signature or any byte of the body.
#[derive(Debug, Serialize)]
pub struct LogLine<'a> {
    /// Outcome of the request.
    pub outcome: Outcome,
    /// Error code, or `null` when the origin's response was passed on.
    pub code: Option<&'a str>,
    /// Event type of a verified delivery, `null` before verification.
    pub event: Option<&'a str>,
    /// Status sent to the sender.
    pub status: u16,
    /// Status of the origin's response, when it responded.
    pub origin_status: Option<u16>,
    /// Milliseconds from the start of the request to the response.
    pub latency_ms: u64,
    /// Request method.
    pub method: &'a str,
    /// First 16 hex digits of the replay key of a verified delivery, to
    /// match the log lines of a delivery and its retries.
    pub delivery: Option<&'a str>,
    /// State of the replay claim at the end of a request that claimed or
    /// tried to: `confirmed` (the origin took the event), `confirm_failed`,
    /// `released` or `release_failed`.
    pub claim: Option<&'a str>,
    /// Cause of a worker-side or origin-side failure, such as a missing
    /// setting or a refused connection.
    pub detail: Option<&'a str>,
}

/// Writes the log line with `console.log`, as one JSON object.
pub fn log(line: &LogLine<'_>) {
    match serde_json::to_string(line) {
        Ok(text) => console_log!("{text}"),
        Err(_) => console_log!(r#"{{"outcome":"error","code":"log_unserializable"}}"#),
    }
}
