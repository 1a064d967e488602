//! One table with a row for every verification rule and every error code.
//!
//! Each row names the case, gives its inputs and the expected outcome: the
//! scheme and timestamp that were authenticated, or the exact error code,
//! with the member or message fragments where the error must name them.

#![allow(clippy::expect_used)]

use networked_webhooks::{sign, Error, Scheme, Verified, Verifier};

const SECRET: &str = "whsec_test_secret";
const OTHER_SECRET: &str = "whsec_other_secret";
const NOW: u64 = 1_750_689_600;
const MIB: usize = 1024 * 1024;

/// The MAC of `envelope_at(NOW)` under `SECRET` in base64, computed
/// independently with Python 3.11's `hmac` and `base64` modules. The
/// standard form contains both `+` and `/`, so it differs from the URL-safe
/// form.
const BASE64_STANDARD: &str = "N2jgmPJVYyv+9J1ds96ZjgGckMdUlc8Ez0a/xhy8VzY=";
const BASE64_URL_SAFE: &str = "N2jgmPJVYyv-9J1ds96ZjgGckMdUlc8Ez0a_xhy8VzY=";

/// Returns a `user.joined` body whose `timestamp` member is `timestamp`, as
/// raw JSON text.
fn envelope(timestamp: &str) -> Vec<u8> {
    format!(
        r#"{{"event":"user.joined","timestamp":{timestamp},"data":{{"user_id":"usr_123456","name":"Ada"}}}}"#
    )
    .into_bytes()
}

/// Returns a body with `timestamp` as a JSON number.
fn envelope_at(timestamp: u64) -> Vec<u8> {
    envelope(&timestamp.to_string())
}

/// Returns the lowercase hex HMAC-SHA256 of `content` under `secret`.
fn mac_hex(secret: &str, content: &[u8]) -> String {
    sign(secret.as_bytes(), content, None)
        .expect("the test secrets are valid")
        .signature
}

/// Returns the `timestamp.body` signature: the MAC of `timestamp`, `.`, `body`.
fn timestamp_mac_hex(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut content = timestamp.as_bytes().to_vec();
    content.push(b'.');
    content.extend_from_slice(body);
    mac_hex(secret, &content)
}

/// A delivery and the verifier options it is checked with.
#[derive(Clone)]
struct Delivery {
    secrets: Vec<Vec<u8>>,
    scheme: Scheme,
    tolerance_seconds: Option<u64>,
    max_body_bytes: Option<usize>,
    body: Vec<u8>,
    signature: Option<String>,
    timestamp: Option<String>,
    now: u64,
}

impl Delivery {
    /// Creates an unsigned delivery of `body` for a verifier with `SECRET`.
    fn unsigned(body: Vec<u8>) -> Self {
        Delivery {
            secrets: vec![SECRET.as_bytes().to_vec()],
            scheme: Scheme::Auto,
            tolerance_seconds: None,
            max_body_bytes: None,
            body,
            signature: None,
            timestamp: None,
            now: NOW,
        }
    }

    /// Creates a delivery of `body` signed with `SECRET` under the `body` scheme.
    fn body_signed(body: Vec<u8>) -> Self {
        let signature = mac_hex(SECRET, &body);
        Delivery::unsigned(body).signature(signature)
    }

    /// Creates a delivery of `body` signed with `SECRET` under the
    /// `timestamp.body` scheme, with `timestamp` as the header.
    fn timestamp_signed(timestamp: &str, body: Vec<u8>) -> Self {
        let signature = timestamp_mac_hex(SECRET, timestamp, &body);
        Delivery::unsigned(body)
            .signature(signature)
            .timestamp(timestamp)
    }

    fn signature(mut self, value: impl Into<String>) -> Self {
        self.signature = Some(value.into());
        self
    }

    fn timestamp(mut self, value: impl Into<String>) -> Self {
        self.timestamp = Some(value.into());
        self
    }

    fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    fn secrets(mut self, secrets: &[&str]) -> Self {
        self.secrets = secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
        self
    }

    fn tolerance_seconds(mut self, seconds: u64) -> Self {
        self.tolerance_seconds = Some(seconds);
        self
    }

    fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = Some(max);
        self
    }

    fn verify(&self) -> Result<Verified, Error> {
        let mut verifier = Verifier::new(&self.secrets)?.with_scheme(self.scheme);
        if let Some(seconds) = self.tolerance_seconds {
            verifier = verifier.with_tolerance_seconds(seconds);
        }
        if let Some(max) = self.max_body_bytes {
            verifier = verifier.with_max_body_bytes(max);
        }
        verifier.verify_delivery(
            &self.body,
            self.signature.as_deref(),
            self.timestamp.as_deref(),
            self.now,
        )
    }
}

/// The operation a row runs.
enum Action {
    Verify(Delivery),
    Sign { secret: Vec<u8>, body: Vec<u8> },
    NewVerifier { secrets: Vec<Vec<u8>> },
    ParseScheme(&'static str),
}

/// The outcome a row expects.
enum Expected {
    /// A delivery verified under `scheme`, with `signed_at` as the
    /// authenticated timestamp, and `check` passing on the result.
    Verified {
        scheme: Scheme,
        signed_at: u64,
        check: fn(&Verified) -> Result<(), String>,
    },
    /// A failure with exactly `code`. `member` is the member an
    /// `invalid_envelope` error must name, and every string of `message`
    /// must occur in the error's message.
    Rejected {
        code: &'static str,
        member: Option<&'static str>,
        message: &'static [&'static str],
    },
}

struct Row {
    name: &'static str,
    action: Action,
    expected: Expected,
}

fn no_check(_: &Verified) -> Result<(), String> {
    Ok(())
}

fn verified(scheme: Scheme, signed_at: u64) -> Expected {
    Expected::Verified {
        scheme,
        signed_at,
        check: no_check,
    }
}

fn rejected(code: &'static str) -> Expected {
    Expected::Rejected {
        code,
        member: None,
        message: &[],
    }
}

fn rejected_saying(code: &'static str, message: &'static [&'static str]) -> Expected {
    Expected::Rejected {
        code,
        member: None,
        message,
    }
}

fn invalid_member(member: &'static str) -> Expected {
    Expected::Rejected {
        code: "invalid_envelope",
        member: Some(member),
        message: &[],
    }
}

fn row(name: &'static str, delivery: Delivery, expected: Expected) -> Row {
    Row {
        name,
        action: Action::Verify(delivery),
        expected,
    }
}

fn check_unknown_event(verified: &Verified) -> Result<(), String> {
    let event = &verified.event;
    if event.event != "space.archived" {
        return Err(format!("event is {:?}", event.event));
    }
    if event.data.get("space_id").map(ToString::to_string) != Some("\"spc_1\"".to_string()) {
        return Err(format!("data lost its fields: {:?}", event.data));
    }
    Ok(())
}

fn check_extra_members(verified: &Verified) -> Result<(), String> {
    let event = &verified.event;
    if event.extra.get("delivery_id").map(ToString::to_string) != Some("\"dlv_1\"".to_string()) {
        return Err(format!("envelope extra is {:?}", event.extra));
    }
    if event.data.get("avatar").map(ToString::to_string) != Some("{\"size\":64}".to_string()) {
        return Err(format!("data is {:?}", event.data));
    }
    Ok(())
}

fn table() -> Vec<Row> {
    let body = envelope_at(NOW);
    let good = mac_hex(SECRET, &body);
    let other = mac_hex(OTHER_SECRET, &body);
    let timestamp = NOW.to_string();
    let old = NOW - 1000;
    let new = NOW + 1000;

    vec![
        // The signature header and its encodings.
        row(
            "signature missing",
            Delivery::unsigned(body.clone()),
            rejected("missing_signature"),
        ),
        row(
            "signature empty",
            Delivery::unsigned(body.clone()).signature(""),
            rejected("malformed_signature"),
        ),
        row(
            "signature only separators",
            Delivery::unsigned(body.clone()).signature(" , ,"),
            rejected("malformed_signature"),
        ),
        row(
            "signature hex truncated by one",
            Delivery::unsigned(body.clone()).signature(&good[..63]),
            rejected("malformed_signature"),
        ),
        row(
            "signature hex truncated to half",
            Delivery::unsigned(body.clone()).signature(&good[..32]),
            rejected("malformed_signature"),
        ),
        row(
            "signature hex one extra digit",
            Delivery::unsigned(body.clone()).signature(format!("{good}0")),
            rejected("malformed_signature"),
        ),
        row(
            "signature non-hex letter",
            Delivery::unsigned(body.clone()).signature(format!("{}g", &good[..63])),
            rejected("malformed_signature"),
        ),
        row(
            "signature non-ASCII digit",
            Delivery::unsigned(body.clone()).signature(format!("{}\u{0663}", &good[..63])),
            rejected("malformed_signature"),
        ),
        row(
            "signature base64 truncated",
            Delivery::unsigned(body.clone()).signature(&BASE64_STANDARD[..42]),
            rejected("malformed_signature"),
        ),
        row(
            "signature base64 of 31 bytes",
            Delivery::unsigned(body.clone()).signature(format!("{}==", "A".repeat(42))),
            rejected("malformed_signature"),
        ),
        row(
            "signature base64 of 33 bytes",
            Delivery::unsigned(body.clone()).signature("A".repeat(44)),
            rejected("malformed_signature"),
        ),
        row(
            "signature 9 candidates",
            Delivery::unsigned(body.clone()).signature([good.as_str(); 9].join(",")),
            rejected_saying("malformed_signature", &["9"]),
        ),
        row(
            "signature 8 candidates",
            Delivery::unsigned(body.clone())
                .signature(format!("{}, {good}", [other.as_str(); 7].join(", "))),
            verified(Scheme::Body, NOW),
        ),
        row(
            "signature header over 1024 bytes",
            Delivery::unsigned(body.clone()).signature(format!("{good}{}", " ".repeat(961))),
            rejected_saying("malformed_signature", &["1025", "1024"]),
        ),
        row(
            "signature header of 1024 bytes",
            Delivery::unsigned(body.clone()).signature(format!("{good}{}", " ".repeat(960))),
            verified(Scheme::Body, NOW),
        ),
        row(
            "signature wrong secret",
            Delivery::unsigned(body.clone()).signature(other.clone()),
            rejected("signature_mismatch"),
        ),
        row(
            "signature of another body",
            Delivery::unsigned(envelope_at(NOW + 1)).signature(good.clone()),
            rejected("signature_mismatch"),
        ),
        row(
            "hex lowercase",
            Delivery::body_signed(body.clone()),
            verified(Scheme::Body, NOW),
        ),
        row(
            "hex uppercase",
            Delivery::unsigned(body.clone()).signature(good.to_uppercase()),
            verified(Scheme::Body, NOW),
        ),
        row(
            "hex mixed case",
            Delivery::unsigned(body.clone())
                .signature(format!("{}{}", good[..32].to_uppercase(), &good[32..])),
            verified(Scheme::Body, NOW),
        ),
        row(
            "prefix sha256=",
            Delivery::unsigned(body.clone()).signature(format!("sha256={good}")),
            verified(Scheme::Body, NOW),
        ),
        row(
            "prefix SHA256=",
            Delivery::unsigned(body.clone()).signature(format!("SHA256={good}")),
            verified(Scheme::Body, NOW),
        ),
        row(
            "prefix sha256= on a truncated MAC",
            Delivery::unsigned(body.clone()).signature(format!("sha256={}", &good[..62])),
            rejected("malformed_signature"),
        ),
        row(
            "base64 standard padded",
            Delivery::unsigned(body.clone()).signature(BASE64_STANDARD),
            verified(Scheme::Body, NOW),
        ),
        row(
            "base64 standard unpadded",
            Delivery::unsigned(body.clone()).signature(BASE64_STANDARD.trim_end_matches('=')),
            verified(Scheme::Body, NOW),
        ),
        row(
            "base64 url-safe padded",
            Delivery::unsigned(body.clone()).signature(BASE64_URL_SAFE),
            verified(Scheme::Body, NOW),
        ),
        row(
            "base64 url-safe unpadded",
            Delivery::unsigned(body.clone()).signature(BASE64_URL_SAFE.trim_end_matches('=')),
            verified(Scheme::Body, NOW),
        ),
        row(
            "candidates good last",
            Delivery::unsigned(body.clone()).signature(format!("{other},{good}")),
            verified(Scheme::Body, NOW),
        ),
        row(
            "candidates good first",
            Delivery::unsigned(body.clone()).signature(format!("{good} {other}")),
            verified(Scheme::Body, NOW),
        ),
        row(
            "candidates mixed encodings",
            Delivery::unsigned(body.clone())
                .signature(format!("sha256={other}, {BASE64_URL_SAFE}")),
            verified(Scheme::Body, NOW),
        ),
        row(
            "candidates malformed and good",
            Delivery::unsigned(body.clone()).signature(format!("{} {good}", &good[..40])),
            verified(Scheme::Body, NOW),
        ),
        row(
            "candidates all wrong",
            Delivery::unsigned(body.clone()).signature(format!("{other} {other}")),
            rejected("signature_mismatch"),
        ),
        // Secrets.
        row(
            "rotation new secret",
            Delivery::body_signed(body.clone()).secrets(&[OTHER_SECRET, SECRET]),
            verified(Scheme::Body, NOW),
        ),
        row(
            "rotation old secret",
            Delivery::body_signed(body.clone()).secrets(&[SECRET, OTHER_SECRET]),
            verified(Scheme::Body, NOW),
        ),
        row(
            "secret prefix not stripped",
            Delivery::unsigned(body.clone()).signature(mac_hex("test_secret", &body)),
            rejected("signature_mismatch"),
        ),
        Row {
            name: "secrets none",
            action: Action::NewVerifier { secrets: vec![] },
            expected: rejected("no_secret"),
        },
        Row {
            name: "secret empty",
            action: Action::NewVerifier {
                secrets: vec![Vec::new()],
            },
            expected: rejected("no_secret"),
        },
        Row {
            name: "secret empty beside a good one",
            action: Action::NewVerifier {
                secrets: vec![SECRET.as_bytes().to_vec(), Vec::new()],
            },
            expected: rejected("no_secret"),
        },
        Row {
            name: "sign empty secret",
            action: Action::Sign {
                secret: Vec::new(),
                body: body.clone(),
            },
            expected: rejected("no_secret"),
        },
        Row {
            name: "secrets too many",
            action: Action::NewVerifier {
                secrets: (0..17).map(|i| format!("secret-{i}").into_bytes()).collect(),
            },
            expected: rejected("invalid_options"),
        },
        Row {
            name: "secret too long",
            action: Action::NewVerifier {
                secrets: vec![vec![b'k'; 1025]],
            },
            expected: rejected("invalid_options"),
        },
        Row {
            name: "scheme unknown",
            action: Action::ParseScheme("x"),
            expected: rejected("invalid_options"),
        },
        Row {
            name: "scheme name case-sensitive",
            action: Action::ParseScheme("Body"),
            expected: rejected("invalid_options"),
        },
        // Scheme selection.
        row(
            "auto with header",
            Delivery::timestamp_signed(&timestamp, body.clone()),
            verified(Scheme::TimestampBody, NOW),
        ),
        row(
            "auto without header",
            Delivery::body_signed(body.clone()),
            verified(Scheme::Body, NOW),
        ),
        row(
            "auto header but body signed",
            Delivery::body_signed(body.clone()).timestamp(&timestamp),
            verified(Scheme::Body, NOW),
        ),
        row(
            "scheme body rejects timestamp.body",
            Delivery::timestamp_signed(&timestamp, body.clone()).scheme(Scheme::Body),
            rejected("signature_mismatch"),
        ),
        row(
            "scheme timestamp.body rejects body",
            Delivery::body_signed(body.clone())
                .timestamp(&timestamp)
                .scheme(Scheme::TimestampBody),
            rejected("signature_mismatch"),
        ),
        row(
            "scheme timestamp.body no header",
            Delivery::body_signed(body.clone()).scheme(Scheme::TimestampBody),
            rejected("missing_timestamp"),
        ),
        row(
            "scheme timestamp.body accepted",
            Delivery::timestamp_signed(&timestamp, body.clone()).scheme(Scheme::TimestampBody),
            verified(Scheme::TimestampBody, NOW),
        ),
        row(
            "timestamp header changed",
            Delivery::timestamp_signed(&timestamp, body.clone()).timestamp((NOW + 1).to_string()),
            rejected("signature_mismatch"),
        ),
        // The timestamp header's format.
        row(
            "timestamp surrounding whitespace",
            Delivery::timestamp_signed(&timestamp, body.clone()).timestamp(format!(" {NOW}\t")),
            verified(Scheme::TimestampBody, NOW),
        ),
        row(
            "timestamp milliseconds",
            Delivery::timestamp_signed("1750689600000", body.clone()),
            rejected_saying("malformed_timestamp", &["milliseconds"]),
        ),
        row(
            "timestamp trailing letters",
            Delivery::timestamp_signed("1750689600abc", body.clone()),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp negative",
            Delivery::timestamp_signed("-1750689600", body.clone()),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp plus sign",
            Delivery::timestamp_signed("+1750689600", body.clone()),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp fractional",
            Delivery::timestamp_signed("1750689600.5", body.clone()),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp sent twice",
            Delivery::body_signed(body.clone()).timestamp("1,2"),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp sent twice joined",
            Delivery::body_signed(body.clone()).timestamp(format!("{NOW}, {NOW}")),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp space inside",
            Delivery::body_signed(body.clone()).timestamp("1750 689600"),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp empty",
            Delivery::body_signed(body.clone()).timestamp(""),
            rejected("malformed_timestamp"),
        ),
        row(
            "timestamp malformed under body scheme",
            Delivery::body_signed(body.clone())
                .timestamp("soon")
                .scheme(Scheme::Body),
            rejected("malformed_timestamp"),
        ),
        // Freshness of the header's timestamp under timestamp.body.
        row(
            "header age at tolerance",
            Delivery::timestamp_signed(&(NOW - 300).to_string(), body.clone()),
            verified(Scheme::TimestampBody, NOW - 300),
        ),
        row(
            "header age over tolerance",
            Delivery::timestamp_signed(&(NOW - 301).to_string(), body.clone()),
            rejected_saying("timestamp_too_old", &["301 seconds"]),
        ),
        row(
            "header skew at tolerance",
            Delivery::timestamp_signed(&(NOW + 300).to_string(), body.clone()),
            verified(Scheme::TimestampBody, NOW + 300),
        ),
        row(
            "header skew over tolerance",
            Delivery::timestamp_signed(&(NOW + 301).to_string(), body.clone()),
            rejected_saying("timestamp_too_new", &["301 seconds"]),
        ),
        row(
            "header old, envelope fresh",
            Delivery::timestamp_signed(&old.to_string(), body.clone()),
            rejected_saying("timestamp_too_old", &["1000 seconds"]),
        ),
        row(
            "header fresh, envelope old",
            Delivery::timestamp_signed(&timestamp, envelope_at(old)),
            verified(Scheme::TimestampBody, NOW),
        ),
        // Freshness of the envelope's timestamp under body.
        row(
            "envelope age at tolerance",
            Delivery::body_signed(envelope_at(NOW - 60)).tolerance_seconds(60),
            verified(Scheme::Body, NOW - 60),
        ),
        row(
            "envelope age over tolerance",
            Delivery::body_signed(envelope_at(NOW - 61)).tolerance_seconds(60),
            rejected_saying("timestamp_too_old", &["61 seconds", "60 seconds"]),
        ),
        row(
            "envelope skew at tolerance",
            Delivery::body_signed(envelope_at(NOW + 60)).tolerance_seconds(60),
            verified(Scheme::Body, NOW + 60),
        ),
        row(
            "envelope skew over tolerance",
            Delivery::body_signed(envelope_at(NOW + 61)).tolerance_seconds(60),
            rejected_saying("timestamp_too_new", &["61 seconds", "60 seconds"]),
        ),
        row(
            "envelope old",
            Delivery::body_signed(envelope_at(old)),
            rejected_saying("timestamp_too_old", &["1000 seconds", "300 seconds"]),
        ),
        row(
            "envelope new",
            Delivery::body_signed(envelope_at(new)),
            rejected_saying("timestamp_too_new", &["1000 seconds", "300 seconds"]),
        ),
        row(
            "envelope milliseconds",
            Delivery::body_signed(envelope_at(NOW * 1000)),
            rejected_saying("timestamp_too_new", &["milliseconds"]),
        ),
        row(
            "fresh header cannot revive old body",
            Delivery::body_signed(envelope_at(old)).timestamp(&timestamp),
            rejected_saying("timestamp_too_old", &["1000 seconds"]),
        ),
        row(
            "envelope timestamp digit string",
            Delivery::body_signed(envelope(&format!("\"{NOW}\""))),
            verified(Scheme::Body, NOW),
        ),
        // Body length.
        row(
            "body over default limit",
            Delivery::body_signed(padded_envelope(MIB + 1)),
            rejected_saying("body_too_large", &["1048577", "1048576"]),
        ),
        row(
            "body at default limit",
            Delivery::body_signed(padded_envelope(MIB)),
            verified(Scheme::Body, NOW),
        ),
        row(
            "body over custom limit",
            Delivery::body_signed(body.clone()).max_body_bytes(body.len() - 1),
            rejected("body_too_large"),
        ),
        row(
            "body at custom limit",
            Delivery::body_signed(body.clone()).max_body_bytes(body.len()),
            verified(Scheme::Body, NOW),
        ),
        row(
            "body too large before signature",
            Delivery::unsigned(body.clone()).max_body_bytes(10),
            rejected("body_too_large"),
        ),
        // JSON and the envelope, on bodies whose signature is valid.
        row(
            "json truncated",
            Delivery::body_signed(br#"{"event":"user.joined","#.to_vec()),
            rejected_saying("invalid_json", &["line 1, column 23"]),
        ),
        row(
            "json error on line 3",
            Delivery::body_signed(b"{\n  \"event\": \"user.joined\",\n  \"timestamp\": 17x\n}".to_vec()),
            rejected_saying("invalid_json", &["line 3, column 18"]),
        ),
        row(
            "json not json",
            Delivery::body_signed(b"hello".to_vec()),
            rejected_saying("invalid_json", &["line 1, column 1"]),
        ),
        row(
            "envelope array",
            Delivery::body_signed(b"[]".to_vec()),
            invalid_member("(root)"),
        ),
        row(
            "envelope string",
            Delivery::body_signed(br#""user.joined""#.to_vec()),
            invalid_member("(root)"),
        ),
        row(
            "event missing",
            Delivery::body_signed(format!(r#"{{"timestamp":{NOW},"data":{{}}}}"#).into_bytes()),
            invalid_member("event"),
        ),
        row(
            "event not string",
            Delivery::body_signed(format!(r#"{{"event":7,"timestamp":{NOW},"data":{{}}}}"#).into_bytes()),
            invalid_member("event"),
        ),
        row(
            "timestamp missing",
            Delivery::body_signed(br#"{"event":"user.joined","data":{}}"#.to_vec()),
            invalid_member("timestamp"),
        ),
        row(
            "timestamp boolean",
            Delivery::body_signed(envelope("true")),
            invalid_member("timestamp"),
        ),
        row(
            "timestamp null",
            Delivery::body_signed(envelope("null")),
            invalid_member("timestamp"),
        ),
        row(
            "envelope timestamp negative",
            Delivery::body_signed(envelope("-1750689600")),
            invalid_member("timestamp"),
        ),
        row(
            "envelope timestamp fractional",
            Delivery::body_signed(envelope("1750689600.5")),
            invalid_member("timestamp"),
        ),
        row(
            "envelope timestamp exponent",
            Delivery::body_signed(envelope("1.7506896e9")),
            invalid_member("timestamp"),
        ),
        row(
            "envelope timestamp letters",
            Delivery::body_signed(envelope("\"1750689600abc\"")),
            invalid_member("timestamp"),
        ),
        row(
            "envelope timestamp empty string",
            Delivery::body_signed(envelope("\"\"")),
            invalid_member("timestamp"),
        ),
        row(
            "data missing",
            Delivery::body_signed(format!(r#"{{"event":"user.joined","timestamp":{NOW}}}"#).into_bytes()),
            invalid_member("data"),
        ),
        row(
            "data array",
            Delivery::body_signed(
                format!(r#"{{"event":"user.joined","timestamp":{NOW},"data":[]}}"#).into_bytes(),
            ),
            invalid_member("data"),
        ),
        row(
            "data null",
            Delivery::body_signed(
                format!(r#"{{"event":"user.joined","timestamp":{NOW},"data":null}}"#).into_bytes(),
            ),
            invalid_member("data"),
        ),
        Row {
            name: "unknown event kept",
            action: Action::Verify(Delivery::body_signed(
                format!(r#"{{"event":"space.archived","timestamp":{NOW},"data":{{"space_id":"spc_1"}}}}"#)
                    .into_bytes(),
            )),
            expected: Expected::Verified {
                scheme: Scheme::Body,
                signed_at: NOW,
                check: check_unknown_event,
            },
        },
        Row {
            name: "extra members kept",
            action: Action::Verify(Delivery::body_signed(
                format!(
                    r#"{{"delivery_id":"dlv_1","event":"user.joined","timestamp":{NOW},"data":{{"user_id":"usr_1","name":"Ada","avatar":{{"size":64}}}}}}"#
                )
                .into_bytes(),
            )),
            expected: Expected::Verified {
                scheme: Scheme::Body,
                signed_at: NOW,
                check: check_extra_members,
            },
        },
    ]
}

/// Returns a valid envelope padded with trailing spaces to `length` bytes.
fn padded_envelope(length: usize) -> Vec<u8> {
    let mut body = envelope_at(NOW);
    body.resize(length, b' ');
    body
}

/// Runs a row and returns a description of the mismatch, if any.
fn run(row: &Row) -> Result<(), String> {
    let outcome = match &row.action {
        Action::Verify(delivery) => delivery.verify().map(Some),
        Action::Sign { secret, body } => sign(secret, body, None).map(|_| None),
        Action::NewVerifier { secrets } => Verifier::new(secrets).map(|_| None),
        Action::ParseScheme(name) => name.parse::<Scheme>().map(|_| None),
    };

    match (&row.expected, outcome) {
        (
            Expected::Verified {
                scheme,
                signed_at,
                check,
            },
            Ok(Some(verified)),
        ) => {
            if verified.scheme != *scheme {
                return Err(format!("scheme is {}, expected {scheme}", verified.scheme));
            }
            if verified.signed_at != *signed_at {
                return Err(format!(
                    "signed_at is {}, expected {signed_at}",
                    verified.signed_at
                ));
            }
            check(&verified)
        }
        (Expected::Verified { .. }, Ok(None)) => Err("row does not verify anything".to_string()),
        (Expected::Verified { .. }, Err(err)) => {
            Err(format!("rejected with {}: {err}", err.code()))
        }
        (Expected::Rejected { code, .. }, Ok(_)) => Err(format!("accepted, expected {code}")),
        (
            Expected::Rejected {
                code,
                member,
                message,
            },
            Err(err),
        ) => {
            if err.code() != *code {
                return Err(format!("code is {}, expected {code}: {err}", err.code()));
            }
            if let Some(expected_member) = member {
                match &err {
                    Error::InvalidEnvelope { member, .. } if member == expected_member => {}
                    other => {
                        return Err(format!("error names the wrong member: {other:?}"));
                    }
                }
            }
            let text = err.to_string();
            for fragment in message.iter() {
                if !text.contains(fragment) {
                    return Err(format!("message {text:?} lacks {fragment:?}"));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn spec_table() {
    let failures: Vec<String> = table()
        .iter()
        .filter_map(|row| run(row).err().map(|why| format!("{}: {why}", row.name)))
        .collect();

    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn table_names_unique() {
    let mut names: Vec<&str> = table().iter().map(|row| row.name).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();

    assert_eq!(names.len(), count, "two rows share a name");
}

#[test]
fn table_covers_every_code() {
    let codes = [
        "missing_signature",
        "malformed_signature",
        "signature_mismatch",
        "missing_timestamp",
        "malformed_timestamp",
        "timestamp_too_old",
        "timestamp_too_new",
        "body_too_large",
        "invalid_json",
        "invalid_envelope",
        "no_secret",
        "invalid_options",
    ];
    let table = table();

    for code in codes {
        let covered = table.iter().any(|row| {
            matches!(row.expected, Expected::Rejected { code: expected, .. } if expected == code)
        });
        assert!(covered, "no row expects {code}");
    }
}
