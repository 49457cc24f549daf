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

fn input_with(ov: Overlays) -> Way {
    Way {
        ov,
        ..Way::of(Root::Input)
    }
}

#[test]
fn narrowing_re_roots_the_overlays_under_the_path() {
    let ov = Overlays::from([
        ("$.order.check".to_owned(), None),
        ("$.other".to_owned(), None),
    ]);
    let w = input_with(ov);
    let n = narrow_to(&w, "$.order").expect("a definite path is followed");
    assert_eq!(n.base.len(), 1);
    assert_eq!(n.ov.keys().collect::<Vec<_>>(), ["$.check"]);
    assert!(narrow_to(&w, "$.order[*]").is_none());
    assert!(narrow_to(&w, "$.other.x").is_none());
    let k = Known::Seen(vec![w.clone()], false);
    assert_eq!(narrow(&k, Some(&None)), unknown());
    assert_eq!(narrow_to(&w, "$"), Some(w));
}

#[test]
fn narrowing_into_a_typed_overlay_roots_at_its_type() {
    let ov = Overlays::from([("$.check".to_owned(), Some(Root::Type("Check".to_owned())))]);
    let n = narrow_to(&input_with(ov), "$.check.detail");
    assert!(matches!(
        n,
        Some(Way { root: Root::Type(t), base, .. }) if t == "Check" && base.len() == 1
    ));
}

#[test]
fn ways_that_differ_are_kept_apart_up_to_the_cap() {
    let typed = |i: usize| Way::of(Root::Type(format!("T{i}")));
    let mut k = Known::Unvisited;
    for i in 0..MAX_WAYS {
        k = merge(&k, &Known::Seen(vec![typed(i)], false));
    }
    assert!(matches!(&k, Known::Seen(ways, false) if ways.len() == MAX_WAYS));
    // The same thing from another state is the same way.
    let again = Way {
        via: Some("Other".to_owned()),
        ..typed(0)
    };
    assert_eq!(merge(&k, &Known::Seen(vec![again], false)), k);
    assert_eq!(
        merge(&k, &Known::Seen(vec![typed(99)], false)),
        Known::TooMany
    );
    assert_eq!(merge(&Known::TooMany, &unknown()), Known::TooMany);
    assert!(matches!(merge(&k, &unknown()), Known::Seen(_, true)));
}

#[test]
fn overlays_match_however_the_path_is_spelled() {
    let rp = sfn_asl::path::ReferencePath::parse("$['check']").ok();
    let w = write(&Way::of(Root::Input), &Some(rp), None);
    let Some(Way { ov, .. }) = &w else {
        panic!("a result under a sub-path keeps the input known");
    };
    assert!(overlay_of("$.check.ok", ov).is_some());
    assert!(overlay_of("$['check'].ok", ov).is_some());
    assert!(overlay_of("$.checks", ov).is_none());
    assert_eq!(canonical("$['a b'].c"), "$['a b'].c");
    assert_eq!(canonical("$.a[0]"), "$.a[0]");
}
