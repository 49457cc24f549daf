//! Choice rules: typed expressions (`"$.total" > 100 && is_present("$.id")`) → [`RuleExpr`].

use proc_macro2::Span;
use syn::parse::ParseStream;
use syn::{parenthesized, Attribute, Ident, LitStr, Token};

use crate::ast::*;
use crate::parse::{doc_of, kw, parse_json, parse_number};

/// Nesting cap for rule expressions written in the DSL.
const MAX_DEPTH: usize = 32;

fn check_depth(input: ParseStream, depth: usize) -> syn::Result<()> {
    if depth > MAX_DEPTH {
        return Err(input.error("choice rule nested too deeply"));
    }
    Ok(())
}

/// `a || b || c`.
pub(crate) fn parse_rule_or(input: ParseStream, depth: usize) -> syn::Result<RuleExpr> {
    check_depth(input, depth)?;
    let span = input.span();
    let first = parse_rule_and(input, depth + 1)?;
    if !input.peek(Token![||]) {
        return Ok(first.1);
    }
    let mut items = vec![first];
    while input.peek(Token![||]) {
        input.parse::<Token![||]>()?;
        items.push(parse_rule_and(input, depth + 1)?);
    }
    Ok(RuleExpr::Or(items, span))
}

/// `a && b && c` (each operand may carry a doc comment).
fn parse_rule_and(input: ParseStream, depth: usize) -> syn::Result<(Option<Doc>, RuleExpr)> {
    check_depth(input, depth)?;
    let span = input.span();
    let first = parse_rule_unary(input, depth + 1)?;
    if !input.peek(Token![&&]) {
        return Ok(first);
    }
    let mut items = vec![first];
    while input.peek(Token![&&]) {
        input.parse::<Token![&&]>()?;
        items.push(parse_rule_unary(input, depth + 1)?);
    }
    Ok((None, RuleExpr::And(items, span)))
}

fn parse_rule_unary(input: ParseStream, depth: usize) -> syn::Result<(Option<Doc>, RuleExpr)> {
    check_depth(input, depth)?;
    let doc = doc_of(&input.call(Attribute::parse_outer)?)?;
    if input.peek(Token![!]) {
        let bang: Token![!] = input.parse()?;
        let inner = parse_rule_unary(input, depth + 1)?;
        return Ok((doc, RuleExpr::Not(Box::new(inner), bang.span)));
    }
    if input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in input);
        let e = parse_rule_or(&content, depth + 1)?;
        if !content.is_empty() {
            return Err(content.error("expected `)`"));
        }
        return Ok((doc, e));
    }
    if input.peek(syn::LitBool) {
        return Ok((doc, RuleExpr::Condition(parse_json(input, 0)?)));
    }
    if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let func: Ident = input.parse()?;
        let content;
        parenthesized!(content in input);
        let name = func.to_string();
        let e = match name.as_str() {
            "all" | "any" => {
                let mut items = Vec::new();
                while !content.is_empty() {
                    let item = parse_rule_unary_or(&content, depth + 1)?;
                    items.push(item);
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
                if name == "all" {
                    RuleExpr::And(items, func.span())
                } else {
                    RuleExpr::Or(items, func.span())
                }
            }
            "not" => RuleExpr::Not(
                Box::new(parse_rule_unary_or(&content, depth + 1)?),
                func.span(),
            ),
            _ => {
                let Some(op) = IS_TESTS.iter().find(|(n, _)| *n == name).map(|(_, op)| *op) else {
                    return Err(syn::Error::new(
                        func.span(),
                        format!("unknown rule function `{name}`; expected `all`, `any`, `not`, `is_present`, `is_null`, `is_numeric`, `is_string`, `is_boolean` or `is_timestamp`"),
                    ));
                };
                let variable: LitStr = content.parse()?;
                let mut operand = OperandAst::Bool(true, func.span());
                if input.peek(Token![==]) {
                    input.parse::<Token![==]>()?;
                    let b: syn::LitBool = input.parse()?;
                    operand = OperandAst::Bool(b.value, b.span);
                }
                RuleExpr::Test(TestAst {
                    variable,
                    op: CmpOp::Is(op),
                    op_span: func.span(),
                    operand,
                })
            }
        };
        return Ok((doc, e));
    }
    let variable: LitStr = input.parse().map_err(|e| {
        syn::Error::new(e.span(), "expected a choice rule: `\"$.path\" == value`, `is_present(\"$.path\")`, `!rule`, `(rule)` or a JSONata `\"{% ... %}\"`")
    })?;
    if input.peek(Token![=>]) {
        return Ok((doc, RuleExpr::Condition(Json::Str(variable))));
    }
    let (op, op_span) = parse_cmp_op(input)?;
    let operand = parse_operand(input, op)?;
    Ok((
        doc,
        RuleExpr::Test(TestAst {
            variable,
            op,
            op_span,
            operand,
        }),
    ))
}

/// Inside `all(..)`/`any(..)`/`not(..)`: a full expression with an optional doc comment.
fn parse_rule_unary_or(input: ParseStream, depth: usize) -> syn::Result<(Option<Doc>, RuleExpr)> {
    let doc = doc_of(&input.call(Attribute::parse_outer)?)?;
    let e = parse_rule_or(input, depth)?;
    Ok((doc, e))
}

/// `is_…` functions and the ASL operator they stand for.
pub(crate) const IS_TESTS: &[(&str, &str)] = &[
    ("is_present", "IsPresent"),
    ("is_null", "IsNull"),
    ("is_numeric", "IsNumeric"),
    ("is_string", "IsString"),
    ("is_boolean", "IsBoolean"),
    ("is_timestamp", "IsTimestamp"),
];

fn parse_cmp_op(input: ParseStream) -> syn::Result<(CmpOp, Span)> {
    let span = input.span();
    let op = if input.peek(Token![==]) {
        input.parse::<Token![==]>()?;
        CmpOp::Eq
    } else if input.peek(Token![!=]) {
        input.parse::<Token![!=]>()?;
        CmpOp::Ne
    } else if input.peek(Token![<=]) {
        input.parse::<Token![<=]>()?;
        CmpOp::Le
    } else if input.peek(Token![>=]) {
        input.parse::<Token![>=]>()?;
        CmpOp::Ge
    } else if input.peek(Token![<]) {
        input.parse::<Token![<]>()?;
        CmpOp::Lt
    } else if input.peek(Token![>]) {
        input.parse::<Token![>]>()?;
        CmpOp::Gt
    } else if input.peek(kw::matches) {
        input.parse::<kw::matches>()?;
        CmpOp::Matches
    } else {
        return Err(
            input.error("expected a comparison: `==`, `!=`, `<`, `<=`, `>`, `>=` or `matches`")
        );
    };
    Ok((op, span))
}

fn parse_operand(input: ParseStream, op: CmpOp) -> syn::Result<OperandAst> {
    if input.peek(LitStr) {
        return Ok(OperandAst::Str(input.parse()?));
    }
    if op == CmpOp::Matches {
        return Err(input.error("`matches` takes a pattern string: `\"$.file\" matches \"*.csv\"`"));
    }
    if input.peek(syn::LitBool) {
        let b: syn::LitBool = input.parse()?;
        return Ok(OperandAst::Bool(b.value, b.span));
    }
    if input.peek(Token![-]) || input.peek(syn::LitInt) || input.peek(syn::LitFloat) {
        let (text, span) = parse_number(input)?;
        return Ok(OperandAst::Number(text, span));
    }
    if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let func: Ident = input.parse()?;
        let content;
        parenthesized!(content in input);
        let lit: LitStr = content.parse()?;
        return match func.to_string().as_str() {
            "timestamp" => Ok(OperandAst::Timestamp(lit)),
            "string_path" => Ok(OperandAst::Path("string", lit)),
            "numeric_path" => Ok(OperandAst::Path("numeric", lit)),
            "boolean_path" => Ok(OperandAst::Path("boolean", lit)),
            "timestamp_path" => Ok(OperandAst::Path("timestamp", lit)),
            other => Err(syn::Error::new(
                func.span(),
                format!("unknown operand `{other}(..)`; expected `timestamp`, `string_path`, `numeric_path`, `boolean_path` or `timestamp_path`"),
            )),
        };
    }
    Err(input.error("expected an operand: a string, number, `true`/`false`, `timestamp(\"..\")` or `string_path(\"$..\")` and friends"))
}
