//! The Query protocol, read from [`query_model`](super::query_model): a state's parameters as
//! the form of a request, and an XML answer as the result the `aws-sdk:` integration gives.
//!
//! The form is built by hand over `form_urlencoded` because the flattening rules (`.member.N`,
//! `.entry.N.key`) depend on the model, which no serializer knows; the answer is read from the
//! element tree of [`xml::tree`](super::xml::tree), walked with the model, so a list, a map, a
//! number or a timestamp comes out with its JSON type. Members of the answer that the model
//! does not know are left out, as the SDK leaves them.

use serde_json::{Map, Number, Value};

use super::query_model::{Action, Member, Shape};
use super::xml::{self, Node};

/// The form of `action` (`Action=…&Version=…` then its members) from the state's parameters;
/// `Err` names the parameter and what it should be.
pub(crate) fn form(
    service: &str,
    version: &str,
    action: &Action,
    params: &Value,
) -> Result<String, String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    match params {
        Value::Null => {}
        Value::Object(members) => write_members(&mut pairs, "", action.input, members, "")
            .map_err(|e| e.with_action(service, action))?,
        other => {
            return Err(format!(
                "the parameters of {service}:{} must be an object, not {other}",
                super::s3_model::lower_first(action.name)
            ))
        }
    }
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action.name)
        .append_pair("Version", version);
    for (k, v) in &pairs {
        form.append_pair(k, v);
    }
    Ok(form.finish())
}

/// A parameter that cannot be written: where it is and why.
struct Misfit {
    /// The parameter's path (`Tags[0]`), empty for the top level.
    place: String,
    what: String,
}

impl Misfit {
    fn with_action(self, service: &str, action: &Action) -> String {
        let api = super::s3_model::lower_first(action.name);
        match self.place.is_empty() {
            true => format!("{service}:{api} {}", self.what),
            false => format!(
                "the parameter '{}' of {service}:{api} {}",
                self.place, self.what
            ),
        }
    }
}

fn names(members: &[Member]) -> String {
    match members.is_empty() {
        true => "no parameters".to_owned(),
        false => members
            .iter()
            .map(|m| m.name)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn child(place: &str, name: &str) -> String {
    match place.is_empty() {
        true => name.to_owned(),
        false => format!("{place}.{name}"),
    }
}

fn key(prefix: &str, wire: &str) -> String {
    match prefix.is_empty() {
        true => wire.to_owned(),
        false => format!("{prefix}.{wire}"),
    }
}

fn write_members(
    pairs: &mut Vec<(String, String)>,
    prefix: &str,
    members: &[Member],
    given: &Map<String, Value>,
    place: &str,
) -> Result<(), Misfit> {
    for (name, value) in given {
        // The SDK sends no unset member; `null` is unset.
        if value.is_null() {
            continue;
        }
        let Some(member) = members.iter().find(|m| m.name == name) else {
            let what = match place.is_empty() {
                true => format!("has no parameter '{name}'; it takes {}", names(members)),
                false => format!("has no member '{name}'; it takes {}", names(members)),
            };
            return Err(Misfit {
                place: place.to_owned(),
                what,
            });
        };
        write_value(
            pairs,
            key(prefix, member.wire),
            member.shape,
            value,
            &child(place, name),
        )?;
    }
    Ok(())
}

fn write_value(
    pairs: &mut Vec<(String, String)>,
    key: String,
    shape: &Shape,
    value: &Value,
    place: &str,
) -> Result<(), Misfit> {
    let misfit = |what: String| Misfit {
        place: place.to_owned(),
        what,
    };
    let text = match (shape, value) {
        (Shape::Text, Value::String(s)) => s.clone(),
        // Step Functions sends JSON given for a text member as its text (`"Message": {"a": 1}`
        // is sent as `{"a":1}`).
        (Shape::Text, other) => other.to_string(),
        (Shape::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        (Shape::Integer, Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            s.trim().to_owned()
        }
        (Shape::Integer, other) => return Err(misfit(format!("must be an integer, not {other}"))),
        (Shape::Boolean, Value::Bool(b)) => b.to_string(),
        (Shape::Boolean, Value::String(s)) if s == "true" || s == "false" => s.clone(),
        (Shape::Boolean, other) => {
            return Err(misfit(format!("must be true or false, not {other}")))
        }
        (Shape::Timestamp, Value::String(s)) => s.clone(),
        (Shape::Timestamp, Value::Number(n)) => n
            .as_f64()
            .and_then(super::sdk_shapes::iso_instant)
            .ok_or_else(|| misfit(format!("is not a time: {n}")))?,
        (Shape::Timestamp, other) => {
            return Err(misfit(format!(
                "must be an ISO-8601 time or epoch seconds, not {other}"
            )))
        }
        (Shape::List(item), Value::Array(items)) => {
            if items.is_empty() {
                // An empty list is sent as the bare name, as the SDK sends it.
                pairs.push((key, String::new()));
                return Ok(());
            }
            for (i, v) in items.iter().enumerate() {
                let place = format!("{place}[{i}]");
                if v.is_null() {
                    return Err(Misfit {
                        place,
                        what: "must not be null".into(),
                    });
                }
                write_value(pairs, format!("{key}.member.{}", i + 1), item, v, &place)?;
            }
            return Ok(());
        }
        (Shape::List(_), other) => return Err(misfit(format!("must be a list, not {other}"))),
        (
            Shape::Map {
                key: k,
                value: v,
                of,
            },
            Value::Object(entries),
        ) => {
            for (i, (name, item)) in entries.iter().enumerate() {
                let entry = format!("{key}.entry.{}", i + 1);
                pairs.push((format!("{entry}.{k}"), name.clone()));
                write_value(pairs, format!("{entry}.{v}"), of, item, &child(place, name))?;
            }
            return Ok(());
        }
        (Shape::Map { .. }, other) => {
            return Err(misfit(format!("must be an object (a map), not {other}")))
        }
        (Shape::Structure(members), Value::Object(given)) => {
            return write_members(pairs, &key, members, given, place)
        }
        (Shape::Structure(members), other) => {
            return Err(misfit(format!(
                "must be an object with {}, not {other}",
                names(members)
            )))
        }
    };
    pairs.push((key, text));
    Ok(())
}

/// The result of `action` from its XML answer (`<{Action}Response><{Action}Result>…`): the
/// members of the result wrapper in the model's order, `{}` when there is none.
pub(crate) fn decode(action: &Action, body: &str) -> Result<Map<String, Value>, String> {
    let root = xml::tree(body)?;
    let response = format!("{}Response", action.name);
    if root.name != response {
        return Err(format!(
            "the answer is a <{}> document, not <{response}>",
            xml::excerpt(&root.name)
        ));
    }
    let wrapper = format!("{}Result", action.name);
    match root.children.iter().find(|c| c.name == wrapper) {
        Some(result) => structure(action.output, result),
        None => Ok(Map::new()),
    }
}

fn structure(members: &[Member], node: &Node) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for member in members {
        if let Some(el) = node.children.iter().find(|c| c.name == member.wire) {
            out.insert(member.name.to_owned(), value(member.shape, el)?);
        }
    }
    Ok(out)
}

fn value(shape: &Shape, node: &Node) -> Result<Value, String> {
    let text = node.text.trim();
    // The element's name is the model's; its text is the answer's, quoted only in part.
    let misfit = |what: &str| format!("<{}> is not {what}: `{}`", node.name, xml::excerpt(text));
    Ok(match shape {
        Shape::Text => Value::String(node.text.clone()),
        Shape::Integer => text
            .parse::<i64>()
            .map(|n| Value::Number(Number::from(n)))
            .map_err(|_| misfit("an integer"))?,
        Shape::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(misfit("true or false")),
        },
        Shape::Timestamp => xml::iso_text(text)
            .map(Value::String)
            .ok_or_else(|| misfit("an ISO-8601 time"))?,
        Shape::List(item) => Value::Array(
            node.children
                .iter()
                .filter(|c| c.name == "member")
                .map(|c| value(item, c))
                .collect::<Result<_, _>>()?,
        ),
        Shape::Map { key, value: v, of } => {
            let mut entries = Map::new();
            for entry in node.children.iter().filter(|c| c.name == "entry") {
                let field = |name: &str| entry.children.iter().find(|c| c.name == name);
                let Some(k) = field(key) else {
                    return Err(format!("an <entry> of <{}> has no <{key}>", node.name));
                };
                let item = match field(v) {
                    Some(el) => value(of, el)?,
                    None => Value::Null,
                };
                entries.insert(k.text.clone(), item);
            }
            Value::Object(entries)
        }
        Shape::Structure(members) => Value::Object(structure(members, node)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::query_model::{SNS_API, STS_API};
    use serde_json::json;

    fn sns(action: &str) -> &'static Action {
        SNS_API.action(action).expect("an SNS action")
    }

    fn sns_form(action: &str, params: Value) -> Result<String, String> {
        form("sns", "2010-03-31", sns(action), &params)
    }

    /// The form's pairs after the `Action` and `Version` ones, decoded.
    fn pairs(form: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(form.as_bytes())
            .skip(2)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn p(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn maps_lists_and_structures_are_flattened_as_the_model_says() {
        let form = sns_form(
            "createTopic",
            json!({"Name": "t", "Attributes": {"DisplayName": "Hi", "FifoTopic": "false"},
                   "Tags": [{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v2"}]}),
        )
        .expect("a form");
        assert!(
            form.starts_with("Action=CreateTopic&Version=2010-03-31&"),
            "{form}"
        );
        assert_eq!(
            pairs(&form),
            p(&[
                ("Name", "t"),
                ("Attributes.entry.1.key", "DisplayName"),
                ("Attributes.entry.1.value", "Hi"),
                ("Attributes.entry.2.key", "FifoTopic"),
                ("Attributes.entry.2.value", "false"),
                ("Tags.member.1.Key", "k"),
                ("Tags.member.1.Value", "v"),
                ("Tags.member.2.Key", "k2"),
                ("Tags.member.2.Value", "v2"),
            ])
        );
        let form = sns_form(
            "publishBatch",
            json!({"TopicArn": "arn:t", "PublishBatchRequestEntries": [
                {"Id": "a", "Message": {"x": [1]},
                 "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "5"}}}]}),
        )
        .expect("a form");
        assert_eq!(
            pairs(&form),
            p(&[
                ("TopicArn", "arn:t"),
                ("PublishBatchRequestEntries.member.1.Id", "a"),
                ("PublishBatchRequestEntries.member.1.Message", "{\"x\":[1]}"),
                (
                    "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name",
                    "n"
                ),
                (
                    "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType",
                    "Number"
                ),
                (
                    "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue",
                    "5"
                ),
            ])
        );
    }

    #[test]
    fn renamed_members_numbers_booleans_nulls_and_empty_lists() {
        let assume = STS_API.action("assumeRole").expect("assumeRole");
        let form = form(
            "sts",
            "2011-06-15",
            assume,
            &json!({"RoleArn": "arn:r", "RoleSessionName": "s", "DurationSeconds": 900,
                    "PolicyArns": [{"Arn": "arn:p"}], "TransitiveTagKeys": [], "ExternalId": null}),
        )
        .expect("a form");
        assert_eq!(
            pairs(&form),
            p(&[
                ("RoleArn", "arn:r"),
                ("RoleSessionName", "s"),
                ("DurationSeconds", "900"),
                ("PolicyArns.member.1.arn", "arn:p"),
                ("TransitiveTagKeys", ""),
            ])
        );
        let form = sns_form(
            "subscribe",
            json!({"TopicArn": "t", "Protocol": "sqs", "ReturnSubscriptionArn": true}),
        )
        .expect("a form");
        assert!(form.ends_with("&ReturnSubscriptionArn=true"), "{form}");
        let none = form_for_nothing();
        assert_eq!(none, "Action=GetCallerIdentity&Version=2011-06-15");
    }

    fn form_for_nothing() -> String {
        let who = STS_API
            .action("getCallerIdentity")
            .expect("getCallerIdentity");
        form("sts", "2011-06-15", who, &Value::Null).expect("a form")
    }

    #[test]
    fn misfits_name_the_parameter_and_what_it_takes() {
        let e = sns_form("createTopic", json!({"Nmae": "t"})).expect_err("unknown");
        assert_eq!(
            e,
            "sns:createTopic has no parameter 'Nmae'; it takes Name, Attributes, Tags, \
             DataProtectionPolicy"
        );
        let e = sns_form(
            "tagResource",
            json!({"ResourceArn": "a", "Tags": [{"Key": "k", "Val": "v"}]}),
        )
        .expect_err("unknown member");
        assert_eq!(
            e,
            "the parameter 'Tags[0]' of sns:tagResource has no member 'Val'; it takes Key, Value"
        );
        let e = sns_form("createTopic", json!({"Name": "t", "Attributes": ["a"]}))
            .expect_err("not a map");
        assert!(
            e.contains("'Attributes'") && e.contains("must be an object"),
            "{e}"
        );
        let e = sns_form("createTopic", json!({"Name": "t", "Tags": {"k": "v"}}))
            .expect_err("not a list");
        assert!(e.contains("'Tags'") && e.contains("must be a list"), "{e}");
        let e = sns_form("subscribe", json!({"ReturnSubscriptionArn": "yes"})).expect_err("bool");
        assert!(e.contains("must be true or false"), "{e}");
        let e = sns_form("deleteTopic", json!(["t"])).expect_err("not an object");
        assert!(e.contains("must be an object"), "{e}");
        let get_session = STS_API.action("getSessionToken").expect("getSessionToken");
        let e =
            form("sts", "v", get_session, &json!({"DurationSeconds": 1.5})).expect_err("integer");
        assert!(
            e.contains("'DurationSeconds'") && e.contains("must be an integer"),
            "{e}"
        );
        let who = STS_API
            .action("getCallerIdentity")
            .expect("getCallerIdentity");
        let e = form("sts", "v", who, &json!({"X": 1})).expect_err("takes nothing");
        assert!(e.ends_with("it takes no parameters"), "{e}");
    }

    #[test]
    fn answers_become_typed_members_in_the_model_order() {
        let xml = r#"<?xml version="1.0"?>
<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <GetTopicAttributesResult>
    <Attributes>
      <entry><key>Owner</key><value>123456789012</value></entry>
      <entry><key>DeliveryPolicy</key><value/></entry>
      <entry><key>Policy</key><value>{"a":"&lt;b&gt;"}</value></entry>
    </Attributes>
  </GetTopicAttributesResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</GetTopicAttributesResponse>"#;
        let out = decode(sns("getTopicAttributes"), xml).expect("decoded");
        assert_eq!(
            Value::Object(out),
            json!({"Attributes": {"Owner": "123456789012", "DeliveryPolicy": "", "Policy": "{\"a\":\"<b>\"}"}})
        );
        let xml = "<PublishBatchResponse><PublishBatchResult><Failed><member><Code>c</Code>\
            <SenderFault>true</SenderFault><Id>b</Id><Unknown>x</Unknown></member></Failed>\
            <Successful><member><MessageId>m</MessageId><Id>a</Id></member></Successful>\
            </PublishBatchResult></PublishBatchResponse>";
        let out = decode(sns("publishBatch"), xml).expect("decoded");
        assert_eq!(
            serde_json::to_string(&out).expect("json"),
            r#"{"Successful":[{"Id":"a","MessageId":"m"}],"Failed":[{"Id":"b","Code":"c","SenderFault":true}]}"#
        );
        let xml = "<ListSubscriptionsResponse><ListSubscriptionsResult><Subscriptions/>\
            </ListSubscriptionsResult></ListSubscriptionsResponse>";
        let out = decode(sns("listSubscriptions"), xml).expect("decoded");
        assert_eq!(Value::Object(out), json!({"Subscriptions": []}));
        let xml = "<DeleteTopicResponse><ResponseMetadata><RequestId>r</RequestId>\
            </ResponseMetadata></DeleteTopicResponse>";
        assert_eq!(decode(sns("deleteTopic"), xml), Ok(Map::new()));
    }

    #[test]
    fn sts_credentials_carry_an_instant_and_a_number() {
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
            <AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>\
            <SessionToken>t</SessionToken><Expiration>2026-12-06T15:20:36.718295Z</Expiration>\
            </Credentials><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>\
            <Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>\
            <PackedPolicySize>6</PackedPolicySize></AssumeRoleResult></AssumeRoleResponse>";
        let out = decode(STS_API.action("assumeRole").expect("assumeRole"), xml).expect("decoded");
        assert_eq!(
            Value::Object(out),
            json!({"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s",
                "SessionToken": "t", "Expiration": "2026-12-06T15:20:36.718Z"},
                "AssumedRoleUser": {"AssumedRoleId": "AROA:s", "Arn": "arn:aws:sts::1:assumed-role/r/s"},
                "PackedPolicySize": 6})
        );
    }

    #[test]
    fn bad_answers_are_errors_not_panics() {
        let topics = sns("listTopics");
        for (xml, says) in [
            ("", "no complete root element"),
            (
                "<html><body>gateway</body></html>",
                "not <ListTopicsResponse>",
            ),
            (
                "<ListTopicsResponse><ListTopicsResult><Topics>",
                "no complete root element",
            ),
            (
                "<ListTopicsResponse>&bogus;</ListTopicsResponse>",
                "unknown XML entity",
            ),
        ] {
            let e = decode(topics, xml).expect_err(xml);
            assert!(e.contains(says), "{xml}: {e}");
        }
        let assume = STS_API.action("assumeRole").expect("assumeRole");
        let e = decode(
            assume,
            "<AssumeRoleResponse><AssumeRoleResult><PackedPolicySize>six</PackedPolicySize>\
             </AssumeRoleResult></AssumeRoleResponse>",
        )
        .expect_err("not a number");
        assert!(e.contains("<PackedPolicySize> is not an integer"), "{e}");
        // The answer's text and names are quoted only in part.
        let long = "9".repeat(10_000);
        for xml in [
            format!("<AssumeRoleResponse><AssumeRoleResult><PackedPolicySize>{long}x</PackedPolicySize></AssumeRoleResult></AssumeRoleResponse>"),
            format!("<R{long}/>"),
        ] {
            let e = decode(assume, &xml).expect_err("refused");
            assert!(e.len() < 200 && e.contains("99999…"), "{e}");
        }
        let e = decode(
            sns("getTopicAttributes"),
            "<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes><entry>\
             <value>v</value></entry></Attributes></GetTopicAttributesResult>\
             </GetTopicAttributesResponse>",
        )
        .expect_err("no key");
        assert!(e.contains("has no <key>"), "{e}");
    }

    /// Every prefix of real answers, and each with one byte changed, decodes or fails cleanly.
    #[test]
    fn truncated_and_mangled_answers_never_panic() {
        let answers = [
            (sns("listSubscriptions"), "<ListSubscriptionsResponse xmlns=\"x\"><ListSubscriptionsResult><Subscriptions><member><TopicArn>a&amp;b</TopicArn><Owner>1</Owner></member></Subscriptions><NextToken>n</NextToken></ListSubscriptionsResult></ListSubscriptionsResponse>"),
            (STS_API.action("getSessionToken").expect("action"), "<GetSessionTokenResponse><GetSessionTokenResult><Credentials><Expiration>2024-01-01T00:00:00Z</Expiration></Credentials></GetSessionTokenResult></GetSessionTokenResponse>"),
        ];
        let mut decoded = 0;
        for (action, xml) in answers {
            let bytes = xml.as_bytes();
            for cut in 0..=bytes.len() {
                let prefix = String::from_utf8_lossy(&bytes[..cut]);
                decoded += usize::from(decode(action, &prefix).is_ok());
                for replacement in [b'<', b'>', b'&', b'/', b'"', 0xff] {
                    let mut mangled = bytes.to_vec();
                    if let Some(b) = mangled.get_mut(cut) {
                        *b = replacement;
                    }
                    let _ = decode(action, &String::from_utf8_lossy(&mangled));
                }
            }
        }
        // Of the prefixes, only the complete documents decode.
        assert_eq!(decoded, 2);
    }
}
