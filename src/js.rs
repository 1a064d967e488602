//! wasm-bindgen bindings that the npm package wraps.
//!
//! Failures are thrown as plain `{ code, message }` objects. The package's
//! JavaScript layer turns them into `WebhookError`s, reads headers and
//! checks argument types, so this layer receives only bytes and strings.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use serde::Deserialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::{Error, Event, Scheme, Verifier};

/// Largest integer a JavaScript number represents exactly: 2^53 - 1.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VerifierOptions {
    secrets: Vec<String>,
    tolerance_seconds: Option<f64>,
    scheme: Option<String>,
    max_body_bytes: Option<f64>,
}

/// The verifier behind the package's `Verifier` class.
#[wasm_bindgen(js_name = WasmVerifier)]
pub struct WasmVerifier {
    inner: Verifier,
}

#[wasm_bindgen(js_class = WasmVerifier)]
impl WasmVerifier {
    /// Builds a verifier from `{ secrets, toleranceSeconds, scheme,
    /// maxBodyBytes }`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<WasmVerifier, JsValue> {
        let options: VerifierOptions = serde_wasm_bindgen::from_value(options).map_err(|err| {
            to_js_error(&Error::InvalidOptions {
                reason: strip_secret_values(&err.to_string()),
            })
        })?;
        let mut inner = Verifier::new(&options.secrets).map_err(|err| to_js_error(&err))?;
        if let Some(seconds) = options.tolerance_seconds {
            inner = inner.with_tolerance_seconds(whole_number(seconds, "toleranceSeconds")?);
        }
        if let Some(name) = options.scheme {
            inner = inner.with_scheme(name.parse::<Scheme>().map_err(|err| to_js_error(&err))?);
        }
        if let Some(max) = options.max_body_bytes {
            let max = whole_number(max, "maxBodyBytes")?;
            let max = usize::try_from(max).map_err(|_| {
                invalid_option(format!("maxBodyBytes {max} is too large for this platform"))
            })?;
            inner = inner.with_max_body_bytes(max);
        }
        Ok(WasmVerifier { inner })
    }

    /// Verifies `body` against the header values and returns the event.
    pub fn verify(
        &self,
        body: &[u8],
        signature: Option<String>,
        timestamp: Option<String>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let now = whole_number(now.floor(), "now")?;
        self.inner
            .verify(body, signature.as_deref(), timestamp.as_deref(), now)
            .map(|event| event_to_js(&event))
            .map_err(|err| to_js_error(&err))
    }

    /// Returns the freshness tolerance in seconds.
    #[wasm_bindgen(getter, js_name = toleranceSeconds)]
    pub fn tolerance_seconds(&self) -> f64 {
        self.inner.tolerance_seconds() as f64
    }

    /// Returns the scheme name.
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.inner.scheme().as_str().to_string()
    }

    /// Returns the maximum body length in bytes.
    #[wasm_bindgen(getter, js_name = maxBodyBytes)]
    pub fn max_body_bytes(&self) -> f64 {
        self.inner.max_body_bytes() as f64
    }
}

/// Signs `body`; returns `{ signature, timestamp? }`.
#[wasm_bindgen(js_name = sign)]
pub fn sign_js(secret: &str, body: &[u8], timestamp: Option<f64>) -> Result<JsValue, JsValue> {
    let timestamp = timestamp
        .map(|seconds| whole_number(seconds, "timestamp"))
        .transpose()?;
    let signed =
        crate::sign(secret.as_bytes(), body, timestamp).map_err(|err| to_js_error(&err))?;
    let result = Object::new();
    set(&result, "signature", &JsValue::from_str(&signed.signature));
    if let Some(text) = signed.timestamp {
        set(&result, "timestamp", &JsValue::from_str(&text));
    }
    Ok(result.into())
}

/// Parses `body` without checking a signature.
#[wasm_bindgen(js_name = parse)]
pub fn parse_js(body: &[u8]) -> Result<JsValue, JsValue> {
    crate::parse(body)
        .map(|event| event_to_js(&event))
        .map_err(|err| to_js_error(&err))
}

fn whole_number(value: f64, option: &str) -> Result<u64, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE_INTEGER {
        Ok(value as u64)
    } else {
        // JavaScript formats the number, which keeps Rust's float
        // formatting code out of the wasm.
        let formatted: String = js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        Err(invalid_option(format!(
            "{option} must be a whole number of 0 or more, got {formatted}"
        )))
    }
}

fn invalid_option(reason: String) -> JsValue {
    to_js_error(&Error::InvalidOptions { reason })
}

/// Keeps serde's description of a wrong option type but drops any quoted
/// value, which could be a secret.
fn strip_secret_values(message: &str) -> String {
    match message.find('"') {
        Some(index) => format!("{}(value not shown)", &message[..index]),
        None => message.to_string(),
    }
}

fn to_js_error(err: &Error) -> JsValue {
    let object = Object::new();
    set(&object, "code", &JsValue::from_str(err.code()));
    set(&object, "message", &JsValue::from_str(&err.to_string()));
    object.into()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Assigning `__proto__` would replace the object's prototype instead of
    // adding a member, so that key is defined as an own property, as
    // `JSON.parse` does.
    if key == "__proto__" {
        let descriptor = Object::new();
        for flag in ["writable", "enumerable", "configurable"] {
            let _ = Reflect::set(&descriptor, &JsValue::from_str(flag), &JsValue::TRUE);
        }
        let _ = Reflect::set(&descriptor, &JsValue::from_str("value"), value);
        Object::define_property(object, &JsValue::from_str(key), &descriptor);
        return;
    }
    // Setting a property on a fresh plain object cannot throw.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn event_to_js(event: &Event) -> JsValue {
    let object = Object::new();
    set(&object, "event", &JsValue::from_str(&event.event));
    set(
        &object,
        "timestamp",
        &JsValue::from_f64(event.timestamp as f64),
    );
    set(&object, "data", &map_to_js(&event.data));
    for (key, value) in &event.extra {
        set(&object, key, &value_to_js(value));
    }
    object.into()
}

fn map_to_js(map: &Map<String, Value>) -> JsValue {
    let object = Object::new();
    for (key, value) in map {
        set(&object, key, &value_to_js(value));
    }
    object.into()
}

fn value_to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(flag) => JsValue::from_bool(*flag),
        Value::Number(number) => number_to_js(&number.to_string()),
        Value::String(text) => JsValue::from_str(text),
        Value::Array(items) => items.iter().map(value_to_js).collect::<Array>().into(),
        Value::Object(map) => map_to_js(map),
    }
}

/// Converts a JSON number's exact text. Integers beyond ±(2^53 - 1) become
/// strings of their digits so that nothing is rounded. Fractions and
/// exponents are parsed by JavaScript, which keeps Rust's float parser out of
/// the wasm.
fn number_to_js(text: &str) -> JsValue {
    if text.contains(['.', 'e', 'E']) {
        return JsValue::from_f64(js_sys::Number::parse_float(text));
    }
    match text.parse::<i64>() {
        Ok(integer) if integer.unsigned_abs() <= MAX_SAFE_INTEGER as u64 => {
            JsValue::from_f64(integer as f64)
        }
        _ => JsValue::from_str(text),
    }
}
