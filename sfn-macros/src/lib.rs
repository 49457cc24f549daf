//! Proc macros of `sfn`: [`workflow!`] and `#[derive(Shape)]`.
//!
//! Use them through the `sfn` crate (`sfn::workflow!`, `#[derive(sfn::Shape)]`): the generated
//! code names `::sfn`. The DSL is described in `docs/workflow-dsl.md` of the repository. This
//! crate is a shell: the expansion lives in `sfn-macros-core`, where tests can call it.
#![warn(missing_docs, unreachable_pub)]

use proc_macro::TokenStream;

/// Defines a typed Step Functions workflow.
///
/// ```
/// use sfn::{workflow, Shape};
///
/// #[derive(Shape)]
/// pub struct Order { id: String, total: f64 }
///
/// workflow! {
///     /// Takes an order from payment to shipping.
///     pub OrderFlow(Order) -> serde_json::Value {
///         start Route;
///         Route: choice {
///             "$.total" > 100 => Big,
///             else => Small,
///         };
///         Big: pass { result: { "size": "big" } } end;
///         Small: succeed;
///     }
/// }
///
/// assert_eq!(OrderFlowState::Big.name(), "Big");
/// assert!(!OrderFlow::ASL.is_empty());
/// ```
///
/// Set `SFN_MACROS_DEBUG=1` to print the expansion; `SFN_ASL_OUT_DIR` to choose the folder
/// under which `<Workflow>.asl.json` and `<Workflow>.iam.json` are staged and deployed
/// (default: `target/stepfunctions/`; `sfn build` writes the deployable ones). The whole
/// grammar follows.
///
#[doc = include_str!("../../docs/workflow-dsl.md")]
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    let tokens = sfn_macros_core::expand_workflow(input.into())
        .unwrap_or_else(sfn_macros_core::Errors::into_compile_error);
    debug_print("workflow!", &tokens);
    tokens.into()
}

/// Gives a type a compile-time description of its JSON, honouring serde's `rename`,
/// `rename_all`, `skip`, `default`, `flatten` and enum tagging.
#[proc_macro_derive(Shape, attributes(serde, shape))]
pub fn derive_shape(input: TokenStream) -> TokenStream {
    let tokens =
        sfn_macros_core::derive_shape(input.into()).unwrap_or_else(syn::Error::into_compile_error);
    debug_print("derive(Shape)", &tokens);
    tokens.into()
}

/// `SFN_MACROS_DEBUG=1` prints every expansion to stderr.
fn debug_print(what: &str, tokens: &proc_macro2::TokenStream) {
    if std::env::var_os("SFN_MACROS_DEBUG").is_some_and(|v| v == "1") {
        eprintln!("// {what} expansion\n{tokens}");
    }
}
