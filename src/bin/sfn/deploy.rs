//! `sfn deploy`: creates or updates a state machine on AWS Step Functions from an ASL file or a
//! workflow `sfn build` wrote, with its execution role; `sfn fetch`: the deployed definition.
//!
//! Calls go through the engine's AWS clients (the standard configuration chain:
//! `AWS_REGION`, credentials, `AWS_PROFILE`, `AWS_ENDPOINT_URL[_<SERVICE>]`).

mod plan;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::TaskError;

use crate::cli::{parse_definition, print_json, runtime, BadInvocation, Outcome, FAILED, SUCCESS};
use crate::input::{read_source, DEFINITION, ROLE_POLICY};
use plan::{role_policy, trust_policy, Encryption, LogLevel, Logging, Plan, Role};

/// Create or update a state machine on AWS Step Functions.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Creates the state machine on AWS Step Functions, or updates the one of that \
name, with its execution role. Without --role-arn the role `StepFunctions-<name>-role` is \
created (trusting states.amazonaws.com) if it does not exist, and its inline policy \
`<name>-policy` is set to the definition's least-privilege policy (the `.iam.json` that \
`sfn build` wrote beside it, else the one generated from the definition). Prints one JSON \
object: {\"stateMachineArn\", \"roleArn\", \"created\", \"stateMachineVersionArn\", \
\"stateMachineAliasArn\"}.",
    after_help = "AWS is reached through the standard configuration chain: AWS_REGION, \
credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE), AWS_ENDPOINT_URL and \
AWS_ENDPOINT_URL_<SERVICE>.\n\n\
Exit status: 0 deployed (or printed with --dry-run); 1 AWS refused a request (its error on \
stderr); 2 bad invocation or invalid definition."
)]
pub(crate) struct Args {
    /// An ASL file, or a folder `sfn build` wrote (`target/stepfunctions/<crate>`) holding the
    /// `.asl.json` of one workflow.
    #[arg(value_name = "DEFINITION")]
    definition: String,
    /// The state machine's name (default: the file name without `.asl.json`).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The state machine type (of a new machine; an existing one keeps its type).
    #[arg(long = "type", value_enum, ignore_case = true, default_value_t = MachineType::Standard)]
    machine_type: MachineType,
    /// Use this execution role instead of creating one.
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// The role to create or update (default: `StepFunctions-<name>-role`).
    #[arg(long, value_name = "NAME", conflicts_with = "role_arn")]
    role_name: Option<String>,
    /// The role's permissions policy, instead of the definition's least-privilege policy.
    #[arg(long, value_name = "FILE", conflicts_with = "role_arn")]
    role_policy: Option<String>,
    /// Publish a version of the machine as deployed.
    #[arg(long)]
    publish: bool,
    /// The published version's description.
    #[arg(long, value_name = "TEXT", requires = "publish")]
    version_description: Option<String>,
    /// Create or move this alias to route every execution to the published version.
    #[arg(long, value_name = "NAME", requires = "publish")]
    alias: Option<String>,
    /// Log executions at this level to CloudWatch Logs (a level other than OFF needs
    /// --log-group-arn).
    #[arg(long, value_name = "LEVEL", value_enum, ignore_case = true)]
    logging: Option<LogLevel>,
    /// Log the executions' input and output too.
    #[arg(long, requires = "logging")]
    include_execution_data: bool,
    /// The log group (`arn:aws:logs:<region>:<account>:log-group:<name>`; `:*` is added).
    #[arg(long, value_name = "ARN", requires = "logging")]
    log_group_arn: Option<String>,
    /// Trace executions with AWS X-Ray.
    #[arg(long)]
    tracing: bool,
    /// Encrypt the machine's data with this customer managed KMS key (id, ARN or alias).
    #[arg(long, value_name = "KEY")]
    kms_key_id: Option<String>,
    /// How long Step Functions reuses a data key, 60 to 900 seconds (AWS's default: 300).
    #[arg(long, value_name = "SECONDS", requires = "kms_key_id")]
    kms_data_key_reuse_period_seconds: Option<u32>,
    /// Print the requests as JSON instead of sending them.
    #[arg(long)]
    dry_run: bool,
}

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
enum MachineType {
    Standard,
    Express,
}

/// Print a deployed state machine's definition.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Prints the definition of a state machine on AWS Step Functions \
(DescribeStateMachine) as it was deployed; `sfn import` turns it into `workflow!` source.",
    after_help = "Exit status: 0 printed; 1 AWS refused the request; 2 bad invocation."
)]
pub(crate) struct FetchArgs {
    /// The state machine's ARN (a version's ARN gives that version's definition).
    #[arg(value_name = "ARN")]
    arn: String,
    /// Write the definition to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// A request AWS refused: which, and AWS's error.
struct Refused {
    action: &'static str,
    error: TaskError,
}

fn refused(action: &'static str) -> impl FnOnce(TaskError) -> Refused {
    move |error| Refused { action, error }
}

pub(crate) fn deploy(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let (asl, iam) = definition_files(&args.definition)?;
    let asl_text = asl.to_string_lossy();
    let text = read_source(&asl_text, &DEFINITION)?;
    let express = args.machine_type == MachineType::Express;
    let options = sfn_asl::validate::LintOptions { express };
    let machine = match parse_definition(&asl_text, &text, &options, err) {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let name = match (&args.name, args.definition.as_str()) {
        (Some(n), _) => n.clone(),
        (None, "-") => {
            return Err(BadInvocation(
                "a definition from standard input has no file name to name the state machine \
                 after; add --name NAME"
                    .into(),
            ))
        }
        (None, _) => stem(&asl),
    };
    let logging = logging(&args)?;
    let encryption = encryption(&args)?;
    let role = match &args.role_arn {
        Some(arn) => Role::Given(arn.clone()),
        None => {
            let base = match (&args.role_policy, &iam) {
                (Some(file), _) => json_file(file)?,
                (None, Some(file)) => json_file(&file.to_string_lossy())?,
                (None, None) => sfn_asl::iam::policy(&machine),
            };
            Role::Create {
                name: args
                    .role_name
                    .clone()
                    .unwrap_or_else(|| format!("StepFunctions-{name}-role")),
                policy: role_policy(base, logging.as_ref(), args.tracing, encryption.as_ref()),
            }
        }
    };
    let plan = Plan {
        name,
        machine_type: if express { "EXPRESS" } else { "STANDARD" },
        definition: text,
        role,
        publish: args.publish,
        version_description: args.version_description,
        alias: args.alias,
        logging,
        tracing: args.tracing,
        encryption,
    };
    if args.dry_run {
        print_json(out, &plan.dry_run());
        return Ok(SUCCESS);
    }
    let rt = runtime(true)?;
    let clients = AwsClients::from_env();
    match rt.block_on(send(&clients, &plan)) {
        Ok(result) => {
            print_json(out, &result);
            Ok(SUCCESS)
        }
        Err(r) => Ok(report(err, &r)),
    }
}

pub(crate) fn fetch(args: FetchArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let rt = runtime(true)?;
    let clients = AwsClients::from_env();
    let described = rt.block_on(states(
        &clients,
        "DescribeStateMachine",
        json!({"stateMachineArn": args.arn}),
    ));
    let described = match described {
        Ok(d) => d,
        Err(r) => return Ok(report(err, &r)),
    };
    let Some(definition) = described["Definition"].as_str() else {
        return Err(BadInvocation(format!(
            "DescribeStateMachine of {} gave no definition",
            args.arn
        )));
    };
    match &args.out {
        Some(file) => std::fs::write(file, definition)
            .map_err(|e| format!("--out {}: cannot write: {e}", file.display()))?,
        None => {
            let _ = writeln!(out, "{definition}");
        }
    }
    Ok(SUCCESS)
}

/// Prints AWS's refusal on stderr; exit code 1.
fn report(err: &mut dyn Write, r: &Refused) -> i32 {
    let _ = writeln!(
        err,
        "error: {} failed: {}: {}",
        r.action,
        r.error.error,
        r.error.cause.as_deref().unwrap_or("")
    );
    FAILED
}

/// The ASL file to deploy and the `.iam.json` beside it: `DEFINITION` itself, or the one
/// `.asl.json` of a folder.
fn definition_files(path: &str) -> Result<(PathBuf, Option<PathBuf>), BadInvocation> {
    let p = Path::new(path);
    let asl = if p.is_dir() {
        let mut found: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| format!("{path}: cannot read the folder: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.to_string_lossy().ends_with(".asl.json"))
            .collect();
        found.sort();
        match found.len() {
            1 => found.remove(0),
            0 => {
                return Err(BadInvocation(format!(
                    "{path}: no .asl.json file in the folder; run `sfn build` first, or name \
                     the ASL file"
                )))
            }
            _ => {
                let names: Vec<String> = found.iter().map(|f| f.display().to_string()).collect();
                return Err(BadInvocation(format!(
                    "{path}: the folder holds {} workflows; name one: {}",
                    names.len(),
                    names.join(", ")
                )));
            }
        }
    } else {
        p.to_path_buf()
    };
    let text = asl.to_string_lossy();
    let iam = text
        .strip_suffix(".asl.json")
        .map(|stem| PathBuf::from(format!("{stem}.iam.json")))
        .filter(|f| f.is_file());
    Ok((asl, iam))
}

/// `OrderFlow.asl.json` → `OrderFlow`.
fn stem(path: &Path) -> String {
    crate::run::machine_name_from(&path.to_string_lossy())
}

fn json_file(path: &str) -> Result<Value, BadInvocation> {
    let text = read_source(path, &ROLE_POLICY)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{path}: not a JSON policy: {e}"))?;
    // Refuse what IAM would refuse, before anything is created.
    sfn_asl::iam::RolePolicy::from_value(&value).map_err(|e| format!("{path}: {e}"))?;
    Ok(value)
}

fn logging(args: &Args) -> Result<Option<Logging>, BadInvocation> {
    let Some(level) = args.logging else {
        return Ok(None);
    };
    if level != LogLevel::Off && args.log_group_arn.is_none() {
        return Err(BadInvocation(
            "--logging: a level other than OFF needs a destination; add --log-group-arn ARN".into(),
        ));
    }
    // Step Functions takes the log group's ARN with its `:*` suffix.
    let log_group_arn = args.log_group_arn.as_ref().map(|a| {
        if a.ends_with(":*") {
            a.clone()
        } else {
            format!("{a}:*")
        }
    });
    Ok(Some(Logging {
        level,
        include_execution_data: args.include_execution_data,
        log_group_arn,
    }))
}

fn encryption(args: &Args) -> Result<Option<Encryption>, BadInvocation> {
    let Some(key) = &args.kms_key_id else {
        return Ok(None);
    };
    if let Some(p) = args.kms_data_key_reuse_period_seconds {
        if !(60..=900).contains(&p) {
            return Err(BadInvocation(format!(
                "--kms-data-key-reuse-period-seconds {p}: Step Functions takes 60 to 900 seconds"
            )));
        }
    }
    Ok(Some(Encryption {
        kms_key_id: key.clone(),
        reuse_period_seconds: args.kms_data_key_reuse_period_seconds,
    }))
}

/// A Step Functions request (`aws-sdk:sfn` style): the answer's members in the SDK's case.
async fn states(
    clients: &AwsClients,
    action: &'static str,
    input: Value,
) -> Result<Value, Refused> {
    let mut chars = action.chars();
    let camel = chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default();
    clients
        .sdk_call("sfn", &camel, input)
        .await
        .map_err(refused(action))
}

/// Deploys `plan`: the role, the machine, its version and alias. Returns what was deployed.
async fn send(clients: &AwsClients, plan: &Plan) -> Result<Value, Refused> {
    let (role_arn, role_created) = match &plan.role {
        Role::Given(arn) => (arn.clone(), false),
        Role::Create { name, policy } => ensure_role(clients, plan, name, policy).await?,
    };
    let existing = find_machine(clients, &plan.name).await?;
    let (machine_arn, created, answer) = match &existing {
        None => {
            let request = plan.state_machine_request(&role_arn, None);
            let answer = retry_new_role(role_created, || {
                states(clients, "CreateStateMachine", request.clone())
            })
            .await?;
            let arn = answer["StateMachineArn"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (arn, true, answer)
        }
        Some(arn) => {
            let request = plan.state_machine_request(&role_arn, Some(arn));
            let answer = retry_new_role(role_created, || {
                states(clients, "UpdateStateMachine", request.clone())
            })
            .await?;
            (arn.clone(), false, answer)
        }
    };
    let mut result = json!({"stateMachineArn": machine_arn, "roleArn": role_arn,
        "created": created, "roleCreated": role_created});
    let version = answer["StateMachineVersionArn"].as_str().map(str::to_owned);
    if let Some(v) = &version {
        result["stateMachineVersionArn"] = json!(v);
    }
    if let (Some(alias), Some(version)) = (&plan.alias, &version) {
        result["stateMachineAliasArn"] =
            json!(route_alias(clients, &machine_arn, alias, version).await?);
    }
    Ok(result)
}

/// The role's ARN, creating the role if it does not exist; its inline policy set either way.
async fn ensure_role(
    clients: &AwsClients,
    plan: &Plan,
    name: &str,
    policy: &Value,
) -> Result<(String, bool), Refused> {
    let (xml, created) = match clients.iam_call("GetRole", &[("RoleName", name)]).await {
        Ok(xml) => (xml, false),
        Err(e) if e.error.ends_with("NoSuchEntityException") => {
            let trust = trust_policy().to_string();
            let description = format!("Execution role of the state machine {}", plan.name);
            let members = [
                ("RoleName", name),
                ("AssumeRolePolicyDocument", trust.as_str()),
                ("Description", description.as_str()),
            ];
            let xml = clients
                .iam_call("CreateRole", &members)
                .await
                .map_err(refused("CreateRole"))?;
            (xml, true)
        }
        Err(e) => return Err(refused("GetRole")(e)),
    };
    let Some(arn) = AwsClients::xml_text(&xml, "Arn") else {
        return Err(Refused {
            action: "GetRole",
            error: TaskError::new(
                "Iam.IamException",
                format!("the answer names no role ARN: {xml}"),
            ),
        });
    };
    let policy_name = plan.policy_name();
    let document = policy.to_string();
    let members = [
        ("RoleName", name),
        ("PolicyName", policy_name.as_str()),
        ("PolicyDocument", document.as_str()),
    ];
    clients
        .iam_call("PutRolePolicy", &members)
        .await
        .map_err(refused("PutRolePolicy"))?;
    Ok((arn, created))
}

/// Runs `request`; a role created moments ago may not be assumable yet (IAM is eventually
/// consistent), and Step Functions then refuses it: tried again for up to a minute.
async fn retry_new_role<F, Fut>(new_role: bool, request: F) -> Result<Value, Refused>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Value, Refused>>,
{
    let mut wait = Duration::from_secs(2);
    for _ in 0..6 {
        match request().await {
            Err(r) if new_role && role_not_ready(r.error.cause.as_deref().unwrap_or("")) => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(16));
            }
            other => return other,
        }
    }
    request().await
}

/// Step Functions cannot assume the role yet: "Neither the global service principal
/// states.amazonaws.com, nor the regional one is authorized to assume the provided role."
/// (formerly "Not authorized to assume the provided role.").
fn role_not_ready(cause: &str) -> bool {
    cause
        .to_ascii_lowercase()
        .contains("authorized to assume the provided role")
}

/// The ARN of the machine named `name`, if there is one.
async fn find_machine(clients: &AwsClients, name: &str) -> Result<Option<String>, Refused> {
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"maxResults": 1000});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let page = states(clients, "ListStateMachines", input).await?;
        for m in page["StateMachines"].as_array().into_iter().flatten() {
            if m["Name"].as_str() == Some(name) {
                return Ok(m["StateMachineArn"].as_str().map(str::to_owned));
            }
        }
        match page["NextToken"].as_str() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => return Ok(None),
        }
    }
}

/// Creates the alias, or moves it, to route every execution to `version`; its ARN.
async fn route_alias(
    clients: &AwsClients,
    machine_arn: &str,
    alias: &str,
    version: &str,
) -> Result<String, Refused> {
    let listed = states(
        clients,
        "ListStateMachineAliases",
        json!({"stateMachineArn": machine_arn}),
    )
    .await?;
    let existing = listed["StateMachineAliases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["StateMachineAliasArn"].as_str())
        .find(|arn| arn.rsplit(':').next() == Some(alias))
        .map(str::to_owned);
    let routing = Plan::routing(version);
    match existing {
        Some(arn) => {
            states(
                clients,
                "UpdateStateMachineAlias",
                json!({"stateMachineAliasArn": arn, "routingConfiguration": routing}),
            )
            .await?;
            Ok(arn)
        }
        None => {
            let answer = states(
                clients,
                "CreateStateMachineAlias",
                json!({"name": alias, "routingConfiguration": routing}),
            )
            .await?;
            Ok(answer["StateMachineAliasArn"]
                .as_str()
                .unwrap_or_default()
                .to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_role_not_yet_assumable_is_tried_again() {
        assert!(super::role_not_ready(
            "Neither the global service principal states.amazonaws.com, nor the regional one is \
             authorized to assume the provided role. (Service: Sfn, Status Code: 400, Request ID: r)"
        ));
        assert!(super::role_not_ready(
            "Not authorized to assume the provided role."
        ));
        assert!(!super::role_not_ready("Invalid State Machine Definition"));
    }
}
