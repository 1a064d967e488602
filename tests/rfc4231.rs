//! The HMAC-SHA256 test vectors of RFC 4231 (section 4, test cases 1-7),
//! checked through the public API.
//!
//! `sign` must return each vector's MAC as lowercase hex. A `Verifier` built
//! with the vector's key must accept the MAC of a JSON envelope under the
//! `body` scheme.

#![allow(clippy::expect_used)]

use networked_webhooks::{sign, Scheme, Verifier};

/// The body that the verifying side checks. `verify` parses the body as a
/// webhook envelope, so the RFC's raw data cannot be used there.
const ENVELOPE: &[u8] =
    br#"{"event":"user.joined","timestamp":1750689600,"data":{"user_id":"usr_123456","name":"Ada"}}"#;

/// The envelope's `timestamp`, used as "now" so that it is fresh.
const NOW: u64 = 1_750_689_600;

struct Vector {
    name: &'static str,
    key: Vec<u8>,
    data: Vec<u8>,
    /// The RFC's HMAC-SHA-256 output in hex. Test case 5 gives only the first
    /// 128 bits, so only that many hex digits are compared.
    mac_hex: &'static str,
    /// HMAC-SHA256 of `ENVELOPE` under `key`, computed independently with
    /// Python 3.11's `hmac` module.
    envelope_mac_hex: &'static str,
}

fn vectors() -> Vec<Vector> {
    vec![
        Vector {
            name: "test case 1",
            key: vec![0x0b; 20],
            data: b"Hi There".to_vec(),
            mac_hex: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            envelope_mac_hex: "c4486101a5b046cf295d50b9a036746b99ac2cfa4cc4595ddfa8e57b2a82c6ec",
        },
        Vector {
            name: "test case 2",
            key: b"Jefe".to_vec(),
            data: b"what do ya want for nothing?".to_vec(),
            mac_hex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            envelope_mac_hex: "8b993d9207e9877fdd62748ecbb54c654d4eddd230b57c2a2afbcc34890ce481",
        },
        Vector {
            name: "test case 3",
            key: vec![0xaa; 20],
            data: vec![0xdd; 50],
            mac_hex: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            envelope_mac_hex: "4d24150bdad8dbacb827bcef89dbc8cf6030313e7f430d1188957687b7429542",
        },
        Vector {
            name: "test case 4",
            key: (0x01..=0x19).collect(),
            data: vec![0xcd; 50],
            mac_hex: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            envelope_mac_hex: "72bedb8f042c58d15f4c5ad0bc216bd8f7f8c931000acf66676958cd66ab31ba",
        },
        Vector {
            name: "test case 5 (truncated to 128 bits)",
            key: vec![0x0c; 20],
            data: b"Test With Truncation".to_vec(),
            mac_hex: "a3b6167473100ee06e0c796c2955552b",
            envelope_mac_hex: "b25c9cbd0e577b238a24b003fa2aff7a7fc007416e040efe6e9b41dba3856ccd",
        },
        Vector {
            name: "test case 6 (key larger than the block size)",
            key: vec![0xaa; 131],
            data: b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            mac_hex: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            envelope_mac_hex: "99ecf43538e2fefcf8c960d4ce05eeba0e3e442aaf6ea409d2448c5dd6a36b21",
        },
        Vector {
            name: "test case 7 (key and data larger than the block size)",
            key: vec![0xaa; 131],
            data: b"This is a test using a larger than block-size key and a larger than \
                    block-size data. The key needs to be hashed before being used by the \
                    HMAC algorithm."
                .to_vec(),
            mac_hex: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            envelope_mac_hex: "99ecf43538e2fefcf8c960d4ce05eeba0e3e442aaf6ea409d2448c5dd6a36b21",
        },
    ]
}

#[test]
fn rfc4231_vectors() {
    for vector in vectors() {
        let name = vector.name;

        let signed = match sign(&vector.key, &vector.data, None) {
            Ok(signed) => signed,
            Err(err) => panic!("{name}: sign failed with {}: {err}", err.code()),
        };
        assert_eq!(signed.timestamp, None, "{name}: sign without a timestamp");
        assert_eq!(
            signed.signature.len(),
            64,
            "{name}: signature is not 64 hex characters"
        );
        assert_eq!(
            &signed.signature[..vector.mac_hex.len()],
            vector.mac_hex,
            "{name}: sign returned the wrong MAC"
        );

        let verifier = match Verifier::new([&vector.key]) {
            Ok(verifier) => verifier.with_scheme(Scheme::Body),
            Err(err) => panic!("{name}: Verifier::new failed with {}: {err}", err.code()),
        };
        let verified = verifier.verify_delivery(ENVELOPE, Some(vector.envelope_mac_hex), None, NOW);
        match verified {
            Ok(verified) => assert_eq!(verified.scheme, Scheme::Body, "{name}: scheme"),
            Err(err) => panic!("{name}: verify rejected the MAC with {}: {err}", err.code()),
        }

        let envelope_signed = sign(&vector.key, ENVELOPE, None);
        assert_eq!(
            envelope_signed.map(|signed| signed.signature),
            Ok(vector.envelope_mac_hex.to_string()),
            "{name}: sign of the envelope"
        );
    }
}

/// A MAC truncated as in test case 5 is only a prefix of the real MAC, and
/// a verifier must reject it as malformed instead of comparing it.
#[test]
fn truncated_mac_is_malformed() {
    let key = [0x0c; 20];
    let full = "b25c9cbd0e577b238a24b003fa2aff7a7fc007416e040efe6e9b41dba3856ccd";
    let verifier = Verifier::new([key]).expect("a 20-byte key is valid");

    let err = verifier
        .verify(ENVELOPE, Some(&full[..32]), None, NOW)
        .expect_err("a 128-bit MAC must not verify");

    assert_eq!(err.code(), "malformed_signature");
}
