//! Mocked task responses in the Step Functions Local mock-config format.
//!
//! ```json
//! { "StateMachines": { "Orders": { "TestCases": { "HappyPath": { "Charge": "ChargeOk" } } } },
//!   "MockedResponses": { "ChargeOk": { "0": { "Return": { "id": 1 } },
//!                                      "1-2": { "Throw": { "Error": "E", "Cause": "c" } } } } }
//! ```
//!
//! A test case maps state names to a mocked response; a mocked response maps invocation indexes
//! (`"0"`, or an inclusive range `"1-2"`) of that state within one execution to a `Return` value
//! or a `Throw` error. Retries count as invocations.
//!
//! ```
//! use sfn_runtime::mocks::{MockConfig, MockResponse};
//! let cfg = MockConfig::from_json(r#"{"StateMachines":{"M":{"TestCases":{"T":{"S":"R"}}}},
//!     "MockedResponses":{"R":{"0":{"Return":1},"1-2":{"Throw":{"Error":"E","Cause":"c"}}}}}"#).unwrap();
//! let case = cfg.test_case("M", "T").unwrap();
//! assert_eq!(case.response("S", 0), Some(&MockResponse::Return(serde_json::json!(1))));
//! assert!(matches!(case.response("S", 2), Some(MockResponse::Throw { .. })));
//! assert_eq!(case.response("S", 3), None);
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;
use sfn_asl::error::STATES_RUNTIME;

use crate::resources::{TaskError, TaskFuture, TaskRequest, TaskSource};

/// A problem in a mock-config file, naming the place and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockConfigError {
    /// The text is not JSON.
    #[error("mock config is not valid JSON: {0}")]
    Json(String),
    /// A field has the wrong shape.
    #[error("mock config {pointer}: {message}")]
    Invalid {
        /// JSON pointer of the field.
        pointer: String,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// The state machine is not in `StateMachines`.
    #[error("mock config has no state machine `{name}` under StateMachines (it has: {known})")]
    UnknownMachine {
        /// The name asked for.
        name: String,
        /// The names present.
        known: String,
    },
    /// The test case is not in the machine's `TestCases`.
    #[error(
        "mock config has no test case `{case}` for state machine `{machine}` (it has: {known})"
    )]
    UnknownTestCase {
        /// The machine.
        machine: String,
        /// The test case asked for.
        case: String,
        /// The test cases present.
        known: String,
    },
}

/// One mocked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// `Return`: the task's result.
    Return(Value),
    /// `Throw`: the task fails with this error and cause.
    Throw {
        /// `Error`.
        error: String,
        /// `Cause`.
        cause: Option<String>,
    },
}

/// The answers of one mocked response, by invocation index range (inclusive).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockedResponse {
    ranges: Vec<(u64, u64, MockResponse)>,
}

impl MockedResponse {
    /// The answer for the `index`-th invocation (0-based), if the mock defines one.
    pub fn at(&self, index: u64) -> Option<&MockResponse> {
        self.ranges
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&index))
            .map(|(_, _, r)| r)
    }
}

/// A whole mock-config file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockConfig {
    machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    responses: HashMap<String, MockedResponse>,
}

/// One test case: state name → mocked response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockTestCase {
    states: HashMap<String, MockedResponse>,
}

impl MockTestCase {
    /// The answer for the `index`-th invocation of state `state`, or `None` when the state is not
    /// mocked or the mock has no answer for that index.
    pub fn response(&self, state: &str, index: u64) -> Option<&MockResponse> {
        self.states.get(state)?.at(index)
    }
    /// Whether `state` is mocked at all.
    pub fn mocks(&self, state: &str) -> bool {
        self.states.contains_key(state)
    }
    /// The names of the mocked states, sorted.
    pub fn mocked_states(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.states.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> MockConfigError {
    MockConfigError::Invalid {
        pointer: pointer.into(),
        message: message.into(),
    }
}

use sfn_asl::pointer::escape_segment as escape;

fn object<'a>(
    v: &'a Value,
    pointer: &str,
) -> Result<&'a serde_json::Map<String, Value>, MockConfigError> {
    v.as_object()
        .ok_or_else(|| invalid(pointer, "must be a JSON object"))
}

fn parse_range(key: &str, pointer: &str) -> Result<(u64, u64), MockConfigError> {
    let bad = || {
        invalid(pointer, format!("`{key}` is not an invocation index: write `\"0\"` or an inclusive range such as `\"1-2\"`"))
    };
    let (lo, hi) = match key.split_once('-') {
        Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
        None => {
            let n = key.parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    if lo > hi {
        return Err(invalid(
            pointer,
            format!("range `{key}` ends before it starts"),
        ));
    }
    Ok((lo, hi))
}

fn parse_response(v: &Value, pointer: &str) -> Result<MockResponse, MockConfigError> {
    let obj = object(v, pointer)?;
    match (obj.get("Return"), obj.get("Throw")) {
        (Some(r), None) => Ok(MockResponse::Return(r.clone())),
        (None, Some(t)) => {
            let p = format!("{pointer}/Throw");
            let t = object(t, &p)?;
            let error = t
                .get("Error")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(&p, "`Throw` needs a string `Error`"))?;
            let cause = match t.get("Cause") {
                None => None,
                Some(Value::String(c)) => Some(c.clone()),
                Some(_) => return Err(invalid(format!("{p}/Cause"), "`Cause` must be a string")),
            };
            Ok(MockResponse::Throw {
                error: error.to_owned(),
                cause,
            })
        }
        _ => Err(invalid(
            pointer,
            "each answer holds exactly one of `Return` or `Throw`",
        )),
    }
}

impl MockConfig {
    /// Parses a mock-config file, reporting the first malformed field with its pointer.
    pub fn from_json(text: &str) -> Result<MockConfig, MockConfigError> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| MockConfigError::Json(e.to_string()))?;
        let root = object(&doc, "")?;
        let mut cfg = MockConfig::default();
        if let Some(machines) = root.get("StateMachines") {
            for (name, m) in object(machines, "/StateMachines")? {
                let p = format!("/StateMachines/{}", escape(name));
                let m = object(m, &p)?;
                let cases = m
                    .get("TestCases")
                    .ok_or_else(|| invalid(&p, "missing `TestCases`"))?;
                let p = format!("{p}/TestCases");
                let mut by_case = HashMap::new();
                for (case, states) in object(cases, &p)? {
                    let p = format!("{p}/{}", escape(case));
                    let mut by_state = HashMap::new();
                    for (state, resp) in object(states, &p)? {
                        let resp = resp.as_str().ok_or_else(|| {
                            invalid(
                                format!("{p}/{}", escape(state)),
                                "must name a mocked response (a string)",
                            )
                        })?;
                        by_state.insert(state.clone(), resp.to_owned());
                    }
                    by_case.insert(case.clone(), by_state);
                }
                cfg.machines.insert(name.clone(), by_case);
            }
        }
        if let Some(responses) = root.get("MockedResponses") {
            for (name, r) in object(responses, "/MockedResponses")? {
                let p = format!("/MockedResponses/{}", escape(name));
                let mut mocked = MockedResponse::default();
                for (key, answer) in object(r, &p)? {
                    let p = format!("{p}/{}", escape(key));
                    let (lo, hi) = parse_range(key, &p)?;
                    mocked.ranges.push((lo, hi, parse_response(answer, &p)?));
                }
                cfg.responses.insert(name.clone(), mocked);
            }
        }
        // Every response a test case names must exist: catch the typo now, not mid-execution.
        for (machine, cases) in &cfg.machines {
            for (case, states) in cases {
                for (state, resp) in states {
                    if !cfg.responses.contains_key(resp) {
                        return Err(invalid(
                            format!("/StateMachines/{}/TestCases/{}/{}", escape(machine), escape(case), escape(state)),
                            format!("names mocked response `{resp}`, which is not under MockedResponses"),
                        ));
                    }
                }
            }
        }
        Ok(cfg)
    }

    /// The test case `case` of state machine `machine`.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<MockTestCase, MockConfigError> {
        let cases = self
            .machines
            .get(machine)
            .ok_or_else(|| MockConfigError::UnknownMachine {
                name: machine.to_owned(),
                known: sorted_keys(self.machines.keys()),
            })?;
        let states = cases
            .get(case)
            .ok_or_else(|| MockConfigError::UnknownTestCase {
                machine: machine.to_owned(),
                case: case.to_owned(),
                known: sorted_keys(cases.keys()),
            })?;
        let states = states
            .iter()
            .filter_map(|(state, resp)| Some((state.clone(), self.responses.get(resp)?.clone())))
            .collect();
        Ok(MockTestCase { states })
    }

    /// When the file holds exactly one state machine, its name (lets `--test-case` stand alone).
    pub fn only_machine(&self) -> Option<&str> {
        let mut names = self.machines.keys();
        match (names.next(), names.next()) {
            (Some(n), None) => Some(n),
            _ => None,
        }
    }
}

/// A [`TaskSource`] answering the Task states of one [`MockTestCase`] by state name and
/// invocation index, counted per state from 0 (a retry is a new invocation). States the test
/// case does not mock pass on to the registered handlers.
///
/// The counters live in the source: give each execution its own source, as Step Functions Local
/// gives each execution its own count.
///
/// A `Return` is the task's whole result: for `arn:aws:states:::lambda:invoke` it is not wrapped
/// in Lambda's response envelope again (Step Functions Local behaves the same way), so a mock
/// writes `{"Payload": ...}` itself when the definition reads `$.Payload`.
///
/// ```
/// use std::sync::Arc;
/// use sfn_runtime::mocks::{MockConfig, MockTaskSource};
/// use sfn_runtime::{Engine, ExecutionConfig, Resources};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let cfg = MockConfig::from_json(r#"{"StateMachines":{"M":{"TestCases":{"T":{"Charge":"Ok"}}}},
///     "MockedResponses":{"Ok":{"0":{"Return":{"id":7}}}}}"#).unwrap();
/// let machine = sfn_asl::parse(r#"{"StartAt":"Charge","States":{"Charge":{"Type":"Task",
///     "Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}"#).unwrap();
/// let mut resources = Resources::new();
/// resources.add_source(Arc::new(MockTaskSource::new(cfg.test_case("M", "T").unwrap())));
/// let result = Engine::new(resources)
///     .start_sync_execution(Arc::new(machine), serde_json::json!({}), ExecutionConfig::new("M", "run"))
///     .await;
/// assert_eq!(result.outcome.output, Some(serde_json::json!({"id": 7})));
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MockTaskSource {
    case: MockTestCase,
    /// Invocations so far, per state name.
    counts: Mutex<HashMap<String, u64>>,
}

impl MockTaskSource {
    /// A source answering with `case`, its counters at 0.
    pub fn new(case: MockTestCase) -> Self {
        MockTaskSource {
            case,
            counts: Mutex::default(),
        }
    }

    /// How often the state `state` has been invoked through this source.
    pub fn invocations(&self, state: &str) -> u64 {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(state)
            .copied()
            .unwrap_or(0)
    }

    /// The answer to the next invocation of `state`, counting it; `None` when `state` is not
    /// mocked.
    fn next_answer(&self, state: &str) -> Option<Result<Value, TaskError>> {
        if !self.case.mocks(state) {
            return None;
        }
        let index = {
            let mut counts = self
                .counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = counts.entry(state.to_owned()).or_insert(0);
            let index = *n;
            *n = n.saturating_add(1);
            index
        };
        Some(match self.case.response(state, index) {
            Some(MockResponse::Return(v)) => Ok(v.clone()),
            Some(MockResponse::Throw { error, cause }) => Err(TaskError {
                error: error.clone(),
                cause: cause.clone(),
            }),
            // A test case that runs out of answers is a mistake in the test, not a task
            // failure to catch or retry: `States.Runtime` ends the execution.
            None => Err(TaskError::new(
                STATES_RUNTIME,
                format!(
                    "The mocked response for state '{state}' has no answer for invocation {index} \
                     (invocations count from 0, retries included); add an entry \"{index}\" to it."
                ),
            )),
        })
    }
}

impl TaskSource for MockTaskSource {
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
        let answer = self.next_answer(&request.state_name)?;
        Some(Box::pin(async move { answer }))
    }
}

fn sorted_keys<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let mut v: Vec<&str> = keys.map(String::as_str).collect();
    v.sort_unstable();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
      "StateMachines": { "LambdaSQSIntegration": { "TestCases": {
        "HappyPath": { "LambdaState": "MockedLambdaSuccess" },
        "RetryPath": { "LambdaState": "MockedLambdaRetry" } } } },
      "MockedResponses": {
        "MockedLambdaSuccess": { "0": { "Return": { "StatusCode": 200, "Payload": { "body": "hi" } } } },
        "MockedLambdaRetry": {
          "0": { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "not ready" } },
          "1-2": { "Throw": { "Error": "Lambda.TimeoutException", "Cause": "timed out" } },
          "3": { "Return": { "StatusCode": 200 } } } } }"#;

    #[test]
    fn answers_by_invocation_index_and_range() {
        let cfg = MockConfig::from_json(DOC).unwrap();
        let retry = cfg.test_case("LambdaSQSIntegration", "RetryPath").unwrap();
        let err = |e: &str| {
            Some(MockResponse::Throw {
                error: e.into(),
                cause: None,
            })
        };
        let strip = |r: Option<&MockResponse>| match r {
            Some(MockResponse::Throw { error, .. }) => Some(MockResponse::Throw {
                error: error.clone(),
                cause: None,
            }),
            other => other.cloned(),
        };
        assert_eq!(
            strip(retry.response("LambdaState", 0)),
            err("Lambda.ResourceNotReadyException")
        );
        assert_eq!(
            strip(retry.response("LambdaState", 1)),
            err("Lambda.TimeoutException")
        );
        assert_eq!(
            strip(retry.response("LambdaState", 2)),
            err("Lambda.TimeoutException")
        );
        assert_eq!(
            retry.response("LambdaState", 3),
            Some(&MockResponse::Return(
                serde_json::json!({"StatusCode": 200})
            ))
        );
        assert_eq!(retry.response("LambdaState", 4), None);
        assert!(!retry.mocks("Other"));
        assert_eq!(retry.mocked_states(), ["LambdaState"]);
        assert_eq!(cfg.only_machine(), Some("LambdaSQSIntegration"));
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let cfg = MockConfig::from_json(DOC).unwrap();
        let e = cfg.test_case("LambdaSQSIntegration", "Happy").unwrap_err();
        assert_eq!(
            e.to_string(),
            "mock config has no test case `Happy` for state machine `LambdaSQSIntegration` (it has: HappyPath, RetryPath)"
        );
        assert!(matches!(
            cfg.test_case("Nope", "HappyPath"),
            Err(MockConfigError::UnknownMachine { .. })
        ));
    }

    #[test]
    fn malformed_files_name_the_field() {
        let bad_range = r#"{"MockedResponses":{"R":{"x":{"Return":1}}}}"#;
        let e = MockConfig::from_json(bad_range).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("mock config /MockedResponses/R/x: `x` is not an invocation index"),
            "{e}"
        );
        let both = r#"{"MockedResponses":{"R":{"0":{"Return":1,"Throw":{"Error":"E"}}}}}"#;
        assert!(MockConfig::from_json(both)
            .unwrap_err()
            .to_string()
            .contains("exactly one of `Return` or `Throw`"));
        let dangling =
            r#"{"StateMachines":{"M":{"TestCases":{"T":{"S":"Missing"}}}},"MockedResponses":{}}"#;
        assert!(MockConfig::from_json(dangling)
            .unwrap_err()
            .to_string()
            .contains("`Missing`, which is not under MockedResponses"));
        let reversed = r#"{"MockedResponses":{"R":{"3-1":{"Return":1}}}}"#;
        assert!(MockConfig::from_json(reversed)
            .unwrap_err()
            .to_string()
            .contains("ends before it starts"));
        assert!(matches!(
            MockConfig::from_json("{"),
            Err(MockConfigError::Json(_))
        ));
    }

    fn request(state: &str) -> TaskRequest {
        TaskRequest {
            resource: "arn:aws:states:::lambda:invoke".into(),
            input: serde_json::json!({"FunctionName": "f"}),
            token: None,
            credentials: None,
            state_name: state.into(),
            execution_arn: String::new(),
            redelivered: false,
        }
    }

    #[tokio::test]
    async fn source_counts_invocations_per_state() {
        let cfg = MockConfig::from_json(DOC).unwrap();
        let source =
            MockTaskSource::new(cfg.test_case("LambdaSQSIntegration", "RetryPath").unwrap());
        let first = source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await;
        assert_eq!(first.unwrap_err().error, "Lambda.ResourceNotReadyException");
        assert!(
            source.invoke(&request("Other")).is_none(),
            "unmocked states pass on"
        );
        let second = source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await;
        assert_eq!(second.unwrap_err().cause.as_deref(), Some("timed out"));
        source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await
            .unwrap_err();
        // The whole `Return` value, not wrapped in Lambda's envelope again.
        let fourth = source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await;
        assert_eq!(fourth, Ok(serde_json::json!({"StatusCode": 200})));
        assert_eq!(source.invocations("LambdaState"), 4);
        assert_eq!(source.invocations("Other"), 0);
    }

    #[tokio::test]
    async fn running_out_of_answers_is_a_runtime_error() {
        let cfg = MockConfig::from_json(DOC).unwrap();
        let source =
            MockTaskSource::new(cfg.test_case("LambdaSQSIntegration", "HappyPath").unwrap());
        assert!(source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await
            .is_ok());
        let err = source
            .invoke(&request("LambdaState"))
            .expect("mocked")
            .await
            .unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert!(
            err.cause
                .as_deref()
                .is_some_and(|c| c.contains("'LambdaState' has no answer for invocation 1")),
            "{:?}",
            err.cause
        );
    }
}
