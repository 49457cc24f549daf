//! The checks of the fuzz targets on AWS service answers (`aws_xml_tree`, `aws_query_answer`,
//! `aws_s3_answer`, `aws_json_answer`). An answer comes from whatever endpoint is configured,
//! so every decoder of one reads untrusted bytes. Each check decodes its input as the
//! integration does and asserts what the decoder promises: no panic; a decoded answer has the
//! shape its model gives and survives JSON text; a refused one is a short error that says what
//! is wrong, never the answer itself.
//!
//! Shared by the fuzz targets and the test that replays their findings and seeds
//! (`sfn-runtime/tests/fuzz_regressions.rs`), so a recorded input is checked the same way in
//! both.
//!
//! Input framing: `aws_xml_tree` and `aws_json_answer` read the bytes as the body. The others
//! start with a line naming the action (`sns:listTopics`; `GetObject 200`), for S3 followed by
//! `Name: value` header lines and an empty line, as HTTP writes them; the rest is the body.

#![allow(dead_code)] // each target runs one of the checks

use serde_json::{Map, Value};
use sfn_runtime::aws::fuzzing::{self as wire, Member, Node, S3Body, Shape};
use sfn_runtime::aws::ServiceSpec;

/// What a check made of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The decoder read it.
    Decoded,
    /// The decoder refused it with an error.
    Refused,
    /// The framing named no action: nothing was decoded.
    Unframed,
}

/// The longest error a decoder may give, in characters: it names the place and the problem,
/// and quotes the answer only in part.
pub const MAX_ERROR_CHARS: usize = 512;

fn check_error(e: &str) {
    assert!(!e.trim().is_empty(), "an empty error");
    let chars = e.chars().count();
    assert!(
        chars <= MAX_ERROR_CHARS,
        "an error of {chars} characters: {}…",
        e.chars().take(200).collect::<String>()
    );
}

/// `value` survives JSON text unchanged.
fn check_json(value: &Value) {
    let text = serde_json::to_string(value).expect("a result is JSON");
    let again: Value = serde_json::from_str(&text).expect("a result's JSON text parses");
    assert_eq!(&again, value, "JSON text changed the result");
}

// ---- XML trees ----

/// Any bytes as an XML answer (read as the integrations read a body: lossy UTF-8).
pub fn check_xml_tree(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    // The error reader of the Query protocol and STS credentials (aws-smithy-xml's decoder).
    if let Some(found) = wire::xml_element_text(&text, "Code") {
        assert!(
            found.len() <= text.len(),
            "element text longer than the answer"
        );
    }
    match wire::xml_tree(&text) {
        Ok(root) => {
            let mut size = 0;
            check_node(&root, 1, &mut size);
            // Entities only shrink text, so the tree never holds more than the answer.
            assert!(
                size <= text.len(),
                "a tree of {size} bytes from {} bytes",
                text.len()
            );
            // The tree written back as XML reads as the same tree.
            let mut again = String::new();
            write_node(&root, &mut again);
            match wire::xml_tree(&again) {
                Ok(reread) => assert_eq!(reread, root, "the tree written as {again:?}"),
                Err(e) => panic!("the tree written back as {again:?} is refused: {e}"),
            }
            Outcome::Decoded
        }
        Err(e) => {
            check_error(&e);
            Outcome::Refused
        }
    }
}

fn check_node(node: &Node, depth: usize, size: &mut usize) {
    assert!(depth <= wire::XML_MAX_DEPTH, "an element at depth {depth}");
    assert!(!node.name.is_empty(), "an element without a name");
    *size += node.name.len() + node.text.len();
    for child in &node.children {
        check_node(child, depth + 1, size);
    }
}

/// `node` as XML: its text first, then its children; every character that is markup, or not
/// plain XML text, as a character reference.
fn write_node(node: &Node, out: &mut String) {
    out.push('<');
    out.push_str(&node.name);
    out.push('>');
    for c in node.text.chars() {
        let plain = matches!(c, '\t' | '\n' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            && !matches!(c, '<' | '>' | '&');
        if plain {
            out.push(c);
        } else {
            out.push_str(&format!("&#x{:X};", u32::from(c)));
        }
    }
    for child in &node.children {
        write_node(child, out);
    }
    out.push_str("</");
    out.push_str(&node.name);
    out.push('>');
}

// ---- The Query protocol (SNS, STS) ----

/// `service:action` on the first line, the XML answer after it.
pub fn check_query_answer(data: &[u8]) -> Outcome {
    let (head, body) = split_line(data);
    let body = String::from_utf8_lossy(body);
    // Whatever the framing: the body as a Query error answer.
    let e = wire::query_error(400, &[], body.as_bytes());
    assert!(
        e.error.starts_with("Sns.") && e.error.ends_with("Exception"),
        "{}",
        e.error
    );
    assert!(
        e.cause
            .contains("(Service: Sns, Status Code: 400, Request ID: "),
        "{}",
        e.cause
    );
    assert!(e.code.as_deref().is_some_and(|c| !c.is_empty()) || body.contains("Code"));
    let action = String::from_utf8_lossy(head);
    let action = action.trim();
    let Some(output) = wire::query_output(action) else {
        return Outcome::Unframed;
    };
    match wire::query_answer(action, &body).expect("a known action") {
        Ok(result) => {
            check_structure(output, &result, action);
            check_json(&Value::Object(result));
            Outcome::Decoded
        }
        Err(e) => {
            check_error(&e);
            Outcome::Refused
        }
    }
}

/// The members of `result` are those of the model, in its order, each of its shape.
fn check_structure(members: &[Member], result: &Map<String, Value>, place: &str) {
    let mut order = members.iter().map(|m| m.name);
    for (name, value) in result {
        assert!(
            order.any(|m| m == name),
            "{place}: '{name}' is not a member of the model, or out of its order"
        );
        let member = members.iter().find(|m| m.name == name).expect("a member");
        check_shape(member.shape, value, &format!("{place}.{name}"));
    }
}

fn check_shape(shape: &Shape, value: &Value, place: &str) {
    match (shape, value) {
        (Shape::Text, Value::String(_)) | (Shape::Boolean, Value::Bool(_)) => {}
        (Shape::Integer, Value::Number(n)) => assert!(n.is_i64(), "{place}: {n} is not an i64"),
        (Shape::Timestamp, Value::String(s)) => check_instant(s, place),
        (Shape::List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_shape(item, v, &format!("{place}[{i}]"));
            }
        }
        (Shape::Map { of, .. }, Value::Object(entries)) => {
            for (k, v) in entries {
                // An entry without its value element is `null`.
                if !v.is_null() {
                    check_shape(of, v, &format!("{place}.{k}"));
                }
            }
        }
        (Shape::Structure(members), Value::Object(m)) => check_structure(members, m, place),
        (shape, value) => panic!("{place}: {value} is not a {shape:?}"),
    }
}

/// Java's `Instant.toString()`: `2024-01-01T00:00:00Z`, `…:00.123Z`; years past 9999 with a
/// `+`.
fn check_instant(text: &str, place: &str) {
    let fail = || panic!("{place}: '{text}' is not an instant as Java prints it");
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let Some((year, rest)) = rest.split_once('-') else {
        fail()
    };
    if year.len() < 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        fail();
    }
    let Some(rest) = rest.strip_suffix('Z') else {
        fail()
    };
    let (clock, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let shape: Vec<bool> = clock.bytes().map(|b| b.is_ascii_digit()).collect();
    let expected: Vec<bool> = "00-00T00:00:00"
        .bytes()
        .map(|b| b.is_ascii_digit())
        .collect();
    if shape != expected
        || !matches!(fraction.len(), 0 | 3)
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        fail();
    }
    if fraction == "000" {
        panic!("{place}: '{text}': Java leaves out a zero fraction");
    }
    if year.len() == 4 && !text.starts_with(['+', '-']) {
        chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|_| fail());
    }
}

// ---- S3 (REST-XML) ----

/// `Action STATUS` on the first line, header lines, an empty line, then the body.
pub fn check_s3_answer(data: &[u8]) -> Outcome {
    let (head, mut rest) = split_line(data);
    let head = String::from_utf8_lossy(head);
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let (line, after) = split_line(rest);
        rest = after;
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let body = rest;
    let text = String::from_utf8_lossy(body);
    let members = wire::s3_xml(&text);
    match (&members, wire::xml_tree(&text)) {
        (Ok(members), Ok(root)) => {
            // One member per child element name.
            let mut names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            let mut keys: Vec<&str> = members.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, names, "the members of {text:?}");
            check_json(&Value::Object(members.clone()));
        }
        (Err(e), Err(_)) => check_error(e),
        (members, tree) => panic!("s3_xml {members:?} where the tree is {tree:?}"),
    }
    let mut words = head.split_whitespace();
    let (Some(name), Some(status)) = (words.next(), words.next()) else {
        return Outcome::Unframed;
    };
    let Some(action) = wire::s3_action(name) else {
        return Outcome::Unframed;
    };
    let Ok(status @ 100..=599) = status.parse::<u16>() else {
        return Outcome::Unframed;
    };
    if status >= 300 {
        let e = wire::s3_error(name, status, &headers, body).expect("a known action");
        assert!(
            e.error.starts_with("S3.") && e.error.ends_with("Exception"),
            "{}",
            e.error
        );
        assert!(
            e.cause.contains(&format!(
                "(Service: S3, Status Code: {status}, Request ID: "
            )),
            "{}",
            e.cause
        );
        if let Ok(m) = &members {
            if let Some(Value::String(code)) = m.get("Code") {
                assert_eq!(
                    e.code.as_deref(),
                    Some(code.as_str()),
                    "the code of {text:?}"
                );
            }
        }
        return Outcome::Decoded;
    }
    let result = wire::s3_answer(name, &headers, body).expect("a known action");
    let xml_body = !body.iter().all(u8::is_ascii_whitespace);
    match result {
        Ok(out) => {
            let Value::Object(out) = &out else {
                panic!("a result that is not an object: {out}")
            };
            for (member, header) in &action.headers {
                if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(header)) {
                    assert!(
                        out.contains_key(*member),
                        "{member} from {header} is missing"
                    );
                }
            }
            if action.metadata {
                assert!(
                    out.get("Metadata").is_some_and(Value::is_object),
                    "Metadata"
                );
            }
            match action.body {
                S3Body::Body => assert_eq!(
                    out.get("Body"),
                    Some(&Value::String(text.clone().into_owned()))
                ),
                S3Body::Xml if xml_body => {
                    let m = members.as_ref().expect("a decoded answer's XML decodes");
                    for k in m.keys() {
                        assert!(out.contains_key(k), "the XML member {k} is missing");
                    }
                }
                S3Body::XmlMember(member) if xml_body => {
                    let m = members.as_ref().expect("a decoded answer's XML decodes");
                    let Some(Value::Object(inner)) = out.get(member) else {
                        panic!("{member} is not an object in {out:?}")
                    };
                    assert_eq!(inner.len(), m.len(), "the members of {member}");
                }
                S3Body::None | S3Body::Xml | S3Body::XmlMember(_) => {}
            }
            check_json(&Value::Object(out.clone()));
            Outcome::Decoded
        }
        Err(e) => {
            // Refused only for its XML (an empty body is no `CopyObjectResult`).
            let blamed = match action.body {
                S3Body::Xml => xml_body && members.is_err(),
                S3Body::XmlMember(_) => members.is_err(),
                S3Body::None | S3Body::Body => false,
            };
            assert!(blamed, "refused without an XML body to blame: {e}");
            check_error(&e);
            Outcome::Refused
        }
    }
}

// ---- AWS JSON protocols ----

/// Any bytes as a JSON answer: the result of every `aws-sdk:` JSON service and of every job
/// service, and an error answer.
pub fn check_json_answer(data: &[u8]) -> Outcome {
    // Error answers are read whether or not they are JSON.
    for service in wire::SDK_JSON_SERVICES {
        let spec = wire::sdk_service(service).expect("a JSON service");
        let e = wire::json_error(service, 400, &[], data).expect("a JSON service");
        let code = e.code.as_deref().unwrap_or_default();
        assert!(
            !code.contains([':', '#']),
            "the code '{code}' keeps its namespace or suffix"
        );
        assert!(
            e.error.starts_with(&format!("{}.", spec.sdk_name)),
            "{}",
            e.error
        );
        assert!(
            e.cause.contains(&format!(
                "(Service: {}, Status Code: 400, Request ID: ",
                spec.sdk_name
            )),
            "{}",
            e.cause
        );
    }
    let Ok(answer) = serde_json::from_slice::<Value>(data) else {
        return Outcome::Unframed;
    };
    for service in wire::SDK_JSON_SERVICES {
        let spec = wire::sdk_service(service).expect("a JSON service");
        let out = wire::sdk_from_wire(spec, answer.clone());
        check_sdk_shape(spec, &answer, &out, service);
        check_json(&out);
    }
    for service in ["ecs", "batch", "glue"] {
        let spec = wire::job_service(service).expect("a job service");
        let out = wire::job_from_wire(spec, answer.clone());
        check_job_shape(spec, &answer, &out, service);
        check_json(&out);
    }
    for parsed in [false, true] {
        let out = wire::execution_description(&answer, parsed);
        check_description(&answer, &out, parsed);
        check_json(&out);
    }
    Outcome::Decoded
}

/// A `DescribeExecution` answer as `states:startExecution.sync` returns it: PascalCase members
/// in alphabetical order, each the answer's own (the last of those that meet), with its dates
/// in epoch milliseconds, `input` and `output` parsed (`.sync:2`) and the details' members in
/// PascalCase.
fn check_description(input: &Value, out: &Value, parsed: bool) {
    let Value::Object(out) = out else {
        panic!("a description that is not an object: {out}")
    };
    let Value::Object(input) = input else {
        assert!(out.is_empty(), "a description of no object: {out:?}");
        return;
    };
    let keys: Vec<&String> = out.keys().collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "members out of order: {keys:?}"
    );
    let mut expected: Vec<String> = input
        .keys()
        .filter(|k| !k.is_empty())
        .map(|k| upper_first(k))
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(keys, expected.iter().collect::<Vec<_>>(), "the members");
    for (key, got) in out {
        let (name, v) = input
            .iter()
            .rev()
            .find(|(name, _)| !name.is_empty() && upper_first(name) == *key)
            .expect("a source member");
        match name.as_str() {
            "startDate" | "stopDate" | "redriveDate" => match v.as_f64() {
                Some(seconds) if ((seconds * 1000.0).round()).abs() < 9.0e18 => {
                    assert_eq!(
                        got.as_i64(),
                        Some((seconds * 1000.0).round() as i64),
                        "{key}"
                    )
                }
                _ => assert_eq!(got, v, "{key}: no time in range stays as it was"),
            },
            "input" | "output" if parsed => {
                let json = v
                    .as_str()
                    .and_then(|t| serde_json::from_str::<Value>(t).ok());
                assert_eq!(got, json.as_ref().unwrap_or(v), "{key}");
            }
            "inputDetails" | "outputDetails" => match (v, got) {
                (Value::Object(i), Value::Object(o)) => {
                    let mut names: Vec<String> = i.keys().map(|k| upper_first(k)).collect();
                    names.sort();
                    names.dedup();
                    let mut got_names: Vec<&String> = o.keys().collect();
                    got_names.sort();
                    assert_eq!(got_names, names.iter().collect::<Vec<_>>(), "{key}");
                    for (k, value) in o {
                        let from = i.iter().rev().find(|(n, _)| upper_first(n) == *k);
                        assert_eq!(Some(value), from.map(|(_, v)| v), "{key}.{k}");
                    }
                }
                _ => assert_eq!(got, v, "{key}"),
            },
            _ => assert_eq!(got, v, "{key}"),
        }
    }
}

fn upper_first(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// An `aws-sdk:` result: names in the SDK's case, `null` members left out, timestamps (epoch
/// seconds) as instants, everything else as it was.
fn check_sdk_shape(spec: &ServiceSpec, input: &Value, out: &Value, place: &str) {
    match (input, out) {
        (Value::Object(i), Value::Object(o)) => {
            let rename = |k: &str| match spec.model.camel_case_wire {
                true => upper_first(k),
                false => k.to_owned(),
            };
            let expected = renamed_map(i, rename);
            assert_eq!(
                o.keys().collect::<Vec<_>>(),
                expected.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                "{place}: the members"
            );
            for (k, v) in &expected {
                let got = &o[k];
                match (spec.model.timestamps.contains(&k.as_str()), v) {
                    (true, Value::Number(n)) => match got {
                        Value::String(s) => {
                            check_instant(s, place);
                            let seconds = n.as_f64().expect("a number");
                            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                                let millis = (seconds * 1000.0).round();
                                assert!(
                                    (t.timestamp_millis() as f64 - millis).abs() < 1.0,
                                    "{place}.{k}: {n} as {s}"
                                );
                            }
                        }
                        other => assert_eq!(
                            other, v,
                            "{place}.{k}: an instant out of range stays a number"
                        ),
                    },
                    _ => check_sdk_shape(spec, v, got, &format!("{place}.{k}")),
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            assert_eq!(i.len(), o.len(), "{place}: the items");
            for (n, (a, b)) in i.iter().zip(o).enumerate() {
                check_sdk_shape(spec, a, b, &format!("{place}[{n}]"));
            }
        }
        (i, o) => assert_eq!(i, o, "{place}: a scalar changed"),
    }
}

/// The members of `input` under their output names, in the order the output keeps them:
/// where two names meet, the first one's place and the last one's value.
fn renamed_map(
    input: &Map<String, Value>,
    rename: impl Fn(&str) -> String,
) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    for (k, v) in input {
        if v.is_null() {
            continue;
        }
        let k = rename(k);
        match out.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k, v.clone())),
        }
    }
    out
}

/// A job's result: PascalCase names, `null` members left out, the user's maps as they are,
/// timestamps (epoch seconds) as epoch milliseconds.
fn check_job_shape(spec: &ServiceSpec, input: &Value, out: &Value, place: &str) {
    match (input, out) {
        (Value::Object(i), Value::Object(o)) => {
            let expected = renamed_map(i, upper_first);
            assert_eq!(
                o.keys().collect::<Vec<_>>(),
                expected.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                "{place}: the members"
            );
            // Which input member gave each output one (the last of those that meet).
            let source = |k: &str| {
                i.iter()
                    .rev()
                    .find(|(name, v)| !v.is_null() && upper_first(name) == k)
                    .map(|(name, _)| name.as_str())
            };
            for (k, v) in &expected {
                let got = &o[k];
                let from = source(k).expect("a source member");
                if wire::JOB_MAP_MEMBERS.contains(&from) && v.is_object() {
                    assert_eq!(got, v, "{place}.{k}: a map of the user's keys changed");
                    continue;
                }
                match (spec.model.timestamps.contains(&k.as_str()), v) {
                    (true, Value::Number(n)) => {
                        let millis = (n.as_f64().expect("a number") * 1000.0).round();
                        if millis.is_finite() && millis.abs() < 9.0e18 {
                            assert_eq!(got.as_i64(), Some(millis as i64), "{place}.{k}: {n}");
                        } else {
                            assert_eq!(got, v, "{place}.{k}: out of range stays as it was");
                        }
                    }
                    _ => check_job_shape(spec, v, got, &format!("{place}.{k}")),
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            assert_eq!(i.len(), o.len(), "{place}: the items");
            for (n, (a, b)) in i.iter().zip(o).enumerate() {
                check_job_shape(spec, a, b, &format!("{place}[{n}]"));
            }
        }
        (i, o) => assert_eq!(i, o, "{place}: a scalar changed"),
    }
}

/// The first line (without its `\n`) and the rest.
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
