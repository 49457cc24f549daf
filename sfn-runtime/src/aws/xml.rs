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
    // The open elements, each with the prefix its end tag must repeat.
    let mut stack: Vec<(Node, &str)> = Vec::new();
    let mut root = None;
    // Read to the end, so that whatever follows the root element is checked too.
    for token in Tokenizer::from(xml) {
        match token.map_err(|e| format!("the XML answer cannot be read: {e}"))? {
            Token::ElementStart { prefix, local, .. } => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!(
                        "the XML answer nests deeper than {MAX_DEPTH} elements"
                    ));
                }
                let node = Node {
                    name: local.as_str().to_owned(),
                    ..Node::default()
                };
                stack.push((node, prefix.as_str()));
            }
            Token::ElementEnd { end, span } => {
                let closed = match end {
                    ElementEnd::Open => continue,
                    ElementEnd::Empty => stack.pop(),
                    ElementEnd::Close(prefix, local) => {
                        let closed = stack.pop();
                        if let Some((node, open)) = &closed {
                            if (*open, node.name.as_str()) != (prefix.as_str(), local.as_str()) {
                                return Err(format!(
                                    "the XML answer closes <{}> with </{}> at byte {}",
                                    qualified(open, &node.name),
                                    qualified(prefix.as_str(), local.as_str()),
                                    span.start()
                                ));
                            }
                        }
                        closed
                    }
                };
                let (node, _) = closed.ok_or_else(|| {
                    format!(
                        "the XML answer closes an element it did not open at byte {}",
                        span.start()
                    )
                })?;
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Token::Text { text } => {
                if let Some((node, _)) = stack.last_mut() {
                    node.text.push_str(&unescape(text.as_str())?);
                }
            }
            Token::Cdata { text, .. } => {
                if let Some((node, _)) = stack.last_mut() {
                    node.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    root.ok_or_else(|| "the XML answer has no complete root element".into())
}

/// `prefix:local`, as a tag writes it, quoted only in part.
fn qualified(prefix: &str, local: &str) -> String {
    match prefix.is_empty() {
        true => excerpt(local),
        false => format!("{}:{}", excerpt(prefix), excerpt(local)),
    }
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

    /// Found reading the tree builder while adding its fuzz target: end tags were not
    /// compared with their start tags, so a broken answer read as a tree.
    #[test]
    fn end_tags_must_match_their_start_tags() {
        for (xml, says) in [
            ("<a><b></c></a>", "closes <b> with </c> at byte 6"),
            ("<a><x:b></y:b></a>", "closes <x:b> with </y:b> at byte 8"),
            ("<a><x:b></b></a>", "closes <x:b> with </b>"),
            ("<a></a></a>", "cannot be read"),
            ("<a/><b/>", "cannot be read"),
            ("<a/>junk", "cannot be read"),
        ] {
            let e = tree(xml).expect_err(xml);
            assert!(e.contains(says), "{xml}: {e}");
        }
        let root = tree("<x:a><x:b/></x:a><!-- after --> <?pi?>").expect("well formed");
        assert_eq!((root.name.as_str(), root.children.len()), ("a", 1));
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
