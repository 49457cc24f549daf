//! Field values: the fields of one state body, and their conversion to model values.

use proc_macro2::Span;
use serde_json::{Map as JsonMap, Number, Value};
use sfn_asl::jsonata::{Jsonata, JsonataTemplate};
use sfn_asl::model::*;
use sfn_asl::path::{Path, ReferencePath};
use sfn_asl::template::PayloadTemplate;

use crate::ast::{self, FieldValue, Json};
use crate::ctxt::Ctxt;
use crate::lower::Lowerer;

/// `input_path` → `InputPath`.
pub(crate) fn asl_key(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `parent` + `/` + `key` escaped as a JSON pointer token.
pub(crate) fn child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", sfn_asl::pointer::escape_segment(key))
}

/// Every field a state of some type may have, for "did you mean" and "not allowed here" messages.
const FIELDS: &[(&str, &[&str])] = &[
    (
        "task",
        &[
            "comment",
            "query_language",
            "input_path",
            "parameters",
            "result_selector",
            "result_path",
            "output_path",
            "arguments",
            "output",
            "assign",
            "timeout_seconds",
            "timeout_seconds_path",
            "heartbeat_seconds",
            "heartbeat_seconds_path",
            "credentials",
            "retry",
            "catch",
        ],
    ),
    (
        "pass",
        &[
            "comment",
            "query_language",
            "input_path",
            "parameters",
            "result",
            "result_path",
            "output_path",
            "output",
            "assign",
        ],
    ),
    (
        "choice",
        &[
            "comment",
            "query_language",
            "input_path",
            "output_path",
            "output",
            "assign",
        ],
    ),
    (
        "wait",
        &[
            "comment",
            "query_language",
            "seconds",
            "seconds_path",
            "timestamp",
            "timestamp_path",
            "input_path",
            "output_path",
            "output",
            "assign",
        ],
    ),
    (
        "succeed",
        &[
            "comment",
            "query_language",
            "input_path",
            "output_path",
            "output",
        ],
    ),
    (
        "fail",
        &[
            "comment",
            "query_language",
            "error",
            "error_path",
            "cause",
            "cause_path",
        ],
    ),
    (
        "parallel",
        &[
            "comment",
            "query_language",
            "input_path",
            "parameters",
            "result_selector",
            "result_path",
            "output_path",
            "arguments",
            "output",
            "assign",
            "retry",
            "catch",
        ],
    ),
    (
        "map",
        &[
            "comment",
            "query_language",
            "items_path",
            "items",
            "item_selector",
            "parameters",
            "max_concurrency",
            "max_concurrency_path",
            "item_reader",
            "item_batcher",
            "result_writer",
            "tolerated_failure_percentage",
            "tolerated_failure_percentage_path",
            "tolerated_failure_count",
            "tolerated_failure_count_path",
            "label",
            "input_path",
            "result_selector",
            "result_path",
            "output_path",
            "output",
            "assign",
            "retry",
            "catch",
        ],
    ),
];

/// The fields of one state body; each is taken once by the lowering of its type, and what is
/// left at the end is reported as not belonging to that type.
pub(crate) struct FieldBag<'a> {
    cx: &'a Ctxt,
    kind: String,
    fields: Vec<(&'a ast::Field, bool)>,
}

impl<'a> FieldBag<'a> {
    pub(crate) fn new(cx: &'a Ctxt, kind: &str, _span: Span) -> Self {
        FieldBag {
            cx,
            kind: kind.to_owned(),
            fields: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, f: &'a ast::Field) {
        let name = f.name.to_string();
        let repeatable = name == "retry" || name == "catch";
        if !repeatable {
            if let Some((prev, _)) = self.fields.iter().find(|(p, _)| p.name == f.name) {
                let mut e =
                    syn::Error::new(f.name.span(), format!("field `{name}` is given twice"));
                e.combine(syn::Error::new(prev.name.span(), "first given here"));
                self.cx.push(e);
                return;
            }
        }
        self.fields.push((f, false));
    }

    /// `(field name, span)` of every field, for the pointer table.
    pub(crate) fn spans(&self) -> Vec<(String, Span)> {
        self.fields
            .iter()
            .map(|(f, _)| (f.name.to_string(), f.name.span()))
            .collect()
    }

    /// Whether field `name` was written (taken or not).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(f, _)| f.name == name)
    }

    /// Takes the JSON value of field `name`.
    pub(crate) fn take(&mut self, name: &str) -> Option<&'a Json> {
        let (f, taken) = self
            .fields
            .iter_mut()
            .find(|(f, taken)| !*taken && f.name == name)?;
        *taken = true;
        match &f.value {
            FieldValue::Json(j) => Some(j),
            _ => None,
        }
    }

    /// Takes every occurrence of a repeatable field.
    pub(crate) fn take_all(&mut self, name: &str) -> Vec<&'a ast::Field> {
        let mut out = Vec::new();
        for (f, taken) in self.fields.iter_mut() {
            if !*taken && f.name == name {
                *taken = true;
                out.push(*f);
            }
        }
        out
    }

    /// Reports fields nobody took.
    pub(crate) fn finish(self) {
        let own = FIELDS
            .iter()
            .find(|(k, _)| *k == self.kind)
            .map(|(_, f)| *f)
            .unwrap_or(&[]);
        for (f, taken) in &self.fields {
            if *taken {
                continue;
            }
            let name = f.name.to_string();
            let owners: Vec<&str> = FIELDS
                .iter()
                .filter(|(_, fs)| fs.contains(&name.as_str()))
                .map(|(k, _)| *k)
                .collect();
            let msg = if !owners.is_empty() {
                format!(
                    "`{}` states have no field `{name}` (it belongs to `{}` states)",
                    self.kind,
                    owners.join("`, `")
                )
            } else if let Some(best) = did_you_mean(&name, own) {
                format!(
                    "unknown field `{name}` on a `{}` state; did you mean `{best}`?",
                    self.kind
                )
            } else {
                format!(
                    "unknown field `{name}` on a `{}` state; expected one of `{}`",
                    self.kind,
                    own.join("`, `")
                )
            };
            self.cx.error(f.name.span(), msg);
        }
    }
}

/// Whether any state type has a field called `name`.
pub(crate) fn is_known_field(name: &str) -> bool {
    FIELDS.iter().any(|(_, fields)| fields.contains(&name))
}

/// The field of any state type closest to `name`, when it is a likely typo.
pub(crate) fn closest_field(name: &str) -> Option<&'static str> {
    let mut all: Vec<&'static str> = FIELDS.iter().flat_map(|(_, f)| f.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    did_you_mean(name, &all)
}

/// The closest candidate, when it is close enough to be a likely typo (edits counted with a
/// swap of two neighbours as one, so `retyr` finds `retry`).
pub(crate) fn did_you_mean<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(name, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl Lowerer<'_> {
    /// A JSON value as `serde_json::Value`, recording the span of every nested value.
    pub(crate) fn value(&mut self, j: &Json, ptr: &str) -> Option<Value> {
        self.spans.insert(ptr.to_owned(), j.span());
        if let Json::Str(lit) = j {
            self.spans.insert_lit(ptr.to_owned(), lit);
        }
        Some(match j {
            Json::Null(_) => Value::Null,
            Json::Bool(b, _) => Value::Bool(*b),
            Json::Number(text, span) => match text.parse::<Number>() {
                Ok(n) => Value::Number(n),
                Err(_) => {
                    self.cx
                        .error(*span, format!("`{text}` is not a JSON number"));
                    return None;
                }
            },
            Json::Str(s) => Value::String(s.value()),
            Json::Array(items, _) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value(item, &format!("{ptr}/{i}"))?);
                }
                Value::Array(out)
            }
            Json::Object(entries, _) => {
                let mut out = JsonMap::new();
                for (k, v) in entries {
                    let key = k.value();
                    if out.contains_key(&key) {
                        self.cx
                            .error(k.span(), format!("key `{key}` is given twice"));
                        continue;
                    }
                    let v = self.value(v, &child(ptr, &key))?;
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            Json::Ident(id) => {
                self.cx.error(
                    id.span(),
                    format!("expected a JSON value, found `{id}`; strings are written in quotes"),
                );
                return None;
            }
        })
    }

    pub(crate) fn string(&mut self, j: &Json) -> Option<String> {
        match j {
            Json::Str(s) => Some(s.value()),
            _ => {
                self.cx.error(j.span(), "expected a string literal");
                None
            }
        }
    }

    pub(crate) fn u64(&mut self, j: &Json) -> Option<u64> {
        match j {
            Json::Number(t, span) => match t.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.cx.error(*span, "expected a non-negative whole number");
                    None
                }
            },
            _ => {
                self.cx.error(j.span(), "expected a whole number");
                None
            }
        }
    }

    pub(crate) fn query_language(&mut self, j: &Json) -> Option<QueryLanguage> {
        let text = match j {
            Json::Ident(id) => id.to_string(),
            Json::Str(s) => s.value(),
            _ => String::new(),
        };
        let q = QueryLanguage::from_name(&text);
        if q.is_none() {
            self.cx.error(
                j.span(),
                format!("unknown query language `{text}`; expected `JSONPath` or `JSONata`"),
            );
        }
        q
    }

    /// An enumerated value written as a bare identifier (or a string): `DISTRIBUTED`, `FULL`.
    pub(crate) fn enum_value<T: Copy>(
        &mut self,
        text: &str,
        span: Span,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Option<T> {
        let found = all.iter().copied().find(|v| name(*v) == text);
        if found.is_none() {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            self.cx.error(
                span,
                format!(
                    "unknown value `{text}`; expected one of `{}`",
                    names.join("`, `")
                ),
            );
        }
        found
    }

    /// `input_path`/`output_path`: a path or `null`.
    pub(crate) fn opt_path(
        &mut self,
        bag: &mut crate::fields::FieldBag,
        name: &str,
        ptr: &str,
    ) -> Option<Option<Path>> {
        let j = bag.take(name)?;
        let _ = ptr;
        match j {
            Json::Null(_) => Some(None),
            Json::Str(lit) => {
                if name == "input_path" {
                    self.record_path(j, None, crate::lower::Reads::StateInput);
                }
                self.path_lit(lit, name).map(Some)
            }
            _ => {
                self.cx.error(
                    j.span(),
                    format!("`{name}` is a path string like \"$.order\", or `null`"),
                );
                None
            }
        }
    }

    /// `result_path`: a reference path or `null`.
    pub(crate) fn opt_ref_path(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        _ptr: &str,
    ) -> Option<Option<ReferencePath>> {
        let j = bag.take(name)?;
        self.nullable_ref_path(j, name)
    }

    pub(crate) fn nullable_ref_path(
        &mut self,
        j: &Json,
        name: &str,
    ) -> Option<Option<ReferencePath>> {
        match j {
            Json::Null(_) => Some(None),
            Json::Str(lit) => self.ref_path_lit(lit, name).map(Some),
            _ => {
                self.cx.error(
                    j.span(),
                    format!("`{name}` is a reference path string like \"$.result\", or `null`"),
                );
                None
            }
        }
    }

    pub(crate) fn ref_path_lit(&mut self, lit: &syn::LitStr, field: &str) -> Option<ReferencePath> {
        match ReferencePath::parse(&lit.value()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.expr_error_in(Some(lit), lit.span(), field, &e);
                None
            }
        }
    }

    /// A payload template (`parameters`, `result_selector`).
    pub(crate) fn payload_field(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        ptr: &str,
    ) -> Option<PayloadTemplate> {
        let j = bag.take(name)?;
        self.payload(j, &format!("{ptr}/{}", asl_key(name)), name)
    }

    pub(crate) fn payload(&mut self, j: &Json, ptr: &str, name: &str) -> Option<PayloadTemplate> {
        if matches!(name, "parameters" | "result_selector" | "item_selector") {
            let reads = if name == "result_selector" {
                crate::lower::Reads::TaskResult
            } else {
                crate::lower::Reads::EffectiveInput
            };
            self.collect_template_paths(j, reads);
        }
        let v = self.value(j, ptr)?;
        self.compiled(PayloadTemplate::compile(&v), ptr, j.span(), name)
    }

    /// `"k.$": "$.path"` values of a `parameters` or `item_selector` template read the
    /// effective input, those of a `result_selector` the task's result: shape-check them, and
    /// the paths among the arguments of an intrinsic call (`"States.Format('{}', $.id)"`).
    fn collect_template_paths(&mut self, j: &Json, reads: crate::lower::Reads) {
        match j {
            Json::Object(entries, _) => {
                for (k, v) in entries {
                    match v {
                        Json::Str(s) if k.value().ends_with(".$") => {
                            let text = s.value();
                            if text.starts_with("$.") || text == "$" {
                                self.record_path(v, None, reads);
                            } else if !text.starts_with('$') {
                                self.record_intrinsic_paths(s, reads);
                            }
                        }
                        _ => self.collect_template_paths(v, reads),
                    }
                }
            }
            Json::Array(items, _) => {
                for item in items {
                    self.collect_template_paths(item, reads);
                }
            }
            _ => {}
        }
    }

    /// A JSONata field (`arguments`, `output`, `items`): any JSON with `{% %}` strings.
    pub(crate) fn jsonata_field(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        ptr: &str,
    ) -> Option<JsonataTemplate> {
        let j = bag.take(name)?;
        self.jsonata_template(j, &format!("{ptr}/{}", asl_key(name)), name)
    }

    pub(crate) fn jsonata_template(
        &mut self,
        j: &Json,
        ptr: &str,
        name: &str,
    ) -> Option<JsonataTemplate> {
        let v = self.value(j, ptr)?;
        self.compiled(JsonataTemplate::compile(&v), ptr, j.span(), name)
    }

    /// `assign`, `credentials`, `item_selector`: a payload template or a JSONata template, by query language.
    pub(crate) fn template_field(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        ptr: &str,
        ql: QueryLanguage,
    ) -> Option<Template> {
        let j = bag.take(name)?;
        self.template(j, &format!("{ptr}/{}", asl_key(name)), name, ql)
    }

    pub(crate) fn template(
        &mut self,
        j: &Json,
        ptr: &str,
        name: &str,
        ql: QueryLanguage,
    ) -> Option<Template> {
        match ql {
            QueryLanguage::JsonPath => self.payload(j, ptr, name).map(Template::JsonPath),
            QueryLanguage::Jsonata => self.jsonata_template(j, ptr, name).map(Template::Jsonata),
        }
    }

    /// The JSONata string `text`, written as `j`.
    pub(crate) fn jsonata(&mut self, text: &str, j: &Json) -> Option<Jsonata> {
        match Jsonata::compile(text) {
            Ok(x) => Some(x),
            Err(e) => {
                let lit = match j {
                    Json::Str(l) => Some(l),
                    _ => None,
                };
                self.expr_error_in(lit, j.span(), "JSONata expression", &e);
                None
            }
        }
    }

    /// `name: 30 | "{% ... %}"` or `name_path: "$.x"`.
    pub(crate) fn dynamic_u64(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        _ptr: &str,
    ) -> Option<Dynamic<u64>> {
        let lit = bag.take(name);
        let path = bag.take(&format!("{name}_path"));
        self.dynamic(lit, path, name, |lw, j| lw.u64(j))
    }

    pub(crate) fn dynamic_string(
        &mut self,
        bag: &mut FieldBag,
        name: &str,
        _ptr: &str,
    ) -> Option<Dynamic<String>> {
        let lit = bag.take(name);
        let path = bag.take(&format!("{name}_path"));
        self.dynamic(lit, path, name, |lw, j| lw.string(j))
    }

    pub(crate) fn dynamic<T>(
        &mut self,
        lit: Option<&Json>,
        path: Option<&Json>,
        name: &str,
        literal: impl FnOnce(&mut Self, &Json) -> Option<T>,
    ) -> Option<Dynamic<T>> {
        match (lit, path) {
            (Some(_), Some(p)) => {
                self.cx.error(
                    p.span(),
                    format!("give either `{name}` or `{name}_path`, not both"),
                );
                None
            }
            (Some(j @ Json::Str(s)), None) if s.value().starts_with("{%") => {
                self.jsonata(&s.value(), j).map(Dynamic::Jsonata)
            }
            (Some(j), None) => literal(self, j).map(Dynamic::Literal),
            (None, Some(Json::Str(s))) => {
                // `timestamp_path` reaches an RFC 3339 string, every other `…_path` a number.
                let expect = if name == "timestamp" {
                    "string"
                } else {
                    "number"
                };
                let need = format!("`{name}_path` needs");
                let reads = crate::lower::Reads::EffectiveInput;
                self.require_path(s, &s.value(), Some(expect), &need, reads);
                self.ref_path_lit(s, &format!("{name}_path"))
                    .map(Dynamic::Path)
            }
            (None, Some(j)) => {
                self.cx.error(
                    j.span(),
                    format!("`{name}_path` is a reference path string like \"$.value\""),
                );
                None
            }
            (None, None) => None,
        }
    }

    pub(crate) fn retrier(&mut self, r: &ast::RetrierAst, ptr: &str) -> Retrier {
        if let Some((_, s)) = &r.interval {
            self.spans.insert(format!("{ptr}/IntervalSeconds"), *s);
        }
        if let Some((_, s)) = &r.max_attempts {
            self.spans.insert(format!("{ptr}/MaxAttempts"), *s);
        }
        if let Some((_, s)) = &r.backoff {
            self.spans.insert(format!("{ptr}/BackoffRate"), *s);
        }
        if let Some((_, s)) = &r.max_delay {
            self.spans.insert(format!("{ptr}/MaxDelaySeconds"), *s);
        }
        for (i, e) in r.errors.iter().enumerate() {
            self.spans.insert(format!("{ptr}/ErrorEquals/{i}"), e.span);
        }
        let backoff_rate = r
            .backoff
            .as_ref()
            .and_then(|(t, s)| match t.parse::<Number>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.cx.error(*s, "`backoff` is a number like `2.0`");
                    None
                }
            });
        let jitter_strategy = r.jitter.as_ref().and_then(|j| {
            self.spans.insert(format!("{ptr}/JitterStrategy"), j.span());
            match j.to_string().as_str() {
                "FULL" => Some(JitterStrategy::Full),
                "NONE" => Some(JitterStrategy::None),
                other => {
                    self.cx.error(
                        j.span(),
                        format!("unknown jitter `{other}`; expected `FULL` or `NONE`"),
                    );
                    None
                }
            }
        });
        Retrier {
            error_equals: r.errors.iter().map(|e| e.name.clone()).collect(),
            interval_seconds: r.interval.map(|(v, _)| v),
            max_attempts: r.max_attempts.map(|(v, _)| v),
            backoff_rate,
            max_delay_seconds: r.max_delay.map(|(v, _)| v),
            jitter_strategy,
            comment: r.comment.as_ref().map(syn::LitStr::value),
        }
    }

    pub(crate) fn catcher(
        &mut self,
        c: &ast::CatcherAst,
        ptr: &str,
        ql: QueryLanguage,
    ) -> Option<Catcher> {
        for (i, e) in c.errors.iter().enumerate() {
            self.spans.insert(format!("{ptr}/ErrorEquals/{i}"), e.span);
        }
        self.spans.insert(format!("{ptr}/Next"), c.next.span);
        let result_path = match &c.result_path {
            Some(j) => {
                self.spans.insert(format!("{ptr}/ResultPath"), j.span());
                Some(self.nullable_ref_path(j, "result_path")?)
            }
            None => None,
        };
        let output = match &c.output {
            Some(j) => Some(self.jsonata_template(j, &format!("{ptr}/Output"), "output")?),
            None => None,
        };
        let assign = match &c.assign {
            Some(j) => Some(self.template(j, &format!("{ptr}/Assign"), "assign", ql)?),
            None => None,
        };
        Some(Catcher {
            error_equals: c.errors.iter().map(|e| e.name.clone()).collect(),
            next: c.next.name.clone(),
            result_path,
            output,
            assign,
            comment: c.comment.as_ref().map(syn::LitStr::value),
        })
    }
}
