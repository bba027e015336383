//! Properties of the generated school and of the stories, checked against the contract in
//! `docs/schooltool-sis.md` by a validator written here, independently of the generator.
use mnet::xmlrpc::{Struct, Value};
use moodle_sim::school::generator::generate;
use moodle_sim::{Change, SchoolSpec, Story};
use std::collections::HashSet;

fn spec(seed: u64, students: u32, sections: u32) -> SchoolSpec {
    SchoolSpec {
        seed,
        students,
        teachers: (sections / 3).max(1),
        sections,
        sections_per_student: 5.min(sections),
        assessments_per_section: 6,
        ..SchoolSpec::default()
    }
}

fn text<'a>(s: &'a Struct, name: &str) -> &'a str {
    match s.get(name) {
        Some(Value::String(t)) => t,
        other => panic!("{name} must be a <string>, got {other:?}"),
    }
}

fn id(s: &Struct, name: &str) -> String {
    let t = text(s, name);
    assert!(
        !t.trim().is_empty() && t.len() <= 255,
        "{name} must be a non-empty id"
    );
    t.to_owned()
}

fn int(s: &Struct, name: &str) -> i64 {
    match s.get(name) {
        Some(Value::Int(i)) => *i,
        other => panic!("{name} must be an <int>, got {other:?}"),
    }
}

fn flag(s: &Struct, name: &str) -> bool {
    match s.get(name) {
        Some(Value::Bool(b)) => *b,
        other => panic!("{name} must be a <boolean>, got {other:?}"),
    }
}

/// A plain decimal ≥ 0 with at most five decimals (the plugin's `mapper::number`).
fn decimal(t: &str) -> bool {
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (t.find('.').is_none() || (!frac.is_empty() && frac.len() <= 5))
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !frac.ends_with('0')
}

/// Checks one change against `docs/schooltool-sis.md`; returns the ids it defines and the ids
/// it refers to.
fn validate(change: &Change) -> (Option<String>, Vec<String>) {
    let s = change.to_struct();
    let eventid = text(&s, "eventid");
    assert!(!eventid.is_empty() && eventid.len() <= 128);
    assert_eq!(int(&s, "timemodified"), change.timemodified);
    let names: Vec<&str> = s.iter().map(|(n, _)| n).collect();
    let allowed: &[&str] = match change.method().as_str() {
        "schooltool/sis/fetch_user" => {
            for f in ["idnumber", "username", "firstname", "lastname"] {
                id(&s, f);
            }
            assert!(text(&s, "email").contains('@'));
            &["idnumber", "username", "firstname", "lastname", "email"]
        }
        "schooltool/sis/new_section" => {
            id(&s, "name");
            assert!(int(&s, "segment") >= 1);
            let teacher = text(&s, "teacheridnumber");
            let refs = if teacher.is_empty() {
                vec![]
            } else {
                vec![teacher.to_owned()]
            };
            assert_only(&names, &["idnumber", "name", "teacheridnumber", "segment"]);
            return (Some(id(&s, "idnumber")), refs);
        }
        "schooltool/sis/new_enrolment" => {
            assert!(["student", "teacher"].contains(&text(&s, "role")));
            assert!(["active", "suspended"].contains(&text(&s, "status")));
            assert_only(&names, &["sectionid", "userid", "role", "status"]);
            return (None, vec![id(&s, "sectionid"), id(&s, "userid")]);
        }
        "schooltool/sis/remove_enrolment" => {
            if s.get("role").is_some() {
                assert!(["student", "teacher"].contains(&text(&s, "role")));
            }
            assert_only(&names, &["sectionid", "userid", "role"]);
            return (None, vec![id(&s, "sectionid"), id(&s, "userid")]);
        }
        "schooltool/sis/new_assessment" => {
            id(&s, "name");
            assert!(int(&s, "chapternum") >= 0);
            assert!(!flag(&s, "honors_required") && flag(&s, "nonhonors_required"));
            flag(&s, "extra_credit");
            assert!(
                decimal(text(&s, "pointval")),
                "pointval {:?}",
                text(&s, "pointval")
            );
            // Sent only for the course total, as the plugin sends it.
            if s.get("kind").is_some() {
                assert_eq!(text(&s, "kind"), "course_total");
            }
            assert_only(
                &names,
                &[
                    "idnumber",
                    "sectionid",
                    "name",
                    "chapternum",
                    "honors_required",
                    "nonhonors_required",
                    "extra_credit",
                    "pointval",
                    "kind",
                ],
            );
            return (Some(id(&s, "idnumber")), vec![id(&s, "sectionid")]);
        }
        "schooltool/sis/remove_assessment" => {
            assert_only(&names, &["idnumber"]);
            return (None, vec![id(&s, "idnumber")]);
        }
        "schooltool/sis/new_grade" => {
            let points = text(&s, "points_earned");
            let excepted = flag(&s, "excepted");
            assert!(
                decimal(points) || (points.is_empty() && excepted),
                "points {points:?}"
            );
            assert!(int(&s, "attempt_num") >= 1);
            assert_only(
                &names,
                &[
                    "assessmentid",
                    "userid",
                    "points_earned",
                    "excepted",
                    "attempt_num",
                ],
            );
            return (None, vec![id(&s, "assessmentid"), id(&s, "userid")]);
        }
        other => panic!("unknown method {other}"),
    };
    assert_only(&names, allowed);
    (Some(id(&s, "idnumber")), vec![])
}

fn assert_only(names: &[&str], allowed: &[&str]) {
    for n in names {
        assert!(
            allowed.contains(n) || ["eventid", "timemodified"].contains(n),
            "unexpected field {n}"
        );
    }
    assert_eq!(&names[names.len() - 2..], ["eventid", "timemodified"]);
}

/// Every change valid, eventids unique, times non-decreasing, every reference to something an
/// earlier change created (so an in-order push meets no 8103–8105).
fn check_stream(changes: &[Change], ordered_in_time: bool) {
    let mut defined = HashSet::new();
    let mut eventids = HashSet::new();
    for (i, change) in changes.iter().enumerate() {
        assert!(
            eventids.insert(change.eventid.clone()),
            "duplicate eventid {}",
            change.eventid
        );
        if ordered_in_time && i > 0 {
            assert!(
                changes[i - 1].timemodified <= change.timemodified,
                "time went back at {i}"
            );
        }
        let (defines, refers) = validate(change);
        for r in refers {
            assert!(
                defined.contains(&r),
                "{} refers to {r} before it exists",
                change.eventid
            );
        }
        if let Some(d) = defines {
            defined.insert(d);
        }
    }
}

#[test]
fn a_seed_always_gives_the_same_school() {
    for seed in [1, 2, 99] {
        let (a, b) = (
            generate(&spec(seed, 120, 15)).unwrap(),
            generate(&spec(seed, 120, 15)).unwrap(),
        );
        assert_eq!(a.changes, b.changes);
    }
    let (one, two) = (
        generate(&spec(1, 120, 15)).unwrap(),
        generate(&spec(2, 120, 15)).unwrap(),
    );
    assert_ne!(one.changes, two.changes);
    let ids: HashSet<&String> = one.changes.iter().map(|c| &c.eventid).collect();
    assert!(
        two.changes.iter().all(|c| !ids.contains(&c.eventid)),
        "other seed, other eventids"
    );
}

#[test]
fn sizes_are_respected() {
    for (students, sections) in [(0, 3), (1, 1), (50, 10), (400, 40)] {
        let s = spec(7, students, sections);
        let school = generate(&s).unwrap();
        assert_eq!(school.calls("fetch_user") as u32, 1 + s.teachers + students);
        let is_total = |c: &&Change| c.to_struct().get("kind").is_some();
        let items = school
            .changes
            .iter()
            .filter(|c| c.body.method_name() == "new_assessment")
            .filter(|c| !is_total(c))
            .count();
        assert_eq!(items as u32, sections * s.assessments_per_section);
        // One course total per section with items, sent again as its maximum grows.
        let totals: HashSet<String> = school
            .changes
            .iter()
            .filter(|c| c.body.method_name() == "new_assessment")
            .filter(is_total)
            .map(|c| text(&c.to_struct(), "idnumber").to_owned())
            .collect();
        assert_eq!(totals.len() as u32, sections);
        let sections_made: HashSet<String> = school
            .changes
            .iter()
            .filter(|c| c.body.method_name() == "new_section")
            .map(|c| text(&c.to_struct(), "idnumber").to_owned())
            .collect();
        assert_eq!(sections_made.len() as u32, sections);
        let end = s.start + i64::from(s.term_days) * 86_400;
        assert!(
            school
                .changes
                .iter()
                .all(|c| (s.start..=end).contains(&c.timemodified))
        );
    }
}

#[test]
fn every_change_is_valid_unique_ordered_and_refers_backwards() {
    for seed in 1..=4 {
        check_stream(&generate(&spec(seed, 150, 12)).unwrap().changes, true);
    }
    let default = generate(&SchoolSpec::default()).unwrap();
    check_stream(&default.changes, true);
    let methods: HashSet<&str> = default
        .changes
        .iter()
        .map(|c| c.body.method_name())
        .collect();
    assert_eq!(
        methods.len(),
        7,
        "the default school uses all seven methods: {methods:?}"
    );
}

#[test]
fn stories_are_valid_and_share_no_eventid() {
    let mut all = HashSet::new();
    for story in Story::ALL {
        let changes = story.changes(1);
        check_stream(&changes, story != Story::FullSyncAdoption);
        for c in &changes {
            assert!(all.insert(c.eventid.clone()));
        }
    }
}
