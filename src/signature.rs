//! Decoding of the signature header and computation of the MAC.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::Error;

/// HMAC-SHA256 with its key already absorbed.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
pub const MAC_LENGTH: usize = 32;

/// Maximum number of candidates looked at in one signature header.
pub const MAX_CANDIDATES: usize = 8;

/// Maximum length of a signature header in bytes. Eight prefixed hex
/// candidates with separators fit in well under half of it.
pub const MAX_SIGNATURE_HEADER_BYTES: usize = 1024;

const PADDING_INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64_STANDARD: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, PADDING_INDIFFERENT);
const BASE64_URL_SAFE: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, PADDING_INDIFFERENT);

/// Builds the keyed HMAC state for one secret.
pub(crate) fn keyed_mac(secret: &[u8]) -> Result<HmacSha256, Error> {
    if secret.is_empty() {
        return Err(Error::NoSecret);
    }
    // HMAC accepts keys of any length, so this cannot fail for a non-empty key.
    HmacSha256::new_from_slice(secret).map_err(|_| Error::NoSecret)
}

/// Computes the MAC of `parts`, fed in order, with a prepared key.
pub(crate) fn compute_mac(key: &HmacSha256, parts: &[&[u8]]) -> [u8; MAC_LENGTH] {
    let mut mac = key.clone();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Decodes the candidates of a signature header.
///
/// Candidates are separated by commas and/or ASCII whitespace. Each one is
/// hex (either case) or base64 (standard or URL-safe, padded or not) of
/// exactly 32 bytes, optionally after a `sha256=` prefix in any case.
/// Candidates that do not decode are dropped, so they are never compared.
pub(crate) fn decode_candidates(header: &str) -> Result<Vec<[u8; MAC_LENGTH]>, Error> {
    if header.len() > MAX_SIGNATURE_HEADER_BYTES {
        return Err(Error::MalformedSignature {
            reason: format!(
                "the header is {} bytes long, over the maximum of {MAX_SIGNATURE_HEADER_BYTES}",
                header.len()
            ),
        });
    }

    let pieces: Vec<&str> = header
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|piece| !piece.is_empty())
        .collect();
    if pieces.is_empty() {
        return Err(Error::MalformedSignature {
            reason: String::from("the header is empty; send the hex HMAC-SHA256 of the body"),
        });
    }
    if pieces.len() > MAX_CANDIDATES {
        return Err(Error::MalformedSignature {
            reason: format!(
                "the header contains {} signatures, over the maximum of {MAX_CANDIDATES}",
                pieces.len()
            ),
        });
    }

    let candidates: Vec<[u8; MAC_LENGTH]> = pieces
        .iter()
        .filter_map(|piece| decode_candidate(piece))
        .collect();
    if candidates.is_empty() {
        return Err(Error::MalformedSignature {
            reason: format!(
                "none of its {} value(s) is 64 hex characters or the base64 of 32 bytes \
                 (lengths: {}); an empty, truncated or otherwise encoded signature never matches",
                pieces.len(),
                describe_lengths(&pieces)
            ),
        });
    }
    Ok(candidates)
}

fn describe_lengths(pieces: &[&str]) -> String {
    let lengths: Vec<String> = pieces
        .iter()
        .map(|piece| format!("{}", piece.len()))
        .collect();
    lengths.join(", ")
}

fn decode_candidate(piece: &str) -> Option<[u8; MAC_LENGTH]> {
    let value = strip_prefix_ignore_case(piece, "sha256=").unwrap_or(piece);
    if !value.is_ascii() {
        return None;
    }

    let decoded = match value.len() {
        64 => hex::decode(value).ok()?,
        43 | 44 => BASE64_STANDARD
            .decode(value)
            .or_else(|_| BASE64_URL_SAFE.decode(value))
            .ok()?,
        _ => return None,
    };
    decoded.try_into().ok()
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        value.get(prefix.len()..)
    } else {
        None
    }
}

/// Encodes a MAC as the lowercase hex that signing emits.
pub(crate) fn encode_hex(mac: &[u8; MAC_LENGTH]) -> String {
    hex::encode(mac)
}
