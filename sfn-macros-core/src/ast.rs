//! The syntax tree of the `workflow!` DSL. Every node keeps the span of the tokens it came
//! from, so that a finding on the lowered ASL can be reported on the user's code.

use proc_macro2::Span;
use syn::{Ident, LitStr, Type, Visibility};

/// A doc comment (`/// text`), joined line by line.
#[derive(Clone)]
pub(crate) struct Doc {
    pub(crate) text: String,
    pub(crate) span: Span,
}

/// One `workflow!` invocation.
pub(crate) struct Workflow {
    pub(crate) doc: Option<Doc>,
    pub(crate) options: WorkflowOptions,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) input: Option<Type>,
    pub(crate) output: Option<Type>,
    pub(crate) machine: Machine,
}

/// `#[workflow(kind = Standard, timeout_seconds = 3600, query_language = JSONata, version = "1.0")]`.
#[derive(Default)]
pub(crate) struct WorkflowOptions {
    pub(crate) kind: Option<Ident>,
    pub(crate) timeout_seconds: Option<syn::LitInt>,
    pub(crate) query_language: Option<Ident>,
    pub(crate) version: Option<LitStr>,
    /// `tasks = Name`: the name of the generated Task trait (default `<Workflow>Tasks`).
    pub(crate) tasks: Option<Ident>,
}

/// `{ start A; A: ...; B: ...; }`: the top level, a Parallel branch or a Map processor.
pub(crate) struct Machine {
    pub(crate) span: Span,
    pub(crate) start: Option<StateName>,
    pub(crate) states: Vec<StateDef>,
}

/// A state name: an identifier or a string literal (ASL names may contain spaces).
#[derive(Clone)]
pub(crate) struct StateName {
    pub(crate) name: String,
    pub(crate) span: Span,
}

/// `Name: kind "resource" { body } => Next;`.
pub(crate) struct StateDef {
    pub(crate) doc: Option<Doc>,
    pub(crate) name: StateName,
    pub(crate) kind: Ident,
    pub(crate) resource: Option<LitStr>,
    /// `service` after a task's resource: no method answers it; the engine calls the service
    /// (the AWS integration) or a mock.
    pub(crate) service: Option<Span>,
    /// `(Order)` after a task's resource: the type its handler receives.
    pub(crate) input_type: Option<Type>,
    /// `-> Validation` after a task's resource: what its handler returns.
    pub(crate) result_type: Option<Type>,
    pub(crate) body: Vec<Entry>,
    pub(crate) transition: Option<TransitionAst>,
}

/// `=> Next` or `end`.
pub(crate) enum TransitionAst {
    Next(StateName),
    End(Span),
}

/// One entry of a state body.
pub(crate) enum Entry {
    /// `name: value`.
    Field(Field),
    /// A choice rule: `"$.x" > 1 => Big`.
    Rule(RuleDef),
    /// `else => Default`.
    Else(StateName),
    /// `branch { ... }` of a Parallel state.
    Branch { doc: Option<Doc>, machine: Machine },
    /// `processor(mode = DISTRIBUTED) { ... }` or the legacy `iterator { ... }` of a Map state.
    Processor {
        keyword: Ident,
        doc: Option<Doc>,
        config: Option<Vec<(Ident, Ident)>>,
        machine: Machine,
    },
}

/// `name: value`.
pub(crate) struct Field {
    pub(crate) name: Ident,
    pub(crate) value: FieldValue,
}

/// The value of a field: JSON for most, sugar for `retry` and `catch`.
pub(crate) enum FieldValue {
    Json(Json),
    Retry(RetryAst),
    Catch(CatchAst),
}

/// A JSON value written in Rust tokens.
#[derive(Clone)]
pub(crate) enum Json {
    Null(Span),
    Bool(bool, Span),
    /// A number, with its text as written (`2` and `2.0` stay apart).
    Number(String, Span),
    Str(LitStr),
    Array(Vec<Json>, Span),
    Object(Vec<(LitStr, Json)>, Span),
    /// A bare identifier, for enumerated values (`JSONata`, `DISTRIBUTED`).
    Ident(Ident),
}

impl Json {
    pub(crate) fn span(&self) -> Span {
        match self {
            Json::Null(s)
            | Json::Bool(_, s)
            | Json::Number(_, s)
            | Json::Array(_, s)
            | Json::Object(_, s) => *s,
            Json::Str(l) => l.span(),
            Json::Ident(i) => i.span(),
        }
    }
}

/// An error name in `retry`/`catch`: `TaskFailed` (= `States.TaskFailed`) or `"Custom.Error"`.
pub(crate) struct ErrorName {
    pub(crate) name: String,
    pub(crate) span: Span,
}

/// `retry: [TaskFailed, "X"] every 2s x 3 backoff 2.0 max_delay 60s jitter FULL comment "..."`,
/// or `retry: []` for an empty list.
pub(crate) struct RetryAst {
    pub(crate) span: Span,
    /// `None` for the empty list `retry: []`.
    pub(crate) retrier: Option<RetrierAst>,
}

pub(crate) struct RetrierAst {
    pub(crate) errors: Vec<ErrorName>,
    pub(crate) interval: Option<(u64, Span)>,
    pub(crate) max_attempts: Option<(u64, Span)>,
    pub(crate) backoff: Option<(String, Span)>,
    pub(crate) max_delay: Option<(u64, Span)>,
    pub(crate) jitter: Option<Ident>,
    pub(crate) comment: Option<LitStr>,
}

/// `catch: [ALL] result_path "$.error" output {...} assign {...} comment "..." => Target`,
/// or `catch: []` for an empty list.
pub(crate) struct CatchAst {
    pub(crate) span: Span,
    pub(crate) catcher: Option<CatcherAst>,
}

pub(crate) struct CatcherAst {
    pub(crate) errors: Vec<ErrorName>,
    pub(crate) result_path: Option<Json>,
    pub(crate) output: Option<Json>,
    pub(crate) assign: Option<Json>,
    pub(crate) comment: Option<LitStr>,
    pub(crate) next: StateName,
}

/// One top-level choice rule with its target and extras.
pub(crate) struct RuleDef {
    pub(crate) doc: Option<Doc>,
    pub(crate) expr: RuleExpr,
    pub(crate) next: StateName,
    /// `=> Next { assign: ..., output: ... }`.
    pub(crate) extras: Vec<Field>,
}

/// A rule expression.
pub(crate) enum RuleExpr {
    /// `a && b`, `all(a, b)`.
    And(Vec<(Option<Doc>, RuleExpr)>, Span),
    /// `a || b`, `any(a, b)`.
    Or(Vec<(Option<Doc>, RuleExpr)>, Span),
    /// `!a`, `not(a)`.
    Not(Box<(Option<Doc>, RuleExpr)>, Span),
    /// `"$.x" > 1`, `is_present("$.x")`.
    Test(TestAst),
    /// A JSONata `Condition`: `"{% $x > 1 %}"` or `true`.
    Condition(Json),
}

/// `Variable` + operator + operand.
pub(crate) struct TestAst {
    pub(crate) variable: LitStr,
    pub(crate) op: CmpOp,
    pub(crate) op_span: Span,
    pub(crate) operand: OperandAst,
}

/// The operator as written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Matches,
    /// `is_present(..)`, `is_null(..)`, ...: the operator name.
    Is(&'static str),
}

/// The right-hand side of a comparison.
pub(crate) enum OperandAst {
    Str(LitStr),
    Number(String, Span),
    Bool(bool, Span),
    Timestamp(LitStr),
    /// `string_path("$.b")` etc.: the kind (`string`, `numeric`, `boolean`, `timestamp`) and the path.
    Path(&'static str, LitStr),
}
