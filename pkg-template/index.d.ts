// Types of the networked-webhooks package: verify, sign and parse Networked
// webhooks. Every runtime entry point (Node, Deno, browsers, workerd) has this API.

/** The raw request body: a string is UTF-8 encoded. A Node `Buffer` is a `Uint8Array`. */
export type Body = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** Request headers in any of the shapes JavaScript servers hand out. */
export type HeadersInput =
  | Headers
  | Record<string, string | readonly string[] | undefined>
  | ReadonlyArray<readonly [string, string]>;

/** The content a signature covers. */
export type Scheme = "auto" | "body" | "timestamp.body";

/** Stable error codes of `WebhookError`. */
export type ErrorCode =
  | "missing_signature"
  | "malformed_signature"
  | "signature_mismatch"
  | "missing_timestamp"
  | "malformed_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "body_too_large"
  | "invalid_json"
  | "invalid_envelope"
  | "no_secret"
  | "invalid_options";

/** A rejected delivery or an invalid option. The message never contains a secret. */
export declare class WebhookError extends Error {
  readonly name: "WebhookError";
  readonly code: ErrorCode;
}

export interface VerifierOptions {
  /** One or more secrets; any one that matches passes. Used as their exact UTF-8 bytes. */
  secrets: string | readonly string[];
  /** Freshness window in seconds, applied both ways. Default 300. */
  toleranceSeconds?: number;
  /** Default "auto": `timestamp.body` when a timestamp header is present, else `body`. */
  scheme?: Scheme;
  /** Maximum body length in bytes. Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
  /** Default "x-webhook-signature". */
  signatureHeader?: string;
  /** Default "x-webhook-timestamp". */
  timestampHeader?: string;
}

export interface VerifyOptions {
  /** Current UNIX time in seconds. Default: the system clock. */
  now?: number;
}

/** A JSON value inside `data`. Integers beyond ±(2^53 − 1) arrive as strings of their digits. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An identifier: the platform sends strings such as "usr_123456", or numbers. */
export type Id = string | number;

interface EventOf<Name extends string, Data> {
  event: Name;
  /** UNIX seconds when the event happened. */
  timestamp: number;
  data: Data & { [field: string]: JsonValue | undefined };
  /** Envelope members beyond `event`, `timestamp` and `data` are kept. */
  [member: string]: unknown;
}

export interface UserJoinedData {
  user_id: Id;
  name: string;
  email?: string;
  joined_at?: string | number;
  community_id?: Id;
}
export interface UserProfileUpdatedData {
  user_id: Id;
  name?: string;
  changes?: { [field: string]: JsonValue };
}
export interface UserJoinedSpaceData {
  user_id: Id;
  space_id?: Id;
  space_name?: string;
}
export interface PostCreatedData {
  post_id?: Id;
  user_id?: Id;
  space_id?: Id;
  post_type?: string;
  content?: string;
}
export interface PostReactionData {
  post_id?: Id;
  user_id?: Id;
}
export interface CommentAddedData {
  comment_id?: Id;
  post_id?: Id;
  user_id?: Id;
  content?: string;
}
export interface PostReportedData {
  post_id?: Id;
  /** The member who reported the post. */
  user_id?: Id;
  reason?: string;
}

export type UserJoined = EventOf<"user.joined", UserJoinedData>;
export type UserProfileUpdated = EventOf<"user.profile.updated", UserProfileUpdatedData>;
export type UserJoinedSpace = EventOf<"user.joined.space", UserJoinedSpaceData>;
export type PostCreated = EventOf<"post.created", PostCreatedData>;
export type PostLiked = EventOf<"post.liked", PostReactionData>;
export type PostUnliked = EventOf<"post.unliked", PostReactionData>;
export type CommentAdded = EventOf<"comment.added", CommentAddedData>;
export type PostReported = EventOf<"post.reported", PostReportedData>;

/** The names of the catalogue's events. */
export type KnownEventName =
  | "user.joined"
  | "user.profile.updated"
  | "user.joined.space"
  | "post.created"
  | "post.liked"
  | "post.unliked"
  | "comment.added"
  | "post.reported";

/** An event type this version does not know, with its `data` kept whole. */
export interface UnknownEvent {
  event: string;
  timestamp: number;
  data: { [field: string]: JsonValue };
  [member: string]: unknown;
}

/** A parsed webhook. Narrow on `event` to reach the typed `data`. */
export type WebhookEvent =
  | UserJoined
  | UserProfileUpdated
  | UserJoinedSpace
  | PostCreated
  | PostLiked
  | PostUnliked
  | CommentAdded
  | PostReported
  | UnknownEvent;

export declare class Verifier {
  /** Throws `WebhookError` with `no_secret` or `invalid_options`, or a `TypeError`. */
  constructor(options: VerifierOptions);
  /** Verifies the raw body and returns its event, or throws `WebhookError`. */
  verify(body: Body, headers: HeadersInput, options?: VerifyOptions): WebhookEvent;
  readonly toleranceSeconds: number;
  readonly scheme: Scheme;
  readonly maxBodyBytes: number;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
}

export interface SignOptions {
  /** UNIX seconds to sign with (`timestamp.body`), `true` for now, `false` or absent for `body`. */
  timestamp?: number | boolean;
}

/** The headers to send with a signed body. */
export interface SignedHeaders {
  "x-webhook-signature": string;
  "x-webhook-timestamp"?: string;
  [name: string]: string | undefined;
}

/** Signs `body` as the platform does. The signature is 64 lowercase hex characters. */
export declare function sign(secret: string, body: Body, options?: SignOptions): SignedHeaders;

/** Parses a body without checking any signature: use only on authenticated bodies. */
export declare function parse(body: Body): WebhookEvent;

export interface ExplainOptions extends VerifierOptions, VerifyOptions {
  /** Further secrets to try when the receiver's own do not match, such as test and live. */
  otherSecrets?: readonly string[];
}

/** A likely cause of a rejection. */
export interface Hint {
  cause: string;
  message: string;
}

export type Explanation =
  | { ok: true; event: WebhookEvent; scheme: Scheme; hints: Hint[] }
  | { ok: false; code: ErrorCode; message: string; hints: Hint[] };

/**
 * Verifies like `Verifier.verify`, and on failure looks for the usual causes
 * (a re-serialised body, a changed line ending, a timestamp in milliseconds, the
 * wrong secret, a scheme mismatch, clock skew). For debugging, not for receiving.
 */
export declare function explain(body: Body, headers: HeadersInput, options: ExplainOptions): Explanation;
