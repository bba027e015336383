//! Grade items (`docs/product.md` §2–§4): what a Moodle item's change does to a stored one, when
//! a Moodle item takes over a manual item of the same name instead of making a second one
//! (scenario 6: the manual grades stay as they are), what `remove_assessment` does, and the
//! checks of an item made in the console.

use super::ordering::is_late;
use super::values::{Refusal, clean_text};
use schoolbridge_api::sis::{AssessmentRow, ItemKind, RecordSource};

pub use super::limits::{MAX_NAME, MAX_POINTS};

/// A `new_assessment` as the contract reads it (`mnet::sis`, bounds checked).
pub use mnet::sis::NewAssessment as AssessmentUpsert;

/// A manual grade item as a teacher asks for it, in the console or a CSV row (the console's
/// request: the same fields, checked by [`validate_manual`]).
pub use schoolbridge_api::sis::NewAssessmentRequest as NewManualAssessment;

/// Whether a Moodle change repeats what is stored of the item (the item in `section_id` with the
/// same fields, and visible): then only its watermark moves.
pub fn repeats(item: &AssessmentRow, section_id: i64, a: &AssessmentUpsert) -> bool {
    item.section_id == section_id
        && item.name == a.name
        && item.chapter == a.chapternum
        && item.pointval.to_bits() == a.pointval.to_bits()
        && item.honors_required == a.honors_required
        && item.nonhonors_required == a.nonhonors_required
        && item.extra_credit == a.extra_credit
        && item.kind == a.kind
        && !item.hidden
}

/// Scenario 6: among a section's items of the new Moodle item's name, oldest first, the one it
/// takes over — the first manual item not linked to Moodle yet.
pub fn manual_item_to_link(same_name: &[AssessmentRow]) -> Option<&AssessmentRow> {
    same_name
        .iter()
        .find(|i| i.origin == RecordSource::Manual && i.idnumber.is_none())
}

/// What a `new_assessment` with no stored item of its idnumber takes over, if anything: an
/// assessment takes over [`manual_item_to_link`]; Moodle's course total never takes over a
/// manual item (it is not an assessment, whatever its name).
pub fn item_to_take_over<'a>(
    a: &AssessmentUpsert,
    same_name: &'a [AssessmentRow],
) -> Option<&'a AssessmentRow> {
    match a.kind {
        ItemKind::Item => manual_item_to_link(same_name),
        ItemKind::CourseTotal => None,
    }
}

/// The audit note of a link.
pub fn link_note(manual_id: i64) -> String {
    format!("linked to manual item #{manual_id} of the same name")
}

/// What `remove_assessment` at `at` does to a stored item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Older than the newest change applied to the item: nothing (answered `stale`).
    Late,
    /// Already hidden: nothing (answered `unchanged`).
    AlreadyHidden,
    /// Hidden from current reports from `at`; grades and history stay (answered `updated`).
    Hide,
}

/// What `remove_assessment` at `at` does to an item (`hidden`, and the watermark `newest`).
pub fn removal(hidden: bool, newest: Option<i64>, at: i64) -> Removal {
    if is_late(at, newest) {
        Removal::Late
    } else if hidden {
        Removal::AlreadyHidden
    } else {
        Removal::Hide
    }
}

/// Checks a manual item's values.
pub fn validate_manual(item: &NewManualAssessment) -> Result<NewManualAssessment, Refusal> {
    let name = clean_text("name", &item.name, MAX_NAME)?;
    if !item.pointval.is_finite() || item.pointval < 0.0 || item.pointval > MAX_POINTS {
        return Err(Refusal::invalid(
            "points",
            format!("must be a number from 0 to {MAX_POINTS}"),
        ));
    }
    if item.chapter < 0 {
        return Err(Refusal::invalid("chapter", "must be 0 or more"));
    }
    Ok(NewManualAssessment {
        name,
        ..item.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, origin: RecordSource, idnumber: Option<&str>) -> AssessmentRow {
        AssessmentRow {
            id,
            section_id: 1,
            origin,
            idnumber: idnumber.map(str::to_owned),
            name: "Quiz 1".into(),
            pointval: 10.0,
            honors_required: true,
            nonhonors_required: true,
            ..Default::default()
        }
    }

    fn upsert() -> AssessmentUpsert {
        AssessmentUpsert {
            idnumber: "a1".into(),
            sectionid: "s1".into(),
            name: "Quiz 1".into(),
            chapternum: 0,
            honors_required: true,
            nonhonors_required: true,
            extra_credit: false,
            pointval: 10.0,
            kind: mnet::sis::ItemKind::Item,
        }
    }

    #[test]
    fn a_change_repeats_an_item_only_when_every_field_matches_and_it_is_visible() {
        let stored = item(1, RecordSource::Moodle, Some("a1"));
        assert!(repeats(&stored, 1, &upsert()));
        assert!(!repeats(&stored, 2, &upsert()));
        let mut hidden = stored.clone();
        hidden.hidden = true;
        assert!(!repeats(&hidden, 1, &upsert()));
        let mut more = upsert();
        more.pointval = 20.0;
        assert!(!repeats(&stored, 1, &more));
        let mut total = upsert();
        total.kind = mnet::sis::ItemKind::CourseTotal;
        assert!(!repeats(&stored, 1, &total));
    }

    #[test]
    fn moodles_course_total_never_takes_over_a_manual_item_of_its_name() {
        let items = [item(3, RecordSource::Manual, None)];
        assert_eq!(item_to_take_over(&upsert(), &items).map(|i| i.id), Some(3));
        let mut total = upsert();
        total.kind = mnet::sis::ItemKind::CourseTotal;
        assert_eq!(item_to_take_over(&total, &items), None);
    }

    #[test]
    fn a_moodle_item_takes_over_the_oldest_unlinked_manual_item_of_its_name() {
        let items = [
            item(1, RecordSource::Moodle, Some("other")),
            item(2, RecordSource::Manual, Some("linked-before")),
            item(3, RecordSource::Manual, None),
            item(4, RecordSource::Manual, None),
        ];
        assert_eq!(manual_item_to_link(&items).map(|i| i.id), Some(3));
        assert_eq!(manual_item_to_link(&items[..2]).map(|i| i.id), None);
        assert_eq!(link_note(3), "linked to manual item #3 of the same name");
    }

    #[test]
    fn a_removal_hides_a_visible_item_unless_it_is_late() {
        assert_eq!(removal(false, Some(100), 99), Removal::Late);
        assert_eq!(removal(true, Some(100), 99), Removal::Late);
        assert_eq!(removal(true, Some(100), 100), Removal::AlreadyHidden);
        assert_eq!(removal(false, None, 5), Removal::Hide);
    }

    #[test]
    fn a_manual_item_needs_a_name_and_points_within_the_contract() {
        let ok = NewManualAssessment {
            name: " Essay ".into(),
            pointval: 10.0,
            chapter: 1,
            honors_required: true,
            nonhonors_required: true,
            extra_credit: false,
        };
        assert_eq!(validate_manual(&ok).map(|i| i.name), Ok("Essay".into()));
        for bad in [
            NewManualAssessment {
                name: " ".into(),
                ..ok.clone()
            },
            NewManualAssessment {
                pointval: -1.0,
                ..ok.clone()
            },
            NewManualAssessment {
                pointval: f64::NAN,
                ..ok.clone()
            },
            NewManualAssessment {
                pointval: MAX_POINTS * 2.0,
                ..ok.clone()
            },
            NewManualAssessment {
                chapter: -1,
                ..ok.clone()
            },
        ] {
            assert!(validate_manual(&bad).is_err(), "{bad:?}");
        }
    }
}
