//! Code generation for `workflow!`: the workflow type, its state enum, the ASL constant, the
//! `Workflow` impl and the shape checks.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use crate::ast::Workflow;
use crate::ctxt::Ctxt;
use crate::lower::{Lowered, PathUse};
use crate::{check, flow, lower, out, tasks};

/// Every error of one `workflow!` invocation, and the items to emit beside them (the workflow's
/// type and state enum with an empty definition), so code naming them reports nothing more.
#[derive(Debug)]
pub struct Errors {
    error: syn::Error,
    items: TokenStream,
}

impl Errors {
    /// The input does not parse: syn stops at the first syntax error, and there is nothing to
    /// define yet.
    pub(crate) fn syntax(error: syn::Error) -> Self {
        Errors {
            error,
            items: TokenStream::new(),
        }
    }

    /// Each error, with the span it is reported at, in the order found.
    pub fn errors(&self) -> impl Iterator<Item = syn::Error> + '_ {
        (&self.error).into_iter()
    }

    /// Each error's message, in the order found.
    pub fn messages(&self) -> Vec<String> {
        self.errors().map(|e| e.to_string()).collect()
    }

    /// The items a failed expansion still defines, then one `compile_error!` per error.
    pub fn into_compile_error(self) -> TokenStream {
        let mut tokens = self.items;
        tokens.extend(self.error.into_compile_error());
        tokens
    }
}

/// Takes the parsed workflow through lower → check → expand.
pub(crate) fn expand_workflow(wf: &Workflow) -> Result<TokenStream, Errors> {
    let cx = Ctxt::new();
    let express = match &wf.options.kind {
        None => false,
        Some(k) if k == "Standard" => false,
        Some(k) if k == "Express" => true,
        Some(k) => {
            cx.error(
                k.span(),
                format!("unknown workflow kind `{k}`; expected `Standard` or `Express`"),
            );
            false
        }
    };
    let lowered = lower::lower(&cx, wf);
    // The linter runs whatever lowering found: its echoes of lowering errors are dropped.
    check::check_lint(&cx, &lowered, express, wf.name.span());
    check::check_variables(&cx, &lowered, wf.name.span());
    tasks::check_service_keys(&cx, wf, &lowered.machine);
    let mut asl = String::new();
    if !cx.has_errors() {
        asl = sfn_asl::emit(&lowered.machine);
        check::check_emitted(&cx, &lowered, &asl, wf.name.span());
    }
    match cx.check() {
        Ok(()) => Ok(generate(wf, &lowered, express, asl)),
        Err(error) => {
            if let Some(dir) = out::out_dir() {
                out::remove_files(&dir, &wf.name.to_string());
            }
            Err(Errors {
                error,
                // The path checks of the states without errors still run, so a bad path literal
                // is reported with the rest.
                items: skeleton(wf, shape_checks(wf, &lowered)),
            })
        }
    }
}

/// `Validate` → `Validate`, `"check stock"` → `CheckStock`, `"2nd try"` → `S2ndTry`.
pub(crate) fn variant_name(state: &str, taken: &mut HashSet<String>) -> Ident {
    let mut base = crate::import::upper_camel(state);
    if base.is_empty() {
        base = "State".into();
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, 'S');
    }
    // `Self` is the one keyword a capitalised state name can spell.
    if base == "Self" {
        base.push_str("State");
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}{n}");
        n += 1;
    }
    Ident::new(&name, Span::call_site())
}

/// A declared type, or JSON (`serde_json::Value`) where none is declared.
pub(crate) fn type_or_json(ty: Option<&syn::Type>) -> TokenStream {
    match ty {
        Some(t) => quote!(#t),
        None => quote!(::sfn::__private::Value),
    }
}

fn state_enum_name(wf: &Workflow) -> Ident {
    format_ident!("{}State", wf.name)
}

/// Every state name of the DSL (nested ones too), in order, without duplicates: the state
/// enum of a workflow whose expansion failed still lists them.
fn ast_states(m: &crate::ast::Machine, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for st in &m.states {
        if !out.contains(&st.name.name) {
            out.push(st.name.name.clone());
        }
        for entry in &st.body {
            match entry {
                crate::ast::Entry::Branch { machine, .. }
                | crate::ast::Entry::Processor { machine, .. } => {
                    ast_states(machine, out, depth + 1)
                }
                _ => {}
            }
        }
    }
}

/// The workflow's items with an empty definition (used when expansion failed), so that code
/// naming them reports no further errors, and `checks`.
fn skeleton(wf: &Workflow, checks: Vec<TokenStream>) -> TokenStream {
    let mut states = Vec::new();
    ast_states(&wf.machine, &mut states, 0);
    items(wf, &states, "", "", None, false, checks)
}

/// The const assertions checking the path literals against the input type, when it is given.
fn shape_checks(wf: &Workflow, l: &Lowered) -> Vec<TokenStream> {
    // What JSONata states read from `$states.input` is checked as the path literals are.
    let uses: Vec<PathUse> = match &wf.input {
        Some(_) => l
            .path_uses
            .iter()
            .cloned()
            .chain(flow::input_uses(l))
            .collect(),
        None => Vec::new(),
    };
    match &wf.input {
        Some(t) => flow::shape_checks(
            &l.machine,
            &uses,
            flow::Input {
                ty: t,
                workflow: wf.name.to_string(),
            },
            &tasks::result_types(wf),
            &l.states_with_errors,
        ),
        None => Vec::new(),
    }
}

fn generate(wf: &Workflow, l: &Lowered, express: bool, asl: String) -> TokenStream {
    let iam = serde_json::to_string_pretty(&sfn_asl::iam::policy(&l.machine)).unwrap_or_default();
    let name = wf.name.to_string();
    let file = out::out_dir().map(|dir| {
        out::write_files(&dir, &name, &asl, &iam);
        let deployed = dir.deployed.join(format!("{name}.asl.json"));
        deployed.to_string_lossy().into_owned()
    });
    let checks = shape_checks(wf, l);
    let states: Vec<String> = l.states.iter().map(|(s, _)| s.clone()).collect();
    let mut tokens = items(wf, &states, &asl, &iam, file.as_deref(), express, checks);
    tokens.extend(tasks::generate(wf, &l.machine, &states));
    tokens
}

/// The generated items: the workflow type, its state enum, the `Workflow` impl, the checks.
fn items(
    wf: &Workflow,
    states: &[String],
    asl: &str,
    iam: &str,
    asl_file: Option<&str>,
    express: bool,
    checks: Vec<TokenStream>,
) -> TokenStream {
    let asl_file = match asl_file {
        Some(path) => quote!(::core::option::Option::Some(#path)),
        None => quote!(::core::option::Option::None),
    };
    let vis = &wf.vis;
    let name = &wf.name;
    let name_str = name.to_string();
    let state_enum = state_enum_name(wf);
    let state_items = state_enum_items(wf, states);
    let input = type_or_json(wf.input.as_ref());
    let output = type_or_json(wf.output.as_ref());
    let doc = wf
        .doc
        .as_ref()
        .map(|d| d.text.clone())
        .unwrap_or_else(|| format!("The `{name_str}` workflow."));
    let kind = if express {
        quote!(Express)
    } else {
        quote!(Standard)
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default)]
        #vis struct #name;

        #state_items

        impl #name {
            /// The Amazon States Language definition, as emitted at compile time.
            pub const ASL: &'static str = #asl;
            /// The least-privilege IAM policy the execution role needs.
            pub const IAM_POLICY: &'static str = #iam;
            /// Where the deployable [`Self::ASL`] goes (`<Workflow>.asl.json`, with the policy
            /// beside it as `<Workflow>.iam.json`): `sfn build` copies it there once the crate
            /// has compiled, and [`Self::write_files`] writes it; `None` when no target folder
            /// was found at compile time.
            pub const ASL_FILE: ::core::option::Option<&'static str> = #asl_file;

            /// Writes [`Self::ASL`] to [`Self::ASL_FILE`] and [`Self::IAM_POLICY`] beside it;
            /// the path of the ASL file.
            pub fn write_files() -> ::std::io::Result<::std::path::PathBuf> {
                ::sfn::__private::write_files(Self::ASL_FILE, Self::ASL, Self::IAM_POLICY)
            }

            /// The definition as a model (parsed once from [`Self::ASL`]).
            pub fn definition() -> ::sfn::asl::StateMachine {
                <Self as ::sfn::Workflow>::definition()
            }
        }

        impl ::sfn::Workflow for #name {
            type Input = #input;
            type Output = #output;
            type State = #state_enum;
            const NAME: &'static str = #name_str;
            const ASL: &'static str = #name::ASL;
            const KIND: ::sfn::WorkflowKind = ::sfn::WorkflowKind::#kind;

            fn definition() -> ::sfn::asl::StateMachine {
                static DEFINITION: ::sfn::__private::OnceLock<::sfn::asl::StateMachine> = ::sfn::__private::OnceLock::new();
                DEFINITION.get_or_init(|| ::sfn::__private::parse_generated(#name::ASL)).clone()
            }
        }

        #( #checks )*
    }
}

/// The state enum (`<Workflow>State`): one variant per state, nested ones included, with
/// `name`, `from_name` and `ALL`, and its `WorkflowState` impl.
fn state_enum_items(wf: &Workflow, states: &[String]) -> TokenStream {
    let vis = &wf.vis;
    let state_enum = state_enum_name(wf);
    let mut taken = HashSet::new();
    let variants: Vec<Ident> = states.iter().map(|s| variant_name(s, &mut taken)).collect();
    let names: Vec<&str> = states.iter().map(String::as_str).collect();
    let variant_docs: Vec<String> = names.iter().map(|n| format!("The state `{n}`.")).collect();
    let enum_doc = format!("The states of [`{}`], nested ones included.", wf.name);
    quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(clippy::enum_variant_names)]
        #vis enum #state_enum {
            #( #[doc = #variant_docs] #variants, )*
        }

        impl #state_enum {
            /// Every state, in definition order.
            pub const ALL: &'static [Self] = &[ #( Self::#variants ),* ];

            /// The state's name in the ASL definition.
            pub const fn name(self) -> &'static str {
                match self { #( Self::#variants => #names, )* }
            }

            /// The state called `name`, if there is one.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                match name { #( #names => ::core::option::Option::Some(Self::#variants), )* _ => ::core::option::Option::None }
            }
        }

        impl ::sfn::WorkflowState for #state_enum {
            const ALL: &'static [Self] = #state_enum::ALL;
            fn name(self) -> &'static str { #state_enum::name(self) }
            fn from_name(name: &str) -> ::core::option::Option<Self> { #state_enum::from_name(name) }
        }
    }
}
