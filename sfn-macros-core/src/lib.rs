//! The work behind `sfn`'s proc macros, as an ordinary library that tests can call (the way
//! `sqlx-macros-core` serves `sqlx-macros`): `sfn-macros` only hands its input to
//! [`expand_workflow`] or [`derive_shape`] and turns the errors into `compile_error!`.
//!
//! - `workflow!`: parse (the DSL into an AST that keeps spans) → lower (to an
//!   `sfn_asl::StateMachine`, with a table from JSON pointer to span) → check (the language
//!   crate's linter, each finding at its token) → expand (the typed items and the ASL).
//! - `#[derive(Shape)]`: the type's JSON shape as a constant, after serde's renames.
//! - [`import`]: ASL → `workflow!` source, the inverse of the macro (`sfn import`).
//!
//! The expansion is the `expand` feature (on by default); the importer alone, which the `sfn`
//! CLI uses, compiles without syn.
//!
//! ```
//! let input: proc_macro2::TokenStream = r#"
//!     pub Flow {
//!         start A;
//!         A: pass { bogus: 1 } => Missing;
//!         Done: succeed;
//!     }
//! "#.parse().unwrap();
//! let errors = sfn_macros_core::expand_workflow(input).unwrap_err();
//! // The bad field (found while lowering) and the bad `Next` (found by the linter) together.
//! assert_eq!(errors.messages().len(), 2, "{:?}", errors.messages());
//! ```
#![warn(missing_docs, unreachable_pub)]

#[cfg(feature = "expand")]
mod ast;
#[cfg(feature = "expand")]
mod check;
#[cfg(feature = "expand")]
mod ctxt;
#[cfg(feature = "expand")]
mod derive_shape;
#[cfg(feature = "expand")]
mod expand;
#[cfg(feature = "expand")]
mod expr_pos;
#[cfg(feature = "expand")]
mod fields;
#[cfg(feature = "expand")]
mod flow;
#[cfg(feature = "expand")]
mod iam;
pub mod import;
#[cfg(feature = "expand")]
mod intrinsic_paths;
pub mod layout;
#[cfg(feature = "expand")]
mod lower;
#[cfg(feature = "expand")]
mod lower_choice;
#[cfg(feature = "expand")]
mod lower_map;
#[cfg(feature = "expand")]
mod out;
#[cfg(feature = "expand")]
mod parse;
#[cfg(feature = "expand")]
mod parse_rule;
#[cfg(feature = "expand")]
mod tasks;

#[cfg(feature = "expand")]
use proc_macro2::TokenStream;

#[cfg(feature = "expand")]
pub use expand::Errors;

/// Expands the body of `workflow! { ... }`: the generated items, or every error of the
/// invocation together with the items a failed expansion still defines.
#[cfg(feature = "expand")]
pub fn expand_workflow(input: TokenStream) -> Result<TokenStream, Errors> {
    let wf: ast::Workflow = syn::parse2(input).map_err(Errors::syntax)?;
    expand::expand_workflow(&wf)
}

/// Expands `#[derive(Shape)]` on the item `input`.
#[cfg(feature = "expand")]
pub fn derive_shape(input: TokenStream) -> syn::Result<TokenStream> {
    let input: syn::DeriveInput = syn::parse2(input)?;
    derive_shape::expand(&input)
}

#[cfg(all(test, feature = "expand"))]
mod tests;
