//! The verifier: secrets, scheme selection, constant-time comparison and
//! freshness.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use crate::envelope::{parse_unlimited, Event, DEFAULT_MAX_BODY_BYTES};
use crate::signature::{compute_mac, decode_candidates, keyed_mac, HmacSha256, MAC_LENGTH};
use crate::timestamp::{check_freshness, parse_header};
use crate::Error;

/// Default freshness tolerance in seconds, applied both ways.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// Maximum number of secrets one verifier holds. Rotation needs two or three.
pub const MAX_SECRETS: usize = 16;

/// Maximum length of one secret in bytes.
pub const MAX_SECRET_BYTES: usize = 1024;

/// The content a signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// With a timestamp header, try `timestamp.body` and then `body`;
    /// without one, `body`.
    #[default]
    Auto,
    /// The raw body alone.
    Body,
    /// The timestamp header's value, a `.`, then the raw body.
    TimestampBody,
}

impl Scheme {
    /// Returns the scheme's name: `auto`, `body` or `timestamp.body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Auto => "auto",
            Scheme::Body => "body",
            Scheme::TimestampBody => "timestamp.body",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        match name {
            "auto" => Ok(Scheme::Auto),
            "body" => Ok(Scheme::Body),
            "timestamp.body" => Ok(Scheme::TimestampBody),
            other => Err(Error::InvalidOptions {
                reason: format!(
                    "scheme {other:?} is unknown; use \"auto\", \"body\" or \"timestamp.body\""
                ),
            }),
        }
    }
}

/// A delivery that passed every check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    /// The parsed event.
    pub event: Event,
    /// The scheme whose signature matched: `Body` or `TimestampBody`.
    pub scheme: Scheme,
    /// The authenticated timestamp the freshness window was checked on: the
    /// header's under `TimestampBody`, the envelope's under `Body`.
    pub signed_at: u64,
    /// A key that identifies the signed content, for rejecting a second
    /// delivery of it: the SHA-256 of the matched scheme's name, a newline and
    /// the signed content. It is the same whichever candidate or secret
    /// matched and whatever the order of the secrets, and it depends on no
    /// secret.
    pub replay_key: [u8; MAC_LENGTH],
}

/// Checks signatures and freshness of webhook deliveries.
///
/// The HMAC key state of each secret is prepared once, in [`Verifier::new`].
///
/// Comparison is constant time in the MAC bytes: every candidate is compared
/// with the MAC of every secret and scheme tried, with no early exit. What
/// can still be observed is the number of candidates and secrets and the
/// body length.
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<HmacSha256>,
    tolerance_seconds: u64,
    scheme: Scheme,
    max_body_bytes: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("[{} redacted]", self.keys.len()))
            .field("tolerance_seconds", &self.tolerance_seconds)
            .field("scheme", &self.scheme)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Verifier {
    /// Builds a verifier that accepts a signature made with any of `secrets`.
    ///
    /// Each secret is used as its exact bytes: nothing is trimmed, decoded or
    /// stripped. Fails with [`Error::NoSecret`] when there is no secret or one
    /// is empty, and with [`Error::InvalidOptions`] over [`MAX_SECRETS`]
    /// secrets or [`MAX_SECRET_BYTES`] bytes in one.
    pub fn new<I, S>(secrets: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut keys = Vec::new();
        for (index, secret) in secrets.into_iter().enumerate() {
            let secret = secret.as_ref();
            if index >= MAX_SECRETS {
                return Err(Error::InvalidOptions {
                    reason: format!("more than {MAX_SECRETS} secrets"),
                });
            }
            if secret.len() > MAX_SECRET_BYTES {
                return Err(Error::InvalidOptions {
                    reason: format!(
                        "secret number {} is {} bytes long, over the maximum of \
                         {MAX_SECRET_BYTES}",
                        index + 1,
                        secret.len()
                    ),
                });
            }
            keys.push(keyed_mac(secret)?);
        }
        if keys.is_empty() {
            return Err(Error::NoSecret);
        }
        Ok(Verifier {
            keys,
            tolerance_seconds: DEFAULT_TOLERANCE_SECONDS,
            scheme: Scheme::Auto,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        })
    }

    /// Sets the freshness tolerance in seconds (default 300).
    pub fn with_tolerance_seconds(mut self, seconds: u64) -> Self {
        self.tolerance_seconds = seconds;
        self
    }

    /// Sets the scheme the signature must cover (default [`Scheme::Auto`]).
    pub fn with_scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Sets the maximum body length in bytes (default 1 MiB).
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Returns the freshness tolerance in seconds.
    pub fn tolerance_seconds(&self) -> u64 {
        self.tolerance_seconds
    }

    /// Returns the configured scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Returns the maximum body length in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Verifies a delivery and returns its event.
    ///
    /// `signature` and `timestamp` are the values of the signature and
    /// timestamp headers, if present; `now` is the current UNIX time in
    /// seconds. See [`Verifier::verify_delivery`] for the order of checks.
    pub fn verify(
        &self,
        body: &[u8],
        signature: Option<&str>,
        timestamp: Option<&str>,
        now: u64,
    ) -> Result<Event, Error> {
        self.check(body, signature, timestamp, now)
            .map(|checked| checked.event)
    }

    /// Verifies a delivery and returns the event with what was authenticated.
    ///
    /// The checks run in this order, and the first failure is returned:
    /// 1. body length;
    /// 2. signature header present and well formed;
    /// 3. timestamp header well formed when present, whatever the scheme,
    ///    and present when the scheme requires it;
    /// 4. signature match;
    /// 5. freshness and parsing.
    ///
    /// The body is parsed only after its signature matched.
    pub fn verify_delivery(
        &self,
        body: &[u8],
        signature: Option<&str>,
        timestamp: Option<&str>,
        now: u64,
    ) -> Result<Verified, Error> {
        let checked = self.check(body, signature, timestamp, now)?;
        // Hashed only here, so that `verify` does not pay a second pass over
        // the body for a key it does not return.
        let replay_key = match checked.header_timestamp {
            Some(text) if checked.scheme == Scheme::TimestampBody => {
                replay_key(checked.scheme, &[text.as_bytes(), b".", body])
            }
            _ => replay_key(Scheme::Body, &[body]),
        };
        Ok(Verified {
            event: checked.event,
            scheme: checked.scheme,
            signed_at: checked.signed_at,
            replay_key,
        })
    }

    /// Runs every check of [`Verifier::verify_delivery`].
    fn check<'a>(
        &self,
        body: &[u8],
        signature: Option<&str>,
        timestamp: Option<&'a str>,
        now: u64,
    ) -> Result<Checked<'a>, Error> {
        if body.len() > self.max_body_bytes {
            return Err(Error::BodyTooLarge {
                length: body.len(),
                max: self.max_body_bytes,
            });
        }

        let candidates = decode_candidates(signature.ok_or(Error::MissingSignature)?)?;
        let timestamp = timestamp.map(parse_header).transpose()?;
        if self.scheme == Scheme::TimestampBody && timestamp.is_none() {
            return Err(Error::MissingTimestamp);
        }

        let scheme = self.match_signature(body, &candidates, timestamp)?;

        match (scheme, timestamp) {
            (Scheme::TimestampBody, Some((text, signed_at))) => {
                check_freshness(signed_at, now, self.tolerance_seconds)?;
                let event = parse_unlimited(body)?;
                Ok(Checked {
                    event,
                    scheme,
                    signed_at,
                    header_timestamp: Some(text),
                })
            }
            _ => {
                let event = parse_unlimited(body)?;
                check_freshness(event.timestamp, now, self.tolerance_seconds)?;
                Ok(Checked {
                    signed_at: event.timestamp,
                    event,
                    scheme: Scheme::Body,
                    header_timestamp: None,
                })
            }
        }
    }

    /// Compares every candidate with the MAC of every secret under each
    /// scheme tried, and returns the first scheme in order that matched.
    fn match_signature(
        &self,
        body: &[u8],
        candidates: &[[u8; MAC_LENGTH]],
        timestamp: Option<(&str, u64)>,
    ) -> Result<Scheme, Error> {
        let try_timestamp_body = self.scheme != Scheme::Body && timestamp.is_some();
        let try_body = self.scheme != Scheme::TimestampBody;

        if let (true, Some((text, _))) = (try_timestamp_body, timestamp) {
            if self.match_content(&[text.as_bytes(), b".", body], candidates) {
                return Ok(Scheme::TimestampBody);
            }
        }
        if try_body && self.match_content(&[body], candidates) {
            return Ok(Scheme::Body);
        }
        Err(Error::SignatureMismatch {
            candidates: candidates.len(),
            secrets: self.keys.len(),
        })
    }

    /// Returns whether any secret's MAC of `parts` equals any candidate.
    /// Every pair is compared, in constant time.
    fn match_content(&self, parts: &[&[u8]], candidates: &[[u8; MAC_LENGTH]]) -> bool {
        let mut matched = Choice::from(0);
        for key in &self.keys {
            let mac = compute_mac(key, parts);
            for candidate in candidates {
                matched |= mac.ct_eq(candidate);
            }
        }
        bool::from(matched)
    }
}

fn replay_key(scheme: Scheme, parts: &[&[u8]]) -> [u8; MAC_LENGTH] {
    let mut digest = Sha256::new();
    digest.update(scheme.as_str().as_bytes());
    digest.update(b"\n");
    for part in parts {
        digest.update(part);
    }
    digest.finalize().into()
}

/// The result of the checks, before a replay key is computed.
struct Checked<'a> {
    event: Event,
    scheme: Scheme,
    signed_at: u64,
    /// The trimmed timestamp header, as signed, under `TimestampBody`.
    header_timestamp: Option<&'a str>,
}

/// The headers that [`sign`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// The value of the signature header: 64 lowercase hex characters.
    pub signature: String,
    /// The value of the timestamp header, when signing with a timestamp.
    pub timestamp: Option<String>,
}

/// Signs `body` with `secret`, as the platform does.
///
/// With a `timestamp` (UNIX seconds) the scheme is `timestamp.body` and both
/// headers are returned; without one, the body alone is signed. Fails with
/// [`Error::NoSecret`] for an empty secret.
pub fn sign(secret: &[u8], body: &[u8], timestamp: Option<u64>) -> Result<Signature, Error> {
    if secret.len() > MAX_SECRET_BYTES {
        return Err(Error::InvalidOptions {
            reason: format!(
                "the secret is {} bytes long, over the maximum of {MAX_SECRET_BYTES}",
                secret.len()
            ),
        });
    }
    let key = keyed_mac(secret)?;
    let signature = match timestamp {
        Some(seconds) => {
            let text = format!("{seconds}");
            let mac = compute_mac(&key, &[text.as_bytes(), b".", body]);
            return Ok(Signature {
                signature: crate::signature::encode_hex(&mac),
                timestamp: Some(text),
            });
        }
        None => compute_mac(&key, &[body]),
    };
    Ok(Signature {
        signature: crate::signature::encode_hex(&signature),
        timestamp: None,
    })
}
