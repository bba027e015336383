//! Grades as a school reports them (`docs/design/029-school-settings-and-grading.md`, issue 20):
//! which items and grades count as of a time, a student's total (the one sum,
//! [`Totals::counted`]), the letter from the school's bands, the final grade a section gets
//! (from the total the school's setting picks), credits attempted and earned, term and
//! cumulative GPA weighted by credits, the term a section falls in, and calendar days in the
//! school's time zone (jiff, with the tz database compiled in). Pure: the store reads the rows,
//! these decide.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use schoolbridge_api::school::{
    LetterBand, SchoolSettings, SchoolTerm, SettingProblem, TranscriptTotal, parse_day,
};
use schoolbridge_api::sis::{
    AssessmentRow, Counting, CreditSummary, FinalGrade, GradeEvent, MoodleTotal, ReportItem, Totals,
};
use std::collections::HashMap;

/// The time zone of an IANA name, from the compiled-in tz database; a clear refusal for a
/// name it does not know.
pub fn zone(name: &str) -> Result<TimeZone, SettingProblem> {
    TimeZone::get(name.trim()).map_err(|_| SettingProblem {
        field: "time_zone",
        message: format!(
            "{:?} is not a time zone we know. Use an IANA name such as America/New_York, \
             Europe/Paris or UTC.",
            name.trim()
        ),
    })
}

/// The school's zone, UTC when the stored name is not one (it is checked when saved, so only a
/// tz database that dropped a name gets here).
pub fn school_zone(settings: &SchoolSettings) -> TimeZone {
    zone(&settings.time_zone).unwrap_or(TimeZone::UTC)
}

fn civil(day: &str) -> Option<Date> {
    let (y, m, d) = parse_day(day)?;
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// The last second of a calendar day in a zone (Unix seconds): everything effective at or
/// before it happened on that day or earlier. A day of 23 or 25 hours (daylight saving) ends
/// where the next day starts there, so no hour is lost or counted twice.
pub fn end_of_day(day: &str, tz: &TimeZone) -> Option<i64> {
    let next = civil(day)?.tomorrow().ok()?;
    let start = next.to_zoned_datetime(tz.clone()).ok()?;
    Some(start.timestamp().as_second() - 1)
}

/// The calendar day of an instant in a zone, `YYYY-MM-DD`.
pub fn day_of(at: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(at) {
        Ok(t) => t.to_zoned_datetime(tz.clone()).date().to_string(),
        Err(_) => String::new(),
    }
}

/// An instant as a school reads it: `YYYY-MM-DD HH:MM` in its zone, with the zone's
/// abbreviation (`EST`, `UTC`).
pub fn local_date_time(at: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(at) {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// The items of a section as of `as_of`, each with its current grade then: an item is listed
/// when it existed or had a grade by then and was not hidden then. `grades` holds the current
/// grade per item among the events effective by `as_of`
/// ([`schoolbridge_api::sis::current_grade`]).
pub fn items_as_of(
    items: Vec<AssessmentRow>,
    grades: &HashMap<i64, GradeEvent>,
    as_of: i64,
) -> Vec<ReportItem> {
    items
        .into_iter()
        .filter_map(|a| {
            let grade = grades.get(&a.id).cloned();
            let existed = a.first_effective_at <= as_of || grade.is_some();
            let hidden_then = a.hidden && a.hidden_at.is_none_or(|h| h <= as_of);
            (existed && !hidden_then).then_some(ReportItem {
                assessment: a,
                grade,
            })
        })
        .collect()
}

/// SchoolBridge's total over report items for a student on a track, with the school's cap.
pub fn totals(items: &[ReportItem], honors: bool, settings: &SchoolSettings) -> Totals {
    Totals::counted(
        items.iter().map(|i| (&i.assessment, i.grade.as_ref())),
        Counting {
            honors,
            allow_over_100: settings.allow_over_100,
        },
    )
}

/// Moodle's course total among the items, when it has a (not excused) grade.
pub fn moodle_total(items: &[ReportItem]) -> Option<MoodleTotal> {
    items.iter().find_map(|i| {
        if !i.assessment.is_course_total() {
            return None;
        }
        let g = i.grade.as_ref().filter(|g| !g.excepted)?;
        let points = g.points?;
        let possible = i.assessment.pointval;
        Some(MoodleTotal {
            points,
            possible,
            percent: (possible > 0.0).then(|| points / possible * 100.0),
        })
    })
}

/// The band of a percent on the school's scale.
pub fn letter(settings: &SchoolSettings, percent: f64) -> Option<&LetterBand> {
    settings.band_for(percent)
}

/// The grade of a section from the total the school's setting picks: Moodle's course total
/// when the school chose it and the section has one with a percent, SchoolBridge's otherwise.
/// `None` while neither has a percent (nothing graded yet). A withdrawal is `W` (no percent, no
/// grade points) whatever the totals.
pub fn final_grade(
    settings: &SchoolSettings,
    ours: &Totals,
    moodle: Option<&MoodleTotal>,
    withdrawn: bool,
) -> Option<FinalGrade> {
    if withdrawn {
        return Some(FinalGrade {
            letter: "W".to_owned(),
            percent: None,
            counted: settings.transcript_total,
            gpa_points: None,
        });
    }
    let moodles = moodle
        .filter(|_| settings.transcript_total == TranscriptTotal::Moodle)
        .and_then(|m| m.percent);
    let (percent, counted) = match moodles {
        Some(p) => (p, TranscriptTotal::Moodle),
        None => (ours.percent?, TranscriptTotal::Schoolbridge),
    };
    let band = letter(settings, percent)?;
    Some(FinalGrade {
        letter: band.letter.clone(),
        percent: Some(percent),
        counted,
        gpa_points: Some(band.gpa_points),
    })
}

/// What a report says of one student's section from its report items.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// SchoolBridge's total on the student's track.
    pub totals: Totals,
    /// Moodle's course total, when graded.
    pub moodle_total: Option<MoodleTotal>,
    /// The grade from the total the school counts ([`final_grade`]).
    pub grade: Option<FinalGrade>,
}

/// A section's [`Standing`] for a student on the honours track or not, `withdrawn` or not.
pub fn standing(
    items: &[ReportItem],
    honors: bool,
    withdrawn: bool,
    settings: &SchoolSettings,
) -> Standing {
    let totals = totals(items, honors, settings);
    let moodle_total = moodle_total(items);
    let grade = final_grade(settings, &totals, moodle_total.as_ref(), withdrawn);
    Standing {
        totals,
        moodle_total,
        grade,
    }
}

/// Credits attempted and earned by one section: a withdrawal (no grade points) or a section
/// not graded yet counts in neither; the scale's lowest letter (F) is attempted, not earned.
pub fn credits_of(
    settings: &SchoolSettings,
    grade: Option<&FinalGrade>,
    credits: f64,
) -> (f64, f64) {
    let Some(g) = grade.filter(|g| g.gpa_points.is_some()) else {
        return (0.0, 0.0);
    };
    let lowest = settings.scale.last().map(|b| b.letter.as_str());
    let earned = if Some(g.letter.as_str()) == lowest {
        0.0
    } else {
        credits
    };
    (credits, earned)
}

/// Credits and GPA over sections, each given as (its final grade, its credits): grade points
/// weighted by credits attempted; no GPA when no credit was attempted.
pub fn summary<'a>(
    settings: &SchoolSettings,
    sections: impl IntoIterator<Item = (Option<&'a FinalGrade>, f64)>,
) -> CreditSummary {
    let mut s = CreditSummary::default();
    let mut weighted = 0.0;
    for (grade, credits) in sections {
        let (attempted, earned) = credits_of(settings, grade, credits);
        s.credits_attempted += attempted;
        s.credits_earned += earned;
        weighted += attempted * grade.and_then(|g| g.gpa_points).unwrap_or(0.0);
    }
    s.gpa = (s.credits_attempted > 0.0).then(|| weighted / s.credits_attempted);
    s
}

/// The term a section falls in: the one whose days hold the section's first student enrolment
/// day (in the school's zone). `None`: no term ("No term" on a transcript).
pub fn term_for<'a>(first_enrolment_day: &str, terms: &'a [SchoolTerm]) -> Option<&'a SchoolTerm> {
    terms.iter().find(|t| {
        t.first_day.as_str() <= first_enrolment_day && first_enrolment_day <= t.last_day.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::ItemKind;

    fn ny() -> TimeZone {
        zone("America/New_York").expect("zone")
    }

    fn at(s: &str) -> i64 {
        s.parse::<Timestamp>().expect("instant").as_second()
    }

    fn item(id: i64, pointval: f64) -> AssessmentRow {
        AssessmentRow {
            id,
            section_id: 1,
            name: format!("item {id}"),
            pointval,
            nonhonors_required: true,
            ..Default::default()
        }
    }

    fn grade(assessment_id: i64, points: Option<f64>, excepted: bool) -> GradeEvent {
        GradeEvent {
            id: assessment_id,
            excepted,
            ..GradeEvent::first_attempt(assessment_id, 1, points)
        }
    }

    fn line(a: AssessmentRow, g: Option<GradeEvent>) -> ReportItem {
        ReportItem {
            assessment: a,
            grade: g,
        }
    }

    #[test]
    fn a_zone_must_be_known() {
        assert!(zone("America/New_York").is_ok());
        assert!(zone("UTC").is_ok());
        assert_eq!(
            zone("Mars/Olympus").map(|_| ()).map_err(|p| p.field),
            Err("time_zone")
        );
        assert!(zone("").is_err());
    }

    #[test]
    fn a_grade_at_19_00_west_of_utc_is_on_that_days_report() {
        let tz = ny();
        // 19:00 on 10 March 2026 in New York (EDT since 8 March: UTC−4) is 23:00 UTC…
        let given = at("2026-03-10T23:00:00Z");
        assert_eq!(day_of(given, &tz), "2026-03-10");
        let end = end_of_day("2026-03-10", &tz).expect("day");
        assert!(given <= end);
        // …and the day ends at midnight local, 04:00 UTC the next day.
        assert_eq!(end, at("2026-03-11T04:00:00Z") - 1);
        // In UTC the same grade would be on the 10th too, but 01:00 UTC on the 11th is the
        // evening of the 10th in New York.
        let late = at("2026-03-11T01:00:00Z");
        assert_eq!(day_of(late, &TimeZone::UTC), "2026-03-11");
        assert_eq!(day_of(late, &tz), "2026-03-10");
        assert!(late <= end);
    }

    #[test]
    fn midnight_belongs_to_the_day_it_starts() {
        let tz = ny();
        let midnight = at("2026-01-15T05:00:00Z"); // 00:00 EST on the 15th
        assert_eq!(day_of(midnight, &tz), "2026-01-15");
        assert_eq!(day_of(midnight - 1, &tz), "2026-01-14");
        assert_eq!(end_of_day("2026-01-14", &tz), Some(midnight - 1));
        assert_eq!(local_date_time(midnight, &tz), "2026-01-15 00:00 EST");
        assert_eq!(local_date_time(0, &TimeZone::UTC), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn daylight_saving_days_have_23_and_25_hours() {
        let tz = ny();
        // Spring forward: Sunday 8 March 2026 has 23 hours.
        let start = end_of_day("2026-03-07", &tz).expect("day") + 1;
        let end = end_of_day("2026-03-08", &tz).expect("day") + 1;
        assert_eq!(end - start, 23 * 3600);
        assert_eq!(start, at("2026-03-08T05:00:00Z"));
        assert_eq!(end, at("2026-03-09T04:00:00Z"));
        // Fall back: Sunday 1 November 2026 has 25 hours.
        let start = end_of_day("2026-10-31", &tz).expect("day") + 1;
        let end = end_of_day("2026-11-01", &tz).expect("day") + 1;
        assert_eq!(end - start, 25 * 3600);
        // 01:30 happens twice that night; both are on the 1st.
        assert_eq!(day_of(at("2026-11-01T05:30:00Z"), &tz), "2026-11-01");
        assert_eq!(day_of(at("2026-11-01T06:30:00Z"), &tz), "2026-11-01");
        assert_eq!(end_of_day("2026-02-30", &tz), None);
    }

    #[test]
    fn honours_track_picks_the_items_required_of_it() {
        let s = SchoolSettings::default();
        let mut both = item(1, 10.0);
        both.honors_required = true;
        let regular = item(2, 10.0); // nonhonors only
        let mut honours_only = item(3, 20.0);
        honours_only.honors_required = true;
        honours_only.nonhonors_required = false;
        let mut neither = item(4, 50.0);
        neither.nonhonors_required = false;
        let items = vec![
            line(both, Some(grade(1, Some(8.0), false))),
            line(regular, Some(grade(2, Some(6.0), false))),
            line(honours_only, Some(grade(3, Some(15.0), false))),
            line(neither, Some(grade(4, Some(50.0), false))),
        ];
        let t = totals(&items, false, &s);
        assert_eq!((t.earned, t.possible, t.graded), (14.0, 20.0, 2));
        assert_eq!(t.percent, Some(70.0));
        let t = totals(&items, true, &s);
        assert_eq!((t.earned, t.possible, t.graded), (23.0, 30.0, 2));
        // Extra credit flagged for neither track is offered to both; for one, to that one.
        let mut bonus = item(5, 5.0);
        bonus.extra_credit = true;
        bonus.nonhonors_required = false;
        let mut honours_bonus = item(6, 5.0);
        honours_bonus.extra_credit = true;
        honours_bonus.honors_required = true;
        honours_bonus.nonhonors_required = false;
        let mut items = items;
        items.push(line(bonus, Some(grade(5, Some(2.0), false))));
        items.push(line(honours_bonus, Some(grade(6, Some(3.0), false))));
        let t = totals(&items, false, &s);
        assert_eq!((t.earned, t.possible, t.graded), (16.0, 20.0, 3));
        let t = totals(&items, true, &s);
        assert_eq!((t.earned, t.possible, t.graded), (28.0, 30.0, 4));
    }

    #[test]
    fn excused_and_ungraded_count_in_neither_sum() {
        let s = SchoolSettings::default();
        let items = vec![
            line(item(1, 10.0), Some(grade(1, Some(9.0), false))),
            line(item(2, 10.0), Some(grade(2, None, true))),
            line(item(3, 10.0), None),
            line(item(4, 10.0), Some(grade(4, Some(10.0), true))),
        ];
        let t = totals(&items, false, &s);
        assert_eq!((t.earned, t.possible, t.percent), (9.0, 10.0, Some(90.0)));
    }

    #[test]
    fn extra_credit_is_capped_unless_the_school_allows_more() {
        let mut s = SchoolSettings::default();
        let mut bonus = item(2, 10.0);
        bonus.extra_credit = true;
        let items = vec![
            line(item(1, 20.0), Some(grade(1, Some(19.0), false))),
            line(bonus, Some(grade(2, Some(5.0), false))),
        ];
        let t = totals(&items, false, &s);
        assert_eq!((t.earned, t.possible, t.percent), (20.0, 20.0, Some(100.0)));
        s.allow_over_100 = true;
        let t = totals(&items, false, &s);
        assert_eq!((t.earned, t.percent), (24.0, Some(120.0)));
    }

    #[test]
    fn items_as_of_a_time_leave_out_later_and_hidden_ones() {
        let mut later = item(2, 10.0);
        later.first_effective_at = 500;
        let mut hidden = item(3, 10.0);
        hidden.hidden = true;
        hidden.hidden_at = Some(300);
        let grades: HashMap<i64, GradeEvent> =
            [(1, grade(1, Some(4.0), false))].into_iter().collect();
        let ids = |v: Vec<ReportItem>| v.iter().map(|i| i.assessment.id).collect::<Vec<_>>();
        let all = vec![item(1, 10.0), later.clone(), hidden.clone()];
        assert_eq!(ids(items_as_of(all.clone(), &grades, 200)), vec![1, 3]);
        assert_eq!(ids(items_as_of(all, &grades, 600)), vec![1, 2]);
    }

    #[test]
    fn letters_come_from_the_schools_bands() {
        let mut s = SchoolSettings::default();
        assert_eq!(letter(&s, 89.5).map(|b| b.letter.as_str()), Some("B"));
        s.scale.insert(
            0,
            LetterBand {
                letter: "A+".into(),
                min_percent: 97.0,
                gpa_points: 4.3,
            },
        );
        assert_eq!(letter(&s, 97.0).map(|b| b.letter.as_str()), Some("A+"));
        assert_eq!(letter(&s, 96.9).map(|b| b.letter.as_str()), Some("A"));
    }

    #[test]
    fn the_final_grade_follows_the_schools_choice_of_total() {
        let mut s = SchoolSettings::default();
        let ours = Totals {
            earned: 85.0,
            possible: 100.0,
            percent: Some(85.0),
            graded: 3,
        };
        let moodle = MoodleTotal {
            points: 92.0,
            possible: 100.0,
            percent: Some(92.0),
        };
        let g = final_grade(&s, &ours, Some(&moodle), false).expect("grade");
        assert_eq!(
            (g.letter.as_str(), g.percent, g.counted),
            ("B", Some(85.0), TranscriptTotal::Schoolbridge)
        );
        s.transcript_total = TranscriptTotal::Moodle;
        let g = final_grade(&s, &ours, Some(&moodle), false).expect("grade");
        assert_eq!(
            (g.letter.as_str(), g.percent, g.counted),
            ("A", Some(92.0), TranscriptTotal::Moodle)
        );
        assert_eq!(g.gpa_points, Some(4.0));
        // No course total from Moodle: ours.
        let g = final_grade(&s, &ours, None, false).expect("grade");
        assert_eq!(
            (g.letter.as_str(), g.counted),
            ("B", TranscriptTotal::Schoolbridge)
        );
        // Nothing graded: no grade. Withdrawn: W.
        assert_eq!(final_grade(&s, &Totals::default(), None, false), None);
        let w = final_grade(&s, &ours, Some(&moodle), true).expect("W");
        assert_eq!(
            (w.letter.as_str(), w.percent, w.gpa_points),
            ("W", None, None)
        );
    }

    #[test]
    fn moodles_course_total_is_read_from_its_own_item() {
        let mut total = item(9, 200.0);
        total.kind = ItemKind::CourseTotal;
        let items = vec![
            line(item(1, 10.0), Some(grade(1, Some(5.0), false))),
            line(total, Some(grade(9, Some(150.0), false))),
        ];
        let m = moodle_total(&items).expect("total");
        assert_eq!(
            (m.points, m.possible, m.percent),
            (150.0, 200.0, Some(75.0))
        );
        // …and never summed into ours.
        let t = totals(&items, false, &SchoolSettings::default());
        assert_eq!((t.earned, t.possible), (5.0, 10.0));
        assert_eq!(moodle_total(&items[..1]), None);
    }

    #[test]
    fn credits_and_gpa_are_weighted_and_skip_withdrawals() {
        let s = SchoolSettings::default();
        let g = |letter: &str| {
            let band = s.band_of(letter).expect("band");
            FinalGrade {
                letter: letter.into(),
                percent: Some(band.min_percent),
                counted: TranscriptTotal::Schoolbridge,
                gpa_points: Some(band.gpa_points),
            }
        };
        let (a, b, f) = (g("A"), g("B"), g("F"));
        let w = final_grade(&s, &Totals::default(), None, true).expect("W");
        assert_eq!(credits_of(&s, Some(&a), 1.0), (1.0, 1.0));
        assert_eq!(credits_of(&s, Some(&f), 1.0), (1.0, 0.0));
        assert_eq!(credits_of(&s, Some(&w), 1.0), (0.0, 0.0));
        assert_eq!(credits_of(&s, None, 1.0), (0.0, 0.0));
        // A (4) for 2 credits, B (3) for 1, F (0) for 1, W for 1: (8 + 3 + 0) / 4 = 2.75.
        let sum = summary(
            &s,
            [
                (Some(&a), 2.0),
                (Some(&b), 1.0),
                (Some(&f), 1.0),
                (Some(&w), 1.0),
                (None, 1.0),
            ],
        );
        assert_eq!(sum.credits_attempted, 4.0);
        assert_eq!(sum.credits_earned, 3.0);
        assert_eq!(sum.gpa, Some(2.75));
        assert_eq!(summary(&s, [(Some(&w), 1.0)]).gpa, None);
    }

    #[test]
    fn a_section_falls_in_the_term_of_its_first_enrolment_day() {
        let terms = vec![
            SchoolTerm {
                id: 1,
                name: "Fall".into(),
                first_day: "2026-09-01".into(),
                last_day: "2027-01-15".into(),
            },
            SchoolTerm {
                id: 2,
                name: "Spring".into(),
                first_day: "2027-01-18".into(),
                last_day: "2027-06-15".into(),
            },
        ];
        let tz = ny();
        // Enrolled at 21:00 on 15 January in New York: 02:00 UTC on the 16th, still Fall.
        let day = day_of(at("2027-01-16T02:00:00Z"), &tz);
        assert_eq!(term_for(&day, &terms).map(|t| t.id), Some(1));
        assert_eq!(term_for("2027-01-18", &terms).map(|t| t.id), Some(2));
        assert_eq!(term_for("2027-01-16", &terms), None);
        assert_eq!(term_for("2027-06-15", &terms).map(|t| t.id), Some(2));
    }
}
