//! The simulated Moodle's course total: what our plugin sends as Moodle's course total
//! (`docs/schooltool-sis.md` `new_assessment` `kind` = `course_total`; design 030), with the
//! simulator's own plain figure, since it has no gradebook to compute Moodle's: the points
//! earned on every graded item of the section that is not excused (extra credit included), out
//! of the points of its items that are not extra credit (Moodle's Natural aggregation with its
//! defaults, without categories or weights). Its name says it is the simulator's figure.
//!
//! The rules follow the plugin's: the course total appears with the section's first grade item
//! (Moodle creates the course's grade item then) and is sent again whenever its maximum changes;
//! a student's total is sent whenever it changes, at the moment of the change that changed it,
//! as Moodle's regrade raises `user_graded` for the course item. A student with no graded item
//! has no total; the simulator sends no `remove_grade`, so a total that disappears (the only
//! graded item deleted) is left as it was.

use super::{ChangeBody, ItemKind, NewAssessment, NewGrade, Points, gradeitem_idnumber};
use std::collections::{BTreeMap, HashMap};

/// The course total's name: the plugin sends Moodle's "Course total"; the simulator's says whose
/// figure it is.
pub const COURSE_TOTAL_NAME: &str = "Course total (simulator's sum)";

#[derive(Default)]
struct SectionTotal {
    idnumber: Option<String>,
    /// Item idnumber → (maximum, extra credit).
    items: BTreeMap<String, (Points, bool)>,
    sent_max: Option<Points>,
    /// Student → the total last sent.
    sent: BTreeMap<String, Points>,
}

impl SectionTotal {
    fn max(&self) -> Points {
        Points::hundredths(
            self.items
                .values()
                .filter(|(_, extra)| !extra)
                .map(|(p, _)| p.as_hundredths())
                .sum(),
        )
    }
}

/// A student's current grade of an item: (attempt, time, points, excused).
type Cell = (u32, i64, Option<Points>, bool);

/// The changes in time order, each followed by the course-total changes it causes (at the same
/// time). `next_item_id` gives the course totals their grade item ids.
pub(super) fn with_course_totals(
    events: Vec<(i64, ChangeBody)>,
    next_item_id: &mut u64,
) -> Vec<(i64, ChangeBody)> {
    let mut sections: HashMap<String, SectionTotal> = HashMap::new();
    let mut section_of: HashMap<String, String> = HashMap::new();
    let mut cells: HashMap<(String, String), Cell> = HashMap::new();
    let mut out = Vec::with_capacity(events.len() * 2);
    for (at, body) in events {
        let mut follow = Vec::new();
        match &body {
            ChangeBody::NewAssessment(a) if a.kind == ItemKind::Item => {
                section_of.insert(a.idnumber.clone(), a.sectionid.clone());
                let section = sections.entry(a.sectionid.clone()).or_default();
                section
                    .items
                    .insert(a.idnumber.clone(), (a.pointval, a.extra_credit));
                follow.extend(item_changed(section, &a.sectionid, next_item_id));
            }
            ChangeBody::RemoveAssessment(a) => {
                if let Some(sectionid) = section_of.remove(&a.idnumber)
                    && let Some(section) = sections.get_mut(&sectionid)
                {
                    section.items.remove(&a.idnumber);
                    // Moodle deletes the item's grades with it.
                    cells.retain(|(item, _), _| *item != a.idnumber);
                    follow.extend(item_changed(section, &sectionid, next_item_id));
                    let students: Vec<String> = section.sent.keys().cloned().collect();
                    for student in students {
                        follow.extend(student_changed(section, &cells, &student));
                    }
                }
            }
            ChangeBody::NewGrade(g) => {
                if let Some(section) = section_of
                    .get(&g.assessmentid)
                    .and_then(|s| sections.get_mut(s))
                {
                    let key = (g.assessmentid.clone(), g.userid.clone());
                    let newer = super::grade_replaces(
                        g.attempt_num,
                        at,
                        cells.get(&key).map(|&(attempt, t, _, _)| (attempt, t)),
                    );
                    if newer {
                        cells.insert(key, (g.attempt_num, at, g.points_earned, g.excepted));
                        follow.extend(student_changed(section, &cells, &g.userid));
                    }
                }
            }
            _ => {}
        }
        out.push((at, body));
        out.extend(follow.into_iter().map(|b| (at, b)));
    }
    out
}

/// An item of the section was added, changed or removed: the course total is created with the
/// first item, and sent again when its maximum changed.
fn item_changed(
    section: &mut SectionTotal,
    sectionid: &str,
    next_item_id: &mut u64,
) -> Option<ChangeBody> {
    let idnumber = section
        .idnumber
        .get_or_insert_with(|| {
            let id = *next_item_id;
            *next_item_id += 1;
            gradeitem_idnumber(id)
        })
        .clone();
    let max = section.max();
    if section.sent_max == Some(max) {
        return None;
    }
    section.sent_max = Some(max);
    Some(ChangeBody::NewAssessment(NewAssessment {
        idnumber,
        sectionid: sectionid.to_owned(),
        name: COURSE_TOTAL_NAME.to_owned(),
        chapternum: 0,
        honors_required: false,
        nonhonors_required: true,
        extra_credit: false,
        pointval: max,
        kind: ItemKind::CourseTotal,
    }))
}

/// A student's grade in the section changed: their total, if it changed.
fn student_changed(
    section: &mut SectionTotal,
    cells: &HashMap<(String, String), Cell>,
    student: &str,
) -> Option<ChangeBody> {
    let idnumber = section.idnumber.clone()?;
    let earned: Vec<u32> = section
        .items
        .keys()
        .filter_map(|item| cells.get(&(item.clone(), student.to_owned())))
        .filter(|(_, _, _, excused)| !excused)
        .filter_map(|(_, _, points, _)| points.map(Points::as_hundredths))
        .collect();
    if earned.is_empty() {
        return None;
    }
    let total = Points::hundredths(earned.iter().sum());
    if section.sent.get(student) == Some(&total) {
        return None;
    }
    section.sent.insert(student.to_owned(), total);
    Some(ChangeBody::NewGrade(NewGrade {
        assessmentid: idnumber,
        userid: student.to_owned(),
        points_earned: Some(total),
        excepted: false,
        attempt_num: 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::RemoveAssessment;
    use super::*;

    fn item(id: &str, points: u32, extra: bool) -> ChangeBody {
        ChangeBody::NewAssessment(NewAssessment {
            idnumber: id.into(),
            sectionid: "s".into(),
            name: id.into(),
            chapternum: 1,
            honors_required: false,
            nonhonors_required: true,
            extra_credit: extra,
            pointval: Points::whole(points),
            kind: ItemKind::Item,
        })
    }

    fn grade(item: &str, points: Option<u32>, attempt: u32) -> ChangeBody {
        ChangeBody::NewGrade(NewGrade {
            assessmentid: item.into(),
            userid: "u".into(),
            points_earned: points.map(Points::whole),
            excepted: points.is_none(),
            attempt_num: attempt,
        })
    }

    /// (time, whole points) of each change.
    type Timeline = Vec<(i64, u32)>;

    /// (time, pointval) of each course-total item change and (time, points) of each total.
    fn totals(out: &[(i64, ChangeBody)]) -> (Timeline, Timeline) {
        let mut items = Vec::new();
        let mut grades = Vec::new();
        for (at, body) in out {
            match body {
                ChangeBody::NewAssessment(a) if a.kind == ItemKind::CourseTotal => {
                    assert_eq!(a.idnumber, "moodle-gradeitem-900");
                    items.push((*at, a.pointval.as_hundredths() / 100));
                }
                ChangeBody::NewGrade(g) if g.assessmentid == "moodle-gradeitem-900" => {
                    grades.push((*at, g.points_earned.map_or(0, |p| p.as_hundredths() / 100)));
                }
                _ => {}
            }
        }
        (items, grades)
    }

    #[test]
    fn the_total_follows_items_and_grades_as_the_plugin_sends_moodles() {
        let mut next = 900;
        let out = with_course_totals(
            vec![
                (1, item("a", 10, false)),
                (2, item("b", 50, false)),
                (3, item("x", 5, true)),
                (4, grade("a", Some(8), 1)),
                (5, grade("b", Some(20), 1)),
                (6, grade("x", Some(5), 1)),
                (7, grade("b", Some(20), 1)),
                (8, grade("a", Some(9), 2)),
                (9, grade("a", Some(3), 1)),
                (10, grade("b", None, 1)),
                (
                    11,
                    ChangeBody::RemoveAssessment(RemoveAssessment {
                        idnumber: "a".into(),
                    }),
                ),
            ],
            &mut next,
        );
        let (items, grades) = totals(&out);
        // Created with the first item; extra credit adds nothing to the maximum; a deleted item
        // takes its points away.
        assert_eq!(items, [(1, 10), (2, 60), (11, 50)]);
        assert_eq!(
            grades,
            [
                (4, 8),
                (5, 28),
                // Extra credit adds to the points earned.
                (6, 33),
                // The same grade again changes nothing; a retake replaces the first attempt and
                // an older attempt after it does not; an excused grade counts for nothing.
                (8, 34),
                (10, 14),
                // The item's grade went with it.
                (11, 5),
            ]
        );
        assert_eq!(next, 901, "one grade item id for the course total");
        // Every course-total change comes right after the change that caused it.
        let first_total = out.iter().position(
            |(_, b)| matches!(b, ChangeBody::NewAssessment(a) if a.kind == ItemKind::CourseTotal),
        );
        assert_eq!(first_total, Some(1));
    }
}
