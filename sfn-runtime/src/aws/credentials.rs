//! A Task state's `Credentials`: the role its call is made as. The configured credentials
//! assume the role through STS `AssumeRole`; what STS gives is kept per role, for every
//! execution that names it, until five minutes before it expires.
//!
//! `aws_config::sts::AssumeRoleProvider` does the same call, but through the SDK's default
//! HTTPS client, which this feature does not build (see the module docs of `aws`); here the
//! request goes through the same connector and signer as every other call, and its errors
//! reach the state like any other.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use serde_json::Value;

use super::xml::element_text;
use super::AwsClients;
use crate::resources::TaskError;

/// The session name of the assumed roles (STS requires one: `[\w+=,.@-]{2,64}`).
const SESSION_NAME: &str = "StepFunctionsTask";

/// How long an assumed role's credentials last (STS's default, one hour).
const DURATION_SECONDS: &str = "3600";

/// The `RoleArn` of an evaluated `Credentials` field.
pub(crate) fn role_arn(credentials: &Value) -> Result<String, TaskError> {
    let arn = credentials
        .get("RoleArn")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // An IAM role ARN: arn:<partition>:iam::<account>:role/<path/name>.
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let is_role = parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "iam"
        && parts[5].starts_with("role/")
        && parts[5].len() > "role/".len();
    if is_role {
        Ok(arn.to_owned())
    } else {
        Err(TaskError::new(
            "States.Runtime",
            format!(
                "The Credentials field must name an IAM role as {{\"RoleArn\": \"arn:aws:iam::<account>:role/<name>\"}}; got {credentials}"
            ),
        ))
    }
}

fn fresh(c: &Credentials) -> bool {
    c.expiry().is_none_or(|e| {
        e.duration_since(SystemTime::now())
            .is_ok_and(|left| left > Duration::from_secs(300))
    })
}

/// The credentials of `role`, assumed with the configured ones unless still fresh.
pub(crate) async fn assumed(clients: &AwsClients, role: &str) -> Result<Credentials, TaskError> {
    let mut cache = clients.inner.assumed.lock().await;
    if let Some(c) = cache.get(role).filter(|c| fresh(c)) {
        return Ok(c.clone());
    }
    // The call to STS itself is signed with the configured credentials.
    let base = AwsClients {
        inner: clients.inner.clone(),
        role: None,
    };
    let xml = base
        .query_call(
            "sts",
            "AssumeRole",
            &[
                ("RoleArn", role),
                ("RoleSessionName", SESSION_NAME),
                ("DurationSeconds", DURATION_SECONDS),
            ],
        )
        .await
        .map_err(|e| {
            TaskError::new(
                "States.TaskFailed",
                format!(
                    "The role {role} named in Credentials could not be assumed: {}: {}",
                    e.error,
                    e.cause.unwrap_or_default()
                ),
            )
        })?;
    let credentials = parse(&xml).ok_or_else(|| {
        TaskError::new(
            "States.TaskFailed",
            format!("STS AssumeRole for {role} answered without credentials"),
        )
    })?;
    cache.insert(role.to_owned(), credentials.clone());
    Ok(credentials)
}

/// The credentials of an `AssumeRoleResponse`.
fn parse(xml: &str) -> Option<Credentials> {
    let key = element_text(xml, "AccessKeyId")?;
    let secret = element_text(xml, "SecretAccessKey")?;
    let token = element_text(xml, "SessionToken");
    let expiry = element_text(xml, "Expiration")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(SystemTime::from);
    Some(Credentials::new(
        key,
        secret,
        token,
        expiry,
        "sts-assume-role",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_an_iam_role_arn_is_a_role() {
        let ok = json!({"RoleArn": "arn:aws:iam::111111111111:role/path/Trusted"});
        assert_eq!(
            role_arn(&ok).as_deref(),
            Ok("arn:aws:iam::111111111111:role/path/Trusted")
        );
        for bad in [
            json!({"RoleArn": "arn:aws:iam::111111111111:user/u"}),
            json!({"RoleArn": "arn:aws:iam::111111111111:role/"}),
            json!({"RoleArn": "Trusted"}),
            json!({"roleArn": "arn:aws:iam::111111111111:role/Trusted"}),
            json!("arn:aws:iam::111111111111:role/Trusted"),
        ] {
            let e = role_arn(&bad).expect_err("not a role");
            assert_eq!(e.error, "States.Runtime");
            assert!(e.cause.unwrap_or_default().contains("RoleArn"));
        }
    }

    #[test]
    fn an_assume_role_answer_gives_key_secret_token_and_expiry() {
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
            <AccessKeyId>ASIAKEY</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>\
            <SessionToken>tok</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration>\
            </Credentials></AssumeRoleResult></AssumeRoleResponse>";
        let c = parse(xml).expect("credentials");
        assert_eq!(c.access_key_id(), "ASIAKEY");
        assert_eq!(c.secret_access_key(), "s3cr3t");
        assert_eq!(c.session_token(), Some("tok"));
        let expiry = c.expiry().expect("an expiry");
        let want = SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_553_445);
        assert_eq!(expiry, want);
        assert!(parse("<AssumeRoleResponse/>").is_none());
    }
}
