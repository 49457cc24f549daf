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

// Decoders and models of the wire (`aws-codecs`).
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
mod states;
mod xml;

// Calls (`aws`).
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
pub use clients::AwsClients;
#[cfg(feature = "aws")]
pub(crate) use clients::ServiceClient;
pub use services::ServiceSpec;
