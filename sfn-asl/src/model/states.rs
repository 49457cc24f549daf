//! The eight state types, Retry/Catch and Choice rules.

use serde_json::{Number, Value};

use super::{Branch, Dynamic, QueryLanguage, Template, Transition};
use crate::jsonata::{Jsonata, JsonataTemplate};
use crate::path::{Path, ReferencePath};
use crate::resource::Resource;
use crate::template::{PayloadTemplate, ValueExpr};

/// One state: the fields every type has, and the type-specific part.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage` of this state, when it sets one.
    pub query_language: Option<QueryLanguage>,
    /// `Type` and the fields that depend on it.
    pub kind: StateKind,
}

/// The type of a state with its own fields.
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    /// `"Type": "Task"`.
    Task(Box<Task>),
    /// `"Type": "Pass"`.
    Pass(Box<Pass>),
    /// `"Type": "Choice"`.
    Choice(Box<Choice>),
    /// `"Type": "Wait"`.
    Wait(Box<Wait>),
    /// `"Type": "Succeed"`.
    Succeed(Box<Succeed>),
    /// `"Type": "Fail"`.
    Fail(Box<Fail>),
    /// `"Type": "Parallel"`.
    Parallel(Box<Parallel>),
    /// `"Type": "Map"`.
    Map(Box<super::Map>),
}

impl StateKind {
    /// The `Type` value (`"Task"`, `"Pass"`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Task(_) => "Task",
            StateKind::Pass(_) => "Pass",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed(_) => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

impl State {
    /// `Next`/`End` of the types that have one (not Choice, Succeed, Fail).
    pub fn transition(&self) -> Option<&Transition> {
        match &self.kind {
            StateKind::Task(s) => Some(&s.transition),
            StateKind::Pass(s) => Some(&s.transition),
            StateKind::Wait(s) => Some(&s.transition),
            StateKind::Parallel(s) => Some(&s.transition),
            StateKind::Map(s) => Some(&s.transition),
            StateKind::Choice(_) | StateKind::Succeed(_) | StateKind::Fail(_) => None,
        }
    }
}

/// The data-flow and error-handling fields that Task, Parallel and Map share: how the
/// state's input is selected, how its result becomes its output, what it assigns, and its
/// `Retry` and `Catch`. One struct, embedded in each of the three, so the reader, the
/// emitter, the linter, the macro and the engine handle these fields once.
///
/// `Parameters`/`Arguments` are not here: Map has no `Arguments`, and its `Parameters` is the
/// deprecated alias of `ItemSelector`, not the same field as a Task's or Parallel's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataFlow {
    /// `InputPath` (absent = `"$"`, `null` = `{}`).
    pub input_path: Option<Option<Path>>,
    /// `ResultSelector`.
    pub result_selector: Option<PayloadTemplate>,
    /// `ResultPath` (absent = `"$"`, `null` = discard the result).
    pub result_path: Option<Option<ReferencePath>>,
    /// `OutputPath` (absent = `"$"`, `null` = `{}`).
    pub output_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
    /// `Assign`.
    pub assign: Option<Template>,
    /// `Retry` (absent and `[]` both mean no retrier; kept apart for faithful emission).
    pub retry: Option<Vec<Retrier>>,
    /// `Catch` (absent and `[]` both mean no catcher; kept apart for faithful emission).
    pub catch: Option<Vec<Catcher>>,
}

impl DataFlow {
    /// The retriers, in order (empty when `Retry` is absent).
    pub fn retriers(&self) -> &[Retrier] {
        self.retry.as_deref().unwrap_or_default()
    }

    /// The catchers, in order (empty when `Catch` is absent).
    pub fn catchers(&self) -> &[Catcher] {
        self.catch.as_deref().unwrap_or_default()
    }
}

impl State {
    /// The shared data-flow fields of a Task, Parallel or Map state (`None` for the others).
    pub fn result_flow(&self) -> Option<&DataFlow> {
        match &self.kind {
            StateKind::Task(t) => Some(&t.flow),
            StateKind::Parallel(p) => Some(&p.flow),
            StateKind::Map(m) => Some(&m.flow),
            _ => None,
        }
    }
}

/// `"Type": "Task"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// `Resource`: a Lambda function ARN, activity ARN or `arn:aws:states:::service:action[.suffix]`,
    /// read once into what it calls (see [`crate::resource`]).
    pub resource: Resource,
    /// `Parameters`.
    pub parameters: Option<PayloadTemplate>,
    /// `Arguments` (JSONata).
    pub arguments: Option<JsonataTemplate>,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout_seconds: Option<Dynamic<u64>>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat_seconds: Option<Dynamic<u64>>,
    /// `Credentials` (holds `RoleArn`).
    pub credentials: Option<Template>,
    /// `InputPath`, `ResultSelector`, `ResultPath`, `OutputPath`, `Output`, `Assign`,
    /// `Retry`, `Catch`.
    pub flow: DataFlow,
    /// `Next` / `End`.
    pub transition: Transition,
}

/// `"Type": "Pass"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// `InputPath`.
    pub input_path: Option<Option<Path>>,
    /// `Parameters`.
    pub parameters: Option<PayloadTemplate>,
    /// `Result`: the virtual result (wins over `Parameters`).
    pub result: Option<Value>,
    /// `ResultPath`.
    pub result_path: Option<Option<ReferencePath>>,
    /// `OutputPath`.
    pub output_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
    /// `Assign`.
    pub assign: Option<Template>,
    /// `Next` / `End`.
    pub transition: Transition,
}

/// `"Type": "Choice"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// `InputPath`.
    pub input_path: Option<Option<Path>>,
    /// `OutputPath`.
    pub output_path: Option<Option<Path>>,
    /// `Choices`, in order; the first that matches wins.
    pub choices: Vec<ChoiceBranch>,
    /// `Default`: where to go when no rule matches.
    pub default: Option<String>,
    /// `Output` (JSONata): used only when no rule matched.
    pub output: Option<JsonataTemplate>,
    /// `Assign`: used only when no rule matched.
    pub assign: Option<Template>,
}

/// One top-level entry of `Choices`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceBranch {
    /// `Comment`.
    pub comment: Option<String>,
    /// The rule: a JSONPath rule or a JSONata `Condition`.
    pub condition: Condition,
    /// `Next`.
    pub next: String,
    /// `Assign` of the rule (replaces the state-level one when the rule matches).
    pub assign: Option<Template>,
    /// `Output` of the rule (JSONata).
    pub output: Option<JsonataTemplate>,
}

/// The test of a top-level choice rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A JSONPath rule (`Variable` + operator, `And`, `Or`, `Not`).
    JsonPath(ChoiceRule),
    /// A JSONata `Condition`: `true`/`false` or an expression yielding a boolean.
    Jsonata(JsonataTemplate),
}

/// A JSONPath choice rule.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceRule {
    /// `And`: every nested rule matches (short-circuits in order).
    And(Vec<NestedRule>),
    /// `Or`: some nested rule matches.
    Or(Vec<NestedRule>),
    /// `Not`.
    Not(Box<NestedRule>),
    /// `Variable` + one comparison operator.
    Test(DataTest),
}

/// A rule inside `And`/`Or`/`Not`, which may carry its own `Comment`.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedRule {
    /// `Comment`.
    pub comment: Option<String>,
    /// The rule.
    pub rule: ChoiceRule,
}

/// `Variable` compared by one operator with a literal or with the value at another path.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTest {
    /// `Variable`.
    pub variable: Path,
    /// The comparison operator.
    pub operator: Operator,
    /// Its operand: a literal, or a path for the `…Path` forms (`StringEqualsPath`).
    pub operand: Operand,
}

/// The operand of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal of the operator's type (string, number, boolean; a boolean for the `Is…` tests).
    Literal(Value),
    /// A path whose value is compared (the `…Path` operators).
    Path(Path),
}

macro_rules! operators {
    ($($(#[$doc:meta])* $name:ident = $text:literal, $kind:ident, $has_path:literal;)*) => {
        /// A choice comparison operator (without the `Path` suffix; see [`Operand::Path`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operator { $($(#[$doc])* $name,)* }

        impl Operator {
            /// Every operator.
            pub const ALL: &'static [Operator] = &[$(Operator::$name,)*];
            /// The ASL field name (`StringEquals`).
            pub fn as_str(self) -> &'static str { match self { $(Operator::$name => $text,)* } }
            /// The type of literal the operator takes.
            pub fn operand_kind(self) -> OperandKind { match self { $(Operator::$name => OperandKind::$kind,)* } }
            /// Whether a `…Path` form exists (`StringEqualsPath`).
            pub fn has_path_form(self) -> bool { match self { $(Operator::$name => $has_path,)* } }
            /// Parses a field name: `StringEquals` → (StringEquals, false), `StringEqualsPath` → (StringEquals, true).
            pub fn from_field(field: &str) -> Option<(Operator, bool)> {
                $(if field == $text { return Some((Operator::$name, false)); })*
                let base = field.strip_suffix("Path")?;
                $(if $has_path && base == $text { return Some((Operator::$name, true)); })*
                None
            }
        }
    };
}

operators! {
    /// `StringEquals`.
    StringEquals = "StringEquals", String, true;
    /// `StringLessThan`.
    StringLessThan = "StringLessThan", String, true;
    /// `StringGreaterThan`.
    StringGreaterThan = "StringGreaterThan", String, true;
    /// `StringLessThanEquals`.
    StringLessThanEquals = "StringLessThanEquals", String, true;
    /// `StringGreaterThanEquals`.
    StringGreaterThanEquals = "StringGreaterThanEquals", String, true;
    /// `StringMatches` (`*` wildcard).
    StringMatches = "StringMatches", String, false;
    /// `NumericEquals`.
    NumericEquals = "NumericEquals", Number, true;
    /// `NumericLessThan`.
    NumericLessThan = "NumericLessThan", Number, true;
    /// `NumericGreaterThan`.
    NumericGreaterThan = "NumericGreaterThan", Number, true;
    /// `NumericLessThanEquals`.
    NumericLessThanEquals = "NumericLessThanEquals", Number, true;
    /// `NumericGreaterThanEquals`.
    NumericGreaterThanEquals = "NumericGreaterThanEquals", Number, true;
    /// `BooleanEquals`.
    BooleanEquals = "BooleanEquals", Boolean, true;
    /// `TimestampEquals`.
    TimestampEquals = "TimestampEquals", Timestamp, true;
    /// `TimestampLessThan`.
    TimestampLessThan = "TimestampLessThan", Timestamp, true;
    /// `TimestampGreaterThan`.
    TimestampGreaterThan = "TimestampGreaterThan", Timestamp, true;
    /// `TimestampLessThanEquals`.
    TimestampLessThanEquals = "TimestampLessThanEquals", Timestamp, true;
    /// `TimestampGreaterThanEquals`.
    TimestampGreaterThanEquals = "TimestampGreaterThanEquals", Timestamp, true;
    /// `IsNull`.
    IsNull = "IsNull", Boolean, false;
    /// `IsPresent`.
    IsPresent = "IsPresent", Boolean, false;
    /// `IsNumeric`.
    IsNumeric = "IsNumeric", Boolean, false;
    /// `IsString`.
    IsString = "IsString", Boolean, false;
    /// `IsBoolean`.
    IsBoolean = "IsBoolean", Boolean, false;
    /// `IsTimestamp`.
    IsTimestamp = "IsTimestamp", Boolean, false;
}

/// The JSON type an operator's literal operand must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An RFC 3339 timestamp string.
    Timestamp,
}

/// `"Type": "Wait"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// How long: exactly one of the four timing fields (or their JSONata forms).
    pub wait_for: WaitFor,
    /// `InputPath`.
    pub input_path: Option<Option<Path>>,
    /// `OutputPath`.
    pub output_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
    /// `Assign`.
    pub assign: Option<Template>,
    /// `Next` / `End`.
    pub transition: Transition,
}

/// The timing field of a Wait state.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    /// `Seconds` / `SecondsPath` (or `Seconds` as JSONata).
    Seconds(Dynamic<u64>),
    /// `Timestamp` / `TimestampPath` (or `Timestamp` as JSONata); a literal is a validated RFC 3339 string.
    Timestamp(Dynamic<String>),
}

/// `"Type": "Succeed"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Succeed {
    /// `InputPath`.
    pub input_path: Option<Option<Path>>,
    /// `OutputPath`.
    pub output_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
}

/// `"Type": "Fail"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    /// `Error` / `ErrorPath`.
    pub error: Option<FailField>,
    /// `Cause` / `CausePath`.
    pub cause: Option<FailField>,
}

/// `Error`/`Cause` of a Fail state.
#[derive(Debug, Clone, PartialEq)]
pub enum FailField {
    /// A literal string.
    Literal(String),
    /// `ErrorPath`/`CausePath`: a reference path (input, `$$` or variable) or a string intrinsic.
    Path(ValueExpr),
    /// A JSONata expression (JSONata states).
    Jsonata(Jsonata),
}

/// `"Type": "Parallel"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parallel {
    /// `Branches`, in order (result element *i* is branch *i*'s output).
    pub branches: Vec<Branch>,
    /// `Parameters`: input of every branch.
    pub parameters: Option<PayloadTemplate>,
    /// `Arguments` (JSONata).
    pub arguments: Option<JsonataTemplate>,
    /// `InputPath`, `ResultSelector`, `ResultPath`, `OutputPath`, `Output`, `Assign`,
    /// `Retry`, `Catch`.
    pub flow: DataFlow,
    /// `Next` / `End`.
    pub transition: Transition,
}

/// One entry of `Retry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: Option<u64>,
    /// `MaxAttempts` (default 3; 0 = never retry).
    pub max_attempts: Option<u64>,
    /// `BackoffRate` (default 2.0), kept as written (`2` vs `2.0`).
    pub backoff_rate: Option<Number>,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy`.
    pub jitter_strategy: Option<JitterStrategy>,
    /// `Comment`.
    pub comment: Option<String>,
}

impl Retrier {
    /// `IntervalSeconds` or its default.
    pub fn interval(&self) -> u64 {
        self.interval_seconds.unwrap_or(1)
    }
    /// `MaxAttempts` or its default.
    pub fn attempts(&self) -> u64 {
        self.max_attempts.unwrap_or(3)
    }
    /// `BackoffRate` or its default.
    pub fn backoff(&self) -> f64 {
        self.backoff_rate
            .as_ref()
            .and_then(Number::as_f64)
            .unwrap_or(2.0)
    }
}

/// `JitterStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitterStrategy {
    /// `FULL`: a uniform random delay in `[0, delay]`.
    Full,
    /// `NONE`.
    None,
}

/// One entry of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `Next`.
    pub next: String,
    /// `ResultPath` (JSONPath; absent = `"$"`, `null` = the raw input passes through).
    pub result_path: Option<Option<ReferencePath>>,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
    /// `Assign` (replaces the state-level one).
    pub assign: Option<Template>,
    /// `Comment`.
    pub comment: Option<String>,
}
