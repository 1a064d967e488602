//! Rejection of a second delivery of the same signed content.
//!
//! Each delivery's replay key (the SHA-256 of its signed content, in hex) names
//! one instance of the [`ReplayGuard`] Durable Object. The instance stores
//! one claim: the time it expires, the token of the request that made it,
//! and its state. A claim is first in flight, with a lease that covers the
//! forward to the origin. After a 2xx from the origin the request confirms
//! it, and after anything else the request releases it. A lease that ends
//! with neither means the request failed or was cancelled, and the next copy
//! of the delivery takes the claim over.
//!
//! An alarm deletes the claim when it expires. The core rejects a delivery
//! whose signed time is more than the tolerance in the past, so a claim
//! needs to live only until `signed_at + tolerance`.

use serde::{Deserialize, Serialize};
use worker::{js_sys::Math, ObjectNamespace, Result, Stub};

/// Seconds a lease lasts beyond the origin timeout. They cover the Durable
/// Object calls before and after the forward: the claim's response and the
/// confirm or release.
pub const LEASE_MARGIN_SECONDS: u64 = 5;

/// Storage key of the claim.
const CLAIM_KEY: &str = "claim";
/// Storage key of a claim's expiry, in milliseconds since the epoch, as
/// versions without leases stored it.
const LEGACY_EXPIRES_AT_KEY: &str = "expires_at_ms";

/// The claim as the instance stores it, under [`CLAIM_KEY`].
#[derive(Debug, Serialize, Deserialize)]
struct StoredClaim {
    /// End of the claim, in milliseconds since the epoch.
    expires_at_ms: u64,
    /// Token of the request that made or confirmed the claim.
    token: String,
    state: ClaimState,
}

/// State of a stored claim.
#[derive(Debug, Serialize, Deserialize)]
enum ClaimState {
    /// A request is forwarding the delivery. Its lease ends at
    /// `lease_until_ms`, in milliseconds since the epoch.
    InFlight { lease_until_ms: u64 },
    /// The origin took the delivery with a 2xx status.
    Confirmed,
}

/// Result of a claim on a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// No live claim existed, so this request now owns the claim.
    Claimed,
    /// A claim in flight had outlived its lease without being confirmed or
    /// released, so this request took it over.
    TookOver,
    /// Another request is forwarding the delivery.
    InFlight {
        /// Milliseconds until the other request's lease ends.
        lease_remaining_ms: u64,
    },
    /// The origin already took the delivery.
    Confirmed,
}

pub use self::object::ReplayGuard;

// The `durable_object` macro adds wasm-bindgen exports that carry no docs.
#[allow(missing_docs)]
mod object {
    use super::{ClaimState, StoredClaim, CLAIM_KEY, LEGACY_EXPIRES_AT_KEY};
    use worker::{
        durable_object, js_sys, wasm_bindgen::JsValue, Date, DurableObject, Env, Response, Result,
        ScheduledTime, State, Storage,
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

        /// Routes `/claim/<token>/<expires_at_ms>/<lease_ms>`,
        /// `/confirm/<token>/<expires_at_ms>` and `/release/<token>`.
        async fn fetch(&self, req: worker::Request) -> Result<Response> {
            let path = req.path();
            let mut segments = path.trim_start_matches('/').split('/');
            let action = segments.next().unwrap_or_default();
            let Some(token) = segments.next().and_then(valid_token) else {
                return Response::error(format!("{path}: the token is missing or invalid"), 400);
            };
            let numbers: Option<Vec<u64>> = segments.map(|text| text.parse().ok()).collect();
            match (action, numbers.as_deref()) {
                ("claim", Some(&[expires_at_ms, lease_ms])) => {
                    self.claim(token, expires_at_ms, lease_ms).await
                }
                ("confirm", Some(&[expires_at_ms])) => self.confirm(token, expires_at_ms).await,
                ("release", Some(&[])) => self.release(token).await,
                _ => Response::error(format!("no route {path}"), 404),
            }
        }

        async fn alarm(&self) -> Result<Response> {
            self.state.storage().delete_all().await?;
            Response::empty()
        }
    }

    impl ReplayGuard {
        /// Stores a claim in flight unless a live claim exists, and returns
        /// 201 for a new claim, 200 for a takeover, 409 when the delivery was
        /// confirmed, or 423 with the milliseconds left of the other
        /// request's lease. The runtime delivers no other request to this
        /// instance while its storage calls run, so no second claim can slip
        /// in between the read and the write.
        async fn claim(&self, token: &str, expires_at_ms: u64, lease_ms: u64) -> Result<Response> {
            let storage = self.state.storage();
            let now_ms = Date::now().as_millis();
            let mut status = 201;
            if let Some(existing) = live_claim(&storage, now_ms).await? {
                match existing.state {
                    ClaimState::Confirmed => return Ok(Response::empty()?.with_status(409)),
                    ClaimState::InFlight { lease_until_ms } if lease_until_ms > now_ms => {
                        let remaining_ms = lease_until_ms - now_ms;
                        return Ok(Response::ok(remaining_ms.to_string())?.with_status(423));
                    }
                    // The lease ended with neither a confirm nor a release, so
                    // the request that made the claim failed or was cancelled.
                    ClaimState::InFlight { .. } => status = 200,
                }
            }

            let claim = StoredClaim {
                expires_at_ms,
                token: String::from(token),
                state: ClaimState::InFlight {
                    lease_until_ms: now_ms.saturating_add(lease_ms),
                },
            };
            store(&storage, &claim).await?;
            Ok(Response::empty()?.with_status(status))
        }

        /// Marks the delivery as taken by the origin, whichever request made
        /// the claim. When the claim was released or replaced in the
        /// meantime, a confirmed claim with `token` is stored until
        /// `expires_at_ms`, unless that time has passed.
        async fn confirm(&self, token: &str, expires_at_ms: u64) -> Result<Response> {
            let storage = self.state.storage();
            let now_ms = Date::now().as_millis();
            let claim = match live_claim(&storage, now_ms).await? {
                Some(StoredClaim {
                    state: ClaimState::Confirmed,
                    ..
                }) => return Response::empty(),
                Some(existing) => StoredClaim {
                    state: ClaimState::Confirmed,
                    ..existing
                },
                None if expires_at_ms > now_ms => StoredClaim {
                    expires_at_ms,
                    token: String::from(token),
                    state: ClaimState::Confirmed,
                },
                None => return Response::empty(),
            };
            store(&storage, &claim).await?;
            Response::empty()
        }

        /// Deletes the claim if it is in flight and `token` made it. A
        /// confirmed claim, a claim that another request took over, or a
        /// claim that was never stored is left alone.
        async fn release(&self, token: &str) -> Result<Response> {
            let storage = self.state.storage();
            if let Some(existing) = load(&storage).await? {
                let in_flight = matches!(existing.state, ClaimState::InFlight { .. });
                if in_flight && existing.token == token {
                    storage.delete_all().await?;
                }
            }
            Response::empty()
        }
    }

    /// Reads the stored claim. A claim stored by a version without leases
    /// contains only its expiry, and counts as confirmed.
    async fn load(storage: &Storage) -> Result<Option<StoredClaim>> {
        if let Some(claim) = storage.get::<StoredClaim>(CLAIM_KEY).await? {
            return Ok(Some(claim));
        }
        let legacy = storage.get::<u64>(LEGACY_EXPIRES_AT_KEY).await?;
        Ok(legacy.map(|expires_at_ms| StoredClaim {
            expires_at_ms,
            token: String::new(),
            state: ClaimState::Confirmed,
        }))
    }

    /// Reads the stored claim unless it has expired. An expired claim whose
    /// alarm has not run yet counts as absent.
    async fn live_claim(storage: &Storage, now_ms: u64) -> Result<Option<StoredClaim>> {
        let claim = load(storage).await?;
        Ok(claim.filter(|claim| claim.expires_at_ms > now_ms))
    }

    /// Sets the claim's alarm, then stores the claim with one put. So when
    /// setting the alarm fails, for example on a date past the end of the
    /// `Date` range, the stored claim is unchanged and the sender's retry can
    /// claim the delivery. When the put fails, the alarm deletes whatever
    /// claim is stored when the window ends.
    async fn store(storage: &Storage, claim: &StoredClaim) -> Result<()> {
        let at = js_sys::Date::new(&JsValue::from_f64(claim.expires_at_ms as f64));
        storage.set_alarm(ScheduledTime::new(at)).await?;
        storage.put(CLAIM_KEY, claim).await
    }

    /// Returns the token if it is 1 to 64 ASCII letters and digits.
    fn valid_token(token: &str) -> Option<&str> {
        let valid = (1..=64).contains(&token.len())
            && token.bytes().all(|byte| byte.is_ascii_alphanumeric());
        valid.then_some(token)
    }
}

/// The replay guard of one delivery for one request: the stub of the
/// delivery's instance and the token that marks this request's claim.
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
    /// epoch), with a lease of `lease_ms` milliseconds for the forward.
    pub async fn claim(&self, expires_at_ms: u64, lease_ms: u64) -> Result<Claim> {
        let url = format!(
            "https://replay-guard/claim/{}/{expires_at_ms}/{lease_ms}",
            self.token
        );
        let mut response = self.stub.fetch_with_str(&url).await?;
        match response.status_code() {
            201 => Ok(Claim::Claimed),
            200 => Ok(Claim::TookOver),
            409 => Ok(Claim::Confirmed),
            423 => {
                let text = response.text().await?;
                let lease_remaining_ms = text.parse().map_err(|_| {
                    worker::Error::RustError(format!(
                        "the replay guard sent an invalid remaining lease: {text:?}"
                    ))
                })?;
                Ok(Claim::InFlight { lease_remaining_ms })
            }
            other => Err(worker::Error::RustError(format!(
                "the replay guard responded to a claim with status {other}"
            ))),
        }
    }

    /// Confirms that the origin took the delivery, so that copies of it are
    /// rejected as replays until `expires_at_ms`.
    pub async fn confirm(&self, expires_at_ms: u64) -> Result<()> {
        let url = format!(
            "https://replay-guard/confirm/{}/{expires_at_ms}",
            self.token
        );
        let response = self.stub.fetch_with_str(&url).await?;
        expect_success(response.status_code(), "confirm")
    }

    /// Releases this request's claim, so that the sender's retry is
    /// accepted. Succeeds without a change when the claim is confirmed, is
    /// not this request's, or was never stored.
    pub async fn release(&self) -> Result<()> {
        let url = format!("https://replay-guard/release/{}", self.token);
        let response = self.stub.fetch_with_str(&url).await?;
        expect_success(response.status_code(), "release")
    }
}

fn expect_success(status: u16, action: &str) -> Result<()> {
    match status {
        200..=299 => Ok(()),
        other => Err(worker::Error::RustError(format!(
            "the replay guard responded to a {action} with status {other}"
        ))),
    }
}

/// Returns 26 hex digits from two `Math.random` calls of up to 52 bits each.
/// The token only distinguishes the requests that handle copies of one
/// delivery, so it needs no cryptographic randomness.
fn new_token() -> String {
    let mut token = String::with_capacity(26);
    for _ in 0..2 {
        let bits = (Math::random() * (1u64 << 52) as f64) as u64;
        token.push_str(&format!("{bits:013x}"));
    }
    token
}
