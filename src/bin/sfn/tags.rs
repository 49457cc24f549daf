//! Tags of the store's activities and state machines, named and flagged as the AWS CLI's
//! `aws stepfunctions` commands: `tag-resource`, `untag-resource` and `list-tags-for-resource`,
//! and the `--tags` of `create-activity`. Tagging and untagging go to the engine that drives
//! the store (this process, or the `sfn worker` holding it); listing reads the file.
//!
//! `--tags` takes what the AWS CLI takes: the JSON list (`[{"key": "k", "value": "v"}]`,
//! inline or `file://PATH`), or the shorthand, one tag per argument (`key=k,value=v
//! key=k2,value=v2`).

use std::io::Write;

use serde_json::{json, Value};
use sfn_runtime::Tag;

use crate::cli::{print_json, BadInvocation, Outcome, SUCCESS};
use crate::input::{JsonArg, Limit};
use crate::stored::{api_error, respond, Request, StoreArg, TaskArgs};

/// Add tags to an activity or a state machine (`TagResource`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints nothing. A key the resource has gets the new value. A resource has at \
most 50 tags; a key has 1 to 128 characters and a value 0 to 256, of letters, digits, white \
space and _ . : / = + - @, and neither may start with aws:."
)]
pub(crate) struct TagResourceArgs {
    /// The activity's or state machine's ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: String,
    /// The tags: key=K,value=V [key=K2,value=V2 ...], or the JSON list
    /// [{"key": "K", "value": "V"}] (inline or file://PATH).
    #[arg(long, value_name = "TAGS", num_args = 1.., required = true)]
    tags: Vec<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn tag_resource(
    args: TagResourceArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::TagResource {
        resource_arn: args.resource_arn,
        tags: parse_tags(&args.tags)?,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Remove tags from an activity or a state machine (`UntagResource`).
#[derive(Debug, clap::Args)]
#[command(after_help = "Prints nothing. A key the resource does not have is no error.")]
pub(crate) struct UntagResourceArgs {
    /// The activity's or state machine's ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: String,
    /// The keys of the tags to remove: K [K ...], or the JSON list ["K", ...].
    #[arg(long, value_name = "KEY", num_args = 1.., required = true)]
    tag_keys: Vec<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn untag_resource(
    args: UntagResourceArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::UntagResource {
        resource_arn: args.resource_arn,
        tag_keys: parse_keys(&args.tag_keys)?,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// List the tags of an activity or a state machine (`ListTagsForResource`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"tags\": [{\"key\": ..., \"value\": ...}, ...]}, in the order the keys \
were added."
)]
pub(crate) struct ListTagsForResourceArgs {
    /// The activity's or state machine's ARN.
    #[arg(long, value_name = "ARN")]
    resource_arn: String,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn list_tags_for_resource(
    args: ListTagsForResourceArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let store = args.store.open_to_read()?;
    match sfn_runtime::tags::list_stored(&store, &args.resource_arn) {
        Ok(tags) => {
            print_json(out, &json!({ "tags": tags }));
            Ok(SUCCESS)
        }
        Err(e) => Ok(api_error(e).print("ListTagsForResource", err)),
    }
}

/// A tag list has no AWS limit of its own beside 50 tags; 1 MiB is far beyond any.
const TAGS: Limit = Limit {
    bytes: 1024 * 1024,
    what: "the tags",
    why: "the most `sfn` reads of a tag list (1 MiB)",
};

/// What follows `--tags`: one JSON list (inline or `file://PATH`), or shorthand tags, one an
/// argument.
pub(crate) fn parse_tags(args: &[String]) -> Result<Vec<Tag>, BadInvocation> {
    if let Some(list) = json_list("--tags", TAGS_EXAMPLE, args)? {
        return tags_of(&list);
    }
    args.iter().map(|a| shorthand_tag(a)).collect()
}

/// The JSON list `args` is, when it is one argument that is JSON (`[...]`, or `{...}` given by
/// mistake) or a file (`file://PATH`); `flag` and `example` name the option and its JSON form in messages.
fn json_list(
    flag: &str,
    example: &str,
    args: &[String],
) -> Result<Option<Vec<Value>>, BadInvocation> {
    let [arg] = args else { return Ok(None) };
    // An object is JSON too: refused below as not a list, which says more than shorthand would.
    if !(arg.trim_start().starts_with(['[', '{']) || arg.starts_with("file://")) {
        return Ok(None);
    }
    let value = JsonArg::parse(arg)
        .map_err(BadInvocation)?
        .read(&TAGS)
        .map_err(|e| BadInvocation(format!("{flag}: {}", e.0)))?;
    match value {
        Value::Array(items) => Ok(Some(items)),
        other => Err(BadInvocation(format!(
            "{flag}: the JSON is {}, not a list; write {example}",
            kind(&other)
        ))),
    }
}

const TAGS_EXAMPLE: &str = r#"[{"key": "K", "value": "V"}]"#;

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The tags of a JSON list: objects with a string `key` and a string `value` (a missing value
/// is empty), nothing else (the AWS CLI refuses other fields, such as `Key`).
fn tags_of(items: &[Value]) -> Result<Vec<Tag>, BadInvocation> {
    let mut tags = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let place = format!("--tags: tags[{i}]");
        let Value::Object(fields) = item else {
            return Err(BadInvocation(format!(
                "{place} is {}; a tag is {{\"key\": \"K\", \"value\": \"V\"}}",
                kind(item)
            )));
        };
        if let Some(other) = fields
            .keys()
            .find(|k| !matches!(k.as_str(), "key" | "value"))
        {
            return Err(BadInvocation(format!(
                "{place}: unknown field `{other}`; a tag has only `key` and `value` (lowercase)"
            )));
        }
        let text = |name: &str| match fields.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(BadInvocation(format!(
                "{place}.{name} is {}; it must be a string",
                kind(v)
            ))),
        };
        let key = text("key")?.ok_or_else(|| {
            BadInvocation(format!(
                "{place} has no `key`; a tag is {{\"key\": \"K\", \"value\": \"V\"}}"
            ))
        })?;
        tags.push(Tag::new(key, text("value")?.unwrap_or_default()));
    }
    Ok(tags)
}

/// One tag in the AWS CLI's shorthand: `key=K,value=V` (either order; `value` may be left out,
/// for an empty one). A value holding a comma is quoted (`value="a,b"` or `value='a,b'`).
///
/// Written here because no crate parses the AWS CLI's shorthand syntax; this is the part of it
/// a list of tags uses.
fn shorthand_tag(arg: &str) -> Result<Tag, BadInvocation> {
    let bad = |why: String| {
        BadInvocation(format!(
            "--tags: `{arg}`: {why}; write key=K,value=V (one tag an argument), or the JSON \
             list [{{\"key\": \"K\", \"value\": \"V\"}}]"
        ))
    };
    let (mut key, mut value) = (None, None);
    for field in split_fields(arg).map_err(bad)? {
        let Some((name, text)) = field.split_once('=') else {
            return Err(bad(format!("`{field}` is not name=value")));
        };
        let slot = match name.trim() {
            "key" => &mut key,
            "value" => &mut value,
            other => {
                return Err(bad(format!(
                    "unknown field `{other}` (a tag has key and value)"
                )))
            }
        };
        if slot.replace(unquote(text)).is_some() {
            return Err(bad(format!("`{}` is given twice", name.trim())));
        }
    }
    let key = key.ok_or_else(|| bad("no key=".into()))?;
    Ok(Tag::new(key, value.unwrap_or_default()))
}

/// `arg` cut at the commas outside quotes.
fn split_fields(arg: &str) -> Result<Vec<&str>, String> {
    let (mut fields, mut start, mut quote) = (Vec::new(), 0, None);
    for (i, c) in arg.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                fields.push(&arg[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(q) = quote {
        return Err(format!("a {q} quote is not closed"));
    }
    fields.push(&arg[start..]);
    Ok(fields)
}

/// A shorthand value without the quotes around it, if any.
fn unquote(text: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(q).and_then(|rest| rest.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    text.to_owned()
}

/// What follows `--tag-keys`: keys, one an argument, or one JSON list of strings.
fn parse_keys(args: &[String]) -> Result<Vec<String>, BadInvocation> {
    let Some(items) = json_list("--tag-keys", r#"["K", ...]"#, args)? else {
        return Ok(args.to_vec());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(key) => Ok(key),
            other => Err(BadInvocation(format!(
                "--tag-keys: tagKeys[{i}] is {}; the keys are strings: [\"K\", ...]",
                kind(&other)
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tags_are_read_in_the_aws_cli_forms() {
        let expected = vec![Tag::new("team", "a b"), Tag::new("stage", "")];
        let json = r#"[{"key": "team", "value": "a b"}, {"key": "stage", "value": ""}]"#;
        assert_eq!(parse_tags(&args(&[json])).expect("JSON"), expected);
        let shorthand = args(&["key=team,value=a b", "value=,key=stage"]);
        assert_eq!(parse_tags(&shorthand).expect("shorthand"), expected);
        assert_eq!(
            parse_tags(&args(&["key=k,value=\"a,b\"", "key='x=y'"])).expect("quoted"),
            vec![Tag::new("k", "a,b"), Tag::new("x=y", "")]
        );
        assert_eq!(parse_tags(&args(&["[]"])).expect("none"), vec![]);
    }

    #[test]
    fn bad_tags_are_named_with_the_fix() {
        for (given, says) in [
            (r#"[{"Key": "k", "Value": "v"}]"#, "unknown field `Key`"),
            (r#"[{"value": "v"}]"#, "tags[0] has no `key`"),
            (r#"[{"key": 1}]"#, "tags[0].key is a number"),
            (r#"{"key": "k"}"#, "not a list"),
            ("[oops", "not JSON"),
            ("key=k,Value=v", "unknown field `Value`"),
            ("key=k,key=j", "`key` is given twice"),
            ("value=v", "no key="),
            ("team", "`team` is not name=value"),
            ("key=\"k", "quote is not closed"),
        ] {
            match parse_tags(&args(&[given])) {
                Err(BadInvocation(message)) => {
                    assert!(message.contains(says), "{given}: {message}");
                    assert!(message.starts_with("--tags"), "{given}: {message}");
                }
                Ok(tags) => panic!("{given}: {tags:?}"),
            }
        }
    }

    #[test]
    fn keys_are_arguments_or_a_json_list() {
        assert_eq!(parse_keys(&args(&["a", "b"])).expect("keys"), ["a", "b"]);
        assert_eq!(
            parse_keys(&args(&[r#"["a", "b"]"#])).expect("keys"),
            ["a", "b"]
        );
        let err = parse_keys(&args(&["[1]"])).expect_err("not a string");
        assert!(err.0.contains("tagKeys[0] is a number"), "{}", err.0);
    }
}
