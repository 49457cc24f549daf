//! The typed native execution of a workflow: the `<Workflow>Tasks` trait (one async method per
//! Task state), the handlers that put its methods on the engine, and `run`/`start`.
//!
//! Handlers are keyed by resource (a Lambda ARN, a `lambda:invoke` function name, a service
//! ARN), and several Task states may share one, so every registered handler dispatches on the
//! state name the engine passes in `TaskRequest::state_name`.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use sfn_asl::model::{StateKind, StateMachine, Task};
use syn::{Ident, Type};

use crate::ast;
use crate::expand::type_or_json;

/// Nesting cap when walking branches and processors (the parser's is lower).
const MAX_DEPTH: usize = 64;

/// One Task state as its method sees it.
struct TaskMethod {
    state: String,
    method: Ident,
    /// The handler keys the engine looks it up by.
    key: String,
    /// `.waitForTaskToken`: the method submits, the result comes by token.
    callback: bool,
    /// The declared input type, or the workflow input type when the task receives exactly the
    /// workflow input; JSON otherwise.
    input: Option<Type>,
    result: Option<Type>,
    span: Span,
}

/// `Validate` → `validate`, `"Check stock"` → `check_stock`, `ChargeCard` → `charge_card`.
pub(crate) fn method_name(state: &str, taken: &mut HashSet<String>) -> Ident {
    let mut base = String::new();
    let mut prev_lower = false;
    for c in state.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !base.ends_with('_') {
                base.push('_');
            }
            base.extend(c.to_lowercase());
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if !base.is_empty() && !base.ends_with('_') {
                base.push('_');
            }
            prev_lower = false;
        }
    }
    base.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut base = base.trim_matches('_').to_owned();
    if base.is_empty() {
        base = "state".into();
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert_str(0, "state_");
    }
    if syn::parse_str::<Ident>(&base).is_err() {
        base.push('_'); // a keyword (`type`, `match`, `self`)
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    Ident::new(&name, Span::call_site())
}

/// Every Task state of the lowered machine, nested ones included, by name.
fn collect_tasks(machine: &StateMachine) -> HashMap<&str, &Task> {
    machine
        .scopes()
        .into_iter()
        .filter(|scope| scope.depth() <= MAX_DEPTH)
        .flat_map(|scope| scope.scope.states)
        .filter_map(|(name, state)| match &state.kind {
            StateKind::Task(t) => Some((name.as_str(), &**t)),
            _ => None,
        })
        .collect()
}

/// The declared input and result types, the name span and whether it is a `service` task, of
/// every Task state of the DSL.
type Declared<'a> = (Option<&'a Type>, Option<&'a Type>, Span, bool);

fn declared<'a>(m: &'a ast::Machine, out: &mut HashMap<String, Declared<'a>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for st in &m.states {
        out.entry(st.name.name.clone()).or_insert((
            st.input_type.as_ref(),
            st.result_type.as_ref(),
            st.name.span,
            st.service.is_some(),
        ));
        for entry in &st.body {
            if let ast::Entry::Branch { machine, .. } | ast::Entry::Processor { machine, .. } =
                entry
            {
                declared(machine, out, depth + 1);
            }
        }
    }
}

/// The declared result type of every Task state that has one (state name → type tokens), for
/// the path checks of what later states read from it.
pub(crate) fn result_types(wf: &ast::Workflow) -> ResultTypes {
    let mut decl = HashMap::new();
    declared(&wf.machine, &mut decl, 0);
    let mut out = ResultTypes::default();
    for (name, (_, result, _, _)) in decl {
        if let Some(t) = result {
            let text = quote!(#t).to_string();
            out.spanned.entry(text.clone()).or_insert_with(|| t.clone());
            out.by_state.insert(name, text);
        }
    }
    out
}

/// The declared result types of Task states: state name → the type's tokens as text (what the
/// flow analysis compares), and the text → the type as written, so that a check on it (`T:
/// Shape`) is reported at the user's `-> T`.
#[derive(Default)]
pub(crate) struct ResultTypes {
    by_state: HashMap<String, String>,
    spanned: HashMap<String, Type>,
}

impl ResultTypes {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The type text declared by state `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&String> {
        self.by_state.get(name)
    }

    /// The type for `text`, with the spans of where it was written.
    pub(crate) fn parse(&self, text: &str) -> Option<Type> {
        match self.spanned.get(text) {
            Some(t) => Some(t.clone()),
            None => syn::parse_str(text).ok(),
        }
    }
}

/// The key the engine finds a task's handler by: `lambda:invoke` calls the function named by a
/// literal `FunctionName`, everything else the `Resource` as written.
fn handler_key(task: &Task) -> String {
    if task.resource.invokes_function_by_name() {
        let template = match (&task.parameters, &task.arguments) {
            (Some(p), _) => Some(p.source().clone()),
            (None, Some(a)) => Some(a.to_value()),
            (None, None) => None,
        };
        let function = template
            .as_ref()
            .and_then(|t| t.get("FunctionName"))
            .and_then(|v| v.as_str());
        // A JSONata expression names the function only when the task runs.
        if let Some(f) = function.filter(|f| !f.starts_with("{%")) {
            return f.to_owned();
        }
    }
    task.resource.to_string()
}

fn methods(wf: &ast::Workflow, machine: &StateMachine, order: &[String]) -> Vec<TaskMethod> {
    let tasks = collect_tasks(machine);
    let mut decl = HashMap::new();
    declared(&wf.machine, &mut decl, 0);
    let whole = if wf.input.is_some() {
        crate::flow::whole_input_states(machine)
    } else {
        BTreeSet::new()
    };
    let mut taken = HashSet::new();
    order
        .iter()
        .filter_map(|name| {
            let task = tasks.get(name.as_str())?;
            let (declared_input, result, span, service) =
                decl.get(name)
                    .cloned()
                    .unwrap_or((None, None, Span::call_site(), false));
            if service {
                return None;
            }
            let own_input = task.flow.input_path.is_some()
                || task.parameters.is_some()
                || task.arguments.is_some();
            let input = match (declared_input, &wf.input) {
                (Some(t), _) => Some(t.clone()),
                (None, Some(t)) if whole.contains(name) && !own_input => Some(t.clone()),
                _ => None,
            };
            Some(TaskMethod {
                state: name.clone(),
                method: method_name(name, &mut taken),
                key: handler_key(task),
                callback: task.resource.is_callback(),
                input,
                result: result.cloned(),
                span,
            })
        })
        .collect()
}

/// A `service` task and a task with a method must not share a handler key: the engine finds
/// handlers by resource, so the method's handler would answer the service task too. Bad:
/// `Save: task "arn:aws:states:::dynamodb:putItem" service { .. }` beside
/// `Audit: task "arn:aws:states:::dynamodb:putItem" { .. }`.
pub(crate) fn check_service_keys(
    cx: &crate::ctxt::Ctxt,
    wf: &ast::Workflow,
    machine: &StateMachine,
) {
    let tasks = collect_tasks(machine);
    let mut decl = HashMap::new();
    declared(&wf.machine, &mut decl, 0);
    let mut with_method: Vec<(&str, String)> = Vec::new();
    let mut services: Vec<(&str, String, Span)> = Vec::new();
    let mut names: Vec<&String> = decl.keys().collect();
    names.sort();
    for name in names {
        let (_, _, span, service) = decl[name];
        let Some(task) = tasks.get(name.as_str()) else {
            continue;
        };
        if service {
            services.push((name, handler_key(task), span));
        } else {
            with_method.push((name, handler_key(task)));
        }
    }
    for (name, key, span) in services {
        if let Some((other, _)) = with_method.iter().find(|(_, k)| *k == key) {
            cx.error(
                span,
                format!(
                    "`service` task `{name}` and task `{other}` share the resource `{key}`, and the engine finds a method by resource, so `{other}`'s method would answer `{name}` too; mark both `service` or neither"
                ),
            );
        }
    }
}

/// What the generated functions need of the user's types, written as higher-ranked bounds so
/// a workflow whose types lack serde impls still compiles until it is run.
fn workflow_bounds(wf: &ast::Workflow, methods: &[TaskMethod]) -> Vec<TokenStream> {
    let p = quote!(::sfn::__private);
    let input = type_or_json(wf.input.as_ref());
    let output = type_or_json(wf.output.as_ref());
    let mut bounds = vec![
        quote!(for<'__sfn> #input: #p::Serialize + #p::DeserializeOwned + ::core::marker::Send + 'static),
        quote!(for<'__sfn> #output: #p::DeserializeOwned),
    ];
    let mut seen = HashSet::new();
    for m in methods {
        if let Some(t) = &m.input {
            if seen.insert(format!("in {}", quote!(#t))) {
                bounds.push(quote!(for<'__sfn> #t: #p::DeserializeOwned));
            }
        }
        if let Some(t) = &m.result {
            if seen.insert(format!("out {}", quote!(#t))) {
                bounds.push(quote!(for<'__sfn> #t: #p::Serialize));
            }
        }
    }
    bounds
}

/// The `#[doc]` of the trait and its `on_unimplemented` message and note.
fn trait_texts(name: &Ident, trait_name: &Ident, methods: &[TaskMethod]) -> [String; 3] {
    let list = methods
        .iter()
        .map(|m| format!("`{}`", m.method))
        .collect::<Vec<_>>()
        .join(", ");
    let note = if methods.is_empty() {
        format!("`{name}` has no Task state with a method: run it with `()`")
    } else {
        format!("implement `{trait_name}`: one async method per Task state ({list}), and `Clone` (or wrap it in an `Arc`)")
    };
    let message = format!("`{{Self}}` does not run the Task states of workflow `{name}`");
    let doc = format!(
        "The Task states of [`{name}`]: one async method per state, called with the task's input. \
         `{name}::run(&tasks, input)` registers them as the engine's handlers."
    );
    [doc, message, note]
}

/// The signature of a Task state's method: `input` (and the task token of a callback) in, the
/// typed result (or `()`) out.
fn method_signature(m: &TaskMethod, span: Span) -> TokenStream {
    let p = quote!(::sfn::__private);
    let method = &m.method;
    let in_ty = type_or_json(m.input.as_ref());
    if m.callback {
        quote_spanned!(span=> fn #method(&self, input: #in_ty, token: #p::String) -> impl #p::Future<Output = #p::Result<(), ::sfn::TaskError>> + ::core::marker::Send)
    } else {
        let out_ty = type_or_json(m.result.as_ref());
        quote_spanned!(span=> fn #method(&self, input: #in_ty) -> impl #p::Future<Output = #p::Result<#out_ty, ::sfn::TaskError>> + ::core::marker::Send)
    }
}

/// The trait's method declarations, each documented and spanned at its state's name.
fn trait_methods(methods: &[TaskMethod]) -> impl Iterator<Item = TokenStream> + '_ {
    methods.iter().map(|m| {
        let doc = if m.callback {
            format!(
                "Submits the `.waitForTaskToken` Task state `{}`: its result comes later, through \
                 `send_task_success` with `token`.",
                m.state
            )
        } else {
            format!(
                "Runs the Task state `{}` (handler key `{}`).",
                m.state, m.key
            )
        };
        let sig = method_signature(m, m.span);
        quote_spanned! {m.span=>
            #[doc = #doc]
            #sig;
        }
    })
}

/// The methods of the trait's impl for `Arc<T>`: each forwards to `T`.
fn arc_methods(methods: &[TaskMethod]) -> impl Iterator<Item = TokenStream> + '_ {
    methods.iter().map(|m| {
        let method = &m.method;
        let sig = method_signature(m, Span::call_site());
        let args = if m.callback {
            quote!(input, token)
        } else {
            quote!(input)
        };
        quote! {
            #sig {
                (**self).#method(#args)
            }
        }
    })
}

/// The arms of the dispatch `match` on the state name: decode the input, call the method,
/// encode its result.
fn dispatch_arms(methods: &[TaskMethod]) -> impl Iterator<Item = TokenStream> + '_ {
    let p = quote!(::sfn::__private);
    methods.iter().map(move |m| {
        let method = &m.method;
        let state = &m.state;
        if m.callback {
            quote! {
                #state => {
                    let input = #p::task_input(#state, req.input)?;
                    tasks.#method(input, req.token.unwrap_or_default()).await?;
                    #p::Result::Ok(#p::Value::Null)
                }
            }
        } else {
            quote! {
                #state => {
                    let input = #p::task_input(#state, req.input)?;
                    #p::task_result(#state, tasks.#method(input).await)
                }
            }
        }
    })
}

/// The Task trait's name: `#[workflow(tasks = Name)]`, else `<Workflow>Tasks` spanned at the
/// workflow's name, so a clash with an item of the same name points there.
pub(crate) fn trait_name(wf: &ast::Workflow) -> Ident {
    wf.options
        .tasks
        .clone()
        .unwrap_or_else(|| format_ident!("{}Tasks", wf.name, span = wf.name.span()))
}

/// The trait, the handlers and the run functions of one workflow.
pub(crate) fn generate(
    wf: &ast::Workflow,
    machine: &StateMachine,
    order: &[String],
) -> TokenStream {
    let methods = methods(wf, machine, order);
    let trait_name = trait_name(wf);
    let tasks_trait = tasks_trait(wf, &trait_name, &methods);
    let handlers = handlers(wf, &trait_name, &methods);
    let run_functions = run_functions(wf, &trait_name, &methods);
    let name = &wf.name;
    quote! {
        #tasks_trait

        impl #name {
            #handlers

            #run_functions
        }
    }
}

/// The `<Workflow>Tasks` trait, its impl for `Arc<T>` and, for a workflow without Task states,
/// its impl for `()`.
fn tasks_trait(wf: &ast::Workflow, trait_name: &Ident, methods: &[TaskMethod]) -> TokenStream {
    let vis = &wf.vis;
    let [trait_doc, message, note] = trait_texts(&wf.name, trait_name, methods);
    let sigs = trait_methods(methods);
    let arc_methods = arc_methods(methods);
    let unit_impl = methods
        .is_empty()
        .then(|| quote!(impl #trait_name for () {}));
    // Spanned at the trait's name, so a clash with another item of that name points there.
    let span = trait_name.span();
    // A workflow that is never run natively leaves its trait unused: no warning for that.
    let tasks_trait = quote_spanned! {span=>
        #[doc = #trait_doc]
        #[allow(dead_code)]
        #[diagnostic::on_unimplemented(message = #message, note = #note)]
        #vis trait #trait_name: ::core::marker::Send + ::core::marker::Sync + 'static {
            #( #sigs )*
        }
    };
    quote! {
        #tasks_trait

        impl<__SfnT: #trait_name> #trait_name for ::std::sync::Arc<__SfnT> {
            #( #arc_methods )*
        }

        #unit_impl
    }
}

/// `resources`, which registers one handler per key, and the dispatch on the state name.
fn handlers(wf: &ast::Workflow, trait_name: &Ident, methods: &[TaskMethod]) -> TokenStream {
    let p = quote!(::sfn::__private);
    let bounds = workflow_bounds(wf, methods);
    let arms = dispatch_arms(methods);
    let mut keys: Vec<&str> = methods.iter().map(|m| m.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    quote! {
        /// The engine's handlers for the Task states: each method of `tasks`, registered
        /// under its state's resource (a `lambda:invoke` task: its function name).
        pub fn resources<__SfnT: #trait_name + ::core::clone::Clone>(tasks: &__SfnT) -> #p::Resources
        where #( #bounds ),*
        {
            let tasks = ::std::sync::Arc::new(tasks.clone());
            let mut resources = #p::Resources::new();
            let keys: &[&str] = &[ #( #keys ),* ];
            for key in keys {
                let tasks = tasks.clone();
                resources.register(*key, move |req: #p::TaskRequest| {
                    let tasks = tasks.clone();
                    async move { Self::__sfn_dispatch(&*tasks, req).await }
                });
            }
            resources
        }

        #[allow(unused_variables, clippy::match_single_binding)]
        async fn __sfn_dispatch<__SfnT: #trait_name>(tasks: &__SfnT, req: #p::TaskRequest) -> #p::Result<#p::Value, ::sfn::TaskError>
        where #( #bounds ),*
        {
            match req.state_name.as_str() {
                #( #arms )*
                other => #p::Result::Err(#p::unknown_state(&req.resource, other)),
            }
        }
    }
}

/// `runner`, `run`, `run_with_history` and `start`.
fn run_functions(wf: &ast::Workflow, trait_name: &Ident, methods: &[TaskMethod]) -> TokenStream {
    let p = quote!(::sfn::__private);
    let input = type_or_json(wf.input.as_ref());
    let output = type_or_json(wf.output.as_ref());
    let bounds = workflow_bounds(wf, methods);
    quote! {
        /// A [`Runner`](::sfn::Runner) of this workflow on `tasks`: run with a mock
        /// configuration, with the history, or in the background.
        pub fn runner<__SfnT: #trait_name + ::core::clone::Clone>(tasks: &__SfnT) -> ::sfn::Runner<Self>
        where #( #bounds ),*
        {
            ::sfn::Runner::new(Self::resources(tasks))
        }

        /// Runs an execution natively, the methods of `tasks` answering the Task states.
        pub fn run<__SfnT: #trait_name + ::core::clone::Clone>(tasks: &__SfnT, input: #input)
            -> impl #p::Future<Output = #p::Result<#output, ::sfn::ExecutionError>> + ::core::marker::Send + 'static
        where #( #bounds ),*
        {
            // The runner owns its handlers, so the future borrows nothing.
            let runner = Self::runner(tasks);
            async move { runner.run(input).await }
        }

        /// Runs an execution natively and returns its typed output with its history.
        pub fn run_with_history<__SfnT: #trait_name + ::core::clone::Clone>(tasks: &__SfnT, input: #input)
            -> impl #p::Future<Output = ::sfn::Run<#output>> + ::core::marker::Send + 'static
        where #( #bounds ),*
        {
            let runner = Self::runner(tasks);
            async move { runner.run_with_history(input).await }
        }

        /// Starts an execution natively on a new tokio task (use [`runner`](Self::runner)
        /// to reach its engine, e.g. to complete `.waitForTaskToken` tasks).
        pub fn start<__SfnT: #trait_name + ::core::clone::Clone>(tasks: &__SfnT, input: #input) -> #p::Result<::sfn::Started<Self>, ::sfn::ExecutionError>
        where #( #bounds ),*
        {
            Self::runner(tasks).start(input)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(states: &[&str]) -> Vec<String> {
        let mut taken = HashSet::new();
        states
            .iter()
            .map(|s| method_name(s, &mut taken).to_string())
            .collect()
    }

    #[test]
    fn method_names_are_snake_case_and_unique() {
        assert_eq!(
            names(&[
                "Validate",
                "ChargeCard",
                "Check stock",
                "type",
                "2nd try",
                "validate",
                "HTTPCall",
                "!!"
            ]),
            [
                "validate",
                "charge_card",
                "check_stock",
                "type_",
                "state_2nd_try",
                "validate_2",
                "httpcall",
                "state"
            ]
        );
    }

    #[test]
    fn lambda_invoke_is_keyed_by_its_function_name() {
        let m = sfn_asl::parse(
            r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "Parameters":{"FunctionName":"charge","Payload.$":"$"},"Next":"B"},
                "B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}}}"#,
        )
        .expect("valid");
        let key = |n: &str| match &m.states[n].kind {
            StateKind::Task(t) => handler_key(t),
            _ => String::new(),
        };
        assert_eq!(key("A"), "charge");
        assert_eq!(
            key("B"),
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        );
    }

    #[test]
    fn lambda_invoke_is_recognised_in_every_partition_and_pattern() {
        let m = sfn_asl::parse(
            r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws-cn:states:::lambda:invoke",
                "Parameters":{"FunctionName":"charge","Payload.$":"$"},"Next":"B"},
                "B":{"Type":"Task","Resource":"arn:aws-us-gov:states:::lambda:invoke.waitForTaskToken",
                "Parameters":{"FunctionName":"approve","Payload":{"token.$":"$$.Task.Token"}},"Next":"C"},
                "C":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ship","End":true}}}"#,
        )
        .expect("valid");
        let task = |n: &str| match &m.states[n].kind {
            StateKind::Task(t) => t.as_ref().clone(),
            _ => panic!("{n} is a task"),
        };
        assert_eq!(handler_key(&task("A")), "charge");
        assert_eq!(handler_key(&task("B")), "approve");
        assert!(task("B").resource.is_callback());
        assert!(!task("A").resource.is_callback());
        assert_eq!(
            handler_key(&task("C")),
            "arn:aws:lambda:us-east-1:123456789012:function:ship"
        );
        assert!(!task("C").resource.invokes_function_by_name());
    }
}
