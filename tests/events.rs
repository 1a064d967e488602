//! The event catalogue: names, categories and typed access to `data`.

#![allow(clippy::expect_used)]

use networked_webhooks::events::Category;
use networked_webhooks::{parse, Error, Event, EventKind, Id, Map, TypedEvent, Value};

const NOW: u64 = 1_750_689_600;

/// Parses an envelope of `event` with `data` given as JSON text.
fn event(event: &str, data: &str) -> Event {
    let body = format!(r#"{{"event":{event:?},"timestamp":{NOW},"data":{data}}}"#);
    parse(body.as_bytes()).expect("the test envelope is valid")
}

fn typed(name: &str, data: &str) -> TypedEvent {
    event(name, data)
        .typed()
        .unwrap_or_else(|err| panic!("{name}: {}: {err}", err.code()))
}

fn typed_error(name: &str, data: &str) -> Error {
    match event(name, data).typed() {
        Ok(typed) => panic!("{name} with {data}: accepted as {typed:?}"),
        Err(err) => err,
    }
}

fn id(text: &str) -> Option<Id> {
    Some(Id(text.to_string()))
}

fn text(value: &str) -> Option<String> {
    Some(value.to_string())
}

/// Returns a map with one member, `note`, set to the string "kept".
fn note_kept() -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("note".to_string(), Value::String("kept".to_string()));
    map
}

fn assert_invalid_member(err: &Error, expected: &str) {
    assert_eq!(err.code(), "invalid_envelope", "{err}");
    match err {
        Error::InvalidEnvelope { member, .. } => assert_eq!(member, expected, "{err}"),
        other => panic!("not an envelope error: {other:?}"),
    }
    assert!(err.to_string().contains(expected), "{err}");
}

const CATALOGUE: [(&str, EventKind, Category); 8] = [
    ("user.joined", EventKind::UserJoined, Category::User),
    (
        "user.profile.updated",
        EventKind::UserProfileUpdated,
        Category::User,
    ),
    (
        "user.joined.space",
        EventKind::UserJoinedSpace,
        Category::User,
    ),
    ("post.created", EventKind::PostCreated, Category::Feed),
    ("post.liked", EventKind::PostLiked, Category::Feed),
    ("post.unliked", EventKind::PostUnliked, Category::Feed),
    ("comment.added", EventKind::CommentAdded, Category::Feed),
    ("post.reported", EventKind::PostReported, Category::Feed),
];

#[test]
fn from_name_catalogue() {
    for (name, kind, category) in CATALOGUE {
        assert_eq!(EventKind::from_name(name), kind, "{name}");
        assert_eq!(kind.name(), Some(name), "{name}");
        assert_eq!(kind.category(), Some(category), "{name}");
    }
}

#[test]
fn catalogue_constant_complete() {
    let kinds: Vec<EventKind> = CATALOGUE.iter().map(|(_, kind, _)| *kind).collect();

    assert_eq!(EventKind::CATALOGUE.to_vec(), kinds);
}

#[test]
fn from_name_unknown() {
    for name in [
        "space.archived",
        "",
        "user",
        "User.Joined",
        "user.joined ",
        "post.liked.extra",
    ] {
        assert_eq!(EventKind::from_name(name), EventKind::Unknown, "{name:?}");
    }
    assert_eq!(EventKind::Unknown.name(), None);
    assert_eq!(EventKind::Unknown.category(), None);
}

#[test]
fn user_joined_minimal() {
    let TypedEvent::UserJoined(joined) =
        typed("user.joined", r#"{"user_id":"usr_123456","name":"Ada"}"#)
    else {
        panic!("not user.joined");
    };

    assert_eq!(joined.user_id, Id("usr_123456".to_string()));
    assert_eq!(joined.name, "Ada");
    assert_eq!(joined.email, None);
    assert_eq!(joined.joined_at, None);
    assert_eq!(joined.community_id, None);
    assert!(joined.extra.is_empty());
}

#[test]
fn user_joined_full() {
    let data = r#"{"user_id":"usr_1","name":"Ada","email":"ada@example.com",
        "joined_at":"2025-06-23T14:40:00Z","community_id":42,"note":"kept"}"#;
    let TypedEvent::UserJoined(joined) = typed("user.joined", data) else {
        panic!("not user.joined");
    };

    assert_eq!(joined.email, text("ada@example.com"));
    assert_eq!(joined.joined_at, text("2025-06-23T14:40:00Z"));
    assert_eq!(joined.community_id, id("42"));
    assert_eq!(joined.extra, note_kept());
}

#[test]
fn user_joined_null_optional() {
    let data = r#"{"user_id":"usr_1","name":"Ada","email":null}"#;
    let TypedEvent::UserJoined(joined) = typed("user.joined", data) else {
        panic!("not user.joined");
    };

    assert_eq!(joined.email, None);
    assert!(joined.extra.is_empty());
}

#[test]
fn user_joined_without_name() {
    let err = typed_error("user.joined", r#"{"user_id":"usr_1"}"#);

    assert_invalid_member(&err, "data.name");
}

#[test]
fn user_joined_without_user_id() {
    let err = typed_error("user.joined", r#"{"name":"Ada"}"#);

    assert_invalid_member(&err, "data.user_id");
}

#[test]
fn user_joined_name_wrong_type() {
    let err = typed_error("user.joined", r#"{"user_id":"usr_1","name":7}"#);

    assert_invalid_member(&err, "data.name");
}

#[test]
fn user_joined_user_id_wrong_type() {
    let err = typed_error("user.joined", r#"{"user_id":true,"name":"Ada"}"#);

    assert_invalid_member(&err, "data.user_id");
}

#[test]
fn user_profile_updated_minimal() {
    let TypedEvent::UserProfileUpdated(updated) =
        typed("user.profile.updated", r#"{"user_id":"usr_1"}"#)
    else {
        panic!("not user.profile.updated");
    };

    assert_eq!(updated.user_id, Id("usr_1".to_string()));
    assert_eq!(updated.name, None);
    assert_eq!(updated.changes, None);
    assert!(updated.extra.is_empty());
}

#[test]
fn user_profile_updated_full() {
    let data = r#"{"user_id":"usr_1","name":"Ada","changes":{"name":"Ada"},"note":"kept"}"#;
    let TypedEvent::UserProfileUpdated(updated) = typed("user.profile.updated", data) else {
        panic!("not user.profile.updated");
    };

    let mut changes = Map::new();
    changes.insert("name".to_string(), Value::String("Ada".to_string()));
    assert_eq!(updated.name, text("Ada"));
    assert_eq!(updated.changes, Some(changes));
    assert_eq!(updated.extra, note_kept());
}

#[test]
fn user_profile_updated_changes_wrong_type() {
    let err = typed_error(
        "user.profile.updated",
        r#"{"user_id":"usr_1","changes":["name"]}"#,
    );

    assert_invalid_member(&err, "data.changes");
}

#[test]
fn user_joined_space_minimal() {
    let TypedEvent::UserJoinedSpace(joined) = typed("user.joined.space", r#"{"user_id":"usr_1"}"#)
    else {
        panic!("not user.joined.space");
    };

    assert_eq!(joined.user_id, Id("usr_1".to_string()));
    assert_eq!(joined.space_id, None);
    assert_eq!(joined.space_name, None);
    assert!(joined.extra.is_empty());
}

#[test]
fn user_joined_space_full() {
    let data = r#"{"user_id":"usr_1","space_id":"spc_42","space_name":"Makers","note":"kept"}"#;
    let TypedEvent::UserJoinedSpace(joined) = typed("user.joined.space", data) else {
        panic!("not user.joined.space");
    };

    assert_eq!(joined.space_id, id("spc_42"));
    assert_eq!(joined.space_name, text("Makers"));
    assert_eq!(joined.extra, note_kept());
}

#[test]
fn user_joined_space_without_user_id() {
    let err = typed_error("user.joined.space", r#"{"space_id":"spc_42"}"#);

    assert_invalid_member(&err, "data.user_id");
}

#[test]
fn post_created_minimal() {
    let TypedEvent::PostCreated(post) = typed("post.created", "{}") else {
        panic!("not post.created");
    };

    assert_eq!(post.post_id, None);
    assert_eq!(post.user_id, None);
    assert_eq!(post.space_id, None);
    assert_eq!(post.post_type, None);
    assert_eq!(post.content, None);
    assert!(post.extra.is_empty());
}

#[test]
fn post_created_full() {
    let data = r#"{"post_id":"pst_1","user_id":"usr_1","space_id":"spc_42",
        "post_type":"discussion","content":"Hello","note":"kept"}"#;
    let TypedEvent::PostCreated(post) = typed("post.created", data) else {
        panic!("not post.created");
    };

    assert_eq!(post.post_id, id("pst_1"));
    assert_eq!(post.user_id, id("usr_1"));
    assert_eq!(post.space_id, id("spc_42"));
    assert_eq!(post.post_type, text("discussion"));
    assert_eq!(post.content, text("Hello"));
    assert_eq!(post.extra, note_kept());
}

#[test]
fn post_created_content_wrong_type() {
    let err = typed_error("post.created", r#"{"content":{"text":"Hello"}}"#);

    assert_invalid_member(&err, "data.content");
}

#[test]
fn post_liked_minimal() {
    let TypedEvent::PostLiked(reaction) = typed("post.liked", "{}") else {
        panic!("not post.liked");
    };

    assert_eq!(reaction.post_id, None);
    assert_eq!(reaction.user_id, None);
    assert!(reaction.extra.is_empty());
}

#[test]
fn post_liked_full() {
    let data = r#"{"post_id":"pst_1","user_id":"usr_1","note":"kept"}"#;
    let TypedEvent::PostLiked(reaction) = typed("post.liked", data) else {
        panic!("not post.liked");
    };

    assert_eq!(reaction.post_id, id("pst_1"));
    assert_eq!(reaction.user_id, id("usr_1"));
    assert_eq!(reaction.extra, note_kept());
}

#[test]
fn post_unliked_minimal() {
    let TypedEvent::PostUnliked(reaction) = typed("post.unliked", "{}") else {
        panic!("not post.unliked");
    };

    assert_eq!(reaction.post_id, None);
    assert_eq!(reaction.user_id, None);
    assert!(reaction.extra.is_empty());
}

#[test]
fn post_unliked_full() {
    let data = r#"{"post_id":"pst_1","user_id":"usr_1","note":"kept"}"#;
    let TypedEvent::PostUnliked(reaction) = typed("post.unliked", data) else {
        panic!("not post.unliked");
    };

    assert_eq!(reaction.post_id, id("pst_1"));
    assert_eq!(reaction.user_id, id("usr_1"));
    assert_eq!(reaction.extra, note_kept());
}

#[test]
fn comment_added_minimal() {
    let TypedEvent::CommentAdded(comment) = typed("comment.added", "{}") else {
        panic!("not comment.added");
    };

    assert_eq!(comment.comment_id, None);
    assert_eq!(comment.post_id, None);
    assert_eq!(comment.user_id, None);
    assert_eq!(comment.content, None);
    assert!(comment.extra.is_empty());
}

#[test]
fn comment_added_full() {
    let data = r#"{"comment_id":"cmt_9","post_id":"pst_1","user_id":"usr_1","content":"Nice","note":"kept"}"#;
    let TypedEvent::CommentAdded(comment) = typed("comment.added", data) else {
        panic!("not comment.added");
    };

    assert_eq!(comment.comment_id, id("cmt_9"));
    assert_eq!(comment.post_id, id("pst_1"));
    assert_eq!(comment.user_id, id("usr_1"));
    assert_eq!(comment.content, text("Nice"));
    assert_eq!(comment.extra, note_kept());
}

#[test]
fn post_reported_minimal() {
    let TypedEvent::PostReported(report) = typed("post.reported", "{}") else {
        panic!("not post.reported");
    };

    assert_eq!(report.post_id, None);
    assert_eq!(report.user_id, None);
    assert_eq!(report.reason, None);
    assert!(report.extra.is_empty());
}

#[test]
fn post_reported_full() {
    let data = r#"{"post_id":"pst_1","user_id":"usr_1","reason":"spam","note":"kept"}"#;
    let TypedEvent::PostReported(report) = typed("post.reported", data) else {
        panic!("not post.reported");
    };

    assert_eq!(report.post_id, id("pst_1"));
    assert_eq!(report.user_id, id("usr_1"));
    assert_eq!(report.reason, text("spam"));
    assert_eq!(report.extra, note_kept());
}

#[test]
fn unknown_event_data_whole() {
    let data = r#"{"space_id":"spc_1","archived_by":{"user_id":"usr_1"},"count":9007199254740993}"#;
    let parsed = event("space.archived", data);
    assert_eq!(parsed.kind(), EventKind::Unknown);

    let TypedEvent::Unknown { event, data } = typed("space.archived", data) else {
        panic!("not unknown");
    };

    assert_eq!(event, "space.archived");
    assert_eq!(data, parsed.data);
    assert_eq!(
        data.get("count").map(ToString::to_string).as_deref(),
        Some("9007199254740993")
    );
}

#[test]
fn typed_keeps_event_untouched() {
    let parsed = event(
        "user.joined",
        r#"{"user_id":"usr_1","name":"Ada","note":"kept"}"#,
    );
    let before = parsed.clone();

    let result = parsed.typed();

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(parsed, before);
}
