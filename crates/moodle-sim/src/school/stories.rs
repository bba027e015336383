//! The seven scenarios of `docs/product.md` §5 as short scripted stories: each is a
//! readable list of changes, dated, with a comment saying which scenario it plays and what
//! happens in SchoolBridge around it (some steps of a scenario are done by people in the SIS,
//! not by Moodle, and a story can only send Moodle's part).
//!
//! Ids are Moodle ids in a range of their own per story (800000 + 10000 × scenario), so that
//! stories and a generated school can be pushed to one SchoolBridge without touching each
//! other. Eventids are `story-<name>-s<seed>-<n>`: pushing a story twice with the same seed
//! replays it (SchoolBridge acknowledges each change with its original reply).

use super::calendar::parse_date_time;
use super::generator::{SchoolSpec, generate};
use super::names::username_part;
use super::state::SchoolState;
use super::{
    Change, ChangeBody, FetchUser, ItemKind, NewAssessment, NewEnrolment, NewGrade, NewSection,
    Points, RemoveEnrolment, Role, course_idnumber, gradeitem_idnumber, user_idnumber,
};

/// A scripted story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Story {
    /// §5.1: a student self-enrols in five courses in June; in July the principal sees them.
    SelfEnrolFiveCourses,
    /// §5.2: a counsellor enrols a new student; grades arrive one by one; progress reports.
    NewStudentProgress,
    /// §5.3: a student drops a course; the withdrawal gets a code, a note and a transcript line.
    DropCourse,
    /// §5.4: a teacher adds assignments; each arrives as a grade item.
    TeacherAddsAssignments,
    /// §5.5: a course with no Moodle presence; Moodle only knows the people.
    SisOnlyCourse,
    /// §5.6: manual lab items in the SIS are created in Moodle with the same names and link up.
    LabItemsMatchedByName,
    /// §5.7: a school with years of Moodle data adopts the SIS with a full sync.
    FullSyncAdoption,
}

impl Story {
    /// Every story, in scenario order.
    pub const ALL: [Story; 7] = [
        Story::SelfEnrolFiveCourses,
        Story::NewStudentProgress,
        Story::DropCourse,
        Story::TeacherAddsAssignments,
        Story::SisOnlyCourse,
        Story::LabItemsMatchedByName,
        Story::FullSyncAdoption,
    ];

    /// The name used on the command line (`--story drop-course`).
    pub fn name(self) -> &'static str {
        match self {
            Story::SelfEnrolFiveCourses => "self-enrol-five-courses",
            Story::NewStudentProgress => "new-student-progress",
            Story::DropCourse => "drop-course",
            Story::TeacherAddsAssignments => "teacher-adds-assignments",
            Story::SisOnlyCourse => "sis-only-course",
            Story::LabItemsMatchedByName => "lab-items-matched-by-name",
            Story::FullSyncAdoption => "full-sync-adoption",
        }
    }

    /// The scenario number in `docs/product.md` §5.
    pub fn scenario(self) -> u8 {
        match self {
            Story::SelfEnrolFiveCourses => 1,
            Story::NewStudentProgress => 2,
            Story::DropCourse => 3,
            Story::TeacherAddsAssignments => 4,
            Story::SisOnlyCourse => 5,
            Story::LabItemsMatchedByName => 6,
            Story::FullSyncAdoption => 7,
        }
    }

    /// One line saying what the story plays.
    pub fn summary(self) -> &'static str {
        match self {
            Story::SelfEnrolFiveCourses => {
                "A student self-enrols in five Moodle courses in June; in July the principal sees them in the SIS."
            }
            Story::NewStudentProgress => {
                "A counsellor enrols a new student in Moodle; quiz and hand-marked grades arrive one by one."
            }
            Story::DropCourse => {
                "A student drops a course in Moodle; the SIS records the withdrawal (the counsellor then adds a code and a note)."
            }
            Story::TeacherAddsAssignments => {
                "A teacher adds assignments to her Moodle course; each arrives as a grade item ready for grades."
            }
            Story::SisOnlyCourse => {
                "A course with no Moodle presence: Moodle sends only the people; course, section, items and grades are made in the SIS."
            }
            Story::LabItemsMatchedByName => {
                "Manual lab items made in the SIS are created in Moodle with the same names: they link up and Moodle grades flow in."
            }
            Story::FullSyncAdoption => {
                "A school with two years of Moodle data adopts the SIS: everything in Moodle is transferred by a full sync."
            }
        }
    }

    /// The story for a command-line name.
    pub fn from_name(name: &str) -> Option<Story> {
        Story::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// The story's changes, in order. The seed only changes the eventids (and, for the full
    /// sync, the generated school).
    pub fn changes(self, seed: u64) -> Vec<Change> {
        let mut s = Script::new(self, seed);
        match self {
            Story::SelfEnrolFiveCourses => self_enrol_five_courses(&mut s),
            Story::NewStudentProgress => new_student_progress(&mut s),
            Story::DropCourse => drop_course(&mut s),
            Story::TeacherAddsAssignments => teacher_adds_assignments(&mut s),
            Story::SisOnlyCourse => sis_only_course(&mut s),
            Story::LabItemsMatchedByName => lab_items_matched_by_name(&mut s),
            Story::FullSyncAdoption => return full_sync_adoption(self, seed),
        }
        s.changes
    }
}

/// Scenario 1. Five teachers' courses exist; on a June evening a student finds them in the
/// catalogue and enrols herself, one course after another. Her Moodle account has an ID
/// number set (a student number), so that is the shared id, not `moodle-user-<id>`.
fn self_enrol_five_courses(s: &mut Script) {
    let courses = [
        ("Algebra 2", "Kowalski"),
        ("Chemistry", "Haddad"),
        ("English 10", "Bennett"),
        ("World History", "Dubois"),
        ("Spanish 2", "Reyes"),
    ];
    s.at("2026-06-01 08:00");
    for (n, (course, teacher)) in courses.iter().enumerate() {
        let (t, c) = (s.id(n as u64 + 1), s.id(n as u64 + 1));
        s.teacher_of(
            t,
            "Jordan",
            teacher,
            c,
            &format!("{course} (Summer, {teacher})"),
        );
    }
    let student = "STU-2026-0147";
    s.at("2026-06-08 19:42");
    s.send(ChangeBody::FetchUser(FetchUser {
        idnumber: student.to_owned(),
        username: "aokafor".to_owned(),
        firstname: "Amara".to_owned(),
        lastname: "Okafor".to_owned(),
        email: "aokafor@sim-school.example".to_owned(),
    }));
    for n in 0..courses.len() as u64 {
        s.later(3 * 60);
        s.send(enrol(s.id(n + 1), student, Role::Student));
    }
}

/// Scenario 2. A chemistry section is running; in October a counsellor creates a new student
/// and enrols her. A quiz graded automatically by Moodle and a lab report marked by hand
/// arrive one by one, and the quiz's second attempt arrives as attempt 2.
fn new_student_progress(s: &mut Script) {
    let (teacher, course) = (s.id(1), s.id(1));
    let (quiz1, lab, quiz2, test) = (s.id(1), s.id(2), s.id(3), s.id(4));
    let student = s.id(2);
    s.at("2026-09-01 07:30");
    s.teacher_of(
        teacher,
        "Omar",
        "Haddad",
        course,
        "Chemistry (Period 2, Haddad)",
    );
    s.at("2026-09-15 16:00");
    s.send(item(quiz1, course, "Quiz 1: Atoms", 1, 20));
    s.send(item(lab, course, "Lab Report 1: Flame Tests", 1, 25));
    // The counsellor enrols the new student.
    s.at("2026-10-05 10:10");
    s.student_in(student, "Lucía", "Fernández", course);
    s.at("2026-10-06 16:20");
    s.send(item(quiz2, course, "Quiz 2: Bonds", 2, 20));
    // Moodle's quiz grades the attempt the moment it is submitted.
    s.at("2026-10-07 14:03");
    s.send(grade(quiz2, student, Points::whole(17), 1));
    // The teacher marks the late lab report by hand.
    s.at("2026-10-08 20:15");
    s.send(grade(lab, student, Points::hundredths(2150), 1));
    // A second attempt at the quiz: the current grade is the newest attempt.
    s.at("2026-10-09 18:47");
    s.send(grade(quiz2, student, Points::whole(19), 2));
    s.at("2026-10-14 08:00");
    s.send(item(test, course, "Unit 1 Test", 2, 100));
    s.at("2026-10-16 17:30");
    s.send(grade(test, student, Points::hundredths(8850), 1));
}

/// Scenario 3. A student has an essay grade in World History, then drops the course. Moodle
/// deletes the enrolment; SchoolBridge marks it Withdrawn (reason pending). The withdrawal
/// code and note are added afterwards by the counsellor in SchoolBridge.
fn drop_course(s: &mut Script) {
    let (teacher, student, course, essay) = (s.id(1), s.id(2), s.id(1), s.id(1));
    s.at("2026-09-02 07:45");
    s.teacher_of(
        teacher,
        "Claire",
        "Dubois",
        course,
        "World History (Period 4, Dubois)",
    );
    s.at("2026-09-02 09:00");
    s.student_in(student, "Noah", "Kim", course);
    s.at("2026-09-20 15:00");
    s.send(item(essay, course, "Essay 1: The Silk Road", 2, 50));
    s.at("2026-09-25 19:10");
    s.send(grade(essay, student, Points::whole(38), 1));
    // The student drops the course: his last enrolment there is gone, so no role is sent.
    s.at("2026-10-02 11:20");
    s.send(ChangeBody::RemoveEnrolment(RemoveEnrolment {
        sectionid: course_idnumber(course),
        userid: user_idnumber(student),
        role: None,
    }));
}

/// Scenario 4. A geometry teacher sets up her first weeks of work; every activity she adds
/// arrives as a grade item with its chapter (course section) and points, and editing one
/// re-sends it with the same id.
fn teacher_adds_assignments(s: &mut Script) {
    let (teacher, course) = (s.id(1), s.id(1));
    s.at("2026-09-01 07:15");
    s.teacher_of(
        teacher,
        "Ingrid",
        "Andersson",
        course,
        "Geometry (Period 1, Andersson)",
    );
    for (n, first, last) in [(2, "Kenji", "Tanaka"), (3, "Ruby", "Walker")] {
        s.student_in(s.id(n), first, last, course);
    }
    s.at("2026-09-07 16:05");
    s.send(item(s.id(1), course, "Homework 1: Angles", 1, 10));
    s.send(item(s.id(2), course, "Quiz 1: Angle Pairs", 1, 20));
    s.send(item(s.id(3), course, "Homework 2: Triangles", 2, 10));
    s.send(item(s.id(4), course, "Project: Tessellations", 3, 50));
    s.send(ChangeBody::NewAssessment(NewAssessment {
        idnumber: gradeitem_idnumber(s.id(5)),
        sectionid: course_idnumber(course),
        name: "Extra Credit: Puzzle of the Week".to_owned(),
        chapternum: 3,
        honors_required: false,
        nonhonors_required: true,
        extra_credit: true,
        pointval: Points::whole(5),
        kind: ItemKind::Item,
    }));
    // The next morning she raises the project to 60 points: the same item, sent again.
    s.at("2026-09-08 07:50");
    s.send(item(s.id(4), course, "Project: Tessellations", 3, 60));
}

/// Scenario 5. Ceramics is taught at the community centre and has no Moodle course. Moodle
/// knows the teacher and the student (they have other courses), so it sends them; the
/// counsellor then creates the course, section and enrolment in SchoolBridge, the teacher
/// uploads the grade items as a spreadsheet and enters the grades by hand.
fn sis_only_course(s: &mut Script) {
    s.at("2026-09-01 07:00");
    s.send(person(s.id(1), "Henrik", "Lindqvist"));
    s.send(person(s.id(2), "Yara", "Santos"));
}

/// Scenario 6. Before this story, the biology teacher created two manual grade items in
/// SchoolBridge, "Lab 1: Cell Observation" and "Lab 2: Enzymes", and entered grades by hand.
/// Now she adds the labs to her Moodle course with exactly the same names: SchoolBridge links
/// them instead of creating new ones, and Moodle's grades flow in beside the manual ones.
fn lab_items_matched_by_name(s: &mut Script) {
    let (teacher, course) = (s.id(1), s.id(1));
    s.at("2026-09-01 07:20");
    s.teacher_of(
        teacher,
        "Kwame",
        "Mensah",
        course,
        "Biology (Period 3, Mensah)",
    );
    let students = [
        (2, "Sofia", "Rossi"),
        (3, "Elijah", "Clarke"),
        (4, "Mei", "Chen"),
    ];
    for (n, first, last) in students {
        s.student_in(s.id(n), first, last, course);
    }
    s.at("2026-10-01 15:00");
    s.send(item(s.id(1), course, "Lab 1: Cell Observation", 2, 25));
    s.send(item(s.id(2), course, "Lab 2: Enzymes", 3, 25));
    s.at("2026-10-03 18:30");
    for (n, points) in [(2, 2300), (3, 1950), (4, 2450)] {
        s.send(grade(s.id(2), s.id(n), Points::hundredths(points), 1));
    }
}

/// Scenario 7. A school that has used Moodle since September 2024 installs the plugin; the
/// administrator asks for a full sync. Moodle sends what it holds now — people, sections,
/// enrolments, grade items and current grades — each with the time it last changed.
fn full_sync_adoption(story: Story, seed: u64) -> Vec<Change> {
    let spec = SchoolSpec {
        seed,
        students: 40,
        teachers: 4,
        sections: 8,
        sections_per_student: 3,
        assessments_per_section: 12,
        // 2024-09-02 to 2026-06-04.
        start: 1_725_235_200,
        term_days: 640,
        email_domain: "sim-school.example".to_owned(),
        id_offset: 870_000,
    };
    match generate(&spec) {
        Ok(school) => SchoolState::from_changes(&school.changes)
            .full_sync(&format!("story-{}-s{seed}", story.name())),
        Err(_) => Vec::new(),
    }
}

/// Builds a story: a clock that only moves forward, and eventids in order.
struct Script {
    prefix: String,
    base: u64,
    now: i64,
    changes: Vec<Change>,
}

impl Script {
    fn new(story: Story, seed: u64) -> Self {
        Self {
            prefix: format!("story-{}-s{seed}", story.name()),
            base: 800_000 + 10_000 * u64::from(story.scenario()),
            now: 0,
            changes: Vec::new(),
        }
    }

    /// Moodle id `n` of this story's range.
    fn id(&self, n: u64) -> u64 {
        self.base + n
    }

    /// Moves the clock to a `YYYY-MM-DD HH:MM` (never backwards).
    fn at(&mut self, when: &str) {
        if let Some(t) = parse_date_time(when) {
            self.now = self.now.max(t);
        }
    }

    fn later(&mut self, seconds: i64) {
        self.now += seconds;
    }

    /// A teacher's account, the section she teaches and her enrolment in it.
    fn teacher_of(&mut self, teacher: u64, first: &str, last: &str, course: u64, name: &str) {
        self.send(person(teacher, first, last));
        self.send(section(course, name, Some(teacher)));
        self.send(enrol(course, &user_idnumber(teacher), Role::Teacher));
    }

    /// A student's account and her enrolment in a course.
    fn student_in(&mut self, student: u64, first: &str, last: &str, course: u64) {
        self.send(person(student, first, last));
        self.send(enrol(course, &user_idnumber(student), Role::Student));
    }

    /// Sends a change now; the next one comes a few seconds later.
    fn send(&mut self, body: ChangeBody) {
        let n = self.changes.len() + 1;
        self.changes.push(Change {
            eventid: format!("{}-{n:03}", self.prefix),
            timemodified: self.now,
            body,
        });
        self.now += 7;
    }
}

fn person(id: u64, first: &str, last: &str) -> ChangeBody {
    let username = format!(
        "{}{}",
        username_part(first).chars().next().unwrap_or('x'),
        username_part(last)
    );
    ChangeBody::FetchUser(FetchUser {
        idnumber: user_idnumber(id),
        email: format!("{username}@sim-school.example"),
        username,
        firstname: first.to_owned(),
        lastname: last.to_owned(),
    })
}

fn section(id: u64, name: &str, teacher: Option<u64>) -> ChangeBody {
    ChangeBody::NewSection(NewSection {
        idnumber: course_idnumber(id),
        name: name.to_owned(),
        teacheridnumber: teacher.map(user_idnumber),
        segment: 1,
    })
}

fn enrol(course: u64, userid: &str, role: Role) -> ChangeBody {
    ChangeBody::NewEnrolment(NewEnrolment {
        sectionid: course_idnumber(course),
        userid: userid.to_owned(),
        role,
    })
}

fn item(id: u64, course: u64, name: &str, chapter: u32, points: u32) -> ChangeBody {
    ChangeBody::NewAssessment(NewAssessment {
        idnumber: gradeitem_idnumber(id),
        sectionid: course_idnumber(course),
        name: name.to_owned(),
        chapternum: chapter,
        honors_required: false,
        nonhonors_required: true,
        extra_credit: false,
        pointval: Points::whole(points),
        kind: ItemKind::Item,
    })
}

fn grade(item: u64, user: u64, points: Points, attempt: u32) -> ChangeBody {
    ChangeBody::NewGrade(NewGrade {
        assessmentid: gradeitem_idnumber(item),
        userid: user_idnumber(user),
        points_earned: Some(points),
        excepted: false,
        attempt_num: attempt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_story_is_named_numbered_and_non_empty() {
        for (n, story) in Story::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(story.scenario()), n + 1);
            assert_eq!(Story::from_name(story.name()), Some(story));
            let changes = story.changes(1);
            assert!(!changes.is_empty(), "{}", story.name());
            let ids: HashSet<_> = changes.iter().map(|c| &c.eventid).collect();
            assert_eq!(ids.len(), changes.len(), "{}", story.name());
            assert!(changes.iter().all(|c| c.eventid.len() <= 128));
            assert_ne!(changes[0].eventid, story.changes(2)[0].eventid);
        }
        assert_eq!(Story::from_name("no-such-story"), None);
    }

    #[test]
    fn scripted_stories_move_forward_in_time() {
        for story in Story::ALL {
            if story == Story::FullSyncAdoption {
                continue;
            }
            let changes = story.changes(1);
            assert!(
                changes
                    .windows(2)
                    .all(|w| w[0].timemodified < w[1].timemodified)
            );
            assert!(changes[0].timemodified > 1_700_000_000);
        }
    }

    #[test]
    fn stories_play_their_scenario() {
        let count = |story: Story, method: &str| crate::school::calls(&story.changes(1), method);
        let enrolments = Story::SelfEnrolFiveCourses.changes(1);
        let student: Vec<_> = enrolments
            .iter()
            .filter(|c| {
                matches!(&c.body, ChangeBody::NewEnrolment(e) if e.role == Role::Student && e.userid == "STU-2026-0147")
            })
            .collect();
        assert_eq!(student.len(), 5);
        assert_eq!(count(Story::DropCourse, "remove_enrolment"), 1);
        assert_eq!(count(Story::SisOnlyCourse, "fetch_user"), 2);
        assert_eq!(Story::SisOnlyCourse.changes(1).len(), 2);
        assert_eq!(count(Story::TeacherAddsAssignments, "new_assessment"), 6);
        let attempts: Vec<u32> = Story::NewStudentProgress
            .changes(1)
            .iter()
            .filter_map(|c| match &c.body {
                ChangeBody::NewGrade(g) => Some(g.attempt_num),
                _ => None,
            })
            .collect();
        assert!(attempts.contains(&2));
        let labs: Vec<String> = Story::LabItemsMatchedByName
            .changes(1)
            .iter()
            .filter_map(|c| match &c.body {
                ChangeBody::NewAssessment(a) => Some(a.name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(labs, ["Lab 1: Cell Observation", "Lab 2: Enzymes"]);
        let sync = Story::FullSyncAdoption.changes(1);
        assert!(sync.len() > 500);
        assert!(sync.iter().all(|c| !matches!(
            c.body,
            ChangeBody::RemoveEnrolment(_) | ChangeBody::RemoveAssessment(_)
        )));
        assert!(sync.iter().all(|c| c.timemodified < 1_780_600_000));
    }
}
