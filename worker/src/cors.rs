//! CORS for browser pages on the origins listed in `CORS_ALLOW_ORIGINS`, such
//! as the playground, so that they can send test deliveries and read the
//! response.

use worker::Request;

use crate::reply::{Outcome, Reply};

/// Request headers a page may send: the ones the worker forwards.
const ALLOWED_HEADERS: &str = "content-type, x-webhook-signature, x-webhook-timestamp";
/// Seconds a browser may cache a preflight response.
const MAX_AGE_SECONDS: &str = "600";

/// Returns the request's `Origin` when it is exactly one of `allowed`.
pub fn allowed_origin(req: &Request, allowed: &[String]) -> Option<String> {
    if allowed.is_empty() {
        return None;
    }
    let origin = req.headers().get("origin").ok().flatten()?;
    allowed.contains(&origin).then_some(origin)
}

/// Builds the 204 response to a preflight from `origin`, which is allowed.
/// Nothing is verified, claimed or forwarded.
pub fn preflight(origin: &str) -> Reply {
    Reply {
        outcome: Outcome::Preflight,
        status: 204,
        code: None,
        body: Vec::new(),
        content_type: None,
        extra_headers: Vec::new(),
        detail: None,
    }
    .with_header("access-control-allow-methods", "POST")
    .with_header("access-control-allow-headers", ALLOWED_HEADERS)
    .with_header("access-control-max-age", MAX_AGE_SECONDS)
    .with_allowed_origin(origin)
}

impl Reply {
    /// Adds `Access-Control-Allow-Origin` for `origin`, so that the page on
    /// it can read the response, and `Vary: Origin`, because other origins
    /// get the response without it.
    pub fn with_allowed_origin(self, origin: &str) -> Reply {
        self.with_header("access-control-allow-origin", origin)
            .with_header("vary", "Origin")
    }
}
