//! Lowering of Choice states: typed rule expressions → ASL choice rules.
//!
//! The operator follows from the operand: `"$.x" > 100` is `NumericGreaterThan`, `"$.s" == "a"`
//! is `StringEquals`, `"$.t" < timestamp("...")` is `TimestampLessThan`, `"$.a" == true` is
//! `BooleanEquals`; `string_path("$.b")` and friends give the `…Path` forms. `!=` is `Not` of
//! the `==` rule (ASL has no inequality operator).

use serde_json::{Number, Value};
use sfn_asl::model::*;

use crate::ast::{self, CmpOp, Doc, Json, OperandAst, RuleExpr, StateName};
use crate::fields::FieldBag;
use crate::lower::Lowerer;

impl Lowerer<'_> {
    pub(crate) fn choice(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        rules: &[&ast::RuleDef],
        default: Option<&StateName>,
    ) -> StateKind {
        let mut choices = Vec::new();
        for r in rules {
            // The index in the model: a rule that does not lower is left out.
            let rptr = format!("{ptr}/Choices/{}", choices.len());
            self.spans.insert(rptr.clone(), r.next.span);
            self.spans.insert(format!("{rptr}/Next"), r.next.span);
            let condition = match &r.expr {
                RuleExpr::Condition(j) => self
                    .jsonata_template(j, &format!("{rptr}/Condition"), "condition")
                    .map(Condition::Jsonata),
                e => self.rule(e, &rptr, 0).map(Condition::JsonPath),
            };
            let mut assign = None;
            let mut output = None;
            for f in &r.extras {
                let ast::FieldValue::Json(j) = &f.value else {
                    continue;
                };
                match f.name.to_string().as_str() {
                    "assign" => assign = self.template(j, &format!("{rptr}/Assign"), "assign", ql),
                    "output" => {
                        output = self.jsonata_template(j, &format!("{rptr}/Output"), "output")
                    }
                    other => self.cx.error(
                        f.name.span(),
                        format!("a choice rule takes `assign` and `output`, not `{other}`"),
                    ),
                }
            }
            if let Some(d) = &r.doc {
                self.spans.insert(format!("{rptr}/Comment"), d.span);
            }
            match condition {
                Some(condition) => choices.push(ChoiceBranch {
                    comment: r.doc.as_ref().map(|d| d.text.clone()),
                    condition,
                    next: r.next.name.clone(),
                    assign,
                    output,
                }),
                None => {
                    self.spans.forget(&rptr);
                    self.lost_edges(ptr);
                }
            }
        }
        if choices.is_empty() && !rules.is_empty() {
            // Every rule had an error: the linter would only add that there are none.
            self.placeholders.push(format!("{ptr}/Choices"));
        }
        if let Some(d) = default {
            self.spans.insert(format!("{ptr}/Default"), d.span);
        }
        StateKind::Choice(Box::new(Choice {
            input_path: self.opt_path(bag, "input_path", ptr),
            output_path: self.opt_path(bag, "output_path", ptr),
            choices,
            default: default.map(|d| d.name.clone()),
            output: self.jsonata_field(bag, "output", ptr),
            assign: self.template_field(bag, "assign", ptr, ql),
        }))
    }

    fn nested(
        &mut self,
        items: &[(Option<Doc>, RuleExpr)],
        ptr: &str,
        depth: usize,
    ) -> Option<Vec<NestedRule>> {
        let mut out = Vec::new();
        for (i, (doc, e)) in items.iter().enumerate() {
            out.push(self.nested_one(doc, e, &format!("{ptr}/{i}"), depth)?);
        }
        Some(out)
    }

    fn nested_one(
        &mut self,
        doc: &Option<Doc>,
        e: &RuleExpr,
        ptr: &str,
        depth: usize,
    ) -> Option<NestedRule> {
        Some(NestedRule {
            comment: doc.as_ref().map(|d| d.text.clone()),
            rule: self.rule(e, ptr, depth + 1)?,
        })
    }

    fn rule(&mut self, e: &RuleExpr, ptr: &str, depth: usize) -> Option<ChoiceRule> {
        match e {
            RuleExpr::And(items, span) => {
                self.spans.insert(format!("{ptr}/And"), *span);
                Some(ChoiceRule::And(self.nested(
                    items,
                    &format!("{ptr}/And"),
                    depth,
                )?))
            }
            RuleExpr::Or(items, span) => {
                self.spans.insert(format!("{ptr}/Or"), *span);
                Some(ChoiceRule::Or(self.nested(
                    items,
                    &format!("{ptr}/Or"),
                    depth,
                )?))
            }
            RuleExpr::Not(inner, span) => {
                self.spans.insert(format!("{ptr}/Not"), *span);
                Some(ChoiceRule::Not(Box::new(self.nested_one(
                    &inner.0,
                    &inner.1,
                    &format!("{ptr}/Not"),
                    depth,
                )?)))
            }
            RuleExpr::Condition(j) => {
                self.cx.error(
                    j.span(),
                    "a JSONata condition (`\"{% ... %}\"`, `true`) stands alone as a whole rule",
                );
                None
            }
            RuleExpr::Test(t) => self.test(t, ptr),
        }
    }

    fn test(&mut self, t: &ast::TestAst, ptr: &str) -> Option<ChoiceRule> {
        self.spans
            .insert(format!("{ptr}/Variable"), t.variable.span());
        let expect = match &t.operand {
            OperandAst::Str(_) => "string",
            OperandAst::Number(..) => "number",
            OperandAst::Bool(..) if matches!(t.op, CmpOp::Is(_)) => "any",
            OperandAst::Bool(..) => "boolean",
            OperandAst::Timestamp(_) => "string",
            OperandAst::Path(k, _) => match *k {
                "numeric" => "number",
                "boolean" => "boolean",
                _ => "string",
            },
        };
        let var_json = Json::Str(t.variable.clone());
        self.use_path(&var_json, Some(expect));
        let variable = self.path_lit(&t.variable, "Variable")?;
        let (family, operand, operand_span) = match &t.operand {
            OperandAst::Str(s) => (
                "String",
                Operand::Literal(Value::String(s.value())),
                s.span(),
            ),
            OperandAst::Timestamp(s) => (
                "Timestamp",
                Operand::Literal(Value::String(s.value())),
                s.span(),
            ),
            OperandAst::Bool(b, span) => ("Boolean", Operand::Literal(Value::Bool(*b)), *span),
            OperandAst::Number(text, span) => match text.parse::<Number>() {
                Ok(n) => ("Numeric", Operand::Literal(Value::Number(n)), *span),
                Err(_) => {
                    self.cx.error(*span, format!("`{text}` is not a number"));
                    return None;
                }
            },
            OperandAst::Path(kind, lit) => {
                // The operand path reaches a value of the comparison's kind, as the variable does.
                let reads = crate::lower::Reads::EffectiveInput;
                let need = "the rule compares it with";
                self.require_path(lit, &lit.value(), Some(expect), need, reads);
                let family = match *kind {
                    "numeric" => "Numeric",
                    "boolean" => "Boolean",
                    "timestamp" => "Timestamp",
                    _ => "String",
                };
                (
                    family,
                    Operand::Path(self.path_lit(lit, "operand path")?),
                    lit.span(),
                )
            }
        };
        let op_name: String = match t.op {
            CmpOp::Is(name) => name.to_owned(),
            CmpOp::Matches => "StringMatches".to_owned(),
            CmpOp::Eq | CmpOp::Ne => format!("{family}Equals"),
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge if family == "Boolean" => {
                self.cx
                    .error(t.op_span, "booleans compare only with `==` or `!=`");
                return None;
            }
            CmpOp::Lt => format!("{family}LessThan"),
            CmpOp::Le => format!("{family}LessThanEquals"),
            CmpOp::Gt => format!("{family}GreaterThan"),
            CmpOp::Ge => format!("{family}GreaterThanEquals"),
        };
        let Some((operator, _)) = Operator::from_field(&op_name) else {
            self.cx
                .error(t.op_span, format!("no choice operator `{op_name}`"));
            return None;
        };
        let field = if matches!(operand, Operand::Path(_)) {
            format!("{op_name}Path")
        } else {
            op_name
        };
        self.spans.insert(format!("{ptr}/{field}"), operand_span);
        let test = ChoiceRule::Test(DataTest {
            variable,
            operator,
            operand,
        });
        if t.op == CmpOp::Ne {
            self.spans.insert(format!("{ptr}/Not"), t.op_span);
            Some(ChoiceRule::Not(Box::new(NestedRule {
                comment: None,
                rule: test,
            })))
        } else {
            Some(test)
        }
    }
}
