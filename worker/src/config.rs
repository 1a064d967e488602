//! The worker's settings, read from its secrets and vars on every request.

use std::fmt;
use std::ops::RangeInclusive;

use networked_webhooks::{Scheme, Verifier, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS};
use worker::{js_sys, wasm_bindgen, wasm_bindgen::prelude::*, wasm_bindgen::JsValue, Env};

// The runtime's WHATWG URL parser: the one `fetch` uses, so a URL it accepts
// is one the forward can post to. It also keeps the `url` crate and its
// Unicode tables out of the wasm.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type WhatwgUrl;

    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str) -> Result<WhatwgUrl, JsValue>;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn protocol(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn origin(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn username(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn password(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn pathname(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn search(this: &WhatwgUrl) -> String;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn hash(this: &WhatwgUrl) -> String;
}

/// Secret with the partner's webhook secrets, separated by commas.
pub const WEBHOOK_SECRETS: &str = "WEBHOOK_SECRETS";
/// Secret that keys the hop signature sent to the origin.
pub const FORWARD_SECRET: &str = "FORWARD_SECRET";
/// Var with the URL that verified deliveries are posted to.
pub const ORIGIN_URL: &str = "ORIGIN_URL";
/// Var with the freshness tolerance in seconds.
pub const TOLERANCE_SECONDS: &str = "TOLERANCE_SECONDS";
/// Var with the maximum body length in bytes.
pub const MAX_BODY_BYTES: &str = "MAX_BODY_BYTES";
/// Var with the scheme the partner's signature must cover.
pub const SIGNATURE_SCHEME: &str = "SIGNATURE_SCHEME";
/// Var with the time the origin has to respond, in seconds.
pub const ORIGIN_TIMEOUT_SECONDS: &str = "ORIGIN_TIMEOUT_SECONDS";
/// Var with the origins allowed to call the worker from a browser (CORS),
/// separated by commas.
pub const CORS_ALLOW_ORIGINS: &str = "CORS_ALLOW_ORIGINS";
/// Durable Object binding that records deliveries already accepted.
pub const REPLAY_GUARD: &str = "REPLAY_GUARD";

/// Default time the origin has to respond, in seconds.
pub const DEFAULT_ORIGIN_TIMEOUT_SECONDS: u64 = 10;
/// Maximum `ORIGIN_TIMEOUT_SECONDS`: five minutes. `worker::Delay` 0.8.7
/// converts milliseconds with `as i32`, so a timeout of 2,147,484 seconds or
/// more would wrap and fire at once.
pub const MAX_ORIGIN_TIMEOUT_SECONDS: u64 = 300;
/// Maximum `TOLERANCE_SECONDS`: one day. A replay claim lives until
/// `signed_at + tolerance`, and a huge tolerance gives the claim's alarm a
/// date past the end of the JavaScript `Date` range, which fails every
/// delivery.
pub const MAX_TOLERANCE_SECONDS: u64 = 86_400;

/// The settings one request is handled with.
pub struct Config {
    /// Verifier holding every secret of `WEBHOOK_SECRETS`.
    pub verifier: Verifier,
    /// Key of the hop signature.
    pub forward_secret: String,
    /// URL that verified deliveries are posted to: the var's exact text,
    /// checked to be an absolute http or https URL.
    pub origin_url: String,
    /// Time the origin has to respond, in seconds.
    pub origin_timeout_seconds: u64,
    /// Maximum body length in bytes, also checked against `Content-Length`.
    pub max_body_bytes: usize,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("verifier", &self.verifier)
            .field("forward_secret", &"[redacted]")
            .field("origin_url", &self.origin_url)
            .field("origin_timeout_seconds", &self.origin_timeout_seconds)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// A missing or invalid setting. The message names the setting and never
/// contains a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Config {
    /// Reads and checks every setting that handling a `POST` needs. The
    /// fetch handler reads `CORS_ALLOW_ORIGINS` itself, with
    /// [`read_cors_allow_origins`], because it applies to every method.
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let webhook_secrets = read_secret(env, WEBHOOK_SECRETS)?;
        let forward_secret = read_secret(env, FORWARD_SECRET)?;
        let origin_url = parse_origin_url(read_var(env, ORIGIN_URL)?)?;
        let tolerance_seconds = parse_bounded(
            TOLERANCE_SECONDS,
            read_var(env, TOLERANCE_SECONDS)?,
            DEFAULT_TOLERANCE_SECONDS,
            0..=MAX_TOLERANCE_SECONDS,
        )?;
        let max_body_bytes = parse_positive(
            MAX_BODY_BYTES,
            read_var(env, MAX_BODY_BYTES)?,
            DEFAULT_MAX_BODY_BYTES as u64,
        )?;
        let max_body_bytes = usize::try_from(max_body_bytes).map_err(|_| {
            ConfigError(format!(
                "{MAX_BODY_BYTES} is {max_body_bytes}, too large for this platform"
            ))
        })?;
        let origin_timeout_seconds = parse_bounded(
            ORIGIN_TIMEOUT_SECONDS,
            read_var(env, ORIGIN_TIMEOUT_SECONDS)?,
            DEFAULT_ORIGIN_TIMEOUT_SECONDS,
            1..=MAX_ORIGIN_TIMEOUT_SECONDS,
        )?;
        let scheme = parse_scheme(read_var(env, SIGNATURE_SCHEME)?)?;

        let verifier = build_verifier(&webhook_secrets)?
            .with_tolerance_seconds(tolerance_seconds)
            .with_max_body_bytes(max_body_bytes)
            .with_scheme(scheme);
        if forward_secret.is_empty() {
            return Err(ConfigError(format!(
                "secret {FORWARD_SECRET} is empty; set it to the secret the origin checks the \
                 x-edge-signature header with"
            )));
        }

        Ok(Config {
            verifier,
            forward_secret,
            origin_url,
            origin_timeout_seconds,
            max_body_bytes,
        })
    }
}

/// Reads a Worker secret through `Env::secret`.
fn read_secret(env: &Env, name: &str) -> Result<String, ConfigError> {
    env.secret(name)
        .map(|secret| secret.to_string())
        .map_err(|_| {
            ConfigError(format!(
                "secret {name} is not set or is not a string; add it with \
             `wrangler secret put {name}`, or in .dev.vars for a local run"
            ))
        })
}

/// Reads a var that may be absent. Wrangler passes `[vars]` numbers as JSON
/// numbers, so an integer is accepted as well as a string.
fn read_var(env: &Env, name: &str) -> Result<Option<String>, ConfigError> {
    let value = js_sys::Reflect::get(env, &JsValue::from_str(name))
        .map_err(|_| ConfigError(format!("var {name} could not be read")))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    match value.as_f64() {
        Some(number) if number.fract() == 0.0 && number >= 0.0 && number < 2f64.powi(53) => {
            // Exact, because the guard admits only integers below 2^53.
            Ok(Some((number as u64).to_string()))
        }
        _ => Err(ConfigError(format!(
            "var {name} must be a string or a non-negative integer"
        ))),
    }
}

/// Splits `WEBHOOK_SECRETS` on commas and builds the verifier. Nothing is
/// trimmed, so a secret cannot contain a comma and spaces around one are
/// part of the secret.
fn build_verifier(webhook_secrets: &str) -> Result<Verifier, ConfigError> {
    let secrets: Vec<&str> = webhook_secrets.split(',').collect();
    if let Some(position) = secrets.iter().position(|secret| secret.is_empty()) {
        return Err(ConfigError(format!(
            "secret {WEBHOOK_SECRETS} contains an empty secret at position {} of {}; \
             separate secrets with single commas, with none at the start or end",
            position + 1,
            secrets.len()
        )));
    }

    // The core's messages name positions and lengths, never secret bytes.
    Verifier::new(&secrets)
        .map_err(|error| ConfigError(format!("secret {WEBHOOK_SECRETS} is invalid: {error}")))
}

/// Parses `ORIGIN_URL`, which must be an absolute http or https URL.
fn parse_origin_url(value: Option<String>) -> Result<String, ConfigError> {
    let Some(text) = value else {
        return Err(ConfigError(format!(
            "var {ORIGIN_URL} is not set; set it to the URL that verified deliveries are \
             posted to"
        )));
    };
    // The URL is not echoed: the 500 body reaches anyone who posts to the
    // worker, and the origin's address may be private.
    let url = WhatwgUrl::new(&text).map_err(|_| {
        ConfigError(format!(
            "var {ORIGIN_URL} is not a valid absolute URL; set it to one such as \
             https://origin.example.com/webhooks"
        ))
    })?;
    match url.protocol().as_str() {
        "http:" | "https:" => Ok(text),
        protocol => Err(ConfigError(format!(
            "var {ORIGIN_URL} has the scheme {:?}; use an http or https URL",
            protocol.trim_end_matches(':')
        ))),
    }
}

/// Parses a count in decimal digits, or returns `default` when unset.
fn parse_number(name: &str, value: Option<String>, default: u64) -> Result<u64, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ConfigError(format!(
            "var {name} is {text:?}; it must be a whole number in decimal digits"
        )));
    }
    text.parse()
        .map_err(|_| ConfigError(format!("var {name} is {text:?}, which is too large")))
}

/// Parses a count that must be above zero.
fn parse_positive(name: &str, value: Option<String>, default: u64) -> Result<u64, ConfigError> {
    match parse_number(name, value, default)? {
        0 => Err(ConfigError(format!(
            "var {name} is 0; it must be at least 1"
        ))),
        number => Ok(number),
    }
}

/// Parses a count that must lie within `range`.
fn parse_bounded(
    name: &str,
    value: Option<String>,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let number = parse_number(name, value, default)?;
    if range.contains(&number) {
        return Ok(number);
    }
    Err(ConfigError(format!(
        "var {name} is {number}; it must be from {} to {}",
        range.start(),
        range.end()
    )))
}

/// Parses `SIGNATURE_SCHEME`: `auto` (the default), `body` or
/// `timestamp.body`.
fn parse_scheme(value: Option<String>) -> Result<Scheme, ConfigError> {
    match value {
        None => Ok(Scheme::Auto),
        Some(text) => text
            .parse()
            .map_err(|error| ConfigError(format!("var {SIGNATURE_SCHEME}: {error}"))),
    }
}

/// Reads `CORS_ALLOW_ORIGINS`: origins such as `http://127.0.0.1:8788`,
/// separated by commas, with spaces around each one ignored. Returns each
/// origin in the serialized form browsers send in the `Origin` header, and an
/// empty list when the var is unset or empty.
pub fn read_cors_allow_origins(env: &Env) -> Result<Vec<String>, ConfigError> {
    let Some(text) = read_var(env, CORS_ALLOW_ORIGINS)? else {
        return Ok(Vec::new());
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let entries: Vec<&str> = text.split(',').map(str::trim).collect();
    let mut origins = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let position = format!("position {} of {}", index + 1, entries.len());
        origins.push(parse_cors_origin(entry, &position)?);
    }
    Ok(origins)
}

/// Parses one entry of `CORS_ALLOW_ORIGINS`: an http or https origin, with
/// at most a trailing `/` and no user, query or fragment. `*` is rejected,
/// because it would let any site read the worker's responses.
fn parse_cors_origin(entry: &str, position: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| {
        ConfigError(format!(
            "var {CORS_ALLOW_ORIGINS} has the invalid entry {entry:?} at {position}: {reason}; \
             list exact origins such as http://127.0.0.1:8788, separated by commas"
        ))
    };
    if entry.is_empty() {
        return Err(invalid("the entry is empty"));
    }
    if entry == "*" {
        return Err(invalid(
            "the wildcard * is not allowed, because it would let any site read the responses",
        ));
    }
    let url = WhatwgUrl::new(entry).map_err(|_| invalid("it is not an absolute URL"))?;
    if !matches!(url.protocol().as_str(), "http:" | "https:") {
        return Err(invalid("the scheme must be http or https"));
    }
    if !url.username().is_empty() || !url.password().is_empty() {
        return Err(invalid("an origin has no user name or password"));
    }
    // `search` and `hash` are empty for a bare `?` or `#`, so the raw text is
    // checked for those too.
    if url.pathname() != "/"
        || !url.search().is_empty()
        || !url.hash().is_empty()
        || entry.contains(['?', '#'])
    {
        return Err(invalid("an origin has no path, query or fragment"));
    }
    Ok(url.origin())
}
