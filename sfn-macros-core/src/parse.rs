//! Tokens → [`crate::ast`]. Only the shape of the DSL is checked here; meaning is checked on the
//! lowered ASL.

use proc_macro2::Span;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Ident, LitStr, Token};

use crate::ast::*;

/// Nesting cap for Parallel branches / Map processors and choice rules written in the DSL.
const MAX_DEPTH: usize = 32;

/// Joins `///` lines into one comment (one leading space of each line dropped, as rustdoc does).
pub(crate) fn doc_of(attrs: &[Attribute]) -> syn::Result<Option<Doc>> {
    let mut lines = Vec::new();
    let mut span = None;
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            return Err(syn::Error::new(
                attr.span(),
                "only doc comments (`/// ...`) are allowed here",
            ));
        }
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return Err(syn::Error::new(
                attr.span(),
                "expected `/// comment` or `#[doc = \"...\"]`",
            ));
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return Err(syn::Error::new(
                nv.value.span(),
                "expected a string literal",
            ));
        };
        let text = s.value();
        lines.push(text.strip_prefix(' ').map(str::to_owned).unwrap_or(text));
        span.get_or_insert(attr.span());
    }
    Ok(span.map(|span| Doc {
        text: lines.join("\n"),
        span,
    }))
}

impl Parse for Workflow {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let mut options = WorkflowOptions::default();
        let mut docs = Vec::new();
        for attr in attrs {
            if attr.path().is_ident("workflow") {
                parse_options(&attr, &mut options)?;
            } else {
                docs.push(attr);
            }
        }
        let doc = doc_of(&docs)?;
        let vis = input.parse()?;
        let name: Ident = input.parse()?;
        let mut wf_input = None;
        if input.peek(syn::token::Paren) {
            let content;
            parenthesized!(content in input);
            wf_input = Some(content.parse()?);
        }
        let mut output = None;
        if input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            output = Some(input.parse()?);
        }
        let machine = parse_machine(input, 0)?;
        if !input.is_empty() {
            return Err(input.error(
                "unexpected tokens after the workflow body; one `workflow!` defines one workflow",
            ));
        }
        Ok(Workflow {
            doc,
            options,
            vis,
            name,
            input: wf_input,
            output,
            machine,
        })
    }
}

fn parse_options(attr: &Attribute, options: &mut WorkflowOptions) -> syn::Result<()> {
    attr.parse_nested_meta(|meta| {
        let key = meta.path.get_ident().map(Ident::to_string).unwrap_or_default();
        match key.as_str() {
            "kind" => options.kind = Some(meta.value()?.parse()?),
            "timeout_seconds" => options.timeout_seconds = Some(meta.value()?.parse()?),
            "query_language" => options.query_language = Some(meta.value()?.parse()?),
            "version" => options.version = Some(meta.value()?.parse()?),
            "tasks" => options.tasks = Some(meta.value()?.parse()?),
            _ => {
                return Err(meta.error(format!(
                    "unknown workflow option `{key}`; expected `kind`, `timeout_seconds`, `query_language`, `version` or `tasks`"
                )))
            }
        }
        Ok(())
    })
}

/// `{ start A; states... }`.
fn parse_machine(input: ParseStream, depth: usize) -> syn::Result<Machine> {
    if depth > MAX_DEPTH {
        return Err(input.error("branches and processors are nested too deeply"));
    }
    let content;
    let brace = braced!(content in input);
    let mut start = None;
    let mut states = Vec::new();
    while !content.is_empty() {
        let attrs = content.call(Attribute::parse_outer)?;
        if content.peek(kw::start) && !content.peek2(Token![:]) {
            let kw: kw::start = content.parse()?;
            if start.is_some() {
                return Err(syn::Error::new(kw.span, "`start` is given twice"));
            }
            if !attrs.is_empty() {
                return Err(syn::Error::new(
                    kw.span,
                    "doc comments go on states or on the workflow, not on `start`",
                ));
            }
            start = Some(parse_state_name(&content)?);
            content.parse::<Token![;]>()?;
            continue;
        }
        states.push(parse_state(&content, doc_of(&attrs)?, depth)?);
    }
    Ok(Machine {
        span: brace.span.join(),
        start,
        states,
    })
}

fn parse_state_name(input: ParseStream) -> syn::Result<StateName> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        Ok(StateName {
            name: lit.value(),
            span: lit.span(),
        })
    } else if input.peek(<Ident as syn::ext::IdentExt>::peek_any) {
        let ident = Ident::parse_any_ident(input)?;
        let name = ident.to_string();
        // `r#type` names the state `type`.
        let name = name.strip_prefix("r#").map(str::to_owned).unwrap_or(name);
        Ok(StateName {
            name,
            span: ident.span(),
        })
    } else {
        Err(input.error("expected a state name: an identifier or a string literal"))
    }
}

const KINDS: &[&str] = &[
    "task", "pass", "choice", "wait", "succeed", "fail", "parallel", "map",
];

fn parse_state(input: ParseStream, doc: Option<Doc>, depth: usize) -> syn::Result<StateDef> {
    let name = parse_state_name(input)?;
    input.parse::<Token![:]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected `:` after state name `{}`", name.name),
        )
    })?;
    let kind = Ident::parse_any_ident(input)?;
    if !KINDS.contains(&kind.to_string().as_str()) {
        return Err(syn::Error::new(
            kind.span(),
            format!(
                "unknown state kind `{kind}`; expected one of `{}`",
                KINDS.join("`, `")
            ),
        ));
    }
    let resource = if input.peek(LitStr) {
        Some(input.parse()?)
    } else {
        None
    };
    let service = if input.peek(kw::service) {
        let word: kw::service = input.parse()?;
        if kind != "task" {
            return Err(syn::Error::new(
                word.span,
                format!(
                    "only `task` states call a service; remove `service` from `{kind}` state `{}`",
                    name.name
                ),
            ));
        }
        Some(word.span)
    } else {
        None
    };
    let input_type = if input.peek(syn::token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        if service.is_some() {
            return Err(syn::Error::new(
                paren.span.join(),
                format!("`service` task `{}` has no method, so no input type: the service receives the state's parameters as JSON; remove `(...)`", name.name),
            ));
        }
        if kind != "task" {
            return Err(syn::Error::new(
                paren.span.join(),
                format!("only `task` states declare an input type; remove `(...)` from `{kind}` state `{}`", name.name),
            ));
        }
        Some(content.parse()?)
    } else {
        None
    };
    let result_type = if input.peek(Token![->]) {
        let arrow: Token![->] = input.parse()?;
        if service.is_some() {
            return Err(syn::Error::new(
                arrow.span(),
                format!("`service` task `{}` has no method, so no result type: its result is the service's response as JSON; remove `-> ...`", name.name),
            ));
        }
        if kind != "task" {
            return Err(syn::Error::new(
                arrow.span(),
                format!("only `task` states declare a result type; remove `-> ...` from `{kind}` state `{}`", name.name),
            ));
        }
        Some(input.parse()?)
    } else {
        None
    };
    let body = if input.peek(syn::token::Brace) {
        parse_body(input, depth)?
    } else {
        Vec::new()
    };
    let transition = if input.peek(Token![=>]) {
        input.parse::<Token![=>]>()?;
        Some(TransitionAst::Next(parse_state_name(input)?))
    } else if input.peek(kw::end) {
        let kw: kw::end = input.parse()?;
        Some(TransitionAst::End(kw.span))
    } else {
        None
    };
    input.parse::<Token![;]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!(
                "expected `;` after state `{}` (or `=> NextState` / `end` before it)",
                name.name
            ),
        )
    })?;
    Ok(StateDef {
        doc,
        name,
        kind,
        resource,
        service,
        input_type,
        result_type,
        body,
        transition,
    })
}

fn parse_body(input: ParseStream, depth: usize) -> syn::Result<Vec<Entry>> {
    let content;
    braced!(content in input);
    let mut entries = Vec::new();
    while !content.is_empty() {
        let attrs = content.call(Attribute::parse_outer)?;
        let doc = doc_of(&attrs)?;
        let entry = if content.peek(Token![else]) {
            content.parse::<Token![else]>()?;
            content.parse::<Token![=>]>()?;
            Entry::Else(parse_state_name(&content)?)
        } else if content.peek(kw::branch) && content.peek2(syn::token::Brace) {
            content.parse::<kw::branch>()?;
            Entry::Branch {
                doc,
                machine: parse_machine(&content, depth + 1)?,
            }
        } else if (content.peek(kw::processor) || content.peek(kw::iterator))
            && (content.peek2(syn::token::Brace) || content.peek2(syn::token::Paren))
        {
            let keyword: Ident = content.parse()?;
            let config = if content.peek(syn::token::Paren) {
                let inner;
                parenthesized!(inner in content);
                let mut pairs = Vec::new();
                while !inner.is_empty() {
                    let k: Ident = inner.parse()?;
                    inner.parse::<Token![=]>()?;
                    let v: Ident = inner.parse()?;
                    pairs.push((k, v));
                    if !inner.is_empty() {
                        inner.parse::<Token![,]>()?;
                    }
                }
                Some(pairs)
            } else {
                None
            };
            Entry::Processor {
                keyword,
                doc,
                config,
                machine: parse_machine(&content, depth + 1)?,
            }
        } else if content.peek(Ident) && content.peek2(Token![:]) && !content.peek2(Token![::]) {
            if let Some(d) = doc {
                return Err(syn::Error::new(
                    d.span,
                    "doc comments are not allowed on fields",
                ));
            }
            Entry::Field(parse_field(&content)?)
        } else {
            let expr = crate::parse_rule::parse_rule_or(&content, 0)?;
            content.parse::<Token![=>]>()?;
            let next = parse_state_name(&content)?;
            let mut extras = Vec::new();
            if content.peek(syn::token::Brace) {
                let inner;
                braced!(inner in content);
                while !inner.is_empty() {
                    extras.push(parse_field(&inner)?);
                    if !inner.is_empty() {
                        inner.parse::<Token![,]>()?;
                    }
                }
            }
            Entry::Rule(RuleDef {
                doc,
                expr,
                next,
                extras,
            })
        };
        entries.push(entry);
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
    }
    Ok(entries)
}

fn parse_field(input: ParseStream) -> syn::Result<Field> {
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let value = match name.to_string().as_str() {
        "retry" => FieldValue::Retry(parse_retry(input)?),
        "catch" => FieldValue::Catch(parse_catch(input)?),
        other => {
            // A mistyped special field (`retyr: [ALL] x 2`) is not JSON: name the field rather
            // than the token the JSON reader stopped at.
            let fork = input.fork();
            // The value must end the field: `retyr: [ALL] x 2` reads `[ALL]`, then stops.
            let parsed = parse_json(&fork, 0).and_then(|json| {
                if fork.is_empty() || fork.peek(Token![,]) {
                    Ok(json)
                } else {
                    Err(fork.error("expected `,`"))
                }
            });
            match parsed {
                Ok(json) => {
                    input.advance_to(&fork);
                    FieldValue::Json(json)
                }
                Err(e) if crate::fields::is_known_field(other) => return Err(e),
                Err(e) => {
                    let msg = match crate::fields::closest_field(other) {
                        Some(best) => format!("unknown field `{other}`; did you mean `{best}`?"),
                        None => format!("unknown field `{other}`, and its value is not JSON: {e}"),
                    };
                    return Err(syn::Error::new(name.span(), msg));
                }
            }
        }
    };
    Ok(Field { name, value })
}

/// A JSON value: `null`, `true`, `1.5`, `-3`, `"text"`, `[..]`, `{ "Key": value }`, or a bare identifier.
pub(crate) fn parse_json(input: ParseStream, depth: usize) -> syn::Result<Json> {
    if depth > 64 {
        return Err(input.error("JSON value nested too deeply"));
    }
    if input.peek(LitStr) {
        return Ok(Json::Str(input.parse()?));
    }
    if input.peek(syn::LitBool) {
        let b: syn::LitBool = input.parse()?;
        return Ok(Json::Bool(b.value, b.span));
    }
    if input.peek(Token![-]) || input.peek(syn::LitInt) || input.peek(syn::LitFloat) {
        let (text, span) = parse_number(input)?;
        return Ok(Json::Number(text, span));
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let b = bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_json(&content, depth + 1)?);
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        return Ok(Json::Array(items, b.span.join()));
    }
    if input.peek(syn::token::Brace) {
        let content;
        let b = braced!(content in input);
        let mut entries = Vec::new();
        while !content.is_empty() {
            let key: LitStr = content.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a string key: JSON objects are written `{ \"Key\": value }`",
                )
            })?;
            content.parse::<Token![:]>()?;
            entries.push((key, parse_json(&content, depth + 1)?));
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        return Ok(Json::Object(entries, b.span.join()));
    }
    if input.peek(Ident) {
        let ident = Ident::parse_any_ident(input)?;
        if ident == "null" {
            return Ok(Json::Null(ident.span()));
        }
        return Ok(Json::Ident(ident));
    }
    Err(input.error(
        "expected a value: a string, number, `true`/`false`, `null`, `[...]` or `{ \"Key\": ... }`",
    ))
}

/// A number literal with optional `-`, as JSON text.
pub(crate) fn parse_number(input: ParseStream) -> syn::Result<(String, Span)> {
    let neg = if input.peek(Token![-]) {
        input.parse::<Token![-]>()?;
        "-"
    } else {
        ""
    };
    if input.peek(syn::LitInt) {
        let lit: syn::LitInt = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(lit.span(), "numbers take no suffix here"));
        }
        Ok((format!("{neg}{}", lit.base10_digits()), lit.span()))
    } else {
        let lit: syn::LitFloat = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(lit.span(), "numbers take no suffix here"));
        }
        Ok((format!("{neg}{}", lit.base10_digits()), lit.span()))
    }
}

/// An integer of seconds: `2` or `2s`.
fn parse_seconds(input: ParseStream) -> syn::Result<(u64, Span)> {
    let lit: syn::LitInt = input.parse()?;
    if !matches!(lit.suffix(), "" | "s") {
        return Err(syn::Error::new(
            lit.span(),
            "durations are whole seconds: write `5` or `5s`",
        ));
    }
    Ok((lit.base10_parse()?, lit.span()))
}

fn parse_error_names(input: ParseStream) -> syn::Result<(Vec<ErrorName>, Span)> {
    let content;
    let b = bracketed!(content in input);
    let mut names = Vec::new();
    while !content.is_empty() {
        if content.peek(LitStr) {
            let lit: LitStr = content.parse()?;
            names.push(ErrorName {
                name: lit.value(),
                span: lit.span(),
            });
        } else {
            let ident: Ident = content.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected an error name: `TaskFailed` (for `States.TaskFailed`) or a string",
                )
            })?;
            names.push(ErrorName {
                name: format!("States.{ident}"),
                span: ident.span(),
            });
        }
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
    }
    Ok((names, b.span.join()))
}

fn at_field_end(input: ParseStream) -> bool {
    input.is_empty() || input.peek(Token![,])
}

fn parse_retry(input: ParseStream) -> syn::Result<RetryAst> {
    let (errors, span) = parse_error_names(input)?;
    if errors.is_empty() && at_field_end(input) {
        return Ok(RetryAst {
            span,
            retrier: None,
        });
    }
    let mut r = RetrierAst {
        errors,
        interval: None,
        max_attempts: None,
        backoff: None,
        max_delay: None,
        jitter: None,
        comment: None,
    };
    while !at_field_end(input) {
        let word = Ident::parse_any_ident(input)?;
        match word.to_string().as_str() {
            "every" => r.interval = Some(parse_seconds(input)?),
            "x" => {
                let lit: syn::LitInt = input.parse()?;
                r.max_attempts = Some((lit.base10_parse()?, lit.span()));
            }
            "backoff" => r.backoff = Some(parse_number(input)?),
            "max_delay" => r.max_delay = Some(parse_seconds(input)?),
            "jitter" => r.jitter = Some(input.parse()?),
            "comment" => r.comment = Some(input.parse()?),
            _ => {
                return Err(syn::Error::new(
                    word.span(),
                    format!("unknown retry setting `{word}`; expected `every 2s`, `x 3`, `backoff 2.0`, `max_delay 60s`, `jitter FULL` or `comment \"...\"`"),
                ))
            }
        }
    }
    Ok(RetryAst {
        span,
        retrier: Some(r),
    })
}

fn parse_catch(input: ParseStream) -> syn::Result<CatchAst> {
    let (errors, span) = parse_error_names(input)?;
    if errors.is_empty() && at_field_end(input) {
        return Ok(CatchAst {
            span,
            catcher: None,
        });
    }
    let (mut result_path, mut output, mut assign, mut comment) = (None, None, None, None);
    while !input.peek(Token![=>]) {
        if at_field_end(input) {
            return Err(syn::Error::new(
                span,
                "this catcher has no target: add `=> StateName` after its settings",
            ));
        }
        let word = Ident::parse_any_ident(input)?;
        match word.to_string().as_str() {
            "result_path" => result_path = Some(parse_json(input, 0)?),
            "output" => output = Some(parse_json(input, 0)?),
            "assign" => assign = Some(parse_json(input, 0)?),
            "comment" => comment = Some(input.parse()?),
            _ => {
                return Err(syn::Error::new(
                    word.span(),
                    format!("unknown catch setting `{word}`; expected `result_path`, `output`, `assign`, `comment` or `=> Target`"),
                ))
            }
        }
    }
    input.parse::<Token![=>]>()?;
    let next = parse_state_name(input)?;
    Ok(CatchAst {
        span,
        catcher: Some(CatcherAst {
            errors,
            result_path,
            output,
            assign,
            comment,
            next,
        }),
    })
}

pub(crate) trait ParseAnyIdent {
    fn parse_any_ident(input: ParseStream) -> syn::Result<Ident>;
}

impl ParseAnyIdent for Ident {
    /// Identifiers including keywords (`end`, `match`, `type` are fine state names).
    fn parse_any_ident(input: ParseStream) -> syn::Result<Ident> {
        use syn::ext::IdentExt;
        Ident::parse_any(input)
    }
}

pub(crate) mod kw {
    syn::custom_keyword!(start);
    syn::custom_keyword!(end);
    syn::custom_keyword!(branch);
    syn::custom_keyword!(processor);
    syn::custom_keyword!(iterator);
    syn::custom_keyword!(matches);
    syn::custom_keyword!(service);
}
