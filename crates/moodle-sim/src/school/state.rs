//! What a simulated Moodle holds right now, rebuilt by applying its changes in order. It answers
//! `list_user_enrolments`, lists the people who may log in, and produces the full sync that
//! `request_full_sync` queues, in the order and with the times our plugin's `fullsync` uses
//! (users; then per course: section, student enrolments, teachers, grade items, grades).
//!
//! As in Moodle, an unenrolment deletes the enrolment and a deleted grade item takes its grades
//! with it; only the newest grade of an item per student is kept (the gradebook's final grade).

use super::{
    Change, ChangeBody, FetchUser, ItemKind, NewAssessment, NewEnrolment, NewGrade, NewSection,
    Points, Role,
};
use mnet::xmlrpc::{Struct, Value};
use std::collections::{BTreeMap, HashMap};

/// A person as the user table holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Shared id.
    pub idnumber: String,
    /// Username.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// Email address.
    pub email: String,
    /// When the record last changed.
    pub timemodified: i64,
    order: u64,
}

impl UserRow {
    /// "Firstname Lastname".
    pub fn fullname(&self) -> String {
        format!("{} {}", self.firstname, self.lastname)
    }
}

#[derive(Debug, Clone)]
struct SectionRow {
    name: String,
    teacher: Option<String>,
    segment: u32,
    timemodified: i64,
    order: u64,
}

#[derive(Debug, Clone)]
struct EnrolmentRow {
    role: Role,
    first_enrolled: i64,
    timemodified: i64,
}

#[derive(Debug, Clone)]
struct AssessmentRow {
    sectionid: String,
    name: String,
    chapternum: u32,
    extra_credit: bool,
    pointval: Points,
    kind: ItemKind,
    timemodified: i64,
    order: u64,
}

#[derive(Debug, Clone)]
struct GradeRow {
    points: Option<Points>,
    excepted: bool,
    attempt: u32,
    timemodified: i64,
}

/// One entry of the `list_user_enrolments` reply (`enrolment_list::for_username`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEnrolment {
    /// Course shared id.
    pub sectionid: String,
    /// Person shared id.
    pub userid: String,
    /// Role in the course.
    pub role: Role,
    /// Whether the enrolment gives access now (`active`) or not (`suspended`).
    pub active: bool,
    /// When it last changed.
    pub timemodified: i64,
}

impl ListedEnrolment {
    /// The struct the plugin returns: `{sectionid, userid, role, status, timemodified}`.
    pub fn to_value(&self) -> Value {
        Value::Struct(
            Struct::new()
                .with("sectionid", self.sectionid.as_str())
                .with("userid", self.userid.as_str())
                .with("role", self.role.as_str())
                .with("status", if self.active { "active" } else { "suspended" })
                .with("timemodified", self.timemodified),
        )
    }
}

/// How much the state holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateCounts {
    /// People.
    pub users: usize,
    /// Sections.
    pub sections: usize,
    /// Current enrolments.
    pub enrolments: usize,
    /// Grade items.
    pub assessments: usize,
    /// Current grades.
    pub grades: usize,
}

/// The current state of a simulated Moodle's school.
#[derive(Debug, Clone, Default)]
pub struct SchoolState {
    users: HashMap<String, UserRow>,
    by_username: HashMap<String, String>,
    sections: HashMap<String, SectionRow>,
    enrolments: BTreeMap<(String, String), EnrolmentRow>,
    assessments: HashMap<String, AssessmentRow>,
    grades: BTreeMap<(String, String), GradeRow>,
    next_order: u64,
}

impl SchoolState {
    /// The state after these changes.
    pub fn from_changes<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Self {
        let mut state = Self::default();
        for change in changes {
            state.apply(change);
        }
        state
    }

    /// A record's creation order: the one it `held`, or the next one for a new record.
    fn order(&mut self, held: Option<u64>) -> u64 {
        held.unwrap_or_else(|| {
            self.next_order += 1;
            self.next_order
        })
    }

    /// Applies one change.
    pub fn apply(&mut self, change: &Change) {
        let t = change.timemodified;
        match &change.body {
            ChangeBody::FetchUser(u) => {
                if let Some(old) = self.users.get(&u.idnumber) {
                    self.by_username.remove(&old.username);
                }
                let order = self.order(self.users.get(&u.idnumber).map(|old| old.order));
                self.by_username
                    .insert(u.username.clone(), u.idnumber.clone());
                self.users.insert(
                    u.idnumber.clone(),
                    UserRow {
                        idnumber: u.idnumber.clone(),
                        username: u.username.clone(),
                        firstname: u.firstname.clone(),
                        lastname: u.lastname.clone(),
                        email: u.email.clone(),
                        timemodified: t,
                        order,
                    },
                );
            }
            ChangeBody::NewSection(s) => {
                let order = self.order(self.sections.get(&s.idnumber).map(|old| old.order));
                self.sections.insert(
                    s.idnumber.clone(),
                    SectionRow {
                        name: s.name.clone(),
                        teacher: s.teacheridnumber.clone(),
                        segment: s.segment,
                        timemodified: t,
                        order,
                    },
                );
            }
            ChangeBody::NewEnrolment(e) => {
                let key = (e.sectionid.clone(), e.userid.clone());
                let first = self.enrolments.get(&key).map_or(t, |e| e.first_enrolled);
                self.enrolments.insert(
                    key,
                    EnrolmentRow {
                        role: e.role,
                        first_enrolled: first,
                        timemodified: t,
                    },
                );
            }
            ChangeBody::RemoveEnrolment(e) => {
                let key = (e.sectionid.clone(), e.userid.clone());
                if e.role
                    .is_none_or(|r| self.enrolments.get(&key).is_some_and(|e| e.role == r))
                {
                    self.enrolments.remove(&key);
                }
            }
            ChangeBody::NewAssessment(a) => {
                let order = self.order(self.assessments.get(&a.idnumber).map(|old| old.order));
                self.assessments.insert(
                    a.idnumber.clone(),
                    AssessmentRow {
                        sectionid: a.sectionid.clone(),
                        name: a.name.clone(),
                        chapternum: a.chapternum,
                        extra_credit: a.extra_credit,
                        pointval: a.pointval,
                        kind: a.kind,
                        timemodified: t,
                        order,
                    },
                );
            }
            ChangeBody::RemoveAssessment(a) => {
                self.assessments.remove(&a.idnumber);
                self.grades.retain(|(item, _), _| *item != a.idnumber);
            }
            ChangeBody::NewGrade(g) => {
                let key = (g.assessmentid.clone(), g.userid.clone());
                let newer = super::grade_replaces(
                    g.attempt_num,
                    t,
                    self.grades
                        .get(&key)
                        .map(|held| (held.attempt, held.timemodified)),
                );
                if newer {
                    self.grades.insert(
                        key,
                        GradeRow {
                            points: g.points_earned,
                            excepted: g.excepted,
                            attempt: g.attempt_num,
                            timemodified: t,
                        },
                    );
                }
            }
        }
    }

    /// A person by username.
    pub fn user_by_username(&self, username: &str) -> Option<&UserRow> {
        self.by_username
            .get(username)
            .and_then(|id| self.users.get(id))
    }

    /// A person by shared id.
    pub fn user(&self, idnumber: &str) -> Option<&UserRow> {
        self.users.get(idnumber)
    }

    /// Everybody, in the order they were created.
    pub fn users(&self) -> Vec<&UserRow> {
        let mut users: Vec<&UserRow> = self.users.values().collect();
        users.sort_by_key(|u| u.order);
        users
    }

    /// A section's name.
    pub fn section_name(&self, sectionid: &str) -> Option<&str> {
        self.sections.get(sectionid).map(|s| s.name.as_str())
    }

    /// A person's current enrolments, in section order (all active: the simulated Moodle
    /// never suspends one).
    pub fn enrolments_of(&self, userid: &str) -> Vec<ListedEnrolment> {
        let mut list: Vec<(u64, ListedEnrolment)> = self
            .enrolments
            .iter()
            .filter(|((_, u), _)| u == userid)
            .map(|((s, u), e)| {
                (
                    self.sections.get(s).map_or(u64::MAX, |row| row.order),
                    ListedEnrolment {
                        sectionid: s.clone(),
                        userid: u.clone(),
                        role: e.role,
                        active: true,
                        timemodified: e.timemodified,
                    },
                )
            })
            .collect();
        list.sort_by_key(|(order, _)| *order);
        list.into_iter().map(|(_, e)| e).collect()
    }

    /// How much is held.
    pub fn counts(&self) -> StateCounts {
        StateCounts {
            users: self.users.len(),
            sections: self.sections.len(),
            enrolments: self.enrolments.len(),
            assessments: self.assessments.len(),
            grades: self.grades.len(),
        }
    }

    /// Everything held, as the changes of a full sync (the plugin's `fullsync::queue_all`):
    /// users, then per course its section, student enrolments, teachers, grade items and
    /// grades. Each change carries the time its record last changed, so the list is not in
    /// time order, and a full sync never overwrites something newer.
    pub fn full_sync(&self, eventid_prefix: &str) -> Vec<Change> {
        let mut bodies: Vec<(i64, ChangeBody)> = Vec::new();
        for user in self.users() {
            bodies.push((
                user.timemodified,
                ChangeBody::FetchUser(FetchUser {
                    idnumber: user.idnumber.clone(),
                    username: user.username.clone(),
                    firstname: user.firstname.clone(),
                    lastname: user.lastname.clone(),
                    email: user.email.clone(),
                }),
            ));
        }
        let mut sections: Vec<(&String, &SectionRow)> = self.sections.iter().collect();
        sections.sort_by_key(|(_, s)| s.order);
        let user_order = |id: &str| self.users.get(id).map_or(u64::MAX, |u| u.order);
        for (sectionid, section) in sections {
            let mut members: Vec<(&String, &EnrolmentRow)> = self
                .enrolments
                .range((sectionid.clone(), String::new())..)
                .take_while(|((s, _), _)| s == sectionid)
                .map(|((_, u), e)| (u, e))
                .collect();
            members.sort_by_key(|(u, _)| user_order(u));
            let teacher_time = members
                .iter()
                .filter(|(_, e)| e.role == Role::Teacher)
                .map(|(_, e)| e.timemodified)
                .max()
                .unwrap_or(0);
            bodies.push((
                section.timemodified.max(teacher_time),
                ChangeBody::NewSection(NewSection {
                    idnumber: sectionid.clone(),
                    name: section.name.clone(),
                    teacheridnumber: section.teacher.clone(),
                    segment: section.segment,
                }),
            ));
            for role in [Role::Student, Role::Teacher] {
                for (userid, e) in members.iter().filter(|(_, e)| e.role == role) {
                    bodies.push((
                        e.first_enrolled,
                        ChangeBody::NewEnrolment(NewEnrolment {
                            sectionid: sectionid.clone(),
                            userid: (*userid).clone(),
                            role,
                        }),
                    ));
                }
            }
            let mut items: Vec<(&String, &AssessmentRow)> = self
                .assessments
                .iter()
                .filter(|(_, a)| a.sectionid == *sectionid)
                .collect();
            items.sort_by_key(|(_, a)| a.order);
            for (idnumber, item) in &items {
                bodies.push((
                    item.timemodified,
                    ChangeBody::NewAssessment(NewAssessment {
                        idnumber: (*idnumber).clone(),
                        sectionid: sectionid.clone(),
                        name: item.name.clone(),
                        chapternum: item.chapternum,
                        honors_required: false,
                        nonhonors_required: true,
                        extra_credit: item.extra_credit,
                        pointval: item.pointval,
                        kind: item.kind,
                    }),
                ));
            }
            for (idnumber, _) in &items {
                let mut grades: Vec<(&String, &GradeRow)> = self
                    .grades
                    .range(((*idnumber).clone(), String::new())..)
                    .take_while(|((a, _), _)| a == *idnumber)
                    .map(|((_, u), g)| (u, g))
                    .collect();
                grades.sort_by_key(|(u, _)| user_order(u));
                for (userid, g) in grades {
                    bodies.push((
                        g.timemodified,
                        ChangeBody::NewGrade(NewGrade {
                            assessmentid: (*idnumber).clone(),
                            userid: userid.clone(),
                            points_earned: g.points,
                            excepted: g.excepted,
                            attempt_num: g.attempt,
                        }),
                    ));
                }
            }
        }
        bodies
            .into_iter()
            .enumerate()
            .map(|(n, (timemodified, body))| Change {
                eventid: format!("{eventid_prefix}-{:07}", n + 1),
                timemodified,
                body,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RemoveEnrolment, SchoolSpec, generator::generate};
    use super::*;

    #[test]
    fn replaying_a_full_sync_gives_the_same_state() {
        let school = generate(&SchoolSpec {
            seed: 5,
            students: 80,
            teachers: 5,
            sections: 10,
            sections_per_student: 4,
            assessments_per_section: 6,
            ..SchoolSpec::default()
        })
        .unwrap();
        let state = SchoolState::from_changes(&school.changes);
        let sync = state.full_sync("sync-1");
        let again = SchoolState::from_changes(&sync);
        assert_eq!(state.counts(), again.counts());
        for user in state.users() {
            assert_eq!(
                state.enrolments_of(&user.idnumber),
                again.enrolments_of(&user.idnumber)
            );
        }
        // Dependency order: every reference points back to an earlier change.
        let mut seen = std::collections::HashSet::new();
        for change in &sync {
            match &change.body {
                ChangeBody::FetchUser(FetchUser { idnumber, .. })
                | ChangeBody::NewSection(NewSection { idnumber, .. })
                | ChangeBody::NewAssessment(NewAssessment { idnumber, .. }) => {
                    seen.insert(idnumber.clone());
                }
                ChangeBody::NewEnrolment(e) => {
                    assert!(seen.contains(&e.sectionid) && seen.contains(&e.userid));
                }
                ChangeBody::NewGrade(g) => {
                    assert!(seen.contains(&g.assessmentid) && seen.contains(&g.userid));
                }
                ChangeBody::RemoveEnrolment(_) | ChangeBody::RemoveAssessment(_) => {
                    panic!("a full sync never removes")
                }
            }
        }
    }

    #[test]
    fn unenrolment_removes_and_newest_attempt_wins() {
        let c = |n: i64, body: ChangeBody| Change {
            eventid: format!("e{n}"),
            timemodified: n,
            body,
        };
        let enrol = ChangeBody::NewEnrolment(NewEnrolment {
            sectionid: "s".into(),
            userid: "u".into(),
            role: Role::Student,
        });
        let grade = |points: u32, attempt: u32| {
            ChangeBody::NewGrade(NewGrade {
                assessmentid: "a".into(),
                userid: "u".into(),
                points_earned: Some(Points::whole(points)),
                excepted: false,
                attempt_num: attempt,
            })
        };
        let state = SchoolState::from_changes(&[
            c(1, enrol.clone()),
            c(2, grade(5, 2)),
            c(3, grade(9, 1)),
            c(
                4,
                ChangeBody::RemoveEnrolment(RemoveEnrolment {
                    sectionid: "s".into(),
                    userid: "u".into(),
                    role: Some(Role::Teacher),
                }),
            ),
        ]);
        assert_eq!(
            state.enrolments_of("u").len(),
            1,
            "the teacher role was not held"
        );
        assert_eq!(state.counts().grades, 1);
        assert_eq!(
            state
                .grades
                .get(&("a".into(), "u".into()))
                .map(|g| g.attempt),
            Some(2)
        );
        let mut state = state;
        state.apply(&c(
            5,
            ChangeBody::RemoveEnrolment(RemoveEnrolment {
                sectionid: "s".into(),
                userid: "u".into(),
                role: None,
            }),
        ));
        assert!(state.enrolments_of("u").is_empty());
    }
}
