//! `aws-sdk:lambda:<action>` for Lambda's function and alias actions besides `invoke`.
//!
//! REST-JSON puts members in the path (`{FunctionName}`), the query (`Qualifier`) or the JSON
//! body, by rules only the service model knows; the actions are listed here with theirs. The
//! answer's body already has the SDK's member names (Lambda's wire is PascalCase).

use serde_json::{Map, Value};

use super::{runtime, LABEL, LAMBDA};
use crate::aws::errors::ServiceError;
use crate::aws::http;
use crate::aws::AwsClients;
use crate::resources::TaskError;
use percent_encoding::utf8_percent_encode;

/// One action: its method, its path with `{Member}` labels, and its query members.
struct Route {
    action: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static [&'static str],
}

const fn route(
    action: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static [&'static str],
) -> Route {
    Route {
        action,
        method,
        path,
        query,
    }
}

static ROUTES: &[Route] = &[
    route(
        "createAlias",
        "POST",
        "/2015-03-31/functions/{FunctionName}/aliases",
        &[],
    ),
    route(
        "deleteAlias",
        "DELETE",
        "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        &[],
    ),
    route(
        "deleteFunction",
        "DELETE",
        "/2015-03-31/functions/{FunctionName}",
        &["Qualifier"],
    ),
    route(
        "getAlias",
        "GET",
        "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        &[],
    ),
    route(
        "getFunction",
        "GET",
        "/2015-03-31/functions/{FunctionName}",
        &["Qualifier"],
    ),
    route(
        "getFunctionConfiguration",
        "GET",
        "/2015-03-31/functions/{FunctionName}/configuration",
        &["Qualifier"],
    ),
    route(
        "getPolicy",
        "GET",
        "/2015-03-31/functions/{FunctionName}/policy",
        &["Qualifier"],
    ),
    route(
        "listAliases",
        "GET",
        "/2015-03-31/functions/{FunctionName}/aliases",
        &["FunctionVersion", "Marker", "MaxItems"],
    ),
    route(
        "listFunctions",
        "GET",
        "/2015-03-31/functions/",
        &["MasterRegion", "FunctionVersion", "Marker", "MaxItems"],
    ),
    route(
        "listVersionsByFunction",
        "GET",
        "/2015-03-31/functions/{FunctionName}/versions",
        &["Marker", "MaxItems"],
    ),
    route(
        "publishVersion",
        "POST",
        "/2015-03-31/functions/{FunctionName}/versions",
        &[],
    ),
];

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The path, query and body of `route` from the state's parameters.
fn request(route: &Route, params: Value) -> Result<(String, Vec<u8>), TaskError> {
    let mut members: Map<String, Value> = match params {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => {
            return Err(runtime(format!(
                "the parameters of aws-sdk:lambda:{} must be an object, not {other}",
                route.action
            )))
        }
    };
    members.retain(|_, v| !v.is_null());
    let mut path = String::new();
    let mut rest = route.path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        path.push_str(&rest[..open]);
        let label = &rest[open + 1..close];
        let Some(value) = members.shift_remove(label) else {
            return Err(runtime(format!(
                "The field '{label}' is required for aws-sdk:lambda:{}.",
                route.action
            )));
        };
        path.extend(utf8_percent_encode(&text(&value), LABEL));
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    path.push_str(rest);
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for name in route.query {
        if let Some(v) = members.shift_remove(*name) {
            query.append_pair(name, &text(&v));
            any = true;
        }
    }
    if any {
        path.push('?');
        path.push_str(&query.finish());
    }
    let body = match (route.method, members.is_empty()) {
        ("POST" | "PUT", _) => Value::Object(members).to_string().into_bytes(),
        _ => Vec::new(),
    };
    Ok((path, body))
}

/// Runs `aws-sdk:lambda:<action>` for an action of [`ROUTES`].
pub(super) async fn call(
    clients: &AwsClients,
    action: &str,
    params: Value,
) -> Result<Value, TaskError> {
    let Some(route) = ROUTES.iter().find(|r| r.action == action) else {
        let known: Vec<&str> = ROUTES.iter().map(|r| r.action).collect();
        return Err(runtime(format!(
            "the AWS SDK integration 'aws-sdk:lambda:{action}' is not supported here; the \
             supported lambda actions are invoke, {}",
            known.join(", ")
        )));
    };
    let (path, body) = request(route, params)?;
    let client = clients.client(&LAMBDA).await?;
    let headers: &[(&str, &str)] = match body.is_empty() {
        true => &[],
        false => &[("content-type", "application/json")],
    };
    let response = http::request(clients, &client, route.method, &path, headers, body).await?;
    if !(200..300).contains(&response.status) {
        return Err(ServiceError::from_json(&response).sdk(&LAMBDA));
    }
    let mut result = response.json()?;
    if let Value::Object(m) = &mut result {
        m.retain(|_, v| !v.is_null());
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FUNCTIONS: &str = "/2015-03-31/functions";

    fn of(action: &str) -> &'static Route {
        ROUTES
            .iter()
            .find(|r| r.action == action)
            .unwrap_or_else(|| panic!("no route {action}"))
    }

    #[test]
    fn members_go_to_the_path_query_and_body() {
        let (path, body) = request(
            of("getFunction"),
            json!({"FunctionName": "arn:aws:lambda:us-east-1:1:function:f", "Qualifier": "live"}),
        )
        .unwrap_or_default();
        assert_eq!(
            path,
            format!("{FUNCTIONS}/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af?Qualifier=live")
        );
        assert!(body.is_empty());
        let (path, body) = request(
            of("createAlias"),
            json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "1"}),
        )
        .unwrap_or_default();
        assert_eq!(path, format!("{FUNCTIONS}/f/aliases"));
        assert_eq!(
            String::from_utf8_lossy(&body),
            r#"{"Name":"live","FunctionVersion":"1"}"#
        );
        assert!(request(of("getAlias"), json!({"FunctionName": "f"})).is_err());
    }
}
