//! Forwarding of a verified delivery to the origin, with the hop signature.

use std::time::Duration;

use futures_util::future::{select, Either};
use networked_webhooks::sign;
use worker::{
    js_sys::Uint8Array, AbortController, Delay, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect,
};

/// Header with the worker's signature over `<x-edge-timestamp>.<body>`.
pub const EDGE_SIGNATURE: &str = "x-edge-signature";
/// Header with the UNIX seconds at which the worker forwarded the delivery.
pub const EDGE_TIMESTAMP: &str = "x-edge-timestamp";

/// Headers of the sender's request that reach the origin unchanged.
pub const PASSED_HEADERS: [&str; 3] =
    ["content-type", "x-webhook-signature", "x-webhook-timestamp"];

/// A delivery ready to be posted to the origin.
#[derive(Debug)]
pub struct Forward<'a> {
    /// The exact bytes the sender posted.
    pub body: &'a [u8],
    /// The sender's request headers; only [`PASSED_HEADERS`] are copied.
    pub sender_headers: &'a Headers,
    /// URL the delivery is posted to.
    pub origin_url: &'a str,
    /// Key of the hop signature.
    pub forward_secret: &'a str,
    /// UNIX seconds of forwarding, signed into the hop signature.
    pub now_seconds: u64,
    /// Time the origin has to respond.
    pub timeout: Duration,
}

/// Result of posting a delivery to the origin.
#[derive(Debug)]
pub enum OriginResult {
    /// The origin responded with a 2xx or 4xx status, and its response is
    /// passed on to the sender.
    Responded {
        /// The origin's status.
        status: u16,
        /// The origin's `content-type`, if any.
        content_type: Option<String>,
        /// The origin's response body.
        body: Vec<u8>,
    },
    /// The origin could not be reached, timed out, redirected or responded
    /// with another status. The text names the failure, for the 503 message.
    Unavailable(String),
}

/// Posts the delivery to the origin and waits at most `timeout` for the
/// status line and the response body.
pub async fn forward(delivery: &Forward<'_>) -> OriginResult {
    let request = match build_request(delivery) {
        Ok(request) => request,
        Err(error) => return OriginResult::Unavailable(format!("the request failed: {error}")),
    };

    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        let fetch = Fetch::Request(request);
        let mut response = fetch.send_with_signal(&signal).await?;
        let body = response.bytes().await?;
        Ok::<_, worker::Error>((response, body))
    };
    let timeout = Delay::from(delivery.timeout);

    let (response, body) = match select(Box::pin(exchange), timeout).await {
        Either::Left((Ok(exchanged), _)) => exchanged,
        Either::Left((Err(error), _)) => {
            return OriginResult::Unavailable(format!("the request failed: {error}"));
        }
        Either::Right(((), _)) => {
            controller.abort();
            let seconds = delivery.timeout.as_secs();
            let unit = if seconds == 1 { "second" } else { "seconds" };
            return OriginResult::Unavailable(format!(
                "the request timed out with no response within {seconds} {unit}"
            ));
        }
    };

    let status = response.status_code();
    match status {
        200..=299 | 400..=499 => OriginResult::Responded {
            status,
            content_type: response.headers().get("content-type").ok().flatten(),
            body,
        },
        // A redirect is not followed: the hop signature is meant for
        // ORIGIN_URL, and following it could send the event elsewhere.
        300..=399 => OriginResult::Unavailable(format!(
            "it responded with the redirect status {status}; set ORIGIN_URL to the final URL"
        )),
        _ => OriginResult::Unavailable(format!("it responded with status {status}")),
    }
}

/// Builds the POST to the origin: the same body bytes, the sender's
/// content-type and signature headers, and the hop signature headers.
fn build_request(delivery: &Forward<'_>) -> worker::Result<Request> {
    let headers = Headers::new();
    for name in PASSED_HEADERS {
        if let Some(value) = delivery.sender_headers.get(name)? {
            headers.set(name, &value)?;
        }
    }

    let hop = sign(
        delivery.forward_secret.as_bytes(),
        delivery.body,
        Some(delivery.now_seconds),
    )
    .map_err(|error| worker::Error::RustError(format!("signing the hop failed: {error}")))?;
    headers.set(EDGE_SIGNATURE, &hop.signature)?;
    if let Some(timestamp) = &hop.timestamp {
        headers.set(EDGE_TIMESTAMP, timestamp)?;
    }

    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(Uint8Array::from(delivery.body).into()));
    Request::new_with_init(delivery.origin_url, &init)
}
