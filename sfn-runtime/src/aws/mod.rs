//! Real AWS service integrations (the `aws` feature): a Task state whose resource no handler and
//! no mock answers calls the service.
//!
//! [`AwsClients`] reads the standard configuration chain once (through `aws-config`: the
//! environment, the shared config and credentials files, `AWS_ENDPOINT_URL` and
//! `AWS_ENDPOINT_URL_<SERVICE>`, the region) and keeps one client per service, shared by every
//! execution of the engine it is given to.
//!
//! **Why signed requests instead of one SDK crate per service.** An optimized integration
//! answers with the service's response body as the wire carries it, plus the HTTP headers
//! (`SdkHttpMetadata`); an `aws-sdk:` integration answers with the response members in AWS's
//! own casing. For the services on the AWS JSON protocols (DynamoDB, SQS, EventBridge, Secrets
//! Manager, Step Functions, ...) the wire body already is that value, so a request built from
//! the state's parameters, signed with the SDK's `aws-sigv4` and sent through the SDK's HTTP
//! client, gives AWS's result exactly, for every action of those services, with no
//! hand-written conversion per action that could drift. A generated SDK client would decode
//! the body into Rust types and hide the headers, and each action would need code to map JSON
//! to its builder and back. SNS and STS speak the Query protocol (form-encoded request, XML
//! answer), whose form and answer carry no types: `query_model` holds each action's members
//! and shapes, and one encoder and decoder (`query_codec`) serve `aws-sdk:sns`,
//! `aws-sdk:sts` and the optimized `sns:publish` (`query`). The jobs of ECS, Batch
//! (REST-JSON) and Glue start, and with `.sync` are described until they end, in `jobs`. S3
//! speaks REST-XML (members in the path, query, headers and body; answers in headers and XML):
//! `s3` maps the members of its actions from one table of S3's model, and `s3_objects` serves
//! distributed Maps.
//! Lambda speaks REST-JSON; its `Invoke` (the function's own bytes and headers are the result)
//! is in `lambda`. `apigateway:invoke` calls a deployed REST API itself (`apigateway`);
//! `http:invoke` any HTTPS API, through an EventBridge connection (`http_task`).
//!
//! **Decoders apart from the network.** Reading a service's answer (XML trees, the Query
//! decoder, S3's answers and errors, the JSON shapes of results and errors) needs neither the
//! SDK's configuration nor its HTTP client: those modules build under the small `aws-codecs`
//! feature (which `aws` turns on), so the fuzz targets reach them through `fuzzing` (hidden from the docs) without
//! compiling the SDK. The modules that sign and send requests need `aws`.
//!
//! ```no_run
//! # #[cfg(feature = "aws")] // the example needs the clients, not just the decoders
//! # async fn run() {
//! use sfn_runtime::{aws::AwsClients, Engine, Resources};
//! let mut resources = Resources::new();
//! resources.set_aws(AwsClients::from_env());
//! let engine = Engine::new(resources);
//! # }
//! ```

// With `aws-codecs` alone, the encoders and the error namings only the network code calls go
// unused.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

// Decoders and models of the wire (`aws-codecs`): nothing here may reach a module, type or
// crate of the calls below (see the test at the end).
mod errors;
#[doc(hidden)]
pub mod fuzzing;
mod job_shapes;
mod query_codec;
mod query_model;
mod response;
mod s3_answer;
mod s3_errors;
mod s3_model;
mod s3_xml;
mod sdk_shapes;
mod services;
mod xml;

// Calls (`aws`): a new module goes here unless it only decodes or models the wire.
#[cfg(feature = "aws")]
mod apigateway;
#[cfg(feature = "aws")]
mod clients;
#[cfg(feature = "aws")]
mod connections;
#[cfg(feature = "aws")]
mod credentials;
#[cfg(feature = "aws")]
mod http;
#[cfg(feature = "aws")]
mod http_form;
#[cfg(feature = "aws")]
mod http_request;
#[cfg(feature = "aws")]
mod http_task;
#[cfg(feature = "aws")]
mod iam;
#[cfg(feature = "aws")]
mod jobs;
#[cfg(feature = "aws")]
mod lambda;
#[cfg(feature = "aws")]
mod optimized;
#[cfg(feature = "aws")]
mod query;
#[cfg(feature = "aws")]
mod s3;
#[cfg(feature = "aws")]
pub(crate) mod s3_objects;
#[cfg(feature = "aws")]
mod sdk;
#[cfg(feature = "aws")]
mod states;

#[cfg(feature = "aws")]
pub use clients::AwsClients;
#[cfg(feature = "aws")]
pub(crate) use clients::ServiceClient;
pub use services::ServiceSpec;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// What only the `aws` feature builds: its crates, and the client types.
    const ONLY_WITH_AWS: &[&str] = &[
        "aws_config",
        "aws_credential_types",
        "aws_sigv4",
        "aws_smithy_http_client",
        "aws_smithy_runtime_api",
        "aws_types",
        "crc32fast",
        "::http::",
        "AwsClients",
        "ServiceClient",
    ];

    /// The fuzz targets build the decoders with `aws-codecs` alone, a build the workspace's
    /// tests (with `aws`) never make; `cargo check -p sfn-runtime --features aws-codecs` is the
    /// real check. This test catches its usual breakage within the default test run: a module
    /// declared without `#[cfg(feature = "aws")]` that uses a module declared with it, or a
    /// crate or type only `aws` builds.
    #[test]
    fn decoders_use_nothing_only_the_calls_build() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
        let list = std::fs::read_to_string(dir.join("mod.rs")).expect("aws/mod.rs");
        let (mut decoders, mut calls) = (Vec::new(), Vec::new());
        let mut gated = false;
        for line in list.lines().map(str::trim) {
            if line == "#[cfg(feature = \"aws\")]" {
                gated = true;
                continue;
            }
            let declared = line
                .split_once("mod ")
                .filter(|(vis, _)| !vis.contains(' ') && !vis.starts_with("//"))
                .and_then(|(_, rest)| rest.strip_suffix(';'));
            if let Some(name) = declared {
                match gated {
                    true => calls.push(name.to_owned()),
                    false => decoders.push(name.to_owned()),
                }
            }
            if !line.starts_with("#[") {
                gated = false;
            }
        }
        assert!(decoders.contains(&"xml".to_owned()) && calls.contains(&"clients".to_owned()));
        for module in &decoders {
            let source = std::fs::read_to_string(dir.join(format!("{module}.rs")))
                .unwrap_or_else(|e| panic!("aws/{module}.rs: {e}"));
            let code: String = source
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut reached: Vec<&str> = ONLY_WITH_AWS
                .iter()
                .copied()
                .filter(|name| code.contains(name))
                .collect();
            for call in &calls {
                let path = format!("super::{call}::");
                let braced = code.match_indices("super::{").any(|(at, _)| {
                    let group = &code[at..];
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .any(|word| word == call)
                });
                if code.contains(&path) || braced {
                    reached.push(call);
                }
            }
            assert!(
                reached.is_empty(),
                "aws/{module}.rs builds without the `aws` feature (the fuzz targets build it \
                 with `aws-codecs` alone) but uses {reached:?}: declare it with \
                 #[cfg(feature = \"aws\")] under the calls in aws/mod.rs, or keep it free of \
                 them; check with `cargo check -p sfn-runtime --features aws-codecs`"
            );
        }
    }
}
