//! Rejection of a second delivery of the same signed content.
//!
//! Each delivery's replay key (the MAC of its signed content, in hex) names
//! one instance of the [`ReplayGuard`] Durable Object. The instance stores
//! one claim, with the time it expires, and an alarm deletes it then. The
//! core rejects a delivery whose signed time is more than the tolerance in
//! the past, so a claim needs to live only until `signed_at + tolerance`.

use worker::{ObjectNamespace, Result, Stub};

/// Storage key of the claim's expiry, in milliseconds since the epoch.
const EXPIRES_AT_KEY: &str = "expires_at_ms";

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
    use super::EXPIRES_AT_KEY;
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

        async fn fetch(&self, req: worker::Request) -> Result<Response> {
            let path = req.path();
            if path == "/release" {
                self.state.storage().delete_all().await?;
                return Response::empty();
            }
            match path.strip_prefix("/claim/").map(str::parse::<u64>) {
                Some(Ok(expires_at_ms)) => self.claim(expires_at_ms).await,
                Some(Err(_)) => Response::error("the claim's expiry is not a number", 400),
                None => Response::error(format!("no route {path}"), 404),
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
        async fn claim(&self, expires_at_ms: u64) -> Result<Response> {
            let storage = self.state.storage();
            let now_ms = Date::now().as_millis();
            // A claim whose alarm has not run yet is dead once it expired.
            if let Some(existing) = storage.get::<u64>(EXPIRES_AT_KEY).await? {
                if existing > now_ms {
                    return Ok(Response::empty()?.with_status(409));
                }
            }

            storage.put(EXPIRES_AT_KEY, expires_at_ms).await?;
            let at = js_sys::Date::new(&JsValue::from_f64(expires_at_ms as f64));
            storage.set_alarm(ScheduledTime::new(at)).await?;
            Ok(Response::empty()?.with_status(201))
        }
    }
}

/// Returns the stub of the instance that guards the delivery with this
/// replay key.
pub fn guard_for(namespace: &ObjectNamespace, replay_key_hex: &str) -> Result<Stub> {
    namespace.get_by_name(replay_key_hex)
}

/// Claims a delivery until `expires_at_ms` (milliseconds since the epoch).
pub async fn claim(stub: &Stub, expires_at_ms: u64) -> Result<Claim> {
    let url = format!("https://replay-guard/claim/{expires_at_ms}");
    let response = stub.fetch_with_str(&url).await?;
    match response.status_code() {
        201 => Ok(Claim::Claimed),
        409 => Ok(Claim::AlreadyClaimed),
        other => Err(worker::Error::RustError(format!(
            "the replay guard responded to a claim with status {other}"
        ))),
    }
}

/// Releases the claim on a delivery, so that the sender's retry is accepted.
pub async fn release(stub: &Stub) -> Result<()> {
    let response = stub.fetch_with_str("https://replay-guard/release").await?;
    match response.status_code() {
        200..=299 => Ok(()),
        other => Err(worker::Error::RustError(format!(
            "the replay guard responded to a release with status {other}"
        ))),
    }
}
