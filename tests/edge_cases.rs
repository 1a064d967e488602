//! Hard cases of real deliveries, each with its exact outcome.

#![allow(clippy::expect_used)]

use networked_webhooks::{sign, Error, Event, Id, Map, TypedEvent, Value, Verifier};

const SECRET: &str = "whsec_edge_secret";
const NOW: u64 = 1_750_689_600;

fn verifier() -> Verifier {
    Verifier::new([SECRET]).expect("the test secret is valid")
}

fn mac_hex(secret: &str, body: &[u8]) -> String {
    sign(secret.as_bytes(), body, None)
        .expect("the test secrets are valid")
        .signature
}

/// Verifies `body` with a body-scheme signature made with `SECRET`.
fn verify_signed(body: &[u8]) -> Result<Event, Error> {
    verifier().verify(body, Some(&mac_hex(SECRET, body)), None, NOW)
}

fn verify_with_signature(signature: &str) -> Result<Event, Error> {
    verifier().verify(&body(), Some(signature), None, NOW)
}

fn verify_with_timestamp(timestamp: &str) -> Result<Event, Error> {
    let body = body();
    let mut content = format!("{timestamp}.").into_bytes();
    content.extend_from_slice(&body);
    let signature = mac_hex(SECRET, &content);
    verifier().verify(&body, Some(&signature), Some(timestamp), NOW)
}

fn body() -> Vec<u8> {
    format!(
        r#"{{"event":"user.joined","timestamp":{NOW},"data":{{"user_id":"usr_1","name":"Ada"}}}}"#
    )
    .into_bytes()
}

fn code(result: Result<Event, Error>) -> &'static str {
    match result {
        Ok(event) => panic!("accepted: {event:?}"),
        Err(err) => err.code(),
    }
}

/// Checks that `original` verifies with its signature, that a JSON parser
/// re-serialises it to other bytes, and that those bytes fail with the
/// original's signature.
fn assert_reserialised_mismatch(original: &str, reserialised: String) {
    let signature = mac_hex(SECRET, original.as_bytes());
    assert_ne!(reserialised, original, "the parser kept the bytes");

    let result = verifier().verify(original.as_bytes(), Some(&signature), None, NOW);
    assert!(result.is_ok(), "original rejected: {result:?}");

    let result = verifier().verify(reserialised.as_bytes(), Some(&signature), None, NOW);
    assert_eq!(code(result), "signature_mismatch");
}

fn reparse(body: &str) -> Value {
    body.parse::<Value>().expect("the body is JSON")
}

#[test]
fn reserialised_whitespace_removed() {
    let original = format!(
        "{{ \"data\": {{ \"name\": \"Ada\", \"user_id\": \"usr_1\" }}, \"event\": \"user.joined\", \"timestamp\": {NOW} }}"
    );
    let compact = reparse(&original).to_string();

    assert_reserialised_mismatch(&original, compact);
}

#[test]
fn reserialised_whitespace_added() {
    let original = format!(
        r#"{{"data":{{"name":"Ada","user_id":"usr_1"}},"event":"user.joined","timestamp":{NOW}}}"#
    );
    let pretty = format!("{:#}", reparse(&original));

    assert_reserialised_mismatch(&original, pretty);
}

#[test]
fn reserialised_key_order() {
    let original = format!(
        r#"{{"timestamp":{NOW},"event":"user.joined","data":{{"user_id":"usr_1","name":"Ada"}}}}"#
    );
    let Value::Object(members) = reparse(&original) else {
        panic!("the body is an object");
    };
    // Whether `Map` keeps insertion order or sorts its keys, the output's
    // order is `data`, `event`, `timestamp`.
    let reordered: Map<String, Value> = members.into_iter().rev().collect();
    let reordered = Value::Object(reordered).to_string();
    assert!(reordered.starts_with(r#"{"data":"#), "{reordered}");

    assert_reserialised_mismatch(&original, reordered);
}

#[test]
fn reserialised_unicode_escape() {
    let original = format!(
        r#"{{"data":{{"name":"Ren\u00e9e","user_id":"usr_1"}},"event":"user.joined","timestamp":{NOW}}}"#
    );
    let raw = reparse(&original).to_string();
    assert!(raw.contains("Renée"), "{raw}");

    assert_reserialised_mismatch(&original, raw);
}

#[test]
fn raw_line_separator_accepted() {
    let body = format!(
        "{{\"event\":\"user.joined\",\"timestamp\":{NOW},\"data\":{{\"user_id\":\"usr_1\",\"name\":\"a\u{2028}b\u{2029}c\"}}}}"
    );

    let event = verify_signed(body.as_bytes()).expect("raw U+2028 is valid JSON");

    assert_eq!(
        event.data.get("name"),
        Some(&Value::String("a\u{2028}b\u{2029}c".to_string()))
    );
}

#[test]
fn control_escapes_accepted() {
    let body = format!(
        r#"{{"event":"user.joined","timestamp":{NOW},"data":{{"user_id":"usr_1","name":"\u0000x\u001f"}}}}"#
    );

    let event = verify_signed(body.as_bytes()).expect("escaped control characters are valid");

    let name = event.data.get("name").expect("name is kept");
    assert_eq!(name, &Value::String("\u{0}x\u{1f}".to_string()));
    assert_eq!(name.to_string(), r#""\u0000x\u001f""#);
}

#[test]
fn lone_surrogate_escapes_replaced() {
    // JSON.stringify writes a string cut inside a surrogate pair this way.
    let body = format!(
        r#"{{"event":"post.created","timestamp":{NOW},"data":{{"content":"cut \ud83d","tail":"\udc00!","pair":"\ud83d\ude00","escaped":"\\ud83d"}}}}"#
    );

    let event = verify_signed(body.as_bytes()).expect("lone surrogates do not lose a delivery");

    let text = |field: &str| {
        event
            .data
            .get(field)
            .and_then(Value::as_str)
            .map(String::from)
    };
    assert_eq!(text("content").as_deref(), Some("cut \u{fffd}"));
    assert_eq!(text("tail").as_deref(), Some("\u{fffd}!"));
    assert_eq!(text("pair").as_deref(), Some("\u{1f600}"));
    assert_eq!(text("escaped").as_deref(), Some("\\ud83d"));
}

#[test]
fn lone_surrogate_other_error_reported() {
    let body = format!(r#"{{"event":"x","timestamp":{NOW},"data":{{"a":"\ud800"}},}}"#);

    assert_eq!(code(verify_signed(body.as_bytes())), "invalid_json");
}

#[test]
fn raw_control_character_invalid_json() {
    let body = format!(
        "{{\"event\":\"user.joined\",\"timestamp\":{NOW},\"data\":{{\"user_id\":\"usr_1\",\"name\":\"a\u{1}b\"}}}}"
    );

    assert_eq!(code(verify_signed(body.as_bytes())), "invalid_json");
}

fn non_utf8_body() -> Vec<u8> {
    let mut body =
        format!(r#"{{"event":"user.joined","timestamp":{NOW},"data":{{"user_id":"usr_1","name":""#)
            .into_bytes();
    body.extend_from_slice(b"\xff\xfe");
    body.extend_from_slice(b"\"}}");
    body
}

#[test]
fn non_utf8_signed_invalid_json() {
    assert_eq!(code(verify_signed(&non_utf8_body())), "invalid_json");
}

#[test]
fn non_utf8_bad_signature_mismatch() {
    let body = non_utf8_body();
    let signature = mac_hex("whsec_another_secret", &body);

    let result = verifier().verify(&body, Some(&signature), None, NOW);

    assert_eq!(code(result), "signature_mismatch");
}

#[test]
fn empty_body_signed_invalid_json() {
    assert_eq!(code(verify_signed(b"")), "invalid_json");
}

#[test]
fn empty_body_unsigned_missing_signature() {
    assert_eq!(
        code(verifier().verify(b"", None, None, NOW)),
        "missing_signature"
    );
}

/// Separators between two candidates: a comma with and without spaces, and
/// a space alone.
const SEPARATORS: [&str; 5] = [",", ", ", " ,", " , ", " "];

#[test]
fn two_signatures_good_first() {
    let good = mac_hex(SECRET, &body());
    let wrong = mac_hex("whsec_another_secret", &body());

    for separator in SEPARATORS {
        let header = format!("{good}{separator}{wrong}");
        let result = verify_with_signature(&header);
        assert!(result.is_ok(), "{header:?}: {result:?}");
    }
}

#[test]
fn two_signatures_good_last() {
    let good = mac_hex(SECRET, &body());
    let wrong = mac_hex("whsec_another_secret", &body());

    for separator in SEPARATORS {
        let header = format!("{wrong}{separator}{good}");
        let result = verify_with_signature(&header);
        assert!(result.is_ok(), "{header:?}: {result:?}");
    }
}

#[test]
fn signature_empty_malformed() {
    assert_eq!(code(verify_with_signature("")), "malformed_signature");
}

#[test]
fn signature_truncated_malformed() {
    let good = mac_hex(SECRET, &body());

    for length in [1, 32, 42, 63] {
        let result = verify_with_signature(&good[..length]);
        assert_eq!(code(result), "malformed_signature", "length {length}");
    }
}

#[test]
fn signature_non_hex_malformed() {
    let good = mac_hex(SECRET, &body());
    let non_hex = format!("{}zz", &good[..62]);

    assert_eq!(code(verify_with_signature(&non_hex)), "malformed_signature");
}

#[test]
fn timestamp_milliseconds_malformed() {
    let err = verify_with_timestamp("1750689600000").expect_err("13 digits are milliseconds");

    assert_eq!(err.code(), "malformed_timestamp");
    assert!(err.to_string().contains("milliseconds"), "{err}");
}

#[test]
fn timestamp_trailing_letters_malformed() {
    assert_eq!(
        code(verify_with_timestamp("1750689600abc")),
        "malformed_timestamp"
    );
}

#[test]
fn timestamp_negative_malformed() {
    assert_eq!(
        code(verify_with_timestamp("-1750689600")),
        "malformed_timestamp"
    );
}

#[test]
fn timestamp_fractional_malformed() {
    assert_eq!(
        code(verify_with_timestamp("1750689600.5")),
        "malformed_timestamp"
    );
}

#[test]
fn secret_trailing_newline_mismatch() {
    let body = body();
    let signature = mac_hex("whsec_edge_secret\n", &body);

    let result = verifier().verify(&body, Some(&signature), None, NOW);

    assert_eq!(code(result), "signature_mismatch");
}

#[test]
fn secret_trailing_newline_kept() {
    let body = body();
    let signature = mac_hex("whsec_edge_secret\n", &body);
    let verifier = Verifier::new(["whsec_edge_secret\n"]).expect("the secret is valid");

    let result = verifier.verify(&body, Some(&signature), None, NOW);

    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn large_ids_kept_exactly() {
    let body = format!(
        r#"{{"event":"user.joined","timestamp":{NOW},"data":{{"user_id":9007199254740993,"name":"Ada","community_id":123456789012345678901234567890,"ids":[9007199254740993]}}}}"#
    );

    let event = verify_signed(body.as_bytes()).expect("large ids are valid JSON");

    let text = |name: &str| event.data.get(name).map(ToString::to_string);
    assert_eq!(text("user_id").as_deref(), Some("9007199254740993"));
    assert_eq!(
        text("community_id").as_deref(),
        Some("123456789012345678901234567890")
    );
    assert_eq!(text("ids").as_deref(), Some("[9007199254740993]"));

    let joined = match event.typed() {
        Ok(TypedEvent::UserJoined(joined)) => joined,
        other => panic!("typed() returned {other:?}"),
    };
    assert_eq!(joined.user_id, Id("9007199254740993".to_string()));
    assert_eq!(
        joined.community_id,
        Some(Id("123456789012345678901234567890".to_string()))
    );
}

#[test]
fn large_post_ids_kept_exactly() {
    let body = format!(
        r#"{{"event":"post.liked","timestamp":{NOW},"data":{{"post_id":18446744073709551617,"user_id":-9007199254740993}}}}"#
    );

    let event = verify_signed(body.as_bytes()).expect("large ids are valid JSON");

    let liked = match event.typed() {
        Ok(TypedEvent::PostLiked(liked)) => liked,
        other => panic!("typed() returned {other:?}"),
    };
    assert_eq!(liked.post_id, Some(Id("18446744073709551617".to_string())));
    assert_eq!(liked.user_id, Some(Id("-9007199254740993".to_string())));
}

#[test]
fn verifier_debug_hides_secret() {
    let verifier = Verifier::new([SECRET, "whsec_second_secret"]).expect("the secrets are valid");

    for text in [format!("{verifier:?}"), format!("{verifier:#?}")] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("whsec_second_secret"), "{text}");
        assert!(!text.contains("edge_secret"), "{text}");
    }
}

#[test]
fn mismatch_message_hides_secret() {
    let body = body();
    let expected_mac = mac_hex(SECRET, &body);
    let wrong = mac_hex("whsec_another_secret", &body);

    let err = verifier()
        .verify(&body, Some(&wrong), None, NOW)
        .expect_err("the signature was made with another secret");

    assert_eq!(err.code(), "signature_mismatch");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(&expected_mac), "{text}");
        assert!(!text.contains(&expected_mac[..16]), "{text}");
        assert!(!text.contains(&expected_mac.to_uppercase()[..16]), "{text}");
    }
}
