//! A whole execution drawn from fuzz bytes: a small state machine with states of every type,
//! their data-flow fields picked from a vocabulary of valid-ish JSONPath, payload templates,
//! intrinsic calls and JSONata, an execution input, and mocked task answers. [`run`] validates the
//! definition and, when it is valid, runs it twice on the engine (Express or Standard, on the
//! paused clock, within a step budget) and checks what must hold for any execution.
//!
//! Shared by the `run_execution` fuzz target and the test that replays its findings
//! (`sfn-runtime/tests/fuzz_regressions.rs`), so a recorded input decodes the same way in both.

use std::sync::Arc;

use arbitrary::{Result, Unstructured};
use serde_json::{json, Map, Value};
use sfn_asl::StateMachine;
use sfn_runtime::engine::express;
use sfn_runtime::mocks::{MockConfig, MockTaskSource};
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status};

/// History events one execution may write before it is stopped: the step budget.
const MAX_EVENTS: u64 = 2_000;
/// States per scope, and scopes nested inside one another (Parallel branches, Map processors).
const MAX_STATES: u32 = 6;
const MAX_NESTING: u32 = 2;

const PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.a[0]",
    "$.a[1:]",
    "$.a[-1:]",
    "$.a[*]",
    "$.b",
    "$.b.c",
    "$.n",
    "$.s",
    "$.j",
    "$.items",
    "$.missing",
    "$..n",
    "$.a[?(@ > 1)]",
    "$.items[?(@.n)]",
    "$$",
    "$$.Execution.Input",
    "$$.State.Name",
    "$$.Map.Item.Value",
    "$$.Map.Item.Index",
    "$$.State.RetryCount",
    "$v",
    "$v.a",
];
/// Reference paths: the fields that name one node (`ItemsPath`, `SecondsPath`, ...).
const REFERENCE_PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.a[0]",
    "$.b",
    "$.b.c",
    "$.n",
    "$.s",
    "$.items",
    "$.missing",
    "$$.Execution.Input",
    "$$.State.Name",
    "$v",
    "$v.a",
];
/// What `CausePath` may hold: paths and intrinsic calls that return a string.
const CAUSES: &[&str] = &[
    "$.s",
    "$.missing",
    "States.Format('{}', $.n)",
    "States.JsonToString($)",
    "States.Base64Encode($.s)",
    "States.UUID()",
];
const RESULT_PATHS: &[&str] = &[
    "$", "$.r", "$.a", "$.b.c", "$.a[0]", "$.x.y.z", "$.n", "$.items",
];
const INTRINSICS: &[&str] = &[
    "States.Array($.n, $.s)",
    "States.ArrayRange(1, 9, 2)",
    "States.ArrayRange($.n, 1000, 1)",
    "States.Format('{} and {}', $.s, $.n)",
    "States.StringToJson($.j)",
    "States.JsonToString($)",
    "States.ArrayPartition($.a, 2)",
    "States.ArrayContains($.a, $.n)",
    "States.ArrayUnique($.a)",
    "States.ArrayLength($.a)",
    "States.ArrayGetItem($.a, $.n)",
    "States.MathAdd($.n, 1)",
    "States.MathRandom(1, 10)",
    "States.StringSplit($.s, ',')",
    "States.Base64Encode($.s)",
    "States.Base64Decode($.s)",
    "States.Hash($.s, 'SHA-256')",
    "States.JsonMerge($, $.b, false)",
    "States.UUID()",
];
const JSONATA: &[&str] = &[
    "$states.input",
    "$states.input.a",
    "$states.input.items",
    "$states.result",
    "$states.context.Execution.Id",
    "$states.context.Map.Item.Value",
    "$count($states.input.a)",
    "$sum($states.input.a)",
    "[1..5]",
    "[1..$states.input.n]",
    "$states.input.n * 2",
    "$string($states.input)",
    "{'k': $states.input.s, 'r': $states.result}",
    "$map($states.input.a, function($x) { $x + 1 })",
    "$distinct($states.input.a)",
    "$sort($states.input.a)",
    "$keys($states.input)",
    "$states.input.missing",
    "$v",
    "$partition := 3",
    "$states.input.n > 2",
    "$exists($states.input.b)",
    "$parse($states.input.j)",
];
const ERRORS: &[&str] = &[
    "States.ALL",
    "States.TaskFailed",
    "States.Timeout",
    "States.Runtime",
    "States.DataLimitExceeded",
    "States.IntrinsicFailure",
    "States.QueryEvaluationError",
    "Custom.Error",
    "Lambda.ServiceException",
];
const RESOURCES: &[&str] = &[
    "arn:aws:states:::lambda:invoke",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "arn:aws:states:::dynamodb:getItem",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::states:startExecution.sync:2",
];
const KEYS: &[&str] = &["a", "b", "c", "n", "s", "j", "items", "x", "r"];

/// One fuzz input decoded: the definition, the input and the mock config (as JSON), and how to
/// run them.
#[derive(Debug)]
pub struct Case {
    pub definition: Value,
    pub input: Value,
    pub mock_config: Value,
    pub express: bool,
}

/// How far one input got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// Too few bytes to draw a case.
    Undecodable,
    /// The drawn definition is invalid (the validator said why, without panicking).
    Invalid,
    /// An Express run refused at start (an activity, `.sync` or `.waitForTaskToken` state).
    Refused,
    /// It ran to this end.
    Ran(Status),
}

/// Decodes, validates and runs one input; panics on a broken invariant.
pub fn run(data: &[u8]) -> Reached {
    let Ok(case) = Case::generate(&mut Unstructured::new(data)) else {
        return Reached::Undecodable;
    };
    let text = case.definition.to_string();
    let machine = match sfn_asl::parse(&text) {
        Ok(m) => m,
        Err(f) => {
            if std::env::var("DBG").is_ok() {
                for x in &f.0 {
                    eprintln!("F {} {:?}", x.pointer, x.message);
                }
            }
            return Reached::Invalid;
        }
    };
    let again = sfn_asl::parse(&sfn_asl::emit(&machine)).expect("emitted ASL parses");
    assert_eq!(machine, again, "emit/parse round trip changed the model");
    let machine = Arc::new(machine);
    let first = execute(&machine, &case);
    let second = execute(&machine, &case);
    let brief =
        |r: &Option<ExecutionResult>| r.as_ref().map(|r| (r.outcome.clone(), r.history.len()));
    assert_eq!(
        brief(&first),
        brief(&second),
        "same execution, different outcome: {text}"
    );
    let Some(result) = first else {
        return Reached::Refused;
    };
    assert_ne!(result.outcome.status, Status::Running);
    if let Some(output) = &result.outcome.output {
        assert!(
            output.to_string().len() <= 262_144,
            "an output over the payload limit"
        );
    }
    if !case.express {
        let events = result.history.len() as u64;
        assert!(events <= MAX_EVENTS + 1, "{events} events past the budget");
    }
    Reached::Ran(result.outcome.status)
}

/// One run on a fresh paused-clock runtime; `None` when an Express run is refused at start.
fn execute(machine: &Arc<StateMachine>, case: &Case) -> Option<ExecutionResult> {
    let mut resources = Resources::new();
    let mocks = MockConfig::from_json(&case.mock_config.to_string())
        .ok()
        .and_then(|c| c.test_case("m", "T").ok());
    if let Some(mocks) = mocks {
        resources.add_source(Arc::new(MockTaskSource::new(mocks)));
    }
    // A fixed start (2024-01-01T00:00:00Z): context timestamps are the same in both runs.
    let engine = Engine::new(resources).with_start_time(1_704_067_200_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let input = case.input.clone();
    if case.express {
        let mut config = express::config("m", "fuzz");
        config.max_history_events = MAX_EVENTS;
        rt.block_on(express::start_sync_execution(
            &engine,
            machine.clone(),
            input,
            config,
        ))
        .ok()
    } else {
        let mut config = ExecutionConfig::new("m", "fuzz");
        config.max_history_events = MAX_EVENTS;
        Some(rt.block_on(engine.start_sync_execution(machine.clone(), input, config)))
    }
}

impl Case {
    /// Draws a case from `u`.
    pub fn generate(u: &mut Unstructured<'_>) -> Result<Case> {
        let jsonata = u.ratio(1, 4)?;
        let mut g = Generator {
            next_id: 0,
            tasks: Vec::new(),
            jsonata,
        };
        let mut definition = g.scope(u, 0)?;
        if jsonata {
            definition.insert("QueryLanguage".into(), json!("JSONata"));
        }
        if u.ratio(1, 8)? {
            definition.insert("TimeoutSeconds".into(), json!(u.int_in_range(1..=400u32)?));
        }
        let input = if u.ratio(1, 3)? {
            value(u, 3)?
        } else {
            base_input(u)?
        };
        let mock_config = g.mock_config(u)?;
        Ok(Case {
            definition: Value::Object(definition),
            input,
            mock_config,
            express: u.arbitrary()?,
        })
    }
}

/// The usual input: every field the vocabulary reads, values fuzzed.
fn base_input(u: &mut Unstructured<'_>) -> Result<Value> {
    let n = *u.choose(&[0i64, 1, 2, 3, -1, 999, 1_000_000, i64::MAX])?;
    let items: Vec<Value> = (0..u.int_in_range(0..=5u8)?)
        .map(|i| json!({"n": i, "s": "x"}))
        .collect();
    Ok(
        json!({"a": [1, 2, 2, 3], "b": {"c": true}, "n": n, "s": "a,b", "j": "{\"k\":[1]}",
              "items": items}),
    )
}

/// Any JSON value, at most `depth` deep, keys from [`KEYS`].
fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let kind = if depth == 0 {
        u.int_in_range(0..=4u8)?
    } else {
        u.int_in_range(0..=6u8)?
    };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => serde_json::Number::from_f64(u.arbitrary::<f64>()?).map_or(Value::Null, Value::Number),
        4 => Value::String(
            u.choose(&["", "a,b", "{\"k\":1}", "x", "é", "YWJj"])?
                .to_string(),
        ),
        5 => Value::Array(
            (0..u.int_in_range(0..=4u8)?)
                .map(|_| value(u, depth - 1))
                .collect::<Result<_>>()?,
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..u.int_in_range(0..=4u8)? {
                m.insert(u.choose(KEYS)?.to_string(), value(u, depth - 1)?);
            }
            Value::Object(m)
        }
    })
}

/// Draws states, remembering every name (unique across the machine, as AWS requires) and the
/// Task states to mock.
struct Generator {
    next_id: u32,
    tasks: Vec<String>,
    /// The machine's `QueryLanguage` is JSONata: every state is.
    jsonata: bool,
}

impl Generator {
    /// `{"StartAt": .., "States": {..}}` with 1 to [`MAX_STATES`] states.
    fn scope(&mut self, u: &mut Unstructured<'_>, depth: u32) -> Result<Map<String, Value>> {
        let count = u.int_in_range(1..=MAX_STATES)?;
        let names: Vec<String> = (0..count)
            .map(|i| format!("S{}", self.next_id + i))
            .collect();
        self.next_id += count;
        let mut states = Map::new();
        for (i, name) in names.iter().enumerate() {
            let state = self.state(u, (i, name), &names, depth)?;
            states.insert(name.clone(), Value::Object(state));
        }
        let mut scope = Map::new();
        scope.insert("StartAt".into(), json!(names[0]));
        scope.insert("States".into(), Value::Object(states));
        Ok(scope)
    }

    fn state(
        &mut self,
        u: &mut Unstructured<'_>,
        (index, name): (usize, &str),
        names: &[String],
        depth: u32,
    ) -> Result<Map<String, Value>> {
        // The next state in the list, mostly: every state stays reachable and the last ends.
        let next = names.get(index + 1);
        let nested = depth < MAX_NESTING;
        let last = next.is_none();
        // Succeed and Fail only last (states after them would be unreachable), Choice never
        // last (it cannot end a scope).
        let kinds: &[&str] = match (nested, last) {
            (true, false) => &["Pass", "Task", "Choice", "Wait", "Parallel", "Map"],
            (true, true) => &["Pass", "Task", "Wait", "Succeed", "Fail", "Parallel", "Map"],
            (false, false) => &["Pass", "Task", "Choice", "Wait"],
            (false, true) => &["Pass", "Task", "Wait", "Succeed", "Fail"],
        };
        let kind = *u.choose(kinds)?;
        let mut s = Map::new();
        s.insert("Type".into(), json!(kind));
        let jsonata = self.jsonata || u.ratio(1, 4)?;
        if jsonata && !self.jsonata {
            s.insert("QueryLanguage".into(), json!("JSONata"));
        }
        match kind {
            "Choice" => self.choice(u, &mut s, (next, names), jsonata)?,
            "Succeed" => {}
            "Fail" => fail(u, &mut s, jsonata)?,
            _ => {
                match kind {
                    "Task" => self.task(u, &mut s, name, jsonata)?,
                    "Wait" => wait(u, &mut s, jsonata)?,
                    "Parallel" => self.parallel(u, &mut s, depth, jsonata)?,
                    "Map" => self.map(u, &mut s, depth, jsonata)?,
                    _ => pass(u, &mut s, jsonata)?,
                }
                data_flow(u, &mut s, kind, jsonata)?;
                transition(u, &mut s, (next, names))?;
                if let Some(Value::Array(catchers)) = s.get_mut("Catch") {
                    catchers[0]["Next"] = json!(u.choose(names)?);
                }
            }
        }
        Ok(s)
    }

    fn task(
        &mut self,
        u: &mut Unstructured<'_>,
        s: &mut Map<String, Value>,
        name: &str,
        jsonata: bool,
    ) -> Result<()> {
        s.insert("Resource".into(), json!(u.choose(RESOURCES)?));
        self.tasks.push(name.to_owned());
        if u.ratio(1, 3)? {
            s.insert(
                "TimeoutSeconds".into(),
                json!(u.int_in_range(1..=100_000u32)?),
            );
        }
        if u.ratio(1, 2)? {
            s.insert("Retry".into(), retriers(u)?);
        }
        catchers(u, s, jsonata)
    }

    fn parallel(
        &mut self,
        u: &mut Unstructured<'_>,
        s: &mut Map<String, Value>,
        depth: u32,
        jsonata: bool,
    ) -> Result<()> {
        let branches = (0..u.int_in_range(1..=3u8)?)
            .map(|_| self.scope(u, depth + 1).map(Value::Object))
            .collect::<Result<Vec<_>>>()?;
        s.insert("Branches".into(), Value::Array(branches));
        if u.ratio(1, 3)? {
            s.insert("Retry".into(), retriers(u)?);
        }
        catchers(u, s, jsonata)
    }

    fn map(
        &mut self,
        u: &mut Unstructured<'_>,
        s: &mut Map<String, Value>,
        depth: u32,
        jsonata: bool,
    ) -> Result<()> {
        s.insert(
            "ItemProcessor".into(),
            Value::Object(self.scope(u, depth + 1)?),
        );
        if jsonata {
            if u.arbitrary()? {
                s.insert(
                    "Items".into(),
                    json!(format!("{{% {} %}}", u.choose(JSONATA)?)),
                );
            }
            if u.arbitrary()? {
                s.insert(
                    "ItemSelector".into(),
                    json!({"v": format!("{{% {} %}}", u.choose(JSONATA)?)}),
                );
            }
        } else {
            if u.arbitrary()? {
                s.insert("ItemsPath".into(), json!(u.choose(REFERENCE_PATHS)?));
            }
            if u.arbitrary()? {
                s.insert(
                    "ItemSelector".into(),
                    json!({"v.$": "$$.Map.Item.Value", "p.$": u.choose(PATHS)?}),
                );
            }
        }
        s.insert("MaxConcurrency".into(), json!(u.choose(&[0u32, 1, 2, 40])?));
        if u.ratio(1, 3)? {
            s.insert(
                "ToleratedFailurePercentage".into(),
                json!(u.int_in_range(0..=100u8)?),
            );
        }
        catchers(u, s, jsonata)
    }

    fn choice(
        &mut self,
        u: &mut Unstructured<'_>,
        s: &mut Map<String, Value>,
        (next, names): (Option<&String>, &[String]),
        jsonata: bool,
    ) -> Result<()> {
        let mut rules = Vec::new();
        for i in 0..u.int_in_range(1..=3u8)? {
            let mut rule = if jsonata {
                json!({"Condition": format!("{{% {} %}}", u.choose(JSONATA)?)})
            } else {
                choice_rule(u, 2)?
            };
            rule["Next"] = json!(match next {
                Some(n) if i == 0 => n,
                _ => u.choose(names)?,
            });
            rules.push(rule);
        }
        s.insert("Choices".into(), Value::Array(rules));
        if u.arbitrary()? {
            s.insert("Default".into(), json!(u.choose(names)?));
        }
        Ok(())
    }

    /// `{"StateMachines": {"m": {"TestCases": {"T": ..}}}, "MockedResponses": ..}` answering
    /// some of the Task states, by index or range.
    fn mock_config(&self, u: &mut Unstructured<'_>) -> Result<Value> {
        let mut case = Map::new();
        let mut responses = Map::new();
        for (i, task) in self.tasks.iter().enumerate() {
            if u.ratio(1, 5)? {
                continue;
            }
            let mut answers = Map::new();
            let mut from = 0u32;
            for _ in 0..u.int_in_range(1..=3u8)? {
                let to = from + u.int_in_range(0..=3u32)?;
                let key = if to == from {
                    from.to_string()
                } else {
                    format!("{from}-{to}")
                };
                let answer = if u.ratio(1, 3)? {
                    json!({"Throw": {"Error": u.choose(ERRORS)?, "Cause": "mocked"}})
                } else {
                    json!({"Return": value(u, 3)?})
                };
                answers.insert(key, answer);
                from = to + 1;
            }
            case.insert(task.clone(), json!(format!("R{i}")));
            responses.insert(format!("R{i}"), Value::Object(answers));
        }
        Ok(
            json!({"StateMachines": {"m": {"TestCases": {"T": case}}}, "MockedResponses": responses}),
        )
    }
}

fn choice_rule(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let path = *u.choose(PATHS)?;
    Ok(match u.int_in_range(0..=7u8)? {
        0 if depth > 0 => json!({"Not": choice_rule(u, depth - 1)?}),
        1 if depth > 0 => json!({"And": [choice_rule(u, depth - 1)?, choice_rule(u, depth - 1)?]}),
        2 if depth > 0 => json!({"Or": [choice_rule(u, depth - 1)?]}),
        3 => json!({"Variable": path, "NumericGreaterThan": u.arbitrary::<i32>()?}),
        4 => json!({"Variable": path, "StringEquals": "a,b"}),
        5 => json!({"Variable": path, "IsPresent": u.arbitrary::<bool>()?}),
        6 => json!({"Variable": path, "NumericLessThanPath": u.choose(PATHS)?}),
        _ => json!({"Variable": path, "StringMatches": "a*"}),
    })
}

fn pass(u: &mut Unstructured<'_>, s: &mut Map<String, Value>, jsonata: bool) -> Result<()> {
    if !jsonata && u.ratio(1, 4)? {
        s.insert("Result".into(), value(u, 2)?);
    }
    Ok(())
}

fn wait(u: &mut Unstructured<'_>, s: &mut Map<String, Value>, jsonata: bool) -> Result<()> {
    match u.int_in_range(0..=3u8)? {
        0 => s.insert(
            "Seconds".into(),
            json!(u.choose(&[0u64, 1, 299, 301, 31_536_000, 99_999_999])?),
        ),
        1 if jsonata => s.insert(
            "Seconds".into(),
            json!(format!("{{% {} %}}", u.choose(JSONATA)?)),
        ),
        1 => s.insert("SecondsPath".into(), json!(u.choose(REFERENCE_PATHS)?)),
        2 if !jsonata => s.insert("TimestampPath".into(), json!(u.choose(REFERENCE_PATHS)?)),
        _ => s.insert(
            "Timestamp".into(),
            json!(u.choose(&["2016-03-14T01:59:00Z", "9999-12-31T23:59:59Z"])?),
        ),
    };
    Ok(())
}

fn fail(u: &mut Unstructured<'_>, s: &mut Map<String, Value>, jsonata: bool) -> Result<()> {
    if jsonata {
        s.insert(
            "Error".into(),
            json!(format!("{{% {} %}}", u.choose(JSONATA)?)),
        );
    } else if u.arbitrary()? {
        s.insert("Error".into(), json!(u.choose(ERRORS)?));
        s.insert("Cause".into(), json!("failed"));
    } else {
        s.insert("ErrorPath".into(), json!(u.choose(REFERENCE_PATHS)?));
        s.insert("CausePath".into(), json!(u.choose(CAUSES)?));
    }
    Ok(())
}

/// `Next` the following state (now and then any state, a loop), or `End` for the last one.
fn transition(
    u: &mut Unstructured<'_>,
    s: &mut Map<String, Value>,
    (next, names): (Option<&String>, &[String]),
) -> Result<()> {
    match next {
        Some(_) if u.ratio(1, 6)? => s.insert("Next".into(), json!(u.choose(names)?)),
        Some(n) => s.insert("Next".into(), json!(n)),
        None => s.insert("End".into(), json!(true)),
    };
    Ok(())
}

/// The data-flow fields of a Pass, Task, Wait, Parallel or Map state.
fn data_flow(
    u: &mut Unstructured<'_>,
    s: &mut Map<String, Value>,
    kind: &str,
    jsonata: bool,
) -> Result<()> {
    let results = matches!(kind, "Task" | "Parallel" | "Map");
    let parameters = matches!(kind, "Task" | "Pass");
    if jsonata {
        for field in ["Output", "Arguments"] {
            let allowed = field == "Output" || matches!(kind, "Task" | "Parallel");
            if allowed && u.arbitrary()? {
                s.insert(
                    field.into(),
                    json!(format!("{{% {} %}}", u.choose(JSONATA)?)),
                );
            }
        }
    } else {
        for field in ["InputPath", "OutputPath"] {
            if u.ratio(1, 3)? {
                s.insert(field.into(), json!(u.choose(PATHS)?));
            }
        }
        if kind != "Wait" && u.ratio(1, 3)? {
            let rp = if u.ratio(1, 6)? {
                Value::Null
            } else {
                json!(u.choose(RESULT_PATHS)?)
            };
            s.insert("ResultPath".into(), rp);
        }
        let parameters = parameters.then_some("Parameters");
        let selector = results.then_some("ResultSelector");
        for field in [parameters, selector].into_iter().flatten() {
            if u.ratio(1, 3)? {
                s.insert(field.into(), template(u)?);
            }
        }
    }
    if u.ratio(1, 4)? {
        let assign = if jsonata {
            json!({"v": format!("{{% {} %}}", u.choose(JSONATA)?)})
        } else {
            json!({"v.$": u.choose(PATHS)?, "w.$": u.choose(INTRINSICS)?})
        };
        s.insert("Assign".into(), assign);
    }
    Ok(())
}

/// A JSONPath payload template: constants, paths and intrinsic calls, one level nested.
fn template(u: &mut Unstructured<'_>) -> Result<Value> {
    let mut m = Map::new();
    for _ in 0..u.int_in_range(1..=3u8)? {
        let key = *u.choose(KEYS)?;
        if m.contains_key(key) || m.contains_key(&format!("{key}.$")) {
            continue;
        }
        match u.int_in_range(0..=3u8)? {
            0 => m.insert(format!("{key}.$"), json!(u.choose(PATHS)?)),
            1 => m.insert(format!("{key}.$"), json!(u.choose(INTRINSICS)?)),
            2 => m.insert(key.to_owned(), json!({"in.$": u.choose(PATHS)?})),
            _ => m.insert(key.to_owned(), value(u, 1)?),
        };
    }
    Ok(Value::Object(m))
}

fn retriers(u: &mut Unstructured<'_>) -> Result<Value> {
    let mut out = Vec::new();
    let count = u.int_in_range(1..=2u8)?;
    for i in 1..=count {
        // States.ALL (the first of ERRORS) only in the last Retrier.
        let errors = if i == count { ERRORS } else { &ERRORS[1..] };
        let mut r = json!({"ErrorEquals": [u.choose(errors)?]});
        if u.arbitrary()? {
            r["IntervalSeconds"] = json!(u.choose(&[1u64, 3, 99_999_999])?);
            r["MaxAttempts"] = json!(u.choose(&[0u64, 1, 3, 99_999_999])?);
            r["BackoffRate"] = json!(u.choose(&[1.0f64, 2.0, 1000.0])?);
        }
        if u.ratio(1, 4)? {
            r["MaxDelaySeconds"] = json!(u.choose(&[1u64, 60, 31_622_400])?);
            r["JitterStrategy"] = json!(u.choose(&["FULL", "NONE"])?);
        }
        out.push(r);
    }
    Ok(Value::Array(out))
}

/// One Catcher, or none; its `Next` is set by the caller, which knows the scope's names.
fn catchers(u: &mut Unstructured<'_>, s: &mut Map<String, Value>, jsonata: bool) -> Result<()> {
    if u.ratio(1, 2)? {
        return Ok(());
    }
    let mut c = json!({"ErrorEquals": [u.choose(ERRORS)?], "Next": ""});
    if jsonata {
        c["Output"] = json!("{% $states.errorOutput %}");
    } else if u.arbitrary()? {
        c["ResultPath"] = json!(u.choose(RESULT_PATHS)?);
    }
    s.insert("Catch".into(), json!([c]));
    Ok(())
}
