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

/// `(pointer relative to the state, language the field belongs to)` of every set field that
/// only one language has.
fn language_fields(state: &State) -> Vec<(String, QueryLanguage)> {
    let mut out: Vec<(String, QueryLanguage)> = Vec::new();
    let mut put = |rel: &str, present: bool, lang: QueryLanguage| {
        if present {
            out.push((rel.to_owned(), lang));
        }
    };
    fn dynamic_lang<T>(d: &Option<Dynamic<T>>) -> Option<(&'static str, QueryLanguage)> {
        match d {
            Some(Dynamic::Path(_)) => Some(("Path", JsonPath)),
            Some(Dynamic::Jsonata(_)) => Some(("", Jsonata)),
            _ => None,
        }
    }
    fn template_lang(t: &Option<Template>) -> Option<QueryLanguage> {
        match t {
            Some(Template::JsonPath(_)) => Some(JsonPath),
            Some(Template::Jsonata(_)) => Some(Jsonata),
            None => None,
        }
    }
    let mut dynamics: Vec<(String, Option<(&'static str, QueryLanguage)>)> = Vec::new();
    let mut templates: Vec<(String, Option<QueryLanguage>)> = Vec::new();
    let catchers = state.result_flow().map_or(&[][..], |f| f.catchers());
    if let Some(f) = state.result_flow() {
        put("/InputPath", f.input_path.is_some(), JsonPath);
        put("/ResultSelector", f.result_selector.is_some(), JsonPath);
        put("/ResultPath", f.result_path.is_some(), JsonPath);
        put("/OutputPath", f.output_path.is_some(), JsonPath);
        put("/Output", f.output.is_some(), Jsonata);
        templates.push(("/Assign".into(), template_lang(&f.assign)));
    }
    match &state.kind {
        StateKind::Task(t) => {
            put("/Parameters", t.parameters.is_some(), JsonPath);
            put("/Arguments", t.arguments.is_some(), Jsonata);
            dynamics.push(("/TimeoutSeconds".into(), dynamic_lang(&t.timeout_seconds)));
            dynamics.push((
                "/HeartbeatSeconds".into(),
                dynamic_lang(&t.heartbeat_seconds),
            ));
            templates.push(("/Credentials".into(), template_lang(&t.credentials)));
        }
        StateKind::Pass(p) => {
            put("/InputPath", p.input_path.is_some(), JsonPath);
            put("/Parameters", p.parameters.is_some(), JsonPath);
            put("/Result", p.result.is_some(), JsonPath);
            put("/ResultPath", p.result_path.is_some(), JsonPath);
            put("/OutputPath", p.output_path.is_some(), JsonPath);
            put("/Output", p.output.is_some(), Jsonata);
            templates.push(("/Assign".into(), template_lang(&p.assign)));
        }
        StateKind::Choice(c) => {
            put("/InputPath", c.input_path.is_some(), JsonPath);
            put("/OutputPath", c.output_path.is_some(), JsonPath);
            put("/Output", c.output.is_some(), Jsonata);
            templates.push(("/Assign".into(), template_lang(&c.assign)));
            for (i, b) in c.choices.iter().enumerate() {
                match &b.condition {
                    Condition::JsonPath(rule) => {
                        let key = match rule {
                            ChoiceRule::And(_) => "And",
                            ChoiceRule::Or(_) => "Or",
                            ChoiceRule::Not(_) => "Not",
                            ChoiceRule::Test(_) => "Variable",
                        };
                        put(&format!("/Choices/{i}/{key}"), true, JsonPath);
                    }
                    Condition::Jsonata(_) => put(&format!("/Choices/{i}/Condition"), true, Jsonata),
                }
                put(&format!("/Choices/{i}/Output"), b.output.is_some(), Jsonata);
                templates.push((format!("/Choices/{i}/Assign"), template_lang(&b.assign)));
            }
        }
        StateKind::Wait(w) => {
            put("/InputPath", w.input_path.is_some(), JsonPath);
            put("/OutputPath", w.output_path.is_some(), JsonPath);
            put("/Output", w.output.is_some(), Jsonata);
            templates.push(("/Assign".into(), template_lang(&w.assign)));
            match &w.wait_for {
                crate::model::WaitFor::Seconds(d) => {
                    dynamics.push(("/Seconds".into(), dynamic_lang(&Some(d.clone()))))
                }
                crate::model::WaitFor::Timestamp(d) => {
                    dynamics.push(("/Timestamp".into(), dynamic_lang(&Some(d.clone()))))
                }
            }
        }
        StateKind::Succeed(s) => {
            put("/InputPath", s.input_path.is_some(), JsonPath);
            put("/OutputPath", s.output_path.is_some(), JsonPath);
            put("/Output", s.output.is_some(), Jsonata);
        }
        StateKind::Fail(f) => {
            for (key, field) in [("Error", &f.error), ("Cause", &f.cause)] {
                match field {
                    Some(FailField::Path(_)) => put(&format!("/{key}Path"), true, JsonPath),
                    Some(FailField::Jsonata(_)) => put(&format!("/{key}"), true, Jsonata),
                    _ => {}
                }
            }
        }
        StateKind::Parallel(p) => {
            put("/Parameters", p.parameters.is_some(), JsonPath);
            put("/Arguments", p.arguments.is_some(), Jsonata);
        }
        StateKind::Map(m) => {
            put("/ItemsPath", m.items_path.is_some(), JsonPath);
            put("/Items", m.items.is_some(), Jsonata);
            put("/Parameters", m.parameters.is_some(), JsonPath);
            dynamics.push(("/MaxConcurrency".into(), dynamic_lang(&m.max_concurrency)));
            dynamics.push((
                "/ToleratedFailurePercentage".into(),
                dynamic_lang(&m.tolerated_failure_percentage),
            ));
            dynamics.push((
                "/ToleratedFailureCount".into(),
                dynamic_lang(&m.tolerated_failure_count),
            ));
            templates.push(("/ItemSelector".into(), template_lang(&m.item_selector)));
        }
    }
    for (i, c) in catchers.iter().enumerate() {
        put(
            &format!("/Catch/{i}/ResultPath"),
            c.result_path.is_some(),
            JsonPath,
        );
        put(&format!("/Catch/{i}/Output"), c.output.is_some(), Jsonata);
        templates.push((format!("/Catch/{i}/Assign"), template_lang(&c.assign)));
    }
    for (rel, d) in dynamics {
        if let Some((suffix, lang)) = d {
            put(&format!("{rel}{suffix}"), true, lang);
        }
    }
    for (rel, t) in templates {
        if let Some(lang) = t {
            put(&rel, true, lang);
        }
    }
    out
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
