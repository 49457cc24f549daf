//! The least-privilege IAM policy an execution role needs to run a state machine, derived from
//! its task resources and their static parameters, after AWS's own policy templates for each
//! integration ("IAM policies for `<service>`" in the Step Functions developer guide).
//!
//! - A value written in the definition is granted exactly: a table, queue, topic, function,
//!   state machine or connection ARN as given, with its own partition, region and account; a
//!   name (`orders`) in the resource's partition with `*` for the region and account it does
//!   not name (`arn:aws:dynamodb:*:*:table/orders`).
//! - A value given by a path (`Key.$`) or a JSONata expression, known only at run time, is
//!   granted as `*` for that one action (EventBridge: `arn:<p>:events:*:*:event-bus/*`, as AWS
//!   does).
//! - A Lambda function is granted with its versions and aliases (`…:function:f` and
//!   `…:function:f:*`).
//! - What belongs to the running state machine itself (the managed EventBridge rules of `.sync`
//!   integrations, the child executions of a Distributed Map, the HTTP task's
//!   `states:InvokeHTTPEndpoint`) is in the machine's partition with `*` for its region,
//!   account and name, which the definition does not name.
//!
//! Each statement holds the actions of one service that share the same resources (and, for the
//! HTTP task's method and endpoint, the same condition); statements,
//! actions and resources are sorted, so the output is stable. Every ARN the policy writes is in
//! the partition of the resource that needs it (`aws`, `aws-cn`, `aws-us-gov`, ...).
//!
//! `workflow!` writes it beside the ASL (`<Workflow>.iam.json`).
//!
//! The engine enforces a role's policies too: [`eval`] decides whether a policy allows a
//! request, after AWS's evaluation logic, and [`request`] says what each Task's call asks.
//!
//! ```
//! let machine = sfn_asl::parse(r#"{"StartAt": "Charge", "States": {"Charge": {"Type": "Task",
//!     "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": true}}}"#).unwrap();
//! let policy = sfn_asl::iam::policy(&machine);
//! assert_eq!(policy["Statement"][0]["Action"][0], "lambda:InvokeFunction");
//! assert_eq!(
//!     policy["Statement"][0]["Resource"],
//!     serde_json::json!([
//!         "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!         "arn:aws:lambda:us-east-1:123456789012:function:charge:*"
//!     ])
//! );
//! ```

mod condition;
pub mod eval;
#[cfg(test)]
mod eval_tests;
pub mod request;
mod sdk;
mod services;
#[cfg(test)]
mod tests;

pub use eval::{Context, Decision, Evaluation, PolicyError, RolePolicy};
pub use request::{authorizations, managed_rules, Authorization, Caller};

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::model::*;
use crate::resource::{FunctionRef, Partition, Resource, Target};

/// The policy document (`{"Version": "2012-10-17", "Statement": [...]}`).
pub fn policy(machine: &StateMachine) -> Value {
    let home = machine_partition(machine);
    let mut grants = Grants::default();
    for scope in machine.scopes() {
        if scope.depth() <= MAX_DEPTH {
            grant_scope(scope.scope.states, &home, &mut grants);
        }
    }
    json!({ "Version": "2012-10-17", "Statement": grants.statements() })
}

/// Every action granted, with the resources it is granted on; and the grants that hold only
/// under a condition (the HTTP task's method and endpoint).
#[derive(Default)]
struct Grants {
    plain: BTreeMap<String, BTreeSet<String>>,
    conditioned: BTreeMap<(String, String), BTreeSet<Condition>>,
}

/// An IAM `Condition` block: operator (`StringEquals`) → condition key → value.
type Condition = BTreeMap<&'static str, BTreeMap<&'static str, String>>;

/// A statement's place in the policy: its service, resources and condition.
type StatementKey = (String, Vec<String>, Option<Condition>);

impl Grants {
    fn allow(&mut self, action: &str, resource: impl Into<String>) {
        self.plain
            .entry(action.to_owned())
            .or_default()
            .insert(resource.into());
    }

    fn allow_all(&mut self, actions: &[&str], resource: &str) {
        for action in actions {
            self.allow(action, resource);
        }
    }

    /// `action` on `resource` when `condition` holds (an empty condition always holds).
    fn allow_if(&mut self, action: &str, resource: &str, condition: Condition) {
        if condition.is_empty() {
            return self.allow(action, resource);
        }
        self.conditioned
            .entry((action.to_owned(), resource.to_owned()))
            .or_default()
            .insert(condition);
    }

    /// One statement per service, set of resources and condition, holding every action of
    /// that service granted on exactly those resources. An action granted on `*` needs nothing
    /// else, and an unconditional grant makes conditional ones of it redundant.
    fn statements(self) -> Vec<Value> {
        let mut merged: BTreeMap<StatementKey, BTreeSet<String>> = BTreeMap::new();
        for ((action, resource), conditions) in self.conditioned {
            let unconditional = self
                .plain
                .get(&action)
                .is_some_and(|r| r.contains("*") || r.contains(&resource));
            if unconditional {
                continue;
            }
            for condition in conditions {
                let key = (service(&action), vec![resource.clone()], Some(condition));
                merged.entry(key).or_default().insert(action.clone());
            }
        }
        for (action, resources) in self.plain {
            let resources: Vec<String> = if resources.contains("*") {
                vec!["*".to_owned()]
            } else {
                resources.into_iter().collect()
            };
            let key = (service(&action), resources, None);
            merged.entry(key).or_default().insert(action);
        }
        merged
            .into_iter()
            .map(|((_, resources, condition), actions)| {
                let mut st = json!({ "Effect": "Allow", "Action": actions, "Resource": resources });
                if let Some(condition) = condition {
                    st["Condition"] = json!(condition);
                }
                st
            })
            .collect()
    }
}

/// `dynamodb:GetItem` → `dynamodb`.
fn service(action: &str) -> String {
    action.split(':').next().unwrap_or_default().to_owned()
}

/// Depth cap: definitions are validated, but this never recurses without bound either way.
const MAX_DEPTH: usize = 64;

/// The grants of one scope's own states ([`StateMachine::scopes`] visits the nested ones).
fn grant_scope(states: &States, home: &str, g: &mut Grants) {
    for (name, state) in states {
        match &state.kind {
            StateKind::Task(t) => task(t, g),
            StateKind::Map(m) => map(name, m, home, g),
            _ => {}
        }
    }
}

/// A Distributed Map starts its children as executions of this machine, named
/// `<machine>/<label>:<id>`; its `ItemReader` and `ResultWriter` read and write S3.
fn map(name: &str, m: &Map, home: &str, g: &mut Grants) {
    if m.is_distributed() {
        services::distributed_map(home, m.label.as_deref().unwrap_or(name), g);
    }
    if let Some(r) = &m.item_reader {
        let args = args(
            r.parameters.as_ref().map(|p| p.to_value()),
            r.arguments.as_ref().map(|a| a.to_value()),
        );
        services::s3_resource(&r.resource, &args, g);
    }
    if let Some(w) = &m.result_writer {
        if let Some(res) = &w.resource {
            let args = args(
                w.parameters.as_ref().map(|p| p.to_value()),
                w.arguments.as_ref().map(|a| a.to_value()),
            );
            services::s3_resource(res, &args, g);
        }
    }
}

fn task(t: &Task, g: &mut Grants) {
    let r = &t.resource;
    match r.target() {
        Target::LambdaFunction { .. } => {
            if let Some(f) = FunctionRef::parse(r.as_str()) {
                services::lambda_function(arn_partition(r), &f, g);
            }
        }
        Target::Integration(call) => {
            let args = args(
                t.parameters.as_ref().map(|p| p.to_value()),
                t.arguments.as_ref().map(|a| a.to_value()),
            );
            services::integration(call, arn_partition(r), &args, g);
        }
        // Activities need no grant on the role (the worker calls GetActivityTask); an
        // unrecognized resource (a template placeholder) names nothing we can grant.
        Target::Activity { .. } | Target::Unrecognized => {}
    }
    if let Some(credentials) = &t.credentials {
        let credentials = match credentials {
            Template::JsonPath(p) => p.to_value(),
            Template::Jsonata(j) => j.to_value(),
        };
        services::assume_role(&credentials, g);
    }
}

/// The partition the ARNs of a grant are written in: the resource's own, so a policy for
/// `aws-cn` names `arn:aws-cn:…` and a `${AWS::Partition}` template stays a template.
fn arn_partition(r: &Resource) -> &str {
    r.partition().map_or("aws", Partition::as_str)
}

/// The partition of the machine's own ARNs: that of its first resource written as an ARN.
fn machine_partition(machine: &StateMachine) -> String {
    for scope in machine.scopes() {
        for state in scope.scope.states.values() {
            let resource = match &state.kind {
                StateKind::Task(t) => Some(&t.resource),
                StateKind::Map(m) => m.item_reader.as_ref().map(|r| &r.resource),
                _ => None,
            };
            if let Some(p) = resource.and_then(Resource::partition) {
                return p.as_str().to_owned();
            }
        }
    }
    "aws".to_owned()
}

/// The static arguments of a task: `Parameters` or `Arguments`, whichever is present.
fn args(parameters: Option<Value>, arguments: Option<Value>) -> Value {
    parameters.or(arguments).unwrap_or(Value::Null)
}

/// A parameter as the definition gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg<'a> {
    /// Written out: the text is the value.
    Static(&'a str),
    /// A path (`Key.$`), a JSONata expression or a non-string value: known only at run time.
    Dynamic,
    /// Not given.
    Absent,
}

/// The parameter `key` of `args` (a `Parameters` or `Arguments` object).
fn arg<'a>(args: &'a Value, key: &str) -> Arg<'a> {
    let Some(fields) = args.as_object() else {
        // `"Arguments": "{% … %}"` computes every field; no arguments name nothing.
        return if args.is_null() {
            Arg::Absent
        } else {
            Arg::Dynamic
        };
    };
    if fields.contains_key(&format!("{key}.$")) {
        return Arg::Dynamic;
    }
    match fields.get(key) {
        Some(Value::String(s)) if !(s.starts_with("{%") && s.ends_with("%}")) => Arg::Static(s),
        Some(_) => Arg::Dynamic,
        None => Arg::Absent,
    }
}

/// `getObject` → `GetObject`: Step Functions writes actions in camelCase, IAM in PascalCase.
fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}
