//! The Choice state and its rules (checklist §2.4, §6).

use serde_json::{Map, Value};

use super::reader::{Ctx, Lang, Obj, Pointer, Spec};
use super::schema::{
    jsonata_template, jsonata_template_value, path_field, path_value, template, ErrorOutput,
};
use super::MAX_NESTING;
use crate::model::{
    Choice, ChoiceBranch, ChoiceRule, Condition, DataTest, NestedRule, Operand, Operator,
    QueryLanguage,
};

use Lang::{Both as B, JsonPath as P, Jsonata as A};

pub(crate) const CHOICE: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("Choices", B),
    ("Default", B),
    ("InputPath", P),
    ("OutputPath", P),
    ("Output", A),
    ("Assign", B),
];

// `Condition` and `Output` are JSONata-only, `Variable`/`And`/`Or`/`Not` JSONPath-only, so each
// language gets AWS's query-language message for the other's rule fields.
const JSONATA_RULE: Spec = &[
    ("Condition", A),
    ("Next", B),
    ("Assign", B),
    ("Output", A),
    ("Comment", B),
    ("Variable", P),
    ("And", P),
    ("Or", P),
    ("Not", P),
];

pub(crate) fn choice(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Choice {
    ctx.require(o, &["Choices"]);
    let mut choices = Vec::new();
    if let Some(v) = o.get("Choices") {
        let at = o.at.key("Choices");
        match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(b) = top_rule(ctx, item, &at.index(i), lang) {
                        choices.push(b);
                    }
                }
            }
            None => ctx.wrong_type(&at, "an array of choice rules"),
        }
    }
    Choice {
        input_path: path_field(ctx, o, "InputPath"),
        output_path: path_field(ctx, o, "OutputPath"),
        choices,
        default: ctx.string(o, "Default"),
        output: jsonata_template(ctx, o, "Output", ErrorOutput::Forbidden),
        assign: template(ctx, o, "Assign", lang, ErrorOutput::Forbidden),
    }
}

/// One entry of `Choices`: kept (with a placeholder rule if need be) as long as it has a `Next`,
/// so the linter still sees the edge.
fn top_rule(ctx: &mut Ctx, v: &Value, at: &Pointer, lang: QueryLanguage) -> Option<ChoiceBranch> {
    let Some(map) = v.as_object() else {
        ctx.wrong_type(at, "an object");
        return None;
    };
    let (condition, o) = match lang {
        QueryLanguage::Jsonata => {
            let o = ctx.object(map, at, JSONATA_RULE, lang);
            ctx.require(&o, &["Condition", "Next"]);
            let cond = o
                .get("Condition")
                .and_then(|c| condition(ctx, c, &at.key("Condition")));
            (cond.map(Condition::Jsonata), o)
        }
        QueryLanguage::JsonPath => {
            let rule = rule(ctx, map, at, true);
            let o = Obj::with_hidden(map, at, Vec::new());
            ctx.require(&o, &["Next"]);
            (rule.map(Condition::JsonPath), o)
        }
    };
    let next = ctx.string(&o, "Next")?;
    let output = if lang == QueryLanguage::Jsonata {
        jsonata_template(ctx, &o, "Output", ErrorOutput::Forbidden)
    } else {
        None
    };
    Some(ChoiceBranch {
        comment: ctx.string(&o, "Comment"),
        condition: condition.unwrap_or_else(|| placeholder_condition(lang)),
        next,
        assign: template(ctx, &o, "Assign", lang, ErrorOutput::Forbidden),
        output,
    })
}

/// A JSONata `Condition`: `true`/`false` or a `{% %}` expression.
fn condition(ctx: &mut Ctx, v: &Value, at: &Pointer) -> Option<crate::jsonata::JsonataTemplate> {
    match v {
        Value::Bool(_) => jsonata_template_value(ctx, v, at, ErrorOutput::Forbidden),
        Value::String(s) if super::reader::is_jsonata(s) => {
            jsonata_template_value(ctx, v, at, ErrorOutput::Forbidden)
        }
        _ => {
            ctx.wrong_type(at, "a boolean or a JSONata expression");
            None
        }
    }
}

/// A JSONPath rule; `top` allows `Next`/`Assign` (which nested rules must not have).
fn rule(ctx: &mut Ctx, map: &Map<String, Value>, at: &Pointer, top: bool) -> Option<ChoiceRule> {
    if ctx.depth >= 2 * MAX_NESTING {
        ctx.schema(
            at,
            &format!(
                "Choice rules may nest at most {} levels deep",
                2 * MAX_NESTING
            ),
            Some("split the rule over several Choice states".into()),
        );
        return None;
    }
    let mut operators = Vec::new();
    let mut boolean = Vec::new();
    for key in map.keys() {
        match key.as_str() {
            "Variable" | "Comment" => {}
            "Next" | "Assign" if top => {}
            "Condition" | "Output" if top => {
                let text = format!(
                    "The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for the 'JSONata' QueryLanguage"
                );
                let hint = Some("write the rule with `Variable` and an operator, or set `\"QueryLanguage\": \"JSONata\"` on the state".into());
                ctx.schema(&at.key(key), &text, hint);
            }
            "And" | "Or" | "Not" => boolean.push(key.as_str()),
            k => match Operator::from_field(k) {
                Some((op, is_path)) => operators.push((k, op, is_path)),
                None => {
                    let known = ["Variable", "And", "Or", "Not", "Comment"]
                        .into_iter()
                        .chain(
                            if top {
                                ["Next", "Assign"].as_slice()
                            } else {
                                [].as_slice()
                            }
                            .iter()
                            .copied(),
                        )
                        .chain(Operator::ALL.iter().map(|o| o.as_str()));
                    let mut hint = (ctx.suggest)
                        .did_you_mean(k, known)
                        .or_else(|| Some(format!("remove `{k}`")));
                    if !top && matches!(k, "Next" | "Assign") {
                        hint = Some(format!(
                            "only a top-level rule of `Choices` has `{k}`; move it there"
                        ));
                    }
                    ctx.schema(&at.key(k), &format!("Field '{k}' is not supported"), hint);
                }
            },
        }
    }
    if let Some(c) = map.get("Comment") {
        if !c.is_string() {
            ctx.wrong_type(&at.key("Comment"), "a string");
        }
    }
    if operators.len() + boolean.len() != 1 {
        let text = if operators.len() + boolean.len() == 0 {
            "Each Choice Rule must have a comparison operator or And, Or, Not"
        } else {
            "Each Choice Rule can only have one comparison operator"
        };
        let hint = "combine several tests with `And`/`Or`, one operator per nested rule";
        ctx.schema(at, text, Some(hint.into()));
        return None;
    }
    ctx.depth += 1;
    let out = if let Some(kind) = boolean.first() {
        if map.contains_key("Variable") {
            ctx.schema(
                &at.key("Variable"),
                "Field 'Variable' is not supported",
                Some(format!(
                    "`{kind}` takes whole rules; move `Variable` into them"
                )),
            );
        }
        boolean_rule(ctx, map, at, kind)
    } else {
        operators
            .first()
            .and_then(|(k, op, is_path)| data_test(ctx, map, at, k, *op, *is_path))
            .map(ChoiceRule::Test)
    };
    ctx.depth -= 1;
    out
}

fn boolean_rule(
    ctx: &mut Ctx,
    map: &Map<String, Value>,
    at: &Pointer,
    kind: &str,
) -> Option<ChoiceRule> {
    let here = at.key(kind);
    let v = map.get(kind)?;
    if kind == "Not" {
        let Some(inner) = v.as_object() else {
            ctx.wrong_type(&here, "a choice rule object");
            return None;
        };
        return nested(ctx, inner, &here).map(|n| ChoiceRule::Not(Box::new(n)));
    }
    let Some(items) = v.as_array() else {
        ctx.wrong_type(&here, "an array of choice rules");
        return None;
    };
    let mut rules = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(inner) = item.as_object() else {
            ctx.wrong_type(&here.index(i), "a choice rule object");
            ok = false;
            continue;
        };
        match nested(ctx, inner, &here.index(i)) {
            Some(n) => rules.push(n),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(if kind == "And" {
        ChoiceRule::And(rules)
    } else {
        ChoiceRule::Or(rules)
    })
}

fn nested(ctx: &mut Ctx, map: &Map<String, Value>, at: &Pointer) -> Option<NestedRule> {
    let comment = map
        .get("Comment")
        .and_then(Value::as_str)
        .map(str::to_owned);
    rule(ctx, map, at, false).map(|rule| NestedRule { comment, rule })
}

fn data_test(
    ctx: &mut Ctx,
    map: &Map<String, Value>,
    at: &Pointer,
    key: &str,
    operator: Operator,
    is_path: bool,
) -> Option<DataTest> {
    let Some(var) = map.get("Variable") else {
        ctx.schema(
            at,
            "These fields are required: [Variable]",
            Some(format!("add `\"Variable\": \"$.field\"` for `{key}`")),
        );
        return None;
    };
    let variable = path_value(ctx, var, &at.key("Variable"));
    let v = map.get(key)?;
    let operand = if is_path {
        path_value(ctx, v, &at.key(key)).map(Operand::Path)
    } else {
        // The operand's type is checked by the linter, which also sees models built in code.
        Some(Operand::Literal(v.clone()))
    };
    Some(DataTest {
        variable: variable?,
        operator,
        operand: operand?,
    })
}

/// Stands in for a rule that could not be read, keeping its `Next` edge for the linter. It is
/// a rule the linter finds nothing wrong with (`$` is present / `true`), so the finding that
/// made it a placeholder stays the only one.
fn placeholder_condition(lang: QueryLanguage) -> Condition {
    let always = match lang {
        QueryLanguage::Jsonata => crate::jsonata::JsonataTemplate::compile(&Value::Bool(true))
            .ok()
            .map(Condition::Jsonata),
        QueryLanguage::JsonPath => crate::path::Path::parse("$").ok().map(|variable| {
            Condition::JsonPath(ChoiceRule::Test(DataTest {
                variable,
                operator: Operator::IsPresent,
                operand: Operand::Literal(Value::Bool(true)),
            }))
        }),
    };
    // Both compile in any implementation; the empty `And` only guards against one that does not.
    always.unwrap_or(Condition::JsonPath(ChoiceRule::And(Vec::new())))
}
