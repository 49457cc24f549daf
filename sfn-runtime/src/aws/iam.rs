//! IAM over the Query protocol, for deployments (`sfn deploy` creates a state machine's
//! execution role). IAM is global: one endpoint per partition, requests signed for its home
//! region, whatever region the configuration names.

use super::clients::endpoint;
use super::errors::ServiceError;
use super::http;
use super::services::{ModelNotes, Protocol, ServiceSpec};
use super::{AwsClients, ServiceClient};
use crate::resources::TaskError;

static IAM: ServiceSpec = ServiceSpec {
    service_id: "IAM",
    signing_name: "iam",
    endpoint_prefix: "iam",
    protocol: Protocol::Query {
        version: "2010-05-08",
    },
    optimized_prefix: "IAM",
    v1_service: "AmazonIdentityManagement",
    v1_exception: "AmazonIdentityManagementException",
    sdk_name: "Iam",
    model: ModelNotes {
        camel_case_wire: false,
        timestamps: &[],
        json_text: &[],
    },
};

/// The global endpoint and signing region of IAM for the partition of `region`.
fn global(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
    } else if region.starts_with("us-gov-") {
        ("https://iam.us-gov.amazonaws.com", "us-gov-west-1")
    } else {
        ("https://iam.amazonaws.com", "us-east-1")
    }
}

/// An IAM action with flat members (`CreateRole`, `[("RoleName", "r"), ...]`): the answer's
/// XML, or the error named as an `aws-sdk:iam` integration names it (`Iam.NoSuchEntityException`).
pub(crate) async fn call(
    clients: &AwsClients,
    action: &str,
    members: &[(&str, &str)],
) -> Result<String, TaskError> {
    let loaded = clients.loaded().await;
    let (default_endpoint, signing_region) = global(&loaded.region);
    // A configured endpoint (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL) wins, as for every
    // service; `endpoint` falls back to a regional host, which IAM does not have.
    let configured = endpoint(&IAM, &loaded.sdk, "global");
    let endpoint = if configured == "https://iam.global.amazonaws.com" {
        default_endpoint.to_owned()
    } else {
        configured
    };
    let client = ServiceClient {
        spec: &IAM,
        endpoint,
        region: signing_region.to_owned(),
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action)
        .append_pair("Version", "2010-05-08");
    for (k, v) in members {
        form.append_pair(k, v);
    }
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let response = http::post(clients, &client, &headers, form.finish().into_bytes()).await?;
    if !(200..300).contains(&response.status) {
        return Err(ServiceError::from_query(&response).sdk(&IAM));
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_is_signed_for_the_home_region_of_the_partition() {
        assert_eq!(
            global("eu-west-1"),
            ("https://iam.amazonaws.com", "us-east-1")
        );
        assert_eq!(global("cn-northwest-1").1, "cn-north-1");
        assert_eq!(global("us-gov-east-1").1, "us-gov-west-1");
    }
}
