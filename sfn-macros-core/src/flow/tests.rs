use super::*;

#[test]
fn simple_paths_split_into_segments() {
    let (segs, complete) = segments("$.a.b[0]['c d']").unwrap_or_default();
    assert!(complete);
    let names: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::Field(f) => f.clone(),
            Seg::Index => "#".into(),
        })
        .collect();
    assert_eq!(names, ["a", "b", "#", "c d"]);
}

#[test]
fn indefinite_parts_stop_the_check() {
    assert!(matches!(segments("$.a[*].b"), Some((s, false)) if s.len() == 1));
    assert!(matches!(segments("$..b"), Some((s, false)) if s.is_empty()));
    assert!(segments("$$.Execution.Id").is_none());
    assert!(segments("$var.x").is_none());
}

#[test]
fn overlays_cover_sub_paths_only() {
    let ov = Overlays::from([("$.validation".to_owned(), None)]);
    assert!(overlay_of("$.validation.ok", &ov).is_some());
    assert!(overlay_of("$.validation", &ov).is_some());
    assert!(overlay_of("$.validations", &ov).is_none());
}

fn seen(k: &Known) -> Option<(usize, Vec<String>)> {
    match k {
        Known::Seen(Root::Input, base, ov) => Some((base.len(), ov.keys().cloned().collect())),
        _ => None,
    }
}

#[test]
fn narrowing_re_roots_the_overlays_under_the_path() {
    let ov = Overlays::from([
        ("$.order.check".to_owned(), None),
        ("$.other".to_owned(), None),
    ]);
    let k = Known::Seen(Root::Input, Vec::new(), ov);
    assert_eq!(
        seen(&narrow_to(&k, "$.order")),
        Some((1, vec!["$.check".to_owned()]))
    );
    assert!(narrow_to(&k, "$.order[*]") == Known::Unknown);
    assert!(narrow_to(&k, "$.other.x") == Known::Unknown);
    assert!(narrow(&k, Some(&None)) == Known::Unknown);
    assert!(narrow_to(&k, "$") == k);
}

#[test]
fn narrowing_into_a_typed_overlay_roots_at_its_type() {
    let ov = Overlays::from([("$.check".to_owned(), Some("Check".to_owned()))]);
    let k = Known::Seen(Root::Input, Vec::new(), ov);
    assert!(matches!(
        narrow_to(&k, "$.check.detail"),
        Known::Seen(Root::Type(t), base, _) if t == "Check" && base.len() == 1
    ));
}

#[test]
fn overlays_match_however_the_path_is_spelled() {
    let rp = sfn_asl::path::ReferencePath::parse("$['check']").ok();
    let k = Known::Seen(Root::Input, Vec::new(), Overlays::new());
    let k = written(&k, &Some(rp), None);
    let Known::Seen(_, _, ov) = &k else {
        panic!("a result under a sub-path keeps the input known");
    };
    assert!(overlay_of("$.check.ok", ov).is_some());
    assert!(overlay_of("$['check'].ok", ov).is_some());
    assert!(overlay_of("$.checks", ov).is_none());
    assert_eq!(canonical("$['a b'].c"), "$['a b'].c");
    assert_eq!(canonical("$.a[0]"), "$.a[0]");
}
