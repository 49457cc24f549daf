//! JSONPath selection: syntax, definite vs indefinite results, AWS's miss texts, ResultPath writes.

use std::borrow::Cow;

use serde_json::{json, Map, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::path::ast::Segment;
use sfn_asl::path::{Path, PathMiss, PathRoot, ReferencePath};

fn store() -> Value {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel", "title": "Sayings", "price": 8.95},
                {"category": "fiction", "author": "Evelyn", "title": "Sword", "price": 12.99},
                {"category": "fiction", "author": "Herman", "title": "Moby", "isbn": "0-553", "price": 8.99},
                {"category": "fiction", "author": "J.R.R.", "title": "Rings", "isbn": "0-395", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "a.b": 1,
        "sp ace": 2,
        "n": null,
        "ünï": "code"
    })
}

fn select_with(path: &str, input: &Value, vars: &Map<String, Value>) -> Result<Value, PathMiss> {
    let ctx = json!({"Execution": {"Id": "arn:x", "Input": {"k": 1}}, "State": {"Name": "S"}});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input,
        context: &ctx,
        vars,
        entropy: &entropy,
    };
    let p = Path::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    p.select(&env).map(Cow::into_owned)
}

fn select(path: &str) -> Result<Value, PathMiss> {
    select_with(path, &store(), &Map::new())
}

fn ok(path: &str) -> Value {
    select(path).unwrap_or_else(|m| panic!("{path}: {m}"))
}

#[test]
fn root_and_members() {
    assert_eq!(ok("$"), store());
    assert_eq!(ok("$.store.bicycle.color"), json!("red"));
    assert_eq!(ok("$['store']['bicycle']['color']"), json!("red"));
    assert_eq!(ok("$[\"store\"].bicycle[\"price\"]"), json!(19.95));
    assert_eq!(ok("$.n"), Value::Null);
    assert_eq!(ok("$.ünï"), json!("code"));
    assert_eq!(ok("$['sp ace']"), json!(2));
}

#[test]
fn escaped_dots_in_member_names() {
    assert_eq!(ok("$.a\\.b"), json!(1));
    assert_eq!(ok("$['a.b']"), json!(1));
}

#[test]
fn backslashes_stay_in_bracket_names() {
    // Recorded on AWS: the key holds a backslash and quotes, and the bracket name matches it as written.
    let input = json!({"Test\\\"\"Name\"": "Value\"\\"});
    let vars = Map::new();
    assert_eq!(
        select_with("$['Test\\\"\"Name\"']", &input, &vars).unwrap(),
        json!("Value\"\\")
    );
}

#[test]
fn indexes_and_negative_indexes() {
    assert_eq!(ok("$.store.book[0].author"), json!("Nigel"));
    assert_eq!(ok("$.store.book[-1].author"), json!("J.R.R."));
    assert_eq!(ok("$.store.book[-2].title"), json!("Moby"));
}

#[test]
fn unions_slices_and_wildcards_are_arrays() {
    assert_eq!(ok("$.store.book[0,2].title"), json!(["Sayings", "Moby"]));
    assert_eq!(ok("$.store.book[1:3].title"), json!(["Sword", "Moby"]));
    assert_eq!(ok("$.store.book[:2].title"), json!(["Sayings", "Sword"]));
    assert_eq!(ok("$.store.book[-1:].title"), json!(["Rings"]));
    assert_eq!(ok("$.store.book[::2].title"), json!(["Sayings", "Moby"]));
    assert_eq!(
        ok("$.store.book[::-1].author").as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(
        ok("$.store.book[*].price"),
        json!([8.95, 12.99, 8.99, 22.99])
    );
    assert_eq!(ok("$.store.bicycle.*"), json!(["red", 19.95]));
}

#[test]
fn names_union_at_the_end_merges_members() {
    assert_eq!(
        ok("$.store.bicycle['color','price']"),
        json!({"color": "red", "price": 19.95})
    );
    assert_eq!(
        ok("$.store.bicycle['color','gears']"),
        json!({"color": "red"})
    );
    assert!(Path::parse("$['a','b']").unwrap().is_definite());
}

#[test]
fn deep_scan() {
    assert_eq!(
        ok("$..author"),
        json!(["Nigel", "Evelyn", "Herman", "J.R.R."])
    );
    assert_eq!(
        ok("$.store..price"),
        json!([8.95, 12.99, 8.99, 22.99, 19.95])
    );
    assert_eq!(ok("$..book[2].title"), json!(["Moby"]));
    assert_eq!(ok("$..nothing"), json!([]));
    let all = ok("$.store.bicycle..[*]");
    assert_eq!(all, json!(["red", 19.95]));
    assert_eq!(ok("$.store.bicycle..*"), json!(["red", 19.95]));
}

#[test]
fn filters() {
    assert_eq!(
        ok("$.store.book[?(@.price < 10)].title"),
        json!(["Sayings", "Moby"])
    );
    assert_eq!(
        ok("$.store.book[?(@.isbn)].title"),
        json!(["Moby", "Rings"])
    );
    assert_eq!(
        ok("$.store.book[?(!@.isbn)].title"),
        json!(["Sayings", "Sword"])
    );
    assert_eq!(
        ok("$.store.book[?(@.category == 'fiction' && @.price >= 12.99)].title"),
        json!(["Sword", "Rings"])
    );
    assert_eq!(
        ok("$.store.book[?(@.author == \"Nigel\" || @.price > 20)].title"),
        json!(["Sayings", "Rings"])
    );
    assert_eq!(
        ok("$.store.book[?(@.price != 8.95)].title")
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        ok("$.store.book[?(@.price <= 8.99)].title"),
        json!(["Sayings", "Moby"])
    );
    assert_eq!(
        ok("$.store.book[?(@.price > $.store.bicycle.price)].title"),
        json!(["Rings"])
    );
    assert_eq!(
        ok("$.store.book[?((@.price > 20))].title"),
        json!(["Rings"])
    );
    let flags = json!({"xs": [{"on": true}, {"on": false}, {"on": null}, {}]});
    let vars = Map::new();
    assert_eq!(
        select_with("$.xs[?(@.on == true)]", &flags, &vars).unwrap(),
        json!([{"on": true}])
    );
    assert_eq!(
        select_with("$.xs[?(@.on == null)]", &flags, &vars).unwrap(),
        json!([{"on": null}])
    );
    assert_eq!(
        select_with("$.xs[?(@.on != true)]", &flags, &vars)
            .unwrap()
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[test]
fn indefinite_paths_with_no_match_are_empty_arrays() {
    let empty = json!({});
    let vars = Map::new();
    assert_eq!(
        select_with("$.item.items[*]", &empty, &vars).unwrap(),
        json!([])
    );
    assert_eq!(
        select_with("$.item.items[1:2]", &empty, &vars).unwrap(),
        json!([])
    );
    assert_eq!(
        select_with("$.item[?(@.x)]", &empty, &vars).unwrap(),
        json!([])
    );
}

#[test]
fn misses_use_aws_normalized_paths() {
    assert_eq!(
        select("$.x"),
        Err(PathMiss::NoResults {
            at: "$['x']".into()
        })
    );
    assert_eq!(
        select("$.x").unwrap_err().to_string(),
        "No results for path: $['x']"
    );
    assert_eq!(
        select("$.a.b.c").unwrap_err().to_string(),
        "Missing property in path $['a']"
    );
    assert_eq!(
        select("$.store.bicycle.gears").unwrap_err().to_string(),
        "No results for path: $['store']['bicycle']['gears']"
    );
    assert_eq!(
        select("$.store.book[9].title").unwrap_err().to_string(),
        "No results for path: $['store']['book'][9]['title']"
    );
}

#[test]
fn context_object_and_variables() {
    let mut vars = Map::new();
    vars.insert("order".into(), json!({"id": 7, "lines": [1, 2]}));
    vars.insert("ñame".into(), json!("u"));
    let input = json!({});
    assert_eq!(
        select_with("$$.Execution.Id", &input, &vars).unwrap(),
        json!("arn:x")
    );
    assert_eq!(
        select_with("$$.Execution.Input.k", &input, &vars).unwrap(),
        json!(1)
    );
    assert_eq!(select_with("$order.id", &input, &vars).unwrap(), json!(7));
    assert_eq!(
        select_with("$order.lines[-1]", &input, &vars).unwrap(),
        json!(2)
    );
    assert_eq!(
        select_with("$order", &input, &vars).unwrap(),
        json!({"id": 7, "lines": [1, 2]})
    );
    assert_eq!(select_with("$ñame", &input, &vars).unwrap(), json!("u"));
    assert_eq!(
        select_with("$nope.x", &input, &vars),
        Err(PathMiss::UnknownVariable {
            name: "nope".into()
        })
    );
    assert_eq!(
        Path::parse("$order.id").unwrap().root(),
        PathRoot::Variable("order".into())
    );
    assert_eq!(Path::parse("$$.State").unwrap().root(), PathRoot::Context);
    assert!(Path::parse("$states.input").is_err());
}

#[test]
fn definite_selection_borrows() {
    let input = store();
    let ctx = json!({});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input: &input,
        context: &ctx,
        vars: &(),
        entropy: &entropy,
    };
    let got = Path::parse("$.store.bicycle")
        .unwrap()
        .select(&env)
        .unwrap();
    assert!(matches!(got, Cow::Borrowed(_)));
    assert!(Path::parse("$").unwrap().is_root());
    assert!(!Path::parse("$$").unwrap().is_root());
}

#[test]
fn segments_are_exposed() {
    let p = Path::parse("$.order['line items'][3]").unwrap();
    assert_eq!(
        p.segments(),
        &[
            Segment::Name("order".into()),
            Segment::Name("line items".into()),
            Segment::Index(3)
        ]
    );
    assert!(p.is_definite());
    assert!(!Path::parse("$.a[*]").unwrap().is_definite());
    assert!(!Path::parse("$..a").unwrap().is_definite());
    assert_eq!(p.normalized(), "$['order']['line items'][3]");
}

#[test]
fn syntax_errors() {
    for bad in [
        "",
        "a",
        "$.",
        "$[",
        "$[1",
        "$['a'",
        "$.a[?(@.x >)]",
        "$.a[?(@.x",
        "$[0:1:0]",
        "$.a\\",
        "$[abc]",
        "$.a[?(@.x == 'open)]",
        "$ x",
        "$[99999999999999999999]",
    ] {
        assert!(Path::parse(bad).is_err(), "{bad:?} should not parse");
    }
    let deep = format!("$.a[?({}@.x{})]", "(".repeat(100), ")".repeat(100));
    assert!(Path::parse(&deep).is_err());
}

#[test]
fn reference_paths_accept_only_single_nodes() {
    for good in [
        "$",
        "$.a",
        "$.a[0]",
        "$['a b'].c",
        "$.foo\\@bar",
        "$$.Execution.Id",
        "$v.x",
    ] {
        assert!(ReferencePath::parse(good).is_ok(), "{good:?} should parse");
    }
    for bad in [
        "$.a[*]",
        "$..a",
        "$.a[0,1]",
        "$.a[1:2]",
        "$.a[?(@.x)]",
        "$.foo@bar",
        "x",
    ] {
        assert!(
            ReferencePath::parse(bad).is_err(),
            "{bad:?} should not parse"
        );
    }
    assert_eq!(
        ReferencePath::parse("$.foo\\@bar").unwrap().segments(),
        &[Segment::Name("foo@bar".into())]
    );
}

#[test]
fn result_path_writes() {
    let rp = |s: &str| ReferencePath::parse(s).unwrap();
    let mut t = json!({"a": 1});
    rp("$").write(&mut t, json!("r")).unwrap();
    assert_eq!(t, json!("r"));

    let mut t = json!({"a": 1});
    rp("$.b.c.d").write(&mut t, json!(2)).unwrap();
    assert_eq!(t, json!({"a": 1, "b": {"c": {"d": 2}}}));

    let mut t = json!({"a": {"x": 1}});
    rp("$.a.x").write(&mut t, json!([1])).unwrap();
    assert_eq!(t, json!({"a": {"x": [1]}}));

    let mut t = json!({"a": [0, {"k": 1}]});
    rp("$.a[1].k").write(&mut t, json!(5)).unwrap();
    assert_eq!(t, json!({"a": [0, {"k": 5}]}));
}

#[test]
fn result_path_failures_leave_the_target_alone() {
    let rp = |s: &str| ReferencePath::parse(s).unwrap();
    let mut t = json!({"a": "text"});
    let err = rp("$.a.b").write(&mut t, json!(1)).unwrap_err();
    assert_eq!(
        err,
        "Unable to apply ReferencePath $.a.b to input {\"a\":\"text\"}"
    );
    assert_eq!(t, json!({"a": "text"}));

    let mut t = json!([1]);
    assert!(rp("$.x").write(&mut t, json!(1)).is_err());
    let mut t = json!({});
    assert!(rp("$.new[0]").write(&mut t, json!(1)).is_err());
    assert_eq!(t, json!({}));
    let mut t = json!({});
    assert!(rp("$$.x").write(&mut t, json!(1)).is_err());
}
