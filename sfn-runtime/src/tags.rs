//! Tags of activities and state machines: `TagResource`, `UntagResource` and
//! `ListTagsForResource`, and the tags `CreateActivity` is given
//! ([`Engine::create_activity_with_tags`]).
//!
//! Step Functions' rules: a tag's key has 1 to 128 characters and its value 0 to 256, both of
//! Unicode letters, digits, white space and `_ . : / = + - @`; keys and values starting with
//! `aws:` (in any case) are reserved for AWS (`ValidationException`, here
//! [`EngineError::InvalidTag`]); a resource has at most 50 tags (`TooManyTags`). A key tagged
//! again gets the new value. Only the activities and state machines the engine knows take tags
//! (`ResourceNotFound`); text that is not a Step Functions ARN is `InvalidArn`.
//!
//! On an engine with a store the tags are stored with their resource, and deleting an activity
//! deletes its tags; an engine without one keeps them in memory. [`list_stored`] reads them
//! from a store beside the engine that drives it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use sfn_runtime::{Engine, EngineError, Resources, Tag};
//! let engine = Engine::new(Resources::new());
//! let review = engine
//!     .create_activity_with_tags("review", &[Tag::new("team", "billing")])
//!     .await
//!     .unwrap();
//! engine.tag_resource(&review.arn, &[Tag::new("stage", "prod")]).await.unwrap();
//! engine.untag_resource(&review.arn, &["team".to_owned()]).await.unwrap();
//! let tags = engine.list_tags_for_resource(&review.arn).await.unwrap();
//! assert_eq!(tags, vec![Tag::new("stage", "prod")]);
//! let gone = "arn:aws:states:us-east-1:123456789012:activity:gone";
//! assert!(matches!(
//!     engine.list_tags_for_resource(gone).await,
//!     Err(EngineError::ResourceNotFound(_))
//! ));
//! # }
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use crate::engine::{Engine, EngineError};
pub use crate::store::Tag;
use crate::store::{Store, StoreError};

/// The most tags a resource has (Step Functions' limit, which cannot be raised).
pub const MAX_TAGS: usize = 50;
/// The most characters of a tag key.
pub const MAX_KEY_CHARS: usize = 128;
/// The most characters of a tag value.
pub const MAX_VALUE_CHARS: usize = 256;

/// The prefix reserved for AWS's own tags, in any case.
const RESERVED: &str = "aws:";

/// What a resource ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Activity,
    StateMachine,
}

/// What `arn` names: `InvalidArn` unless it is a Step Functions ARN
/// (`arn:PARTITION:states:REGION:ACCOUNT:TYPE:NAME...`), `ResourceNotFound` for one that names
/// neither an activity nor a state machine (an execution, or a state machine's version or
/// alias: AWS answers a version's ARN so).
fn target(arn: &str) -> Result<Target, EngineError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let states = parts.len() >= 7
        && parts[0] == "arn"
        && parts[2] == "states"
        && !parts[1].is_empty()
        && !parts[5].is_empty()
        && !parts[6].is_empty();
    if !states {
        return Err(EngineError::InvalidArn {
            arn: arn.to_owned(),
            expected: "tags go on an activity or a state machine: \
                       arn:aws:states:REGION:ACCOUNT:activity:NAME or \
                       arn:aws:states:REGION:ACCOUNT:stateMachine:NAME"
                .into(),
        });
    }
    match (parts[5], parts.len()) {
        ("activity", 7) => Ok(Target::Activity),
        ("stateMachine", 7) => Ok(Target::StateMachine),
        _ => Err(EngineError::ResourceNotFound(arn.to_owned())),
    }
}

/// A key as messages show it: its first 64 characters.
fn shown(key: &str) -> String {
    match key.char_indices().nth(64) {
        Some((end, _)) => format!("{}...", &key[..end]),
        None => key.to_owned(),
    }
}

fn invalid(key: &str, reason: String) -> EngineError {
    EngineError::InvalidTag {
        key: shown(key),
        reason,
    }
}

/// The first character tags may not hold: they hold Unicode letters, digits, white space
/// (Unicode's separators, not control characters such as a tab) and `_ . : / = + - @`.
fn bad_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        !(c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c))
    })
}

fn reserved(text: &str) -> bool {
    text.get(..RESERVED.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED))
}

const ALLOWED: &str = "Unicode letters, digits, white space and _ . : / = + - @";

/// A key names a tag: 1 to 128 characters.
fn check_key(key: &str) -> Result<(), EngineError> {
    let n = key.chars().count();
    if n == 0 {
        return Err(invalid(
            key,
            "a tag key is empty; give it 1 to 128 characters".into(),
        ));
    }
    if n > MAX_KEY_CHARS {
        return Err(invalid(
            key,
            format!("the key has {n} characters; a tag key has at most {MAX_KEY_CHARS}"),
        ));
    }
    Ok(())
}

/// `tag` keeps Step Functions' rules for what `TagResource` and `CreateActivity` take.
fn check_tag(tag: &Tag) -> Result<(), EngineError> {
    check_key(&tag.key)?;
    let n = tag.value.chars().count();
    if n > MAX_VALUE_CHARS {
        return Err(invalid(
            &tag.key,
            format!("its value has {n} characters; a tag value has at most {MAX_VALUE_CHARS}"),
        ));
    }
    for (what, text) in [("key", &tag.key), ("value", &tag.value)] {
        if reserved(text) {
            return Err(invalid(
                &tag.key,
                format!("a tag {what} may not start with `aws:`, which AWS reserves for its own tags; choose another prefix"),
            ));
        }
        if let Some(c) = bad_char(text) {
            return Err(invalid(
                &tag.key,
                format!("its {what} holds {c:?}; tags hold only {ALLOWED}"),
            ));
        }
    }
    Ok(())
}

/// `current` with `added` applied: a key it has gets the new value in its place, a new key
/// comes last; within `added` the last value of a key stands.
fn merged(current: &[Tag], added: &[Tag]) -> Vec<Tag> {
    let mut tags = current.to_vec();
    for tag in added {
        match tags.iter_mut().find(|t| t.key == tag.key) {
            Some(t) => t.value.clone_from(&tag.value),
            None => tags.push(tag.clone()),
        }
    }
    tags
}

fn too_many(resource_arn: &str, count: usize) -> EngineError {
    EngineError::TooManyTags {
        resource_arn: resource_arn.to_owned(),
        count,
        limit: MAX_TAGS,
    }
}

/// The tags `CreateActivity` gives a new activity `arn`: checked, one per key (the last value
/// of a key stands), at most [`MAX_TAGS`].
pub(crate) fn new_resource_tags(arn: &str, tags: &[Tag]) -> Result<Vec<Tag>, EngineError> {
    tags.iter().try_for_each(check_tag)?;
    let tags = merged(&[], tags);
    if tags.len() > MAX_TAGS {
        return Err(too_many(arn, tags.len()));
    }
    Ok(tags)
}

/// The tags of resources, for an engine without a store.
#[derive(Debug, Default)]
pub(crate) struct TagRegistry {
    by_arn: Mutex<HashMap<String, Vec<Tag>>>,
}

impl TagRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Tag>>> {
        self.by_arn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new resource's tags.
    pub(crate) fn replace(&self, arn: &str, tags: Vec<Tag>) {
        let mut by_arn = self.lock();
        match tags.is_empty() {
            true => by_arn.remove(arn),
            false => by_arn.insert(arn.to_owned(), tags),
        };
    }

    /// Adds tags, unless the resource would have more than [`MAX_TAGS`].
    fn add(&self, arn: &str, added: &[Tag]) -> Result<(), EngineError> {
        let mut by_arn = self.lock();
        let tags = merged(by_arn.get(arn).map_or(&[][..], Vec::as_slice), added);
        if tags.len() > MAX_TAGS {
            return Err(too_many(arn, tags.len()));
        }
        by_arn.insert(arn.to_owned(), tags);
        Ok(())
    }

    fn remove(&self, arn: &str, keys: &[String]) {
        if let Some(tags) = self.lock().get_mut(arn) {
            tags.retain(|t| !keys.contains(&t.key));
        }
    }

    fn list(&self, arn: &str) -> Vec<Tag> {
        self.lock().get(arn).cloned().unwrap_or_default()
    }
}

/// Whether the store holds the resource.
fn stored(s: &dyn Store, target: Target, arn: &str) -> Result<bool, StoreError> {
    Ok(match target {
        Target::Activity => s.activity(arn)?.is_some(),
        Target::StateMachine => s.state_machine(arn)?.is_some(),
    })
}

/// `ListTagsForResource` read from `store` itself, as a process reads a store beside the engine
/// that drives it: the checks of [`Engine::list_tags_for_resource`] (`InvalidArn`,
/// `ResourceNotFound`), against the activities and state machines the store holds.
pub fn list_stored(store: &dyn Store, resource_arn: &str) -> Result<Vec<Tag>, EngineError> {
    let target = target(resource_arn)?;
    if !stored(store, target, resource_arn).map_err(store_error)? {
        return Err(EngineError::ResourceNotFound(resource_arn.to_owned()));
    }
    store.tags(resource_arn).map_err(store_error)
}

impl Engine {
    /// Whether the engine knows the resource without asking a store: an activity of an engine
    /// without one, or a state machine registered in memory.
    fn known_in_memory(&self, target: Target, arn: &str) -> bool {
        match target {
            Target::Activity => !self.has_store() && self.activities().exists(arn),
            Target::StateMachine => self.state_machine(arn).is_some(),
        }
    }

    /// Runs `f` on the resource's current tags once it is known to exist (in memory or in the
    /// store); on an engine with a store, on the store's thread, so nothing comes between the
    /// check, the read and what `f` writes.
    async fn on_resource<R: Send + 'static>(
        &self,
        resource_arn: &str,
        f: impl FnOnce(Option<&mut Box<dyn Store>>, &str) -> Result<R, EngineError> + Send + 'static,
    ) -> Result<R, EngineError> {
        let target = target(resource_arn)?;
        let in_memory = self.known_in_memory(target, resource_arn);
        if !self.has_store() {
            if !in_memory {
                return Err(EngineError::ResourceNotFound(resource_arn.to_owned()));
            }
            return f(None, resource_arn);
        }
        let arn = resource_arn.to_owned();
        self.with_stored(move |s| {
            if !in_memory && !stored(&**s, target, &arn)? {
                return Ok(Err(EngineError::ResourceNotFound(arn)));
            }
            Ok(f(Some(s), &arn))
        })
        .await?
    }

    /// `TagResource`: adds tags to an activity or a state machine; a key it has gets the new
    /// value. `InvalidArn`, `ResourceNotFound`, `TooManyTags` (more than 50 in all), and
    /// [`EngineError::InvalidTag`] for a tag that breaks the rules (see the
    /// [module docs](self)).
    pub async fn tag_resource(&self, resource_arn: &str, tags: &[Tag]) -> Result<(), EngineError> {
        target(resource_arn)?;
        tags.iter().try_for_each(check_tag)?;
        let added = merged(&[], tags);
        let registry = self.tags.clone();
        self.on_resource(resource_arn, move |store, arn| match store {
            None => registry.add(arn, &added),
            Some(s) => {
                let count = merged(&s.tags(arn).map_err(store_error)?, &added).len();
                if count > MAX_TAGS {
                    return Err(too_many(arn, count));
                }
                s.tag_resource(arn, &added).map_err(store_error)
            }
        })
        .await
    }

    /// `UntagResource`: removes an activity's or a state machine's tags of these keys; a key
    /// it does not have is no error. `InvalidArn`, `ResourceNotFound`, and
    /// [`EngineError::InvalidTag`] for a key of no or more than 128 characters.
    pub async fn untag_resource(
        &self,
        resource_arn: &str,
        keys: &[String],
    ) -> Result<(), EngineError> {
        target(resource_arn)?;
        keys.iter().try_for_each(|k| check_key(k))?;
        let keys = keys.to_vec();
        let registry = self.tags.clone();
        self.on_resource(resource_arn, move |store, arn| match store {
            None => {
                registry.remove(arn, &keys);
                Ok(())
            }
            Some(s) => s.untag_resource(arn, &keys).map_err(store_error),
        })
        .await
    }

    /// `ListTagsForResource`: an activity's or a state machine's tags, in the order their keys
    /// were added. `InvalidArn`, `ResourceNotFound`.
    pub async fn list_tags_for_resource(
        &self,
        resource_arn: &str,
    ) -> Result<Vec<Tag>, EngineError> {
        let registry = self.tags.clone();
        self.on_resource(resource_arn, move |store, arn| match store {
            None => Ok(registry.list(arn)),
            Some(s) => s.tags(arn).map_err(store_error),
        })
        .await
    }
}

fn store_error(e: StoreError) -> EngineError {
    EngineError::Store(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_keep_the_documented_rules() {
        assert!(check_tag(&Tag::new("Cost Center", "34567")).is_ok());
        assert!(check_tag(&Tag::new("a_b.c:d/e=f+g-h@i", "")).is_ok());
        assert!(check_tag(&Tag::new("équipe", "données 1")).is_ok());
        assert!(check_tag(&Tag::new("k".repeat(128), "v".repeat(256))).is_ok());
        for (tag, reason) in [
            (Tag::new("", "v"), "empty"),
            (Tag::new("k".repeat(129), "v"), "129 characters"),
            (Tag::new("k", "v".repeat(257)), "257 characters"),
            (Tag::new("aws:team", "v"), "`aws:`"),
            (Tag::new("AWS:team", "v"), "`aws:`"),
            (Tag::new("team", "Aws:x"), "value may not start"),
            (Tag::new("a*b", "v"), "'*'"),
            (Tag::new("k", "tab\there"), "'\\t'"),
        ] {
            match check_tag(&tag) {
                Err(EngineError::InvalidTag { reason: r, .. }) => {
                    assert!(r.contains(reason), "{tag:?}: {r}");
                }
                other => panic!("{tag:?}: {other:?}"),
            }
        }
        // Messages name a long key by its start.
        match check_tag(&Tag::new("k".repeat(200), "v")) {
            Err(EngineError::InvalidTag { key, .. }) => {
                assert_eq!(key, format!("{}...", "k".repeat(64)))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arns_name_activities_and_state_machines() {
        let activity = "arn:aws:states:us-east-1:123456789012:activity:review";
        let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
        assert_eq!(target(activity), Ok(Target::Activity));
        assert_eq!(target(machine), Ok(Target::StateMachine));
        for other in [
            "arn:aws:states:us-east-1:123456789012:stateMachine:orders:1",
            "arn:aws:states:us-east-1:123456789012:execution:orders:run",
        ] {
            assert_eq!(
                target(other),
                Err(EngineError::ResourceNotFound(other.into()))
            );
        }
        for bad in [
            "review",
            "arn:aws:sns:us-east-1:1:topic",
            "arn:aws:states:r:a:activity",
        ] {
            assert!(
                matches!(target(bad), Err(EngineError::InvalidArn { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_key_tagged_again_keeps_its_place_and_takes_the_new_value() {
        let current = vec![Tag::new("a", "1"), Tag::new("b", "2")];
        let added = [Tag::new("b", "3"), Tag::new("c", "4"), Tag::new("c", "5")];
        assert_eq!(
            merged(&current, &added),
            vec![Tag::new("a", "1"), Tag::new("b", "3"), Tag::new("c", "5")]
        );
    }
}
