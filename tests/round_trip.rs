//! Signing then verifying: every catalogue event under both schemes, what
//! `Verified` reports, and that any single-byte change breaks the signature.

#![allow(clippy::expect_used)]

use networked_webhooks::{sign, EventKind, Scheme, Value, Verified, Verifier};
use proptest::prelude::*;

const SECRET: &str = "whsec_round_trip";
const OLD_SECRET: &str = "whsec_before_rotation";
const NOW: u64 = 1_750_689_600;

/// Returns the `data` object sent with `kind`, as JSON text.
fn sample_data(kind: EventKind) -> &'static str {
    match kind {
        EventKind::UserJoined => {
            r#"{"user_id":"usr_123456","name":"Ada Lovelace","email":"ada@example.com"}"#
        }
        EventKind::UserProfileUpdated => r#"{"user_id":"usr_123456","changes":{"name":"Ada"}}"#,
        EventKind::UserJoinedSpace => {
            r#"{"user_id":"usr_123456","space_id":"spc_42","space_name":"Makers"}"#
        }
        EventKind::PostCreated => {
            r#"{"post_id":"pst_1","user_id":"usr_123456","space_id":"spc_42","post_type":"discussion","content":"Hello"}"#
        }
        EventKind::PostLiked | EventKind::PostUnliked => r#"{"post_id":"pst_1","user_id":"usr_7"}"#,
        EventKind::CommentAdded => {
            r#"{"comment_id":"cmt_9","post_id":"pst_1","user_id":"usr_7","content":"Nice"}"#
        }
        EventKind::PostReported => r#"{"post_id":"pst_1","user_id":"usr_7","reason":"spam"}"#,
        _ => "{}",
    }
}

fn envelope(event: &str, timestamp: u64, data: &str) -> Vec<u8> {
    format!(r#"{{"event":{event:?},"timestamp":{timestamp},"data":{data}}}"#).into_bytes()
}

fn verifier() -> Verifier {
    Verifier::new([SECRET]).expect("the test secret is valid")
}

#[test]
fn catalogue_body_scheme() {
    for kind in EventKind::CATALOGUE {
        let name = kind.name().expect("catalogue kinds have names");
        let body = envelope(name, NOW, sample_data(kind));
        let signed = sign(SECRET.as_bytes(), &body, None).expect("signing succeeds");
        assert_eq!(signed.timestamp, None, "{name}: timestamp header");

        for scheme in [Scheme::Auto, Scheme::Body] {
            let verified = verifier()
                .with_scheme(scheme)
                .verify_delivery(&body, Some(&signed.signature), None, NOW)
                .unwrap_or_else(|err| panic!("{name} under {scheme}: {}: {err}", err.code()));

            assert_eq!(verified.scheme, Scheme::Body, "{name} under {scheme}");
            assert_eq!(verified.signed_at, NOW, "{name} under {scheme}");
            assert_eq!(verified.event.event, name, "{name} under {scheme}");
            assert_eq!(verified.event.kind(), kind, "{name} under {scheme}");
            assert!(verified.event.typed().is_ok(), "{name}: typed() failed");
        }
    }
}

#[test]
fn catalogue_timestamp_scheme() {
    // The envelope's own timestamp is stale on purpose: under timestamp.body
    // only the header's timestamp counts.
    let header_time = NOW - 10;
    for kind in EventKind::CATALOGUE {
        let name = kind.name().expect("catalogue kinds have names");
        let body = envelope(name, NOW - 86_400, sample_data(kind));
        let signed = sign(SECRET.as_bytes(), &body, Some(header_time)).expect("signing succeeds");
        let header = header_time.to_string();
        assert_eq!(signed.timestamp.as_deref(), Some(header.as_str()), "{name}");

        for scheme in [Scheme::Auto, Scheme::TimestampBody] {
            let verified = verifier()
                .with_scheme(scheme)
                .verify_delivery(&body, Some(&signed.signature), Some(&header), NOW)
                .unwrap_or_else(|err| panic!("{name} under {scheme}: {}: {err}", err.code()));

            assert_eq!(
                verified.scheme,
                Scheme::TimestampBody,
                "{name} under {scheme}"
            );
            assert_eq!(verified.signed_at, header_time, "{name} under {scheme}");
            assert_eq!(verified.event.event, name, "{name} under {scheme}");
            assert_eq!(verified.event.timestamp, NOW - 86_400, "{name}");
        }
    }
}

#[test]
fn sign_timestamp_content() {
    let body = envelope("post.liked", NOW, sample_data(EventKind::PostLiked));
    let signed = sign(SECRET.as_bytes(), &body, Some(NOW)).expect("signing succeeds");

    let mut content = format!("{NOW}.").into_bytes();
    content.extend_from_slice(&body);
    let expected = sign(SECRET.as_bytes(), &content, None).expect("signing succeeds");

    assert_eq!(signed.signature, expected.signature);
}

#[test]
fn sign_output_lowercase_hex() {
    let body = envelope("post.liked", NOW, sample_data(EventKind::PostLiked));
    for timestamp in [None, Some(NOW)] {
        let signed = sign(SECRET.as_bytes(), &body, timestamp).expect("signing succeeds");

        assert_eq!(signed.signature.len(), 64, "{timestamp:?}");
        assert!(
            signed
                .signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{timestamp:?}: {} is not lowercase hex",
            signed.signature
        );
    }
}

/// Verifies `body` under a verifier with both secrets, the old one first.
fn verify_rotating(body: &[u8], signature: &str, timestamp: Option<&str>) -> Verified {
    Verifier::new([OLD_SECRET, SECRET])
        .expect("the test secrets are valid")
        .verify_delivery(body, Some(signature), timestamp, NOW)
        .unwrap_or_else(|err| panic!("{signature}: {}: {err}", err.code()))
}

#[test]
fn replay_key_same_content() {
    let body = envelope("post.created", NOW, sample_data(EventKind::PostCreated));
    let header = NOW.to_string();
    for timestamp in [None, Some(NOW)] {
        let new = sign(SECRET.as_bytes(), &body, timestamp)
            .expect("signing succeeds")
            .signature;
        let old = sign(OLD_SECRET.as_bytes(), &body, timestamp)
            .expect("signing succeeds")
            .signature;
        let header = timestamp.map(|_| header.as_str());

        let deliveries = [
            new.clone(),
            old.clone(),
            new.to_uppercase(),
            format!("{old}, {new}"),
            format!("{new} {old}"),
            format!("{} {new}", "0".repeat(64)),
        ];
        let results: Vec<Verified> = deliveries
            .iter()
            .map(|signature| verify_rotating(&body, signature, header))
            .collect();

        let first = &results[0];
        for (signature, result) in deliveries.iter().zip(&results) {
            assert_eq!(result.scheme, first.scheme, "{signature}");
            assert_eq!(result.signed_at, first.signed_at, "{signature}");
            assert_eq!(result.replay_key, first.replay_key, "{signature}");
            assert_eq!(result.event, first.event, "{signature}");
        }
    }
}

#[test]
fn replay_key_differs_by_content() {
    let body = envelope("post.liked", NOW, sample_data(EventKind::PostLiked));
    let other_body = envelope("post.unliked", NOW, sample_data(EventKind::PostUnliked));
    let header = NOW.to_string();
    let later_header = (NOW + 1).to_string();
    let sign_hex = |body: &[u8], timestamp: Option<u64>| {
        sign(SECRET.as_bytes(), body, timestamp)
            .expect("signing succeeds")
            .signature
    };

    let body_only = verify_rotating(&body, &sign_hex(&body, None), None);
    let other = verify_rotating(&other_body, &sign_hex(&other_body, None), None);
    let with_time = verify_rotating(&body, &sign_hex(&body, Some(NOW)), Some(&header));
    let later = verify_rotating(&body, &sign_hex(&body, Some(NOW + 1)), Some(&later_header));

    assert_ne!(body_only.replay_key, other.replay_key);
    assert_ne!(body_only.replay_key, with_time.replay_key);
    assert_ne!(with_time.replay_key, later.replay_key);
}

#[test]
fn replay_key_ignores_secret_order() {
    let body = envelope("comment.added", NOW, sample_data(EventKind::CommentAdded));
    let header = NOW.to_string();
    let signature = sign(OLD_SECRET.as_bytes(), &body, Some(NOW))
        .expect("signing succeeds")
        .signature;
    let verify_with = |secrets: [&str; 2]| {
        Verifier::new(secrets)
            .expect("secrets are valid")
            .verify_delivery(&body, Some(&signature), Some(&header), NOW)
            .expect("the delivery verifies")
    };

    let new_first = verify_with([SECRET, OLD_SECRET]);
    let old_first = verify_with([OLD_SECRET, SECRET]);

    assert_eq!(new_first.replay_key, old_first.replay_key);
}

/// Which part of a signed delivery a property test changes.
#[derive(Debug, Clone, Copy)]
enum Part {
    Body,
    Timestamp,
    Signature,
}

/// Applies `mask` to the byte at `index` (modulo the length) of `bytes`.
fn flip(bytes: &mut [u8], index: usize, mask: u8) {
    let index = index % bytes.len();
    bytes[index] ^= mask;
}

/// Returns true when `original` and `changed` differ only in the case of a
/// hex letter: hex is accepted in either case, so that is the same MAC.
fn only_hex_case_changed(original: &str, changed: &str) -> bool {
    original != changed && original.eq_ignore_ascii_case(changed)
}

proptest! {
    // Failing inputs are printed, and not saved to a regressions file.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn single_byte_change_fails(
        kind_index in 0..EventKind::CATALOGUE.len(),
        text in ".{0,40}",
        part in prop_oneof![Just(Part::Body), Just(Part::Timestamp), Just(Part::Signature)],
        index in any::<usize>(),
        mask in 1u8..=255,
    ) {
        let kind = EventKind::CATALOGUE[kind_index];
        let name = kind.name().expect("catalogue kinds have names");
        let data = format!(r#"{{"user_id":"usr_1","name":"n","note":{}}}"#, Value::String(text));
        let mut body = envelope(name, NOW, &data);
        let signed = sign(SECRET.as_bytes(), &body, Some(NOW)).expect("signing succeeds");
        let mut timestamp = signed.timestamp.clone().expect("signed with a timestamp").into_bytes();
        let mut signature = signed.signature.clone().into_bytes();

        match part {
            Part::Body => flip(&mut body, index, mask),
            Part::Timestamp => flip(&mut timestamp, index, mask),
            Part::Signature => flip(&mut signature, index, mask),
        }
        // Header values reach the verifier as text, so a byte that is not
        // UTF-8 arrives as U+FFFD.
        let timestamp = String::from_utf8_lossy(&timestamp).into_owned();
        let signature = String::from_utf8_lossy(&signature).into_owned();

        let result = verifier().verify(&body, Some(&signature), Some(&timestamp), NOW);

        if only_hex_case_changed(&signed.signature, &signature) {
            prop_assert!(result.is_ok(), "{signature}: case change rejected: {result:?}");
        } else {
            let err = match result {
                Ok(event) => {
                    return Err(TestCaseError::fail(format!(
                        "{part:?} changed at byte {index} with mask {mask:#04x}, still accepted: {event:?}"
                    )));
                }
                Err(err) => err,
            };
            let expected: &[&str] = match part {
                Part::Body => &["signature_mismatch"],
                Part::Timestamp => &["signature_mismatch", "malformed_timestamp"],
                Part::Signature => &["signature_mismatch", "malformed_signature"],
            };
            prop_assert!(
                expected.contains(&err.code()),
                "{part:?} changed: code {} not in {expected:?}: {err}",
                err.code()
            );
        }
    }

    #[test]
    fn any_text_round_trips(text in "\\PC*", timestamp in prop::option::of(NOW - 300..=NOW + 300)) {
        let data = format!(r#"{{"user_id":"usr_1","name":{}}}"#, Value::String(text.clone()));
        let body = envelope("user.joined", NOW, &data);
        let signed = sign(SECRET.as_bytes(), &body, timestamp).expect("signing succeeds");

        let verified = verifier()
            .verify_delivery(&body, Some(&signed.signature), signed.timestamp.as_deref(), NOW);

        let verified = match verified {
            Ok(verified) => verified,
            Err(err) => return Err(TestCaseError::fail(format!("{}: {err}", err.code()))),
        };
        prop_assert_eq!(verified.event.data.get("name"), Some(&Value::String(text)));
        prop_assert_eq!(verified.signed_at, timestamp.unwrap_or(NOW));
    }
}
