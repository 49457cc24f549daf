//! XML answers as element trees, for the services that answer in XML (S3's REST-XML, the
//! Query protocol of SNS and STS): each decoder reads the tree with its own model.

use aws_smithy_xml::decode::{try_data, Document};

/// An element: its local name, its text, its child elements.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// The local name (`a` of `<x:a>`).
    pub name: String,
    /// Its text and CDATA, entities replaced, in document order.
    pub text: String,
    /// Its child elements, in document order.
    pub children: Vec<Node>,
}

/// Elements deeper than this are refused (AWS's answers nest a handful of levels).
pub(crate) const MAX_DEPTH: usize = 64;

/// The document's element tree. Read with `xmlparser` (the tokenizer under `aws-smithy-xml`)
/// because whether an element is a structure shows only after its start tag, which the scoped
/// decoder of `aws-smithy-xml` cannot look past without consuming the text.
pub(crate) fn tree(xml: &str) -> Result<Node, String> {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    let mut stack: Vec<Node> = Vec::new();
    for token in Tokenizer::from(xml) {
        match token.map_err(|e| format!("the XML answer cannot be read: {e}"))? {
            Token::ElementStart { local, .. } => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!(
                        "the XML answer nests deeper than {MAX_DEPTH} elements"
                    ));
                }
                stack.push(Node {
                    name: local.as_str().to_owned(),
                    ..Node::default()
                });
            }
            Token::ElementEnd {
                end: ElementEnd::Close(..) | ElementEnd::Empty,
                ..
            } => {
                let node = stack
                    .pop()
                    .ok_or("the XML answer closes an element it did not open")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Token::Text { text } => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&unescape(text.as_str())?);
                }
            }
            Token::Cdata { text, .. } => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    Err("the XML answer has no complete root element".into())
}

/// XML's predefined entities and character references.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or_else(|| {
            format!(
                "an XML entity has no closing `;`: `{}`",
                excerpt(&rest[amp..])
            )
        })?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            e => {
                let code = match e.strip_prefix("#x").or_else(|| e.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => e.strip_prefix('#').and_then(|d| d.parse().ok()),
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("an unknown XML entity `&{};`", excerpt(e)))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The text of the first element named `name` anywhere in `xml`.
pub(crate) fn element_text(xml: &str, name: &str) -> Option<String> {
    let mut doc = Document::new(xml);
    while let Some(start) = doc.next_start_element() {
        if start.local() == name {
            let mut scoped = doc.scoped_to(start);
            return try_data(&mut scoped).ok().map(|t| t.into_owned());
        }
    }
    None
}

/// The first characters of `text` (of an answer), for an error to quote: enough to recognise
/// it, never the whole answer.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// An ISO-8601 timestamp of an XML answer (`2024-01-01T00:00:00.000Z`) as Java's `Instant.toString()`
/// prints it (`2024-01-01T00:00:00Z`).
pub(crate) fn iso_text(text: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(text.trim()).ok()?;
    let millis = t.timestamp_millis();
    #[allow(clippy::cast_precision_loss)]
    super::sdk_shapes::iso_instant(millis as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_cdata_and_nesting_are_read() {
        let root = tree("<?xml version=\"1.0\"?><a x=\"1\"><b>1 &lt; 2 &#x41;&#66;</b><c><![CDATA[<raw>]]></c><d/></a>")
            .expect("a tree");
        assert_eq!(root.name, "a");
        let texts: Vec<(&str, &str)> = root
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.text.as_str()))
            .collect();
        assert_eq!(texts, [("b", "1 < 2 AB"), ("c", "<raw>"), ("d", "")]);
    }

    #[test]
    fn broken_documents_are_errors() {
        for (xml, says) in [
            ("", "no complete root element"),
            ("<a><b>", "no complete root element"),
            ("</a>", "cannot be read"),
            ("<a>&nope;</a>", "unknown XML entity"),
            ("<a>&amp</a>", "an XML entity has no closing `;`: `&amp`"),
            ("<a><</a>", "cannot be read"),
        ] {
            let e = tree(xml).expect_err(xml);
            assert!(e.contains(says), "{xml}: {e}");
        }
        // An error quotes the answer only in part (found by the aws_query_answer fuzz target:
        // a 600-character cause).
        let long = "x".repeat(10_000);
        for xml in [format!("<a>&{long}</a>"), format!("<a>&{long};</a>")] {
            let e = tree(&xml).expect_err("a bad entity");
            assert!(
                e.len() < 120 && e.contains("&xxxxx") && e.contains('…'),
                "{e}"
            );
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(tree(&deep).expect_err("too deep").contains("nests deeper"));
    }

    #[test]
    fn timestamps_print_as_java_instants() {
        assert_eq!(
            iso_text("2024-01-02T03:04:05.000Z").as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        assert_eq!(
            iso_text("2026-12-06T15:20:36.718295Z").as_deref(),
            Some("2026-12-06T15:20:36.718Z")
        );
        assert_eq!(iso_text("yesterday"), None);
    }
}
