//! What `sfn deploy` asks of AWS, as data: the execution role's trust and permissions policies
//! and the members of each request, in the APIs' own names (IAM's Query members, Step
//! Functions' JSON members). `--dry-run` prints these; a deployment sends them.

use serde_json::{json, Map, Value};

/// `--logging`'s level (`LoggingConfiguration.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub(crate) enum LogLevel {
    All,
    Error,
    Fatal,
    Off,
}

impl LogLevel {
    fn as_str(self) -> &'static str {
        match self {
            LogLevel::All => "ALL",
            LogLevel::Error => "ERROR",
            LogLevel::Fatal => "FATAL",
            LogLevel::Off => "OFF",
        }
    }
}

/// Where executions log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Logging {
    pub(crate) level: LogLevel,
    pub(crate) include_execution_data: bool,
    /// `arn:aws:logs:<region>:<account>:log-group:<name>:*`.
    pub(crate) log_group_arn: Option<String>,
}

/// A customer managed KMS key for the machine's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encryption {
    pub(crate) kms_key_id: String,
    pub(crate) reuse_period_seconds: Option<u32>,
}

/// The execution role: given, or created under this name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    Given(String),
    Create { name: String, policy: Value },
}

/// Everything a deployment sends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) name: String,
    /// `STANDARD` or `EXPRESS`.
    pub(crate) machine_type: &'static str,
    /// The definition's text, sent as it is (so `sfn fetch` gives it back unchanged).
    pub(crate) definition: String,
    pub(crate) role: Role,
    pub(crate) publish: bool,
    pub(crate) version_description: Option<String>,
    pub(crate) alias: Option<String>,
    pub(crate) logging: Option<Logging>,
    pub(crate) tracing: bool,
    pub(crate) encryption: Option<Encryption>,
}

/// Lets Step Functions assume the role.
pub(crate) fn trust_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole"
    }]})
}

/// The role's permissions: the definition's least-privilege policy, and what Step Functions
/// needs for the logging, tracing and encryption asked for ("IAM policies for logging to
/// CloudWatch Logs", "IAM permissions for X-Ray", "Data at rest encryption" in the Step
/// Functions developer guide).
pub(crate) fn role_policy(
    generated: Value,
    logging: Option<&Logging>,
    tracing: bool,
    encryption: Option<&Encryption>,
) -> Value {
    let mut policy = generated;
    let mut extra = Vec::new();
    if logging.is_some_and(|l| l.level != LogLevel::Off) {
        extra.push(json!({"Effect": "Allow", "Action": [
            "logs:CreateLogDelivery", "logs:CreateLogStream", "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery",
            "logs:ListLogDeliveries", "logs:PutLogEvents", "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery"], "Resource": "*"}));
    }
    if tracing {
        extra.push(json!({"Effect": "Allow", "Action": [
            "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
            "xray:PutTraceSegments"], "Resource": "*"}));
    }
    if let Some(e) = encryption {
        // A key named by its ARN is granted exactly; an id or alias is resolved by KMS.
        let key = if e.kms_key_id.starts_with("arn:") && !e.kms_key_id.contains(":alias/") {
            e.kms_key_id.clone()
        } else {
            "*".to_owned()
        };
        extra.push(
            json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key}),
        );
    }
    if let Some(statements) = policy["Statement"].as_array_mut() {
        statements.extend(extra);
    }
    policy
}

impl Plan {
    /// `<name>-policy`: the inline policy of the role, replaced on each deployment.
    pub(crate) fn policy_name(&self) -> String {
        format!("{}-policy", self.name)
    }

    /// The members of `CreateStateMachine` (with `update: None`) or `UpdateStateMachine` (of
    /// the machine `update`), given the role's ARN.
    pub(crate) fn state_machine_request(&self, role_arn: &str, update: Option<&str>) -> Value {
        let mut m = Map::new();
        match update {
            None => {
                m.insert("name".into(), json!(self.name));
                m.insert("type".into(), json!(self.machine_type));
            }
            Some(arn) => {
                m.insert("stateMachineArn".into(), json!(arn));
            }
        }
        m.insert("definition".into(), json!(self.definition));
        m.insert("roleArn".into(), json!(role_arn));
        if let Some(l) = &self.logging {
            let mut logging = json!({"level": l.level.as_str(),
                "includeExecutionData": l.include_execution_data});
            if let Some(group) = &l.log_group_arn {
                logging["destinations"] =
                    json!([{"cloudWatchLogsLogGroup": {"logGroupArn": group}}]);
            }
            m.insert("loggingConfiguration".into(), logging);
        }
        if self.tracing {
            m.insert("tracingConfiguration".into(), json!({"enabled": true}));
        }
        if let Some(e) = &self.encryption {
            let mut enc = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": e.kms_key_id});
            if let Some(p) = e.reuse_period_seconds {
                enc["kmsDataKeyReusePeriodSeconds"] = json!(p);
            }
            m.insert("encryptionConfiguration".into(), enc);
        }
        if self.publish {
            m.insert("publish".into(), json!(true));
            if let Some(d) = &self.version_description {
                m.insert("versionDescription".into(), json!(d));
            }
        }
        Value::Object(m)
    }

    /// The alias's routing: all executions to `version_arn`.
    pub(crate) fn routing(version_arn: &str) -> Value {
        json!([{"stateMachineVersionArn": version_arn, "weight": 100}])
    }

    /// The requests of a deployment as `--dry-run` prints them; what AWS holds decides between
    /// the alternatives (`when`). ARNs not yet known are written with `<account>` / `<region>`.
    pub(crate) fn dry_run(&self) -> Value {
        let mut requests = Vec::new();
        let role_arn = match &self.role {
            Role::Given(arn) => arn.clone(),
            Role::Create { name, policy } => {
                requests.push(json!({"service": "iam", "action": "GetRole",
                    "input": {"RoleName": name}}));
                requests.push(json!({"service": "iam", "action": "CreateRole",
                    "when": "the role does not exist",
                    "input": {"RoleName": name,
                        "AssumeRolePolicyDocument": trust_policy().to_string(),
                        "Description": format!("Execution role of the state machine {}", self.name)}}));
                requests.push(json!({"service": "iam", "action": "PutRolePolicy",
                    "input": {"RoleName": name, "PolicyName": self.policy_name(),
                        "PolicyDocument": policy.to_string()}}));
                format!("arn:aws:iam::<account>:role/{name}")
            }
        };
        let machine_arn = format!(
            "arn:aws:states:<region>:<account>:stateMachine:{}",
            self.name
        );
        requests.push(json!({"service": "states", "action": "ListStateMachines", "input": {}}));
        requests.push(json!({"service": "states", "action": "CreateStateMachine",
            "when": format!("no state machine is named {}", self.name),
            "input": self.state_machine_request(&role_arn, None)}));
        requests.push(json!({"service": "states", "action": "UpdateStateMachine",
            "when": format!("a state machine is named {}", self.name),
            "input": self.state_machine_request(&role_arn, Some(&machine_arn))}));
        if let Some(alias) = &self.alias {
            let version = format!("{machine_arn}:<version>");
            requests.push(
                json!({"service": "states", "action": "ListStateMachineAliases",
                "input": {"stateMachineArn": machine_arn}}),
            );
            requests.push(
                json!({"service": "states", "action": "CreateStateMachineAlias",
                "when": format!("the machine has no alias {alias}"),
                "input": {"name": alias, "routingConfiguration": Plan::routing(&version)}}),
            );
            requests.push(
                json!({"service": "states", "action": "UpdateStateMachineAlias",
                "when": format!("the machine has an alias {alias}"),
                "input": {"stateMachineAliasArn": format!("{machine_arn}:{alias}"),
                    "routingConfiguration": Plan::routing(&version)}}),
            );
        }
        json!({"dryRun": true, "requests": requests})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            name: "orders".into(),
            machine_type: "STANDARD",
            definition: "{}".into(),
            role: Role::Given("arn:aws:iam::1:role/r".into()),
            publish: true,
            version_description: Some("v1".into()),
            alias: Some("live".into()),
            logging: Some(Logging {
                level: LogLevel::Error,
                include_execution_data: true,
                log_group_arn: Some("arn:aws:logs:us-east-1:1:log-group:g:*".into()),
            }),
            tracing: true,
            encryption: Some(Encryption {
                kms_key_id: "arn:aws:kms:us-east-1:1:key/k".into(),
                reuse_period_seconds: Some(300),
            }),
        }
    }

    #[test]
    fn requests_carry_every_configuration_in_the_api_names() {
        let r = plan().state_machine_request("arn:aws:iam::1:role/r", None);
        assert_eq!(
            r,
            json!({"name": "orders", "type": "STANDARD", "definition": "{}",
                "roleArn": "arn:aws:iam::1:role/r",
                "loggingConfiguration": {"level": "ERROR", "includeExecutionData": true,
                    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:1:log-group:g:*"}}]},
                "tracingConfiguration": {"enabled": true},
                "encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY",
                    "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k", "kmsDataKeyReusePeriodSeconds": 300},
                "publish": true, "versionDescription": "v1"})
        );
        let u = plan().state_machine_request("arn:aws:iam::1:role/r", Some("arn:sm"));
        assert_eq!(u["stateMachineArn"], "arn:sm");
        assert!(u.get("name").is_none() && u.get("type").is_none(), "{u}");
    }

    #[test]
    fn the_role_may_log_trace_and_use_the_key() {
        let p = role_policy(
            json!({"Version": "2012-10-17", "Statement": []}),
            plan().logging.as_ref(),
            true,
            plan().encryption.as_ref(),
        );
        let text = p.to_string();
        for action in [
            "logs:CreateLogDelivery",
            "xray:PutTraceSegments",
            "kms:GenerateDataKey",
        ] {
            assert!(text.contains(action), "{action}: {text}");
        }
        assert!(text.contains("arn:aws:kms:us-east-1:1:key/k"), "{text}");
        let bare = role_policy(
            json!({"Version": "2012-10-17", "Statement": []}),
            None,
            false,
            None,
        );
        assert_eq!(bare["Statement"], json!([]));
    }

    #[test]
    fn a_dry_run_lists_every_request_with_its_condition() {
        let d = plan().dry_run();
        let actions: Vec<&str> = d["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "ListStateMachines",
                "CreateStateMachine",
                "UpdateStateMachine",
                "ListStateMachineAliases",
                "CreateStateMachineAlias",
                "UpdateStateMachineAlias"
            ]
        );
    }
}
