//! Rejection of a second delivery of the same signed content.
//!
//! Each delivery's replay key (the MAC of its signed content, in hex) names
//! one instance of the [`ReplayGuard`] Durable Object. The instance stores
//! one claim: the time it expires and the token of the request that made it.
//! An alarm deletes the claim when it expires. The core rejects a delivery
//! whose signed time is more than the tolerance in the past, so a claim
//! needs to live only until `signed_at + tolerance`.

use serde::Serialize;
use worker::{js_sys::Math, ObjectNamespace, Result, Stub};

/// Storage key of the claim's expiry, in milliseconds since the epoch.
const EXPIRES_AT_KEY: &str = "expires_at_ms";
/// Storage key of the token of the request that made the claim.
const TOKEN_KEY: &str = "token";

/// The stored claim, written with one `put_multiple` so that its keys are
/// stored together. The field names are the storage keys.
#[derive(Serialize)]
struct StoredClaim<'a> {
    expires_at_ms: u64,
    token: &'a str,
}

/// Result of a claim on a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// No live claim existed, so this request now owns the claim.
    Claimed,
    /// A live claim exists: the delivery was already accepted, or is being
    /// forwarded right now.
    AlreadyClaimed,
}

pub use self::object::ReplayGuard;

// The `durable_object` macro adds wasm-bindgen exports that carry no docs.
#[allow(missing_docs)]
mod object {
    use super::{StoredClaim, EXPIRES_AT_KEY, TOKEN_KEY};
    use worker::{
        durable_object, js_sys, wasm_bindgen::JsValue, Date, DurableObject, Env, Response, Result,
        ScheduledTime, State,
    };

    /// Durable Object that stores the claim on one delivery.
    #[durable_object(alarm)]
    pub struct ReplayGuard {
        state: State,
    }

    impl DurableObject for ReplayGuard {
        fn new(state: State, _env: Env) -> Self {
            ReplayGuard { state }
        }

        /// Routes `/claim/<token>/<expires_at_ms>` and `/release/<token>`.
        async fn fetch(&self, req: worker::Request) -> Result<Response> {
            let path = req.path();
            if let Some(token) = path.strip_prefix("/release/") {
                return match valid_token(token) {
                    Some(token) => self.release(token).await,
                    None => Response::error("the release's token is invalid", 400),
                };
            }
            let Some(rest) = path.strip_prefix("/claim/") else {
                return Response::error(format!("no route {path}"), 404);
            };
            let Some((token, expires_at)) = rest.split_once('/') else {
                return Response::error("a claim needs a token and an expiry", 400);
            };
            let Some(token) = valid_token(token) else {
                return Response::error("the claim's token is invalid", 400);
            };
            match expires_at.parse::<u64>() {
                Ok(expires_at_ms) => self.claim(token, expires_at_ms).await,
                Err(_) => Response::error("the claim's expiry is not a number", 400),
            }
        }

        async fn alarm(&self) -> Result<Response> {
            self.state.storage().delete_all().await?;
            Response::empty()
        }
    }

    impl ReplayGuard {
        /// Stores a claim unless a live one exists. The runtime delivers no other
        /// request to this instance while its storage calls run, so no second
        /// claim can slip in between the read and the write.
        async fn claim(&self, token: &str, expires_at_ms: u64) -> Result<Response> {
            let storage = self.state.storage();
            let now_ms = Date::now().as_millis();
            // A claim whose alarm has not run yet is dead once it expired.
            if let Some(existing) = storage.get::<u64>(EXPIRES_AT_KEY).await? {
                if existing > now_ms {
                    return Ok(Response::empty()?.with_status(409));
                }
            }

            // The alarm is set before the claim is stored. So when setting it
            // fails, for example on a date past the end of the `Date` range,
            // nothing is stored and the sender's retry can claim the delivery.
            // When the put fails after it, the alarm deletes an empty store.
            let at = js_sys::Date::new(&JsValue::from_f64(expires_at_ms as f64));
            storage.set_alarm(ScheduledTime::new(at)).await?;
            storage
                .put_multiple(StoredClaim {
                    expires_at_ms,
                    token,
                })
                .await?;
            Ok(Response::empty()?.with_status(201))
        }

        /// Deletes the claim if `token` made it. A release from a request
        /// whose claim was never stored, or was replaced after it expired,
        /// leaves the current claim alone.
        async fn release(&self, token: &str) -> Result<Response> {
            let storage = self.state.storage();
            if storage.get::<String>(TOKEN_KEY).await?.as_deref() == Some(token) {
                storage.delete_all().await?;
            }
            Response::empty()
        }
    }

    /// Returns the token if it is 1 to 64 ASCII letters and digits.
    fn valid_token(token: &str) -> Option<&str> {
        let valid = (1..=64).contains(&token.len())
            && token.bytes().all(|byte| byte.is_ascii_alphanumeric());
        valid.then_some(token)
    }
}

/// The replay guard of one delivery, as one request sees it: the stub of
/// the delivery's instance and the token that marks this request's claim.
#[derive(Debug)]
pub struct Guard {
    stub: Stub,
    token: String,
}

impl Guard {
    /// Returns the guard of the delivery with this replay key, with a new
    /// token for this request.
    pub fn for_delivery(namespace: &ObjectNamespace, replay_key_hex: &str) -> Result<Guard> {
        Ok(Guard {
            stub: namespace.get_by_name(replay_key_hex)?,
            token: new_token(),
        })
    }

    /// Claims the delivery until `expires_at_ms` (milliseconds since the
    /// epoch).
    pub async fn claim(&self, expires_at_ms: u64) -> Result<Claim> {
        let url = format!("https://replay-guard/claim/{}/{expires_at_ms}", self.token);
        let response = self.stub.fetch_with_str(&url).await?;
        match response.status_code() {
            201 => Ok(Claim::Claimed),
            409 => Ok(Claim::AlreadyClaimed),
            other => Err(worker::Error::RustError(format!(
                "the replay guard responded to a claim with status {other}"
            ))),
        }
    }

    /// Releases this request's claim, so that the sender's retry is
    /// accepted. Succeeds without a change when the claim is not this
    /// request's, or was never stored.
    pub async fn release(&self) -> Result<()> {
        let url = format!("https://replay-guard/release/{}", self.token);
        let response = self.stub.fetch_with_str(&url).await?;
        match response.status_code() {
            200..=299 => Ok(()),
            other => Err(worker::Error::RustError(format!(
                "the replay guard responded to a release with status {other}"
            ))),
        }
    }
}

/// Returns 26 hex digits from two `Math.random` calls of up to 52 bits each.
/// The token only tells apart the requests that handle copies of one
/// delivery, so it needs no cryptographic randomness.
fn new_token() -> String {
    let mut token = String::with_capacity(26);
    for _ in 0..2 {
        let bits = (Math::random() * (1u64 << 52) as f64) as u64;
        token.push_str(&format!("{bits:013x}"));
    }
    token
}
