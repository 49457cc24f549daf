//! Comparing an outcome with a recorded `expected` value, by the rules of
//! `../shared/integration/README.md`.

use std::collections::HashMap;

use serde_json::Value;

/// How strictly the metadata blocks are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headers {
    /// Every header name and value, as the README's rules say.
    Strict,
    /// Header names and values under `SdkHttpMetadata` are not compared (the local server
    /// sends its own: `Server: Werkzeug`, `Connection: close`, CORS headers, its own JSON
    /// spacing and so `Content-Length`); status codes and every other member still are.
    FromServer,
}

/// The comparison of one value: tokens bound so far, placeholders of the case.
pub struct Comparison<'a> {
    pub placeholders: &'a [String],
    pub headers: Headers,
    bound: HashMap<String, String>,
}

impl<'a> Comparison<'a> {
    pub fn new(placeholders: &'a [String], headers: Headers) -> Self {
        Comparison {
            placeholders,
            headers,
            bound: HashMap::new(),
        }
    }

    /// `Ok` when `got` matches `want`, else the JSON path of the first difference and why.
    pub fn matches(
        &mut self,
        want: &Value,
        got: &Value,
        path: &str,
        key: &str,
    ) -> Result<(), String> {
        match (want, got) {
            (Value::String(w), g) => self.string(w, g, path, key),
            (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => Ok(()),
            (Value::Object(w), Value::Object(g)) => self.object(w, g, path, key),
            (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
                for (i, (a, b)) in w.iter().zip(g).enumerate() {
                    self.matches(a, b, &format!("{path}[{i}]"), key)?;
                }
                Ok(())
            }
            _ if want == got => Ok(()),
            _ => Err(format!("{path}: expected {want}, got {got}")),
        }
    }

    fn object(
        &mut self,
        w: &serde_json::Map<String, Value>,
        g: &serde_json::Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<(), String> {
        let headers = matches!(key, "AllHttpHeaders" | "HttpHeaders");
        if headers && self.headers == Headers::FromServer {
            return Ok(());
        }
        // Header names are case-insensitive; AWS's own recordings spell one header two ways.
        let find = |k: &str| match headers {
            true => g
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v),
            false => g.get(k),
        };
        for (k, v) in w {
            let Some(gv) = find(k) else {
                return Err(format!("{path}.{k}: missing"));
            };
            self.matches(v, gv, &format!("{path}.{k}"), k)?;
        }
        if w.len() != g.len() {
            let extra: Vec<&String> = g
                .keys()
                .filter(|k| {
                    !w.keys()
                        .any(|wk| wk == *k || (headers && wk.eq_ignore_ascii_case(k)))
                })
                .collect();
            return Err(format!("{path}: unexpected members {extra:?}"));
        }
        Ok(())
    }

    fn string(&mut self, w: &str, g: &Value, path: &str, key: &str) -> Result<(), String> {
        let text = match g {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let wildcard = self.placeholders.iter().any(|p| p == w)
            || w == "date"
            || (w == "timestamp" && key.to_ascii_lowercase().contains("timestamp"))
            // LocalStack's key-value transformers replaced such values by their key's name.
            || (!key.is_empty() && w == key);
        if wildcard {
            return self.bind(w, &text, path);
        }
        if !g.is_string() {
            return Err(format!("{path}: expected \"{w}\", got {g}"));
        }
        if w.contains('<') && w.contains('>') {
            return self.pattern(w, &text, path);
        }
        match w == text {
            true => Ok(()),
            false => Err(format!("{path}: expected \"{w}\", got \"{text}\"")),
        }
    }

    /// A numbered token (`<uuid:1>`) stands for the same value wherever it appears.
    fn bind(&mut self, token: &str, value: &str, path: &str) -> Result<(), String> {
        if !token.contains(':') || !token.starts_with('<') {
            return Ok(());
        }
        match self.bound.get(token) {
            Some(v) if v != value => Err(format!("{path}: {token} was \"{v}\", now \"{value}\"")),
            Some(_) => Ok(()),
            None => {
                self.bound.insert(token.to_owned(), value.to_owned());
                Ok(())
            }
        }
    }

    /// Text with tokens inside (`arn:<partition>:sns:<region>:111111111111:t`): the literal
    /// parts must appear in order; each token matches any text.
    fn pattern(&mut self, w: &str, text: &str, path: &str) -> Result<(), String> {
        let mut literals = Vec::new();
        let mut rest = w;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            literals.push(&rest[..open]);
            rest = &rest[open + close + 1..];
        }
        literals.push(rest);
        let mut at = 0;
        for (i, lit) in literals.iter().enumerate() {
            let found = match i {
                0 => text.starts_with(lit).then_some(0),
                _ if i == literals.len() - 1 => (text.len() >= at + lit.len()
                    && text.ends_with(lit))
                .then(|| text.len() - lit.len()),
                _ => text[at..].find(lit).map(|p| p + at),
            };
            let Some(p) = found else {
                return Err(format!("{path}: expected \"{w}\", got \"{text}\""));
            };
            at = p + lit.len();
        }
        Ok(())
    }
}
