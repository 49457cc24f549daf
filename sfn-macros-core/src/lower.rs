//! [`crate::ast`] → `sfn_asl::StateMachine`, keeping a table from each JSON pointer of the ASL
//! to the span of the tokens it came from, so findings on the ASL land on the user's code.
//!
//! Lowering only reports what the typed model cannot hold (a field a state type does not have,
//! a value of the wrong JSON type, a duplicate name, a missing transition) and expression syntax
//! errors from the expression compilers. Every structural rule is the linter's.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use sfn_asl::model::*;
use sfn_asl::path::Path;
use syn::LitStr;

use crate::ast::{self, Entry, FieldValue, Json};
use crate::ctxt::Ctxt;
use crate::fields::{asl_key, child, FieldBag};

/// The lowered workflow and where each part of it came from.
pub(crate) struct Lowered {
    pub(crate) machine: StateMachine,
    pub(crate) spans: SpanTable,
    /// Every state (nested ones too) in definition order, with its name's span.
    pub(crate) states: Vec<(String, Span)>,
    /// Path literals the shape checks look at.
    pub(crate) path_uses: Vec<PathUse>,
    /// Where lowering put a stand-in for a part it reported an error on (a state it could not
    /// build, a missing `StartAt` or `Resource`): the linter's findings there are echoes.
    pub(crate) placeholders: Vec<String>,
    /// The scopes (`""`, `/States/P/Branches/0`, ...) where a transition the user wrote is not
    /// in the model (it had an error), so reachability and terminal findings there are echoes.
    pub(crate) troubled_scopes: HashSet<String>,
    /// The states (nested ones too) with an error in them: the path checks neither check their
    /// paths nor trust what they hand on.
    pub(crate) states_with_errors: HashSet<String>,
}

/// A path literal that reads a state's input (or its effective input).
#[derive(Clone)]
pub(crate) struct PathUse {
    /// The state it belongs to (names are unique in the whole workflow).
    pub(crate) state: String,
    /// The literal the path is written in (where its error is reported).
    pub(crate) lit: LitStr,
    /// The path: the literal itself, or a path among an intrinsic call's arguments in it.
    pub(crate) path: String,
    /// The JSON type the reader needs at the path (`"string"`, `"number"`, `"boolean"`,
    /// `"array"`), if any.
    pub(crate) expect: Option<&'static str>,
    /// Who needs it, for the message: "the rule compares it with", "`seconds_path` needs".
    pub(crate) need: String,
    /// What the path reads.
    pub(crate) reads: Reads,
}

/// What a recorded path literal is evaluated against.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Reads {
    /// The state's input (`input_path` itself).
    StateInput,
    /// The state's input as a JSONata expression reads it (`$states.input.items.price`: a
    /// name reads every item of an array).
    JsonataInput,
    /// The effective input, after `input_path` (Parameters `.$`, choice variables).
    EffectiveInput,
    /// The task's result (`result_selector` `.$`).
    TaskResult,
}

/// JSON pointer → span of the tokens that produced the value at that pointer, and the string
/// literals among them (an expression error points at a character inside its literal).
#[derive(Default)]
pub(crate) struct SpanTable(HashMap<String, Span>, HashMap<String, LitStr>);

impl SpanTable {
    pub(crate) fn insert(&mut self, pointer: String, span: Span) {
        self.0.entry(pointer).or_insert(span);
    }

    pub(crate) fn insert_lit(&mut self, pointer: String, lit: &LitStr) {
        self.1.entry(pointer).or_insert_with(|| lit.clone());
    }

    /// The string literal recorded at exactly `pointer`.
    pub(crate) fn lit(&self, pointer: &str) -> Option<&LitStr> {
        self.1.get(pointer)
    }

    /// The span of the longest recorded pointer that is `pointer` or one of its ancestors.
    /// Forgets what was recorded at `pointer` and under it (a part that was not lowered, so
    /// that the part lowered next at the same pointer records its own spans).
    pub(crate) fn forget(&mut self, pointer: &str) {
        let under = format!("{pointer}/");
        self.0.retain(|p, _| p != pointer && !p.starts_with(&under));
        self.1.retain(|p, _| p != pointer && !p.starts_with(&under));
    }

    pub(crate) fn lookup(&self, pointer: &str) -> Option<Span> {
        let mut p = pointer;
        loop {
            if let Some(s) = self.0.get(p) {
                return Some(*s);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }
}

/// The entries of a state's body other than its fields, by kind.
#[derive(Default)]
struct Entries<'d> {
    rules: Vec<&'d ast::RuleDef>,
    default: Option<&'d ast::StateName>,
    branches: Vec<(&'d Option<ast::Doc>, &'d ast::Machine)>,
    processors: Vec<crate::lower_map::ProcessorEntry<'d>>,
}

pub(crate) struct Lowerer<'a> {
    pub(crate) cx: &'a Ctxt,
    pub(crate) spans: SpanTable,
    pub(crate) top_ql: Option<QueryLanguage>,
    names: HashMap<String, Span>,
    states: Vec<(String, Span)>,
    pub(crate) path_uses: Vec<PathUse>,
    /// The state being lowered (for [`PathUse`]).
    pub(crate) current: Option<String>,
    pub(crate) placeholders: Vec<String>,
    troubled_scopes: HashSet<String>,
    states_with_errors: HashSet<String>,
}

/// Lowers a whole workflow.
pub(crate) fn lower(cx: &Ctxt, wf: &ast::Workflow) -> Lowered {
    let top_ql = match &wf.options.query_language {
        None => None,
        Some(id) => match QueryLanguage::from_name(&id.to_string()) {
            Some(q) => Some(q),
            None => {
                cx.error(
                    id.span(),
                    format!("unknown query language `{id}`; expected `JSONPath` or `JSONata`"),
                );
                None
            }
        },
    };
    let mut lw = Lowerer {
        cx,
        spans: SpanTable::default(),
        top_ql,
        names: HashMap::new(),
        states: Vec::new(),
        path_uses: Vec::new(),
        current: None,
        placeholders: Vec::new(),
        troubled_scopes: HashSet::new(),
        states_with_errors: HashSet::new(),
    };
    lw.spans.insert(String::new(), wf.name.span());
    let timeout_seconds = wf.options.timeout_seconds.as_ref().and_then(|l| {
        lw.spans.insert("/TimeoutSeconds".into(), l.span());
        l.base10_parse::<u64>().map_err(|e| cx.push(e)).ok()
    });
    if let Some(id) = &wf.options.query_language {
        lw.spans.insert("/QueryLanguage".into(), id.span());
    }
    if let Some(v) = &wf.options.version {
        lw.spans.insert("/Version".into(), v.span());
    }
    if let Some(d) = &wf.doc {
        lw.spans.insert("/Comment".into(), d.span);
    }
    let (start_at, states) = lw.machine(&wf.machine, "");
    let machine = StateMachine {
        comment: wf.doc.as_ref().map(|d| d.text.clone()),
        version: wf.options.version.as_ref().map(LitStr::value),
        timeout_seconds,
        query_language: top_ql,
        start_at,
        states,
    };
    Lowered {
        machine,
        spans: lw.spans,
        states: lw.states,
        path_uses: lw.path_uses,
        placeholders: lw.placeholders,
        troubled_scopes: lw.troubled_scopes,
        states_with_errors: lw.states_with_errors,
    }
}

impl Lowerer<'_> {
    /// Lowers `{ start A; ... }` found at `ptr` (`""`, `/States/P/Branches/0`, ...).
    fn machine(&mut self, m: &ast::Machine, ptr: &str) -> (String, States) {
        let start_at = match &m.start {
            Some(s) => {
                self.spans.insert(format!("{ptr}/StartAt"), s.span);
                s.name.clone()
            }
            None => {
                self.cx.error(
                    m.span,
                    "missing `start StateName;`: say which state runs first",
                );
                self.placeholders.push(format!("{ptr}/StartAt"));
                String::new()
            }
        };
        self.spans.insert(format!("{ptr}/States"), m.span);
        let mut states = States::default();
        for def in &m.states {
            let sptr = child(&format!("{ptr}/States"), &def.name.name);
            let errors_before = self.cx.error_count();
            if let Some(prev) = self.names.get(&def.name.name) {
                let mut e = syn::Error::new(
                    def.name.span,
                    format!(
                        "duplicate state `{}`: state names must be unique in the whole workflow, nested branches included",
                        def.name.name
                    ),
                );
                e.combine(syn::Error::new(
                    *prev,
                    format!("`{}` is first defined here", def.name.name),
                ));
                self.cx.push(e);
                self.states_with_errors.insert(def.name.name.clone());
                if states.contains_key(&def.name.name) {
                    // In the same scope the first one stands.
                    continue;
                }
                // In another scope it is lowered there all the same, so that scope's graph
                // stays whole (the linter's own duplicate finding is then an echo).
            } else {
                self.names.insert(def.name.name.clone(), def.name.span);
                self.states.push((def.name.name.clone(), def.name.span));
            }
            self.spans.insert(sptr.clone(), def.name.span);
            // Nested states are lowered inside their parent's lowering: restore the parent after.
            let parent = self.current.replace(def.name.name.clone());
            let state = self.state(def, &sptr).unwrap_or_else(|| {
                // Keep the name, so transitions to it resolve and the linter sees the rest of
                // the graph as written (but for this state's own transitions).
                self.placeholders.push(sptr.clone());
                self.lost_edges(&sptr);
                State {
                    comment: None,
                    query_language: None,
                    kind: StateKind::Succeed(Box::new(Succeed {
                        input_path: None,
                        output_path: None,
                        output: None,
                    })),
                }
            });
            states.insert(def.name.name.clone(), state);
            self.current = parent;
            if self.cx.error_count() > errors_before {
                self.states_with_errors.insert(def.name.name.clone());
            }
        }
        (start_at, states)
    }

    /// Records that a transition written in the state at `state_ptr` is not in the model (it
    /// had an error): the linter's view of reachability in its scope is then incomplete.
    pub(crate) fn lost_edges(&mut self, state_ptr: &str) {
        let scope = state_ptr.rsplitn(3, '/').nth(2).unwrap_or_default();
        self.troubled_scopes.insert(scope.to_owned());
    }

    /// Lowers a Parallel branch or Map processor.
    pub(crate) fn machine_nested(&mut self, m: &ast::Machine, ptr: &str) -> (String, States) {
        self.machine(m, ptr)
    }

    fn state(&mut self, def: &ast::StateDef, ptr: &str) -> Option<State> {
        let kind = def.kind.to_string();
        let mut bag = FieldBag::new(self.cx, &kind, def.kind.span());
        let entries = self.sort_entries(def, &kind, &mut bag, ptr);
        for (name, span) in bag.spans() {
            self.spans.insert(format!("{ptr}/{}", asl_key(&name)), span);
        }
        let comment = self.state_comment(def, &mut bag, ptr);
        let query_language = bag
            .take("query_language")
            .and_then(|j| self.query_language(j));
        let ql = query_language
            .or(self.top_ql)
            .unwrap_or(QueryLanguage::JsonPath);
        if let Some(r) = def.resource.as_ref().filter(|_| kind != "task") {
            self.cx.error(
                r.span(),
                format!("only `task` states take a resource, not `{kind}`"),
            );
        }
        // A missing transition has been reported; `End` stands in so the rest of the state is
        // still lowered and linted.
        let transition = self.transition(def, ptr, &kind).unwrap_or(Transition::End);
        let state_kind = match kind.as_str() {
            "task" => self.task(def, &mut bag, ptr, ql, transition),
            "pass" => self.pass(&mut bag, ptr, ql, transition),
            "choice" => self.choice(&mut bag, ptr, ql, &entries.rules, entries.default),
            "wait" => self.wait(def, &mut bag, ptr, ql, transition),
            "succeed" => StateKind::Succeed(Box::new(Succeed {
                input_path: self.opt_path(&mut bag, "input_path", ptr),
                output_path: self.opt_path(&mut bag, "output_path", ptr),
                output: self.jsonata_field(&mut bag, "output", ptr),
            })),
            "fail" => self.fail(&mut bag, ptr),
            "parallel" => {
                let branches = self.branches(def, entries.branches, ptr);
                self.parallel(&mut bag, ptr, ql, branches, transition)
            }
            "map" => {
                let processor = self.processor(def, entries.processors, ptr);
                self.map(&mut bag, ptr, ql, processor?, transition)
            }
            _ => return None,
        };
        bag.finish();
        Some(State {
            comment,
            query_language,
            kind: state_kind,
        })
    }

    /// Sorts a state's body: fields into `bag`, and the rules, `else`, branches and processors
    /// its kind takes; an entry its kind does not take is reported.
    fn sort_entries<'d>(
        &mut self,
        def: &'d ast::StateDef,
        kind: &str,
        bag: &mut FieldBag<'d>,
        ptr: &str,
    ) -> Entries<'d> {
        let mut entries = Entries::default();
        for entry in &def.body {
            match entry {
                Entry::Field(f) => bag.add(f),
                Entry::Rule(r) if kind == "choice" => entries.rules.push(r),
                Entry::Else(n) if kind == "choice" => {
                    if entries.default.replace(n).is_some() {
                        self.cx.error(n.span, "a choice state has one `else`");
                        self.lost_edges(ptr);
                    }
                }
                Entry::Branch { doc, machine } if kind == "parallel" => {
                    entries.branches.push((doc, machine))
                }
                Entry::Processor {
                    keyword,
                    doc,
                    config,
                    machine,
                } if kind == "map" => entries.processors.push((keyword, doc, config, machine)),
                Entry::Rule(r) => {
                    self.cx.error(
                        r.next.span,
                        format!("choice rules belong in `choice` states, not `{kind}`"),
                    );
                    self.lost_edges(ptr);
                }
                Entry::Else(n) => {
                    self.cx.error(
                        n.span,
                        format!("`else` belongs in `choice` states, not `{kind}`"),
                    );
                    self.lost_edges(ptr);
                }
                Entry::Branch { machine, .. } => self.cx.error(
                    machine.span,
                    format!("`branch` belongs in `parallel` states, not `{kind}`"),
                ),
                Entry::Processor { keyword, .. } => self.cx.error(
                    keyword.span(),
                    format!("`{keyword}` belongs in `map` states, not `{kind}`"),
                ),
            }
        }
        entries
    }

    /// The state's `Comment`: its doc comment or its `comment:` field, not both.
    fn state_comment(
        &mut self,
        def: &ast::StateDef,
        bag: &mut FieldBag<'_>,
        ptr: &str,
    ) -> Option<String> {
        let comment_field = bag.take("comment").and_then(|j| self.string(j));
        match (&def.doc, comment_field) {
            (Some(d), Some(_)) => {
                self.cx.error(
                    d.span,
                    "give the comment once: as a doc comment or as `comment:`",
                );
                None
            }
            (Some(d), None) => {
                self.spans.insert(format!("{ptr}/Comment"), d.span);
                Some(d.text.clone())
            }
            (None, c) => c,
        }
    }

    /// The branches of a Parallel state, lowered; none is an error.
    fn branches(
        &mut self,
        def: &ast::StateDef,
        branches: Vec<(&Option<ast::Doc>, &ast::Machine)>,
        ptr: &str,
    ) -> Vec<Branch> {
        if branches.is_empty() {
            self.cx.error(
                def.name.span,
                "a `parallel` state needs at least one `branch { start ...; ... }`",
            );
            self.placeholders.push(format!("{ptr}/Branches"));
        }
        let mut out = Vec::new();
        for (i, (doc, m)) in branches.into_iter().enumerate() {
            let bptr = format!("{ptr}/Branches/{i}");
            self.spans.insert(bptr.clone(), m.span);
            let (start_at, states) = self.machine(m, &bptr);
            out.push(Branch {
                comment: doc.as_ref().map(|d| d.text.clone()),
                start_at,
                states,
            });
        }
        out
    }

    fn transition(&mut self, def: &ast::StateDef, ptr: &str, kind: &str) -> Option<Transition> {
        let terminal_kind = matches!(kind, "choice" | "succeed" | "fail");
        match (&def.transition, terminal_kind) {
            (Some(ast::TransitionAst::Next(n)), false) => {
                self.spans.insert(format!("{ptr}/Next"), n.span);
                Some(Transition::Next(n.name.clone()))
            }
            (Some(ast::TransitionAst::End(span)), false) => {
                self.spans.insert(format!("{ptr}/End"), *span);
                Some(Transition::End)
            }
            (None, false) => {
                self.lost_edges(ptr);
                self.cx.error(
                    def.name.span,
                    format!(
                        "state `{}` has no `next` and is not terminal; add `=> NextState` or `end`",
                        def.name.name
                    ),
                );
                None
            }
            (Some(t), true) => {
                let span = match t {
                    ast::TransitionAst::Next(n) => n.span,
                    ast::TransitionAst::End(s) => *s,
                };
                let why = if kind == "choice" {
                    "its rules pick the next state"
                } else {
                    "it ends its branch or the execution"
                };
                self.cx.error(
                    span,
                    format!("a `{kind}` state takes no `=> Next` or `end`: {why}"),
                );
                self.lost_edges(ptr);
                None
            }
            (None, true) => None,
        }
    }

    fn task(
        &mut self,
        def: &ast::StateDef,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        transition: Transition,
    ) -> StateKind {
        let resource = match &def.resource {
            Some(r) => {
                self.spans.insert(format!("{ptr}/Resource"), r.span());
                r.value()
            }
            None => {
                self.cx.error(
                    def.kind.span(),
                    "a `task` needs a resource: `task \"arn:aws:states:::lambda:invoke\" { ... }`",
                );
                self.placeholders.push(format!("{ptr}/Resource"));
                String::new()
            }
        };
        let flow = self.data_flow(bag, ptr, ql);
        StateKind::Task(Box::new(Task {
            resource: resource.into(),
            parameters: self.payload_field(bag, "parameters", ptr),
            arguments: self.jsonata_field(bag, "arguments", ptr),
            timeout_seconds: self.dynamic_u64(bag, "timeout_seconds", ptr),
            heartbeat_seconds: self.dynamic_u64(bag, "heartbeat_seconds", ptr),
            credentials: self.template_field(bag, "credentials", ptr, ql),
            flow,
            transition,
        }))
    }

    fn pass(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        transition: Transition,
    ) -> StateKind {
        let result = bag
            .take("result")
            .and_then(|j| self.value(j, &format!("{ptr}/Result")));
        StateKind::Pass(Box::new(Pass {
            input_path: self.opt_path(bag, "input_path", ptr),
            parameters: self.payload_field(bag, "parameters", ptr),
            result,
            result_path: self.opt_ref_path(bag, "result_path", ptr),
            output_path: self.opt_path(bag, "output_path", ptr),
            output: self.jsonata_field(bag, "output", ptr),
            assign: self.template_field(bag, "assign", ptr, ql),
            transition,
        }))
    }

    fn wait(
        &mut self,
        def: &ast::StateDef,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        transition: Transition,
    ) -> StateKind {
        let written = ["seconds", "seconds_path", "timestamp", "timestamp_path"]
            .iter()
            .any(|f| bag.has(f));
        let seconds = self.dynamic_u64(bag, "seconds", ptr);
        let timestamp = self.dynamic_string(bag, "timestamp", ptr);
        let wait_for = match (seconds, timestamp) {
            (Some(s), None) => WaitFor::Seconds(s),
            (None, Some(t)) => WaitFor::Timestamp(t),
            (Some(_), Some(_)) => {
                self.cx.error(
                    def.name.span,
                    "a `wait` state takes exactly one of `seconds`, `seconds_path`, `timestamp`, `timestamp_path`",
                );
                WaitFor::Seconds(Dynamic::Literal(0))
            }
            (None, None) => {
                // A timing field that was written but is invalid has been reported already.
                if !written {
                    self.cx.error(def.name.span, "a `wait` state needs one of `seconds: 10`, `seconds_path: \"$.s\"`, `timestamp: \"2030-01-01T00:00:00Z\"`, `timestamp_path: \"$.t\"`");
                }
                WaitFor::Seconds(Dynamic::Literal(0))
            }
        };
        StateKind::Wait(Box::new(Wait {
            wait_for,
            input_path: self.opt_path(bag, "input_path", ptr),
            output_path: self.opt_path(bag, "output_path", ptr),
            output: self.jsonata_field(bag, "output", ptr),
            assign: self.template_field(bag, "assign", ptr, ql),
            transition,
        }))
    }

    fn fail(&mut self, bag: &mut FieldBag, ptr: &str) -> StateKind {
        let error = self.fail_field(bag, "error", ptr);
        let cause = self.fail_field(bag, "cause", ptr);
        StateKind::Fail(Box::new(Fail { error, cause }))
    }

    fn fail_field(&mut self, bag: &mut FieldBag, name: &str, _ptr: &str) -> Option<FailField> {
        let lit = bag.take(name);
        let path = bag.take(&format!("{name}_path"));
        match (lit, path) {
            (Some(_), Some(p)) => {
                self.cx.error(
                    p.span(),
                    format!("give either `{name}` or `{name}_path`, not both"),
                );
                None
            }
            (Some(j), None) => {
                let s = self.string(j)?;
                if s.starts_with("{%") {
                    self.jsonata(&s, j).map(FailField::Jsonata)
                } else {
                    Some(FailField::Literal(s))
                }
            }
            (None, Some(j)) => {
                let s = self.string(j)?;
                if let Json::Str(lit) = j {
                    // AWS fails the execution when `ErrorPath`/`CausePath` selects a non-string.
                    if s.starts_with("$.") {
                        let need = format!("`{name}_path` needs");
                        let reads = Reads::EffectiveInput;
                        self.require_path(lit, &s, Some("string"), &need, reads);
                    } else if !s.starts_with('$') {
                        self.record_intrinsic_paths(lit, Reads::EffectiveInput);
                    }
                }
                match sfn_asl::template::ValueExpr::parse(&s) {
                    Ok(v) => Some(FailField::Path(v)),
                    Err(e) => {
                        self.expr_error(j.span(), &format!("{name}_path"), &e);
                        None
                    }
                }
            }
            (None, None) => None,
        }
    }

    fn parallel(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        branches: Vec<Branch>,
        transition: Transition,
    ) -> StateKind {
        let flow = self.data_flow(bag, ptr, ql);
        StateKind::Parallel(Box::new(Parallel {
            branches,
            parameters: self.payload_field(bag, "parameters", ptr),
            arguments: self.jsonata_field(bag, "arguments", ptr),
            flow,
            transition,
        }))
    }

    /// Lowers a path literal, reporting the compiler's error at the literal.
    pub(crate) fn path_lit(&mut self, lit: &LitStr, field: &str) -> Option<Path> {
        match Path::parse(&lit.value()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.expr_error_in(Some(lit), lit.span(), field, &e);
                None
            }
        }
    }

    /// Reports an expression syntax error on the literal it came from.
    /// The template `compiled` from the value at `ptr`, or `None` with each of its errors
    /// reported at the span of the part it names (`fallback` where that part has none).
    pub(crate) fn compiled<T>(
        &mut self,
        compiled: Result<T, Vec<(String, sfn_asl::ExprError)>>,
        ptr: &str,
        fallback: Span,
        field: &str,
    ) -> Option<T> {
        match compiled {
            Ok(t) => Some(t),
            Err(errors) => {
                for (rel, e) in errors {
                    let at = format!("{ptr}{rel}");
                    let span = self.spans.lookup(&at).unwrap_or(fallback);
                    self.expr_error_in(self.spans.lit(&at), span, field, &e);
                }
                None
            }
        }
    }

    pub(crate) fn expr_error(&self, span: Span, field: &str, e: &sfn_asl::ExprError) {
        self.expr_error_in(None, span, field, e);
    }

    /// An expression error of the string `lit` (when known): at the character it names where
    /// the compiler can narrow a span, else at `span` with the expression and a caret.
    pub(crate) fn expr_error_in(
        &self,
        lit: Option<&LitStr>,
        span: Span,
        field: &str,
        e: &sfn_asl::ExprError,
    ) {
        let mut message = format!(
            "invalid `{field}`: {} (at character {})",
            e.message, e.position
        );
        let narrow = lit.and_then(|l| crate::expr_pos::span_at(l, e.position));
        if let (None, Some(lit)) = (narrow, lit) {
            message.extend(crate::expr_pos::caret(&lit.value(), e.position));
        }
        let whole = lit.map(LitStr::span);
        self.cx.error(narrow.or(whole).unwrap_or(span), message);
    }

    /// Records a path literal for the shape checks.
    pub(crate) fn use_path(&mut self, j: &Json, expect: Option<&'static str>) {
        self.record_path(j, expect, Reads::EffectiveInput);
    }

    /// Records a path literal for the shape checks, with what it reads.
    pub(crate) fn record_path(&mut self, j: &Json, expect: Option<&'static str>, reads: Reads) {
        if let Json::Str(lit) = j {
            self.require_path(
                lit,
                &lit.value(),
                expect,
                "the rule compares it with",
                reads,
            );
        }
    }

    /// Records `path`, written in `lit`, for the shape checks: `need` says who needs the type
    /// `expect` at its end ("`seconds_path` needs").
    pub(crate) fn require_path(
        &mut self,
        lit: &LitStr,
        path: &str,
        expect: Option<&'static str>,
        need: &str,
        reads: Reads,
    ) {
        if let Some(state) = &self.current {
            self.path_uses.push(PathUse {
                state: state.clone(),
                lit: lit.clone(),
                path: path.to_owned(),
                expect,
                need: need.to_owned(),
                reads,
            });
        }
    }

    /// The data-flow fields Task, Parallel and Map share.
    pub(crate) fn data_flow(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
    ) -> DataFlow {
        let (retry, catch) = self.retry_catch(bag, ptr, ql);
        DataFlow {
            input_path: self.opt_path(bag, "input_path", ptr),
            result_selector: self.payload_field(bag, "result_selector", ptr),
            result_path: self.opt_ref_path(bag, "result_path", ptr),
            output_path: self.opt_path(bag, "output_path", ptr),
            output: self.jsonata_field(bag, "output", ptr),
            assign: self.template_field(bag, "assign", ptr, ql),
            retry,
            catch,
        }
    }

    fn retry_catch(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
    ) -> (Option<Vec<Retrier>>, Option<Vec<Catcher>>) {
        let mut retry: Option<Vec<Retrier>> = None;
        for (i, f) in bag.take_all("retry").into_iter().enumerate() {
            if let FieldValue::Retry(r) = &f.value {
                let list = retry.get_or_insert_with(Vec::new);
                if let Some(r) = &r.retrier {
                    let rptr = format!("{ptr}/Retry/{}", list.len());
                    self.spans.insert(
                        rptr.clone(),
                        r.errors.first().map_or(f.name.span(), |e| e.span),
                    );
                    list.push(self.retrier(r, &rptr));
                } else if i > 0 {
                    self.cx.error(
                        r.span,
                        "`retry: []` stands for an empty list and cannot be combined with other retriers",
                    );
                }
            }
        }
        let mut catch: Option<Vec<Catcher>> = None;
        for (i, f) in bag.take_all("catch").into_iter().enumerate() {
            if let FieldValue::Catch(c) = &f.value {
                let list = catch.get_or_insert_with(Vec::new);
                if c.catcher.is_none() && i > 0 {
                    self.cx.error(
                        c.span,
                        "`catch: []` stands for an empty list and cannot be combined with other catchers",
                    );
                }
                if let Some(c) = &c.catcher {
                    let cptr = format!("{ptr}/Catch/{}", list.len());
                    self.spans.insert(
                        cptr.clone(),
                        c.errors.first().map_or(f.name.span(), |e| e.span),
                    );
                    match self.catcher(c, &cptr, ql) {
                        Some(c) => list.push(c),
                        None => {
                            // The next catcher takes this index in the model.
                            self.spans.forget(&cptr);
                            self.lost_edges(ptr);
                        }
                    }
                }
            }
        }
        (retry, catch)
    }
}

/// Lowers DSL source text (for unit tests of the lowering and of what is derived from it).
#[cfg(test)]
pub(crate) fn lower_str(src: &str) -> Result<StateMachine, String> {
    let wf: ast::Workflow = syn::parse_str(src).map_err(|e| e.to_string())?;
    let cx = Ctxt::new();
    let lowered = lower(&cx, &wf);
    cx.check().map_err(|e| e.into_compile_error().to_string())?;
    Ok(lowered.machine)
}

#[cfg(test)]
#[path = "lower_tests.rs"]
mod tests;
