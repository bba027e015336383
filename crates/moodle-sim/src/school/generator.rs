//! The seeded school generator: people, sections, enrolments, grade items and grades over one
//! simulated term, turned into the ordered list of changes a Moodle with our plugin would send
//! (`docs/product.md` §2, `docs/schooltool-sis.md`).
//!
//! Distributions, chosen to look like a secondary school: every student takes about
//! `sections_per_student` sections (±1), each section has one teacher, grade items arrive through
//! the term (homework, quizzes, labs or essays, unit tests, a midterm and a final) with point
//! values, almost every active student gets a grade on each item, some quizzes get a second
//! attempt, some grades are corrected later, about 3 % of enrolments are withdrawn (a few of
//! them re-enrol), a few sections change teacher and a few items are deleted. Events are put on
//! a simulated clock, sorted, and only then given their `eventid` and `timemodified`, so the
//! list is in time order and every change comes after what it refers to.

use super::calendar::{DAY, HOUR};
use super::coursework::{item_plan, score};
use super::names::{COURSES, FIRST_NAMES, LAST_NAMES, username_part};
use super::rng::SimRng;
pub use super::spec::{
    MAX_CHANGES, MIN_TERM_DAYS, School, SchoolSpec, SimUser, SpecError, UserKind,
};
use super::totals::with_course_totals;
use super::{
    Change, ChangeBody, ItemKind, NewAssessment, NewEnrolment, NewGrade, NewSection, Points,
    RemoveAssessment, RemoveEnrolment, Role, course_idnumber, gradeitem_idnumber, user_idnumber,
};
use std::collections::HashMap;

/// Generates a school.
pub fn generate(spec: &SchoolSpec) -> Result<School, SpecError> {
    spec.check()?;
    let mut g = Generator::new(spec);
    g.people();
    g.sections();
    g.enrolments();
    g.teacher_changes();
    g.coursework();
    Ok(g.finish())
}

struct Event {
    at: i64,
    seq: u64,
    body: ChangeBody,
}

/// An enrolment's active periods: `[from, to)`, `to = None` while still active.
struct Seat {
    student: usize,
    periods: Vec<(i64, Option<i64>)>,
}

impl Seat {
    fn active_at(&self, t: i64) -> bool {
        self.periods
            .iter()
            .any(|&(from, to)| from <= t && to.is_none_or(|to| t < to))
    }
}

struct Section {
    idnumber: String,
    name: String,
    kind: usize,
    teacher: usize,
    roster: Vec<Seat>,
}

struct Generator<'a> {
    spec: &'a SchoolSpec,
    rng: SimRng,
    end: i64,
    events: Vec<Event>,
    users: Vec<SimUser>,
    teachers: Vec<usize>,
    students: Vec<usize>,
    ability: Vec<f64>,
    sections: Vec<Section>,
    taken_usernames: HashMap<String, u32>,
    next_item_id: u64,
}

impl<'a> Generator<'a> {
    fn new(spec: &'a SchoolSpec) -> Self {
        Self {
            spec,
            rng: SimRng::new(spec.seed),
            end: spec.start + i64::from(spec.term_days) * DAY,
            events: Vec::new(),
            users: Vec::new(),
            teachers: Vec::new(),
            students: Vec::new(),
            ability: Vec::new(),
            sections: Vec::new(),
            taken_usernames: HashMap::new(),
            next_item_id: 1 + spec.id_offset,
        }
    }

    fn push(&mut self, at: i64, body: ChangeBody) {
        if at <= self.end {
            let seq = self.events.len() as u64;
            self.events.push(Event { at, seq, body });
        }
    }

    fn username(&mut self, first: &str, last: &str) -> String {
        let first_initial: String = username_part(first).chars().take(1).collect();
        let base = format!("{first_initial}{}", username_part(last));
        let n = self.taken_usernames.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}{n}") }
    }

    fn add_user(
        &mut self,
        first: &str,
        last: &str,
        kind: UserKind,
        username: Option<&str>,
    ) -> usize {
        let id = self.users.len() as u64 + 2 + self.spec.id_offset;
        let username = match username {
            Some(u) => {
                self.taken_usernames.insert(u.to_owned(), 1);
                u.to_owned()
            }
            None => self.username(first, last),
        };
        self.users.push(SimUser {
            id,
            idnumber: user_idnumber(id),
            email: format!("{username}@{}", self.spec.email_domain.trim()),
            username,
            firstname: first.to_owned(),
            lastname: last.to_owned(),
            kind,
        });
        self.users.len() - 1
    }

    /// The admin, the teachers and the students, created on the first day: the admin and the
    /// teachers before 07:00, the students over the first two days.
    fn people(&mut self) {
        let mut rng = self.rng.fork(1);
        let admin = self.add_user("Admin", "User", UserKind::Admin, Some("admin"));
        let start = self.spec.start;
        let body = self.users[admin].fetch_user();
        self.push(start + 6 * HOUR, body);
        for i in 0..self.spec.teachers {
            let (first, last) = random_name(&mut rng);
            let t = self.add_user(first, last, UserKind::Teacher, None);
            self.teachers.push(t);
            let body = self.users[t].fetch_user();
            self.push(start + 6 * HOUR + 60 + i64::from(i) * 20, body);
        }
        for _ in 0..self.spec.students {
            let (first, last) = random_name(&mut rng);
            let s = self.add_user(first, last, UserKind::Student, None);
            self.students.push(s);
            let ability = (0.80 + 0.10 * rng.normalish()).clamp(0.35, 1.0);
            self.ability.push(ability);
        }
    }

    /// Sections on the first morning (07:00–08:00), each with its teacher's enrolment.
    fn sections(&mut self) {
        let mut rng = self.rng.fork(2);
        let mut order: Vec<usize> = (0..self.teachers.len()).collect();
        rng.shuffle(&mut order);
        let count = self.spec.sections as usize;
        let step = (3_000 / (count.max(1) as i64)).max(1);
        for s in 0..count {
            let kind = s % COURSES.len();
            let period = (s / COURSES.len()) % 7 + 1;
            let teacher = order[s % order.len().max(1)];
            let course_id = 2 + s as u64 + self.spec.id_offset;
            // Every Moodle course has a course-total grade item, which takes an id but is
            // never sent (mapper::is_sendable_gradeitem).
            self.next_item_id += 1;
            let teacher_user = &self.users[self.teachers[teacher]];
            let name = format!(
                "{} (Period {period}, {})",
                COURSES[kind].name, teacher_user.lastname
            );
            let idnumber = course_idnumber(course_id);
            let teacher_id = teacher_user.idnumber.clone();
            let at = self.spec.start + 7 * HOUR + s as i64 * step;
            self.push(
                at,
                ChangeBody::NewSection(NewSection {
                    idnumber: idnumber.clone(),
                    name: name.clone(),
                    teacheridnumber: Some(teacher_id.clone()),
                    segment: 1,
                }),
            );
            self.push(
                at + 1,
                ChangeBody::NewEnrolment(NewEnrolment {
                    sectionid: idnumber.clone(),
                    userid: teacher_id,
                    role: Role::Teacher,
                }),
            );
            self.sections.push(Section {
                idnumber,
                name,
                kind,
                teacher,
                roster: Vec::new(),
            });
        }
    }

    /// Students arrive over the first two days and enrol in their sections at once; a few
    /// withdraw later in the term, and some of those come back.
    fn enrolments(&mut self) {
        let mut rng = self.rng.fork(3);
        let start = self.spec.start + 8 * HOUR;
        let window = 2 * DAY - 10 * HOUR;
        let count = self.students.len().max(1) as i64;
        let term_days = i64::from(self.spec.term_days);
        for (i, &student) in self.students.clone().iter().enumerate() {
            let arrive = start + (i as i64 * window) / count + rng.between(0, 50);
            let body = self.users[student].fetch_user();
            self.push(arrive, body);
            let per = i64::from(self.spec.sections_per_student);
            let k = if per == 0 {
                0
            } else {
                (per + rng.between(-1, 1)).clamp(1, i64::from(self.spec.sections)) as usize
            };
            let mut chosen: Vec<usize> = Vec::with_capacity(k);
            while chosen.len() < k {
                let s = rng.below(self.sections.len() as u64) as usize;
                if !chosen.contains(&s) {
                    chosen.push(s);
                }
            }
            let userid = self.users[student].idnumber.clone();
            for (j, &s) in chosen.iter().enumerate() {
                let enrolled = arrive + 30 + j as i64 * 45;
                let sectionid = self.sections[s].idnumber.clone();
                self.push(
                    enrolled,
                    ChangeBody::NewEnrolment(NewEnrolment {
                        sectionid: sectionid.clone(),
                        userid: userid.clone(),
                        role: Role::Student,
                    }),
                );
                let mut periods = vec![(enrolled, None)];
                if rng.chance(0.03) && term_days > 20 {
                    let withdrawn = self.spec.start
                        + rng.between(10, term_days - 6) * DAY
                        + rng.between(8 * HOUR, 17 * HOUR);
                    periods[0].1 = Some(withdrawn);
                    self.push(
                        withdrawn,
                        ChangeBody::RemoveEnrolment(RemoveEnrolment {
                            sectionid: sectionid.clone(),
                            userid: userid.clone(),
                            role: None,
                        }),
                    );
                    if rng.chance(0.15) {
                        let back = withdrawn + rng.between(2, 7) * DAY;
                        periods.push((back, None));
                        self.push(
                            back,
                            ChangeBody::NewEnrolment(NewEnrolment {
                                sectionid,
                                userid: userid.clone(),
                                role: Role::Student,
                            }),
                        );
                    }
                }
                self.sections[s].roster.push(Seat {
                    student: i,
                    periods,
                });
            }
        }
    }

    /// About 2 % of sections get a new teacher mid-term: the new teacher is enrolled, the old
    /// one unenrolled, and the section is sent again with its new first teacher.
    fn teacher_changes(&mut self) {
        if self.teachers.len() < 2 {
            return;
        }
        let mut rng = self.rng.fork(4);
        let term_days = i64::from(self.spec.term_days);
        for s in 0..self.sections.len() {
            if !rng.chance(0.02) {
                continue;
            }
            let old = self.sections[s].teacher;
            let mut new = rng.below(self.teachers.len() as u64) as usize;
            if new == old {
                new = (new + 1) % self.teachers.len();
            }
            let at = self.spec.start + rng.between(12, (term_days - 8).max(12)) * DAY + 9 * HOUR;
            let sectionid = self.sections[s].idnumber.clone();
            let name = self.sections[s].name.clone();
            let (old_id, new_id) = (
                self.users[self.teachers[old]].idnumber.clone(),
                self.users[self.teachers[new]].idnumber.clone(),
            );
            self.push(
                at,
                ChangeBody::NewEnrolment(NewEnrolment {
                    sectionid: sectionid.clone(),
                    userid: new_id.clone(),
                    role: Role::Teacher,
                }),
            );
            self.push(
                at + 20,
                ChangeBody::RemoveEnrolment(RemoveEnrolment {
                    sectionid: sectionid.clone(),
                    userid: old_id,
                    role: None,
                }),
            );
            self.push(
                at + 40,
                ChangeBody::NewSection(NewSection {
                    idnumber: sectionid,
                    name,
                    teacheridnumber: Some(new_id),
                    segment: 1,
                }),
            );
            self.sections[s].teacher = new;
        }
    }

    /// Grade items through the term and the grades of each.
    fn coursework(&mut self) {
        let mut rng = self.rng.fork(5);
        let per_section = self.spec.assessments_per_section;
        let usable_days = (i64::from(self.spec.term_days) - 12).max(1);
        for s in 0..self.sections.len() {
            let plan = item_plan(COURSES[self.sections[s].kind], per_section, &mut rng);
            for (i, item) in plan.into_iter().enumerate() {
                let id = self.next_item_id;
                self.next_item_id += 1;
                let created = self.spec.start
                    + (3 + (i as i64 * usable_days) / i64::from(per_section.max(1))) * DAY
                    + rng.between(7 * HOUR, 16 * HOUR);
                let chapter = 1 + (i as u32 * 8) / per_section.max(1);
                let idnumber = gradeitem_idnumber(id);
                self.push(
                    created,
                    ChangeBody::NewAssessment(NewAssessment {
                        idnumber: idnumber.clone(),
                        sectionid: self.sections[s].idnumber.clone(),
                        name: item.name,
                        chapternum: chapter,
                        honors_required: false,
                        nonhonors_required: true,
                        extra_credit: item.extra_credit,
                        pointval: item.points,
                        kind: ItemKind::Item,
                    }),
                );
                let removed = if rng.chance(0.01) {
                    let at = created + rng.between(5, 20) * DAY;
                    self.push(
                        at,
                        ChangeBody::RemoveAssessment(RemoveAssessment {
                            idnumber: idnumber.clone(),
                        }),
                    );
                    Some(at)
                } else {
                    None
                };
                self.grades(
                    s,
                    &idnumber,
                    item.points,
                    item.retakes,
                    created,
                    removed,
                    &mut rng,
                );
            }
        }
    }

    /// One grading session for an item, a few days after it was set, plus later attempts and
    /// corrections. Students who are not enrolled at that moment get nothing.
    #[allow(clippy::too_many_arguments)]
    fn grades(
        &mut self,
        s: usize,
        assessmentid: &str,
        points: Points,
        retakes: bool,
        created: i64,
        removed: Option<i64>,
        rng: &mut SimRng,
    ) {
        let difficulty = 0.05 * rng.normalish();
        let mut at = created + rng.between(3, 7) * DAY + rng.between(15 * HOUR, 20 * HOUR);
        let mut pending = Vec::new();
        for seat in &self.sections[s].roster {
            at += rng.between(40, 140);
            if !seat.active_at(at) || removed.is_some_and(|r| at >= r) || rng.chance(0.04) {
                continue;
            }
            let userid = self.users[self.students[seat.student]].idnumber.clone();
            let ability = self.ability[seat.student];
            if rng.chance(0.01) {
                pending.push((at, grade(assessmentid, &userid, None, 1)));
                continue;
            }
            let first = score(points, ability - difficulty + 0.07 * rng.normalish());
            pending.push((at, grade(assessmentid, &userid, Some(first), 1)));
            let later = at + rng.between(1, 10) * DAY + rng.between(0, 6 * HOUR);
            let still_there = seat.active_at(later) && removed.is_none_or(|r| later < r);
            if retakes && rng.chance(0.08) && still_there {
                let second = score(points, ability + 0.05 + 0.05 * rng.normalish()).max(first);
                pending.push((later, grade(assessmentid, &userid, Some(second), 2)));
            } else if rng.chance(0.03) && still_there {
                let step = (points.as_hundredths() / 20).max(50);
                let fixed =
                    Points::hundredths((first.as_hundredths() + step).min(points.as_hundredths()));
                pending.push((later, grade(assessmentid, &userid, Some(fixed), 1)));
            }
        }
        for (at, body) in pending {
            self.push(at, body);
        }
    }

    fn finish(mut self) -> School {
        self.events.sort_by_key(|e| (e.at, e.seq));
        let prefix = self.spec.eventid_prefix();
        let in_order = self.events.into_iter().map(|e| (e.at, e.body)).collect();
        // Each section's course total follows its items and grades (`totals`).
        let changes = with_course_totals(in_order, &mut self.next_item_id)
            .into_iter()
            .enumerate()
            .map(|(n, (at, body))| Change {
                eventid: format!("{prefix}-{:07}", n + 1),
                timemodified: at,
                body,
            })
            .collect();
        School {
            spec: self.spec.clone(),
            users: self.users,
            changes,
        }
    }
}

fn random_name(rng: &mut SimRng) -> (&'static str, &'static str) {
    (
        rng.pick(FIRST_NAMES).copied().unwrap_or("Alex"),
        rng.pick(LAST_NAMES).copied().unwrap_or("Doe"),
    )
}

fn grade(assessmentid: &str, userid: &str, points: Option<Points>, attempt: u32) -> ChangeBody {
    ChangeBody::NewGrade(NewGrade {
        assessmentid: assessmentid.to_owned(),
        userid: userid.to_owned(),
        points_earned: points,
        excepted: points.is_none(),
        attempt_num: attempt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn small() -> SchoolSpec {
        SchoolSpec {
            seed: 42,
            students: 60,
            teachers: 6,
            sections: 12,
            sections_per_student: 4,
            assessments_per_section: 7,
            ..SchoolSpec::default()
        }
    }

    #[test]
    fn same_seed_same_school_other_seed_other_school() {
        let a = generate(&small()).unwrap();
        let b = generate(&small()).unwrap();
        assert_eq!(a.changes, b.changes);
        assert_eq!(a.users, b.users);
        let c = generate(&SchoolSpec {
            seed: 43,
            ..small()
        })
        .unwrap();
        assert_ne!(a.changes, c.changes);
        assert!(a.changes[0].eventid.starts_with("sim-s42-"));
    }

    #[test]
    fn sizes_are_respected() {
        let spec = small();
        let school = generate(&spec).unwrap();
        // Admin + teachers + students, each sent once.
        assert_eq!(school.calls("fetch_user"), 1 + 6 + 60);
        let sections: HashSet<_> = school
            .changes
            .iter()
            .filter_map(|c| match &c.body {
                ChangeBody::NewSection(section) => Some(section.idnumber.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(sections.len(), 12);
        let items_of = |kind: ItemKind| {
            school
                .changes
                .iter()
                .filter(|c| matches!(&c.body, ChangeBody::NewAssessment(a) if a.kind == kind))
                .count()
        };
        assert_eq!(items_of(ItemKind::Item), 12 * 7);
        // Each section's course total, sent with its first item and again as its maximum grows.
        let totals: HashSet<_> = school
            .changes
            .iter()
            .filter_map(|c| match &c.body {
                ChangeBody::NewAssessment(a) if a.kind == ItemKind::CourseTotal => {
                    Some(a.idnumber.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(totals.len(), 12);
        assert!(items_of(ItemKind::CourseTotal) >= 12 * 2);
        let per_student = school
            .changes
            .iter()
            .filter(|c| matches!(&c.body, ChangeBody::NewEnrolment(e) if e.role == Role::Student))
            .count() as f64
            / 60.0;
        assert!((3.0..=5.2).contains(&per_student), "{per_student}");
        let item_grades = school
            .changes
            .iter()
            .filter(
                |c| matches!(&c.body, ChangeBody::NewGrade(g) if !totals.contains(&g.assessmentid)),
            )
            .count();
        assert!(item_grades > 60 * 3 * 7 * 8 / 10);
        // Nearly every grade moves the student's course total.
        assert!(school.calls("new_grade") - item_grades > item_grades * 8 / 10);
        assert!(
            school
                .users
                .iter()
                .filter(|u| u.kind == UserKind::Teacher)
                .count()
                == 6
        );
    }

    #[test]
    fn usernames_unique_and_items_planned_exactly() {
        let school = generate(&SchoolSpec {
            students: 500,
            ..small()
        })
        .unwrap();
        let names: HashSet<_> = school.users.iter().map(|u| &u.username).collect();
        assert_eq!(names.len(), school.users.len());
        let mut rng = SimRng::new(1);
        for kind in COURSES {
            for n in [0, 1, 3, 5, 10, 13] {
                let plan = item_plan(*kind, n, &mut rng);
                assert_eq!(plan.len(), n as usize);
                let names: HashSet<_> = plan.iter().map(|p| &p.name).collect();
                assert_eq!(
                    names.len(),
                    plan.len(),
                    "{plan:?}",
                    plan = plan.iter().map(|p| &p.name).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let no_teachers = SchoolSpec {
            teachers: 0,
            ..small()
        };
        assert_eq!(
            generate(&no_teachers).unwrap_err(),
            SpecError::NoTeachers(12)
        );
        let crowded = SchoolSpec {
            sections_per_student: 13,
            ..small()
        };
        assert!(matches!(
            generate(&crowded),
            Err(SpecError::TooFewSections { .. })
        ));
        let huge = SchoolSpec {
            students: 4_000_000,
            sections: 4000,
            teachers: 300,
            ..small()
        };
        assert!(matches!(generate(&huge), Err(SpecError::TooLarge(_))));
        assert!(SchoolSpec::default().with_start_date("2026-02-30").is_err());
        let empty = SchoolSpec {
            students: 0,
            teachers: 0,
            sections: 0,
            ..small()
        };
        assert_eq!(generate(&empty).unwrap().changes.len(), 1);
    }

    #[test]
    fn scores_round_to_half_points_within_range() {
        for f in [-1.0, 0.0, 0.333, 0.5, 0.999, 2.0] {
            let p = score(Points::whole(25), f);
            assert!(p <= Points::whole(25));
            assert_eq!(p.as_hundredths() % 50, 0);
        }
    }
}
