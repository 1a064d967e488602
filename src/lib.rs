#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod envelope;
mod error;
pub mod events;
mod signature;
mod timestamp;
mod verifier;

#[cfg(feature = "js")]
mod js;

pub use envelope::{parse, Event, DEFAULT_MAX_BODY_BYTES};
pub use error::Error;
pub use events::{Category, EventKind, Id, TypedEvent};
pub use signature::{MAC_LENGTH, MAX_CANDIDATES, MAX_SIGNATURE_HEADER_BYTES};
pub use verifier::{
    sign, Scheme, Signature, Verified, Verifier, DEFAULT_TOLERANCE_SECONDS, MAX_SECRETS,
    MAX_SECRET_BYTES,
};

/// The JSON value type that `data` and extra members use, re-exported so
/// callers need not depend on `serde_json` themselves.
pub use serde_json::{Map, Value};
