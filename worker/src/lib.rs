//! Cloudflare Worker that verifies signed Networked webhooks at the edge and
//! forwards the accepted ones to an origin.
//!
//! For each `POST` the worker reads the body once, as bytes, and verifies
//! its signature and freshness with the `networked-webhooks` core. The
//! [`ReplayGuard`] Durable Object rejects a second delivery of the same
//! signed content, and a copy that arrives while the first is being
//! forwarded gets a 503 with `Retry-After`. The worker then posts the same
//! bytes to `ORIGIN_URL` with a hop signature (`x-edge-signature`,
//! `x-edge-timestamp`) keyed with `FORWARD_SECRET`. Every other request gets a JSON error
//! `{ "error": code, "message": text }` and is never forwarded.
//!
//! A page on an origin listed in `CORS_ALLOW_ORIGINS` gets a 204 for its
//! `OPTIONS` preflight, and `Access-Control-Allow-Origin` on every response.

mod config;
mod cors;
mod forward;
mod replay;
mod reply;

use std::time::Duration;

use futures_util::StreamExt;
use networked_webhooks::Verified;
use worker::{event, Context, Date, Env, Method, Request, Response};

use crate::config::{read_cors_allow_origins, Config, REPLAY_GUARD};
use crate::forward::{forward, Forward, OriginResult};
use crate::replay::{Claim, Guard, LEASE_MARGIN_SECONDS};
use crate::reply::{log, LogLine, Outcome, Reply, RETRY_AFTER_SECONDS};

pub use crate::replay::ReplayGuard;

/// Fields of the log line that the reply does not carry.
#[derive(Debug, Default)]
struct Trace {
    event: Option<String>,
    delivery: Option<String>,
    origin_status: Option<u16>,
    claim: Option<&'static str>,
    /// Replay guard events for the log line's `detail`, such as a failed
    /// release or a takeover.
    claim_notes: Vec<String>,
}

/// Handles one request and writes its log line.
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started_ms = Date::now().as_millis();
    let method = req.method();
    let mut trace = Trace::default();

    let reply = respond(req, &env, &mut trace).await;

    log(&LogLine {
        outcome: reply.outcome,
        code: reply.code,
        event: trace.event.as_deref(),
        status: reply.status,
        origin_status: trace.origin_status,
        latency_ms: Date::now().as_millis().saturating_sub(started_ms),
        method: method.as_ref(),
        delivery: trace.delivery.as_deref(),
        claim: trace.claim,
        detail: join_details(reply.detail.as_deref(), &trace.claim_notes).as_deref(),
    });
    reply.into_response()
}

/// Responds to a preflight from an allowed origin, handles every other
/// request, and adds the CORS headers when the request's origin is allowed.
async fn respond(req: Request, env: &Env, trace: &mut Trace) -> Reply {
    let allowed_origins = match read_cors_allow_origins(env) {
        Ok(origins) => origins,
        Err(error) => return misconfigured(&error.to_string()),
    };
    let Some(origin) = cors::allowed_origin(&req, &allowed_origins) else {
        return handle(req, env, trace).await;
    };
    if req.method() == Method::Options {
        return cors::preflight(&origin);
    }
    handle(req, env, trace).await.with_allowed_origin(&origin)
}

/// Runs the steps of one request; every failure becomes a [`Reply`].
async fn handle(mut req: Request, env: &Env, trace: &mut Trace) -> Reply {
    if req.method() != Method::Post {
        let message = format!(
            "method not allowed: {} is not accepted; webhooks are delivered with POST",
            req.method().as_ref()
        );
        return Reply::error(Outcome::Rejected, 405, "method_not_allowed", &message)
            .with_header("allow", "POST");
    }

    let config = match Config::from_env(env) {
        Ok(config) => config,
        Err(error) => return misconfigured(&error.to_string()),
    };
    let replay_guards = match env.durable_object(REPLAY_GUARD) {
        Ok(namespace) => namespace,
        Err(_) => {
            return misconfigured(&format!(
                "Durable Object binding {REPLAY_GUARD} is missing; bind it to the ReplayGuard \
                 class in wrangler.toml"
            ))
        }
    };

    let body = match read_body(&mut req, config.max_body_bytes).await {
        Ok(body) => body,
        Err(reply) => return reply,
    };

    let now_ms = Date::now().as_millis();
    let verified = match verify(&config, &req, &body, now_ms / 1000) {
        Ok(verified) => verified,
        Err(reply) => return reply,
    };
    let replay_key = hex::encode(verified.replay_key);
    trace.event = Some(verified.event.event.clone());
    trace.delivery = replay_key.get(..16).map(String::from);

    // The core rejects the delivery as too old once `signed_at + tolerance`
    // has passed, so the claim can end one second later.
    let expires_at_ms = verified
        .signed_at
        .saturating_add(config.verifier.tolerance_seconds())
        .saturating_add(1)
        .saturating_mul(1000);
    let guard = match Guard::for_delivery(&replay_guards, &replay_key) {
        Ok(guard) => guard,
        Err(error) => return replay_store_unavailable(&error),
    };
    // The lease covers the whole forward, which the timeout bounds, and the
    // guard calls around it.
    let lease_ms = config
        .origin_timeout_seconds
        .saturating_add(LEASE_MARGIN_SECONDS)
        .saturating_mul(1000);
    match guard.claim(expires_at_ms, lease_ms).await {
        Ok(Claim::Claimed) => {}
        Ok(Claim::TookOver) => trace.claim_notes.push(String::from(
            "took over a replay claim whose lease ended unconfirmed; the request that made it \
             failed, was cancelled or could not reach the replay guard",
        )),
        Ok(Claim::InFlight { lease_remaining_ms }) => {
            return delivery_in_progress(lease_remaining_ms)
        }
        Ok(Claim::Confirmed) => return replayed(&config),
        Err(error) => {
            // The claim may have been stored before the call failed, for
            // example when only its response was lost. Releasing it keeps the
            // sender's retry from being rejected as a replay.
            trace.claim = Some(release_claim(&guard, trace).await);
            return replay_store_unavailable(&error);
        }
    }

    let result = forward(&Forward {
        body: &body,
        sender_headers: req.headers(),
        origin_url: &config.origin_url,
        forward_secret: &config.forward_secret,
        now_seconds: Date::now().as_millis() / 1000,
        timeout: Duration::from_secs(config.origin_timeout_seconds),
    })
    .await;

    // Only a 2xx means the origin took the event, so only a 2xx confirms the
    // claim. After anything else the claim is released, so that the sender's
    // retry is forwarded again instead of being rejected as a replay.
    let delivered = matches!(&result, OriginResult::Responded { status, .. } if *status < 300);
    trace.claim = Some(if delivered {
        confirm_claim(&guard, expires_at_ms, trace).await
    } else {
        release_claim(&guard, trace).await
    });
    origin_reply(result, trace)
}

/// Confirms the claim after the origin took the event, and returns its state
/// for the log line: `confirmed`, or `confirm_failed` with the error in
/// `trace`. An unconfirmed claim stays in flight until its lease ends, and a
/// copy that arrives after that is forwarded again.
async fn confirm_claim(guard: &Guard, expires_at_ms: u64, trace: &mut Trace) -> &'static str {
    match guard.confirm(expires_at_ms).await {
        Ok(()) => "confirmed",
        Err(error) => {
            trace
                .claim_notes
                .push(format!("confirming the replay claim failed: {error}"));
            "confirm_failed"
        }
    }
}

/// Releases this request's claim and returns its state for the log line:
/// `released`, or `release_failed` with the error in `trace`.
async fn release_claim(guard: &Guard, trace: &mut Trace) -> &'static str {
    match guard.release().await {
        Ok(()) => "released",
        Err(error) => {
            trace
                .claim_notes
                .push(format!("releasing the replay claim failed: {error}"));
            "release_failed"
        }
    }
}

/// Joins the reply's failure cause and the claim notes for the log line.
fn join_details(reply_detail: Option<&str>, claim_notes: &[String]) -> Option<String> {
    let parts: Vec<&str> = reply_detail
        .into_iter()
        .chain(claim_notes.iter().map(String::as_str))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Reads the body as bytes, rejecting it with 413 as soon as it is longer
/// than `max_body_bytes`: before reading when `Content-Length` exceeds it,
/// and otherwise once the bytes read pass it.
async fn read_body(req: &mut Request, max_body_bytes: usize) -> Result<Vec<u8>, Reply> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse::<u64>().ok());
    if let Some(length) = declared {
        if length > max_body_bytes as u64 {
            let message = format!(
                "body too large: Content-Length is {length} bytes, over the maximum of \
                 {max_body_bytes} bytes"
            );
            return Err(Reply::error(
                Outcome::Rejected,
                413,
                "body_too_large",
                &message,
            ));
        }
    }

    // A POST without a body has no stream; it is an empty body, which the
    // verifier then rejects.
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            let message = format!("the request body could not be read: {error}");
            Reply::error(Outcome::Rejected, 400, "body_unreadable", &message)
        })?;
        body.extend_from_slice(&chunk);
        if body.len() > max_body_bytes {
            let message = format!(
                "body too large: over the maximum of {max_body_bytes} bytes (reading stopped \
                 at {} bytes)",
                body.len()
            );
            return Err(Reply::error(
                Outcome::Rejected,
                413,
                "body_too_large",
                &message,
            ));
        }
    }
    Ok(body)
}

/// Verifies signature, freshness and envelope with the core.
fn verify(config: &Config, req: &Request, body: &[u8], now: u64) -> Result<Verified, Reply> {
    let signature = req.headers().get("x-webhook-signature").ok().flatten();
    let timestamp = req.headers().get("x-webhook-timestamp").ok().flatten();
    config
        .verifier
        .verify_delivery(body, signature.as_deref(), timestamp.as_deref(), now)
        .map_err(|error| Reply::rejected(&error))
}

/// Turns the origin's response into the reply to the sender.
fn origin_reply(result: OriginResult, trace: &mut Trace) -> Reply {
    match result {
        OriginResult::Responded {
            status,
            content_type,
            body,
        } => {
            trace.origin_status = Some(status);
            Reply {
                outcome: if status < 300 {
                    Outcome::Forwarded
                } else {
                    Outcome::OriginRejected
                },
                status,
                code: None,
                body,
                content_type,
                extra_headers: Vec::new(),
                detail: None,
            }
        }
        OriginResult::Unavailable(reason) => {
            let message = format!(
                "origin unavailable: {reason}; the delivery was not accepted, send it again \
                 later"
            );
            Reply::error(
                Outcome::OriginUnavailable,
                503,
                "origin_unavailable",
                &message,
            )
            .with_header("retry-after", RETRY_AFTER_SECONDS.to_string())
        }
    }
}

fn misconfigured(reason: &str) -> Reply {
    let message = format!("the worker is misconfigured: {reason}");
    Reply::error(Outcome::Error, 500, "worker_misconfigured", &message)
}

fn replayed(config: &Config) -> Reply {
    let message = format!(
        "replayed: a delivery with the same signature over the same content was already \
         accepted by the origin; it is rejected until its timestamp is older than {} seconds",
        config.verifier.tolerance_seconds()
    );
    Reply::error(Outcome::Rejected, 409, "replayed", &message)
}

/// Builds the 503 for a copy that arrives while another request forwards
/// the delivery. `Retry-After` is the rest of that request's lease, in whole
/// seconds rounded up.
fn delivery_in_progress(lease_remaining_ms: u64) -> Reply {
    let retry_after_seconds = lease_remaining_ms.div_ceil(1000).max(1);
    let message = format!(
        "delivery in progress: a delivery with the same signature over the same content is \
         being forwarded to the origin; send it again in {retry_after_seconds} seconds, and it \
         is rejected as replayed if the origin took the first one"
    );
    Reply::error(Outcome::Rejected, 503, "delivery_in_progress", &message)
        .with_header("retry-after", retry_after_seconds.to_string())
}

fn replay_store_unavailable(error: &worker::Error) -> Reply {
    let message = format!(
        "the replay check failed ({error}); the delivery was not forwarded, send it again later"
    );
    Reply::error(Outcome::Error, 503, "replay_store_unavailable", &message)
        .with_header("retry-after", RETRY_AFTER_SECONDS.to_string())
}
