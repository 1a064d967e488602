//! The event catalogue and typed access to each event's `data`.
//!
//! Typed access is separate from verification: a verified event with an
//! unexpected `data` shape is still delivered as an [`Event`], and
//! [`Event::typed`] reports what does not fit.

use alloc::string::{String, ToString};

use serde_json::{Map, Value};

use crate::envelope::{envelope_error, Event};
use crate::Error;

/// The kind of a webhook event: one of the catalogue, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// `user.joined`
    UserJoined,
    /// `user.profile.updated`
    UserProfileUpdated,
    /// `user.joined.space`
    UserJoinedSpace,
    /// `post.created`
    PostCreated,
    /// `post.liked`
    PostLiked,
    /// `post.unliked`
    PostUnliked,
    /// `comment.added`
    CommentAdded,
    /// `post.reported`
    PostReported,
    /// An event type this version of the crate does not know.
    Unknown,
}

/// The group an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Events about members.
    User,
    /// Events about posts and comments in the feed.
    Feed,
}

impl EventKind {
    /// Every known event kind, in catalogue order.
    pub const CATALOGUE: [EventKind; 8] = [
        EventKind::UserJoined,
        EventKind::UserProfileUpdated,
        EventKind::UserJoinedSpace,
        EventKind::PostCreated,
        EventKind::PostLiked,
        EventKind::PostUnliked,
        EventKind::CommentAdded,
        EventKind::PostReported,
    ];

    /// Looks up an event type name; unknown names give [`EventKind::Unknown`].
    pub fn from_name(name: &str) -> EventKind {
        EventKind::CATALOGUE
            .into_iter()
            .find(|kind| kind.name() == Some(name))
            .unwrap_or(EventKind::Unknown)
    }

    /// Returns the wire name, such as `user.joined`, or `None` for unknown.
    pub fn name(self) -> Option<&'static str> {
        let name = match self {
            EventKind::UserJoined => "user.joined",
            EventKind::UserProfileUpdated => "user.profile.updated",
            EventKind::UserJoinedSpace => "user.joined.space",
            EventKind::PostCreated => "post.created",
            EventKind::PostLiked => "post.liked",
            EventKind::PostUnliked => "post.unliked",
            EventKind::CommentAdded => "comment.added",
            EventKind::PostReported => "post.reported",
            EventKind::Unknown => return None,
        };
        Some(name)
    }

    /// Returns the category, or `None` for unknown events.
    pub fn category(self) -> Option<Category> {
        match self {
            EventKind::UserJoined | EventKind::UserProfileUpdated | EventKind::UserJoinedSpace => {
                Some(Category::User)
            }
            EventKind::Unknown => None,
            _ => Some(Category::Feed),
        }
    }
}

/// An identifier as the sender wrote it: a JSON string, or the exact digits
/// of a JSON number, so that ids above 2^53 keep every digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub String);

impl Id {
    /// Returns the identifier's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `user.joined`: a member joined the community.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserJoined {
    /// The member, such as `usr_123456`.
    pub user_id: Id,
    /// The member's display name.
    pub name: String,
    /// The member's email address.
    pub email: Option<String>,
    /// When the member joined, as the sender wrote it.
    pub joined_at: Option<String>,
    /// The community joined.
    pub community_id: Option<Id>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `user.profile.updated`: a member changed their profile.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserProfileUpdated {
    /// The member.
    pub user_id: Id,
    /// The member's display name after the change.
    pub name: Option<String>,
    /// The changed fields.
    pub changes: Option<Map<String, Value>>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `user.joined.space`: a member joined a space.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserJoinedSpace {
    /// The member.
    pub user_id: Id,
    /// The space joined.
    pub space_id: Option<Id>,
    /// The space's name.
    pub space_name: Option<String>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `post.created`: a post appeared in the feed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PostCreated {
    /// The post.
    pub post_id: Option<Id>,
    /// The author.
    pub user_id: Option<Id>,
    /// The space the post is in.
    pub space_id: Option<Id>,
    /// The kind of post, as the platform names it.
    pub post_type: Option<String>,
    /// The post's text.
    pub content: Option<String>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `post.liked` and `post.unliked`: a member liked a post or took the like
/// back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PostReaction {
    /// The post.
    pub post_id: Option<Id>,
    /// The member who reacted.
    pub user_id: Option<Id>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `comment.added`: a member commented on a post.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CommentAdded {
    /// The comment.
    pub comment_id: Option<Id>,
    /// The post commented on.
    pub post_id: Option<Id>,
    /// The author of the comment.
    pub user_id: Option<Id>,
    /// The comment's text.
    pub content: Option<String>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// `post.reported`: a member reported a post.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PostReported {
    /// The post.
    pub post_id: Option<Id>,
    /// The member who reported it.
    pub user_id: Option<Id>,
    /// The reason given.
    pub reason: Option<String>,
    /// Fields of `data` not listed above.
    pub extra: Map<String, Value>,
}

/// An event's `data` read into the struct of its catalogue entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TypedEvent {
    /// `user.joined`
    UserJoined(UserJoined),
    /// `user.profile.updated`
    UserProfileUpdated(UserProfileUpdated),
    /// `user.joined.space`
    UserJoinedSpace(UserJoinedSpace),
    /// `post.created`
    PostCreated(PostCreated),
    /// `post.liked`
    PostLiked(PostReaction),
    /// `post.unliked`
    PostUnliked(PostReaction),
    /// `comment.added`
    CommentAdded(CommentAdded),
    /// `post.reported`
    PostReported(PostReported),
    /// An event type outside the catalogue, with its `data` kept whole.
    Unknown {
        /// The event type as sent.
        event: String,
        /// The event's fields.
        data: Map<String, Value>,
    },
}

impl Event {
    /// Reads `data` into the typed struct of this event's catalogue entry.
    ///
    /// Fields the catalogue lists as optional may be absent. A listed field
    /// of the wrong type, or a missing `user_id` or `name` where the platform
    /// always sends them, is an [`Error::InvalidEnvelope`] naming the member
    /// such as `data.user_id`.
    pub fn typed(&self) -> Result<TypedEvent, Error> {
        let mut fields = Fields(self.data.clone());
        let typed = match self.kind() {
            EventKind::UserJoined => TypedEvent::UserJoined(UserJoined {
                user_id: fields.required_id("user_id")?,
                name: fields.required_text("name")?,
                email: fields.text("email")?,
                joined_at: fields.id("joined_at")?.map(|id| id.0),
                community_id: fields.id("community_id")?,
                extra: fields.0,
            }),
            EventKind::UserProfileUpdated => TypedEvent::UserProfileUpdated(UserProfileUpdated {
                user_id: fields.required_id("user_id")?,
                name: fields.text("name")?,
                changes: fields.object("changes")?,
                extra: fields.0,
            }),
            EventKind::UserJoinedSpace => TypedEvent::UserJoinedSpace(UserJoinedSpace {
                user_id: fields.required_id("user_id")?,
                space_id: fields.id("space_id")?,
                space_name: fields.text("space_name")?,
                extra: fields.0,
            }),
            EventKind::PostCreated => TypedEvent::PostCreated(PostCreated {
                post_id: fields.id("post_id")?,
                user_id: fields.id("user_id")?,
                space_id: fields.id("space_id")?,
                post_type: fields.text("post_type")?,
                content: fields.text("content")?,
                extra: fields.0,
            }),
            EventKind::PostLiked => TypedEvent::PostLiked(fields.reaction()?),
            EventKind::PostUnliked => TypedEvent::PostUnliked(fields.reaction()?),
            EventKind::CommentAdded => TypedEvent::CommentAdded(CommentAdded {
                comment_id: fields.id("comment_id")?,
                post_id: fields.id("post_id")?,
                user_id: fields.id("user_id")?,
                content: fields.text("content")?,
                extra: fields.0,
            }),
            EventKind::PostReported => TypedEvent::PostReported(PostReported {
                post_id: fields.id("post_id")?,
                user_id: fields.id("user_id")?,
                reason: fields.text("reason")?,
                extra: fields.0,
            }),
            EventKind::Unknown => TypedEvent::Unknown {
                event: self.event.clone(),
                data: fields.0,
            },
        };
        Ok(typed)
    }
}

/// The remaining fields of `data`; each accessor takes its field out, so
/// what is left at the end is the struct's `extra`.
struct Fields(Map<String, Value>);

impl Fields {
    fn take(&mut self, name: &str) -> Option<Value> {
        match self.0.remove(name) {
            Some(Value::Null) | None => None,
            Some(value) => Some(value),
        }
    }

    fn id(&mut self, name: &str) -> Result<Option<Id>, Error> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(Id(text))),
            // With arbitrary precision, a number's text is exactly what was sent.
            Some(Value::Number(number)) => Ok(Some(Id(number.to_string()))),
            Some(_) => Err(field_error(name, "is not a string or a number")),
        }
    }

    fn required_id(&mut self, name: &str) -> Result<Id, Error> {
        self.id(name)?
            .ok_or_else(|| field_error(name, "is missing"))
    }

    fn text(&mut self, name: &str) -> Result<Option<String>, Error> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(field_error(name, "is not a string")),
        }
    }

    fn required_text(&mut self, name: &str) -> Result<String, Error> {
        self.text(name)?
            .ok_or_else(|| field_error(name, "is missing"))
    }

    fn object(&mut self, name: &str) -> Result<Option<Map<String, Value>>, Error> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Object(object)) => Ok(Some(object)),
            Some(_) => Err(field_error(name, "is not an object")),
        }
    }

    fn reaction(&mut self) -> Result<PostReaction, Error> {
        Ok(PostReaction {
            post_id: self.id("post_id")?,
            user_id: self.id("user_id")?,
            extra: core::mem::take(&mut self.0),
        })
    }
}

fn field_error(name: &str, detail: &str) -> Error {
    let mut member = String::from("data.");
    member.push_str(name);
    envelope_error(&member, detail)
}
