//! Rules about query languages and variables: which fields a state's language allows, variable
//! names in `Assign`, and what `ErrorPath`/`CausePath` may call.

use super::Site;
use crate::error::{Finding, FindingCode};
use crate::model::{
    ChoiceRule, Condition, Dynamic, FailField, QueryLanguage, State, StateKind, Template,
};
use crate::template::ValueExpr;

use QueryLanguage::{JsonPath, Jsonata};

const SCHEMA: FindingCode = FindingCode::SchemaValidationFailed;

/// The set fields that only one language has, gathered per kind: plain fields first, then
/// fields that take a path or an expression (`TimeoutSecondsPath` / `TimeoutSeconds`), then
/// templates, each in the order the state's kind lists them.
#[derive(Default)]
struct LanguageFields {
    fields: Vec<(String, QueryLanguage)>,
    dynamics: Vec<(String, QueryLanguage)>,
    templates: Vec<(String, QueryLanguage)>,
}

impl LanguageFields {
    fn put(&mut self, rel: &str, present: bool, lang: QueryLanguage) {
        if present {
            self.fields.push((rel.to_owned(), lang));
        }
    }

    /// A field that is `<rel>Path` in JSONPath and `<rel>` (an expression) in JSONata.
    fn dynamic<T>(&mut self, rel: &str, d: Option<&Dynamic<T>>) {
        match d {
            Some(Dynamic::Path(_)) => self.dynamics.push((format!("{rel}Path"), JsonPath)),
            Some(Dynamic::Jsonata(_)) => self.dynamics.push((rel.to_owned(), Jsonata)),
            _ => {}
        }
    }

    fn template(&mut self, rel: &str, t: &Option<Template>) {
        match t {
            Some(Template::JsonPath(_)) => self.templates.push((rel.to_owned(), JsonPath)),
            Some(Template::Jsonata(_)) => self.templates.push((rel.to_owned(), Jsonata)),
            None => {}
        }
    }

    /// `InputPath`, `OutputPath`, `Output` and (unless `None`) `Assign` of a state.
    fn io(
        &mut self,
        input_path: bool,
        output_path: bool,
        output: bool,
        assign: Option<&Option<Template>>,
    ) {
        self.put("/InputPath", input_path, JsonPath);
        self.put("/OutputPath", output_path, JsonPath);
        self.put("/Output", output, Jsonata);
        if let Some(assign) = assign {
            self.template("/Assign", assign);
        }
    }

    fn choices(&mut self, choices: &[crate::model::ChoiceBranch]) {
        for (i, b) in choices.iter().enumerate() {
            match &b.condition {
                Condition::JsonPath(rule) => {
                    let key = match rule {
                        ChoiceRule::And(_) => "And",
                        ChoiceRule::Or(_) => "Or",
                        ChoiceRule::Not(_) => "Not",
                        ChoiceRule::Test(_) => "Variable",
                    };
                    self.put(&format!("/Choices/{i}/{key}"), true, JsonPath);
                }
                Condition::Jsonata(_) => {
                    self.put(&format!("/Choices/{i}/Condition"), true, Jsonata)
                }
            }
            self.put(&format!("/Choices/{i}/Output"), b.output.is_some(), Jsonata);
            self.template(&format!("/Choices/{i}/Assign"), &b.assign);
        }
    }

    fn kind(&mut self, kind: &StateKind) {
        match kind {
            StateKind::Task(t) => {
                self.put("/Parameters", t.parameters.is_some(), JsonPath);
                self.put("/Arguments", t.arguments.is_some(), Jsonata);
                self.dynamic("/TimeoutSeconds", t.timeout_seconds.as_ref());
                self.dynamic("/HeartbeatSeconds", t.heartbeat_seconds.as_ref());
                self.template("/Credentials", &t.credentials);
            }
            StateKind::Pass(p) => {
                self.put("/InputPath", p.input_path.is_some(), JsonPath);
                self.put("/Parameters", p.parameters.is_some(), JsonPath);
                self.put("/Result", p.result.is_some(), JsonPath);
                self.put("/ResultPath", p.result_path.is_some(), JsonPath);
                self.put("/OutputPath", p.output_path.is_some(), JsonPath);
                self.put("/Output", p.output.is_some(), Jsonata);
                self.template("/Assign", &p.assign);
            }
            StateKind::Choice(c) => {
                let (i, o) = (c.input_path.is_some(), c.output_path.is_some());
                self.io(i, o, c.output.is_some(), Some(&c.assign));
                self.choices(&c.choices);
            }
            StateKind::Wait(w) => {
                let (i, o) = (w.input_path.is_some(), w.output_path.is_some());
                self.io(i, o, w.output.is_some(), Some(&w.assign));
                match &w.wait_for {
                    crate::model::WaitFor::Seconds(d) => self.dynamic("/Seconds", Some(d)),
                    crate::model::WaitFor::Timestamp(d) => self.dynamic("/Timestamp", Some(d)),
                }
            }
            StateKind::Succeed(s) => {
                let (i, o) = (s.input_path.is_some(), s.output_path.is_some());
                self.io(i, o, s.output.is_some(), None);
            }
            StateKind::Fail(f) => {
                for (key, field) in [("Error", &f.error), ("Cause", &f.cause)] {
                    match field {
                        Some(FailField::Path(_)) => {
                            self.put(&format!("/{key}Path"), true, JsonPath)
                        }
                        Some(FailField::Jsonata(_)) => self.put(&format!("/{key}"), true, Jsonata),
                        _ => {}
                    }
                }
            }
            StateKind::Parallel(p) => {
                self.put("/Parameters", p.parameters.is_some(), JsonPath);
                self.put("/Arguments", p.arguments.is_some(), Jsonata);
            }
            StateKind::Map(m) => {
                self.put("/ItemsPath", m.items_path.is_some(), JsonPath);
                self.put("/Items", m.items.is_some(), Jsonata);
                self.put("/Parameters", m.parameters.is_some(), JsonPath);
                self.dynamic("/MaxConcurrency", m.max_concurrency.as_ref());
                self.dynamic(
                    "/ToleratedFailurePercentage",
                    m.tolerated_failure_percentage.as_ref(),
                );
                self.dynamic("/ToleratedFailureCount", m.tolerated_failure_count.as_ref());
                self.template("/ItemSelector", &m.item_selector);
            }
        }
    }
}

/// `(pointer relative to the state, language the field belongs to)` of every set field that
/// only one language has.
fn language_fields(state: &State) -> Vec<(String, QueryLanguage)> {
    let mut all = LanguageFields::default();
    let catchers = state.result_flow().map_or(&[][..], |f| f.catchers());
    if let Some(f) = state.result_flow() {
        all.put("/InputPath", f.input_path.is_some(), JsonPath);
        all.put("/ResultSelector", f.result_selector.is_some(), JsonPath);
        all.put("/ResultPath", f.result_path.is_some(), JsonPath);
        all.put("/OutputPath", f.output_path.is_some(), JsonPath);
        all.put("/Output", f.output.is_some(), Jsonata);
        all.template("/Assign", &f.assign);
    }
    all.kind(&state.kind);
    for (i, c) in catchers.iter().enumerate() {
        let result_path = c.result_path.is_some();
        all.put(&format!("/Catch/{i}/ResultPath"), result_path, JsonPath);
        all.put(&format!("/Catch/{i}/Output"), c.output.is_some(), Jsonata);
        all.template(&format!("/Catch/{i}/Assign"), &c.assign);
    }
    let LanguageFields {
        mut fields,
        dynamics,
        templates,
    } = all;
    fields.extend(dynamics);
    fields.extend(templates);
    fields
}

// Rule: a state uses only the fields of its effective query language (JSONPath-only fields in
// JSONata states and JSONata-only fields in JSONPath states are rejected).
pub(super) fn check_field_languages(
    at: &Site<'_>,
    state: &State,
    lang: QueryLanguage,
    out: &mut Vec<Finding>,
) {
    for (rel, field_lang) in language_fields(state) {
        if field_lang == lang {
            continue;
        }
        let field = rel.rsplit('/').next().unwrap_or_default();
        let text = format!(
            "The QueryLanguage is set to '{}', but field '{field}' is only supported for the '{}' QueryLanguage",
            lang.as_str(),
            field_lang.as_str()
        );
        let hint = Some(format!(
            "remove `{field}` or set `\"QueryLanguage\": \"{}\"` on the state",
            field_lang.as_str()
        ));
        out.push(at.finding(SCHEMA, &rel, &text, hint));
    }
}

/// Every `Assign` of a state with its relative pointer.
fn assigns(state: &State) -> Vec<(String, &Template)> {
    let mut out = Vec::new();
    let (own, catch) = match &state.kind {
        StateKind::Task(t) => (&t.flow.assign, t.flow.catch.as_deref()),
        StateKind::Parallel(p) => (&p.flow.assign, p.flow.catch.as_deref()),
        StateKind::Map(m) => (&m.flow.assign, m.flow.catch.as_deref()),
        StateKind::Pass(p) => (&p.assign, None),
        StateKind::Wait(w) => (&w.assign, None),
        StateKind::Choice(c) => {
            for (i, b) in c.choices.iter().enumerate() {
                if let Some(a) = &b.assign {
                    out.push((format!("/Choices/{i}/Assign"), a));
                }
            }
            (&c.assign, None)
        }
        StateKind::Succeed(_) | StateKind::Fail(_) => return out,
    };
    if let Some(a) = own {
        out.push(("/Assign".to_owned(), a));
    }
    for (i, c) in catch.unwrap_or_default().iter().enumerate() {
        if let Some(a) = &c.assign {
            out.push((format!("/Catch/{i}/Assign"), a));
        }
    }
    out
}

/// Whether `name` may name a variable: ≤ 80 characters, an identifier, not `states`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= 80
        && name != "states"
}

// Rule: every `Assign` key names a variable: an identifier of at most 80 characters, not
// `states`, never a sub-path such as `x.y` or `x[0]`.
pub(super) fn check_assign_variable_names(at: &Site<'_>, state: &State, out: &mut Vec<Finding>) {
    for (rel, template) in assigns(state) {
        let (value, jsonpath) = match template {
            Template::JsonPath(p) => (p.to_value(), true),
            Template::Jsonata(j) => (j.to_value(), false),
        };
        let Some(map) = value.as_object() else {
            out.push(at.finding(
                SCHEMA,
                &rel,
                "Value must be an object",
                Some("map variable names to values".into()),
            ));
            continue;
        };
        for key in map.keys() {
            let name = if jsonpath {
                key.strip_suffix(".$").unwrap_or(key)
            } else {
                key
            };
            if !is_variable_name(name) {
                let text = format!("'{name}' is not a valid variable name");
                let hint = Some(
                    "use an identifier of at most 80 characters (not `states`, no `.` or `[`)"
                        .into(),
                );
                out.push(at.finding(
                    SCHEMA,
                    &format!("{rel}/{}", super::escape_segment(key)),
                    &text,
                    hint,
                ));
            }
        }
    }
}

// Rule: `ErrorPath`/`CausePath` call only intrinsics that return a string.
pub(super) fn check_fail_path_intrinsics(at: &Site<'_>, state: &State, out: &mut Vec<Finding>) {
    const STRING_FUNCTIONS: [&str; 7] = [
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    ];
    let StateKind::Fail(f) = &state.kind else {
        return;
    };
    for (key, field) in [("ErrorPath", &f.error), ("CausePath", &f.cause)] {
        let Some(FailField::Path(ValueExpr::Intrinsic(call))) = field else {
            continue;
        };
        let name = call.source().split('(').next().unwrap_or_default().trim();
        if !STRING_FUNCTIONS.contains(&name) {
            let text = format!("The intrinsic function '{name}' does not return a string");
            let hint = Some(format!("use one of {}", STRING_FUNCTIONS.join(", ")));
            out.push(at.finding(SCHEMA, &format!("/{key}"), &text, hint));
        }
    }
}
