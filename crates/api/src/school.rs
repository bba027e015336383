//! The school's own settings (`docs/product.md` §4, `docs/design/029-school-settings-and-grading.md`):
//! name and address for the transcript header, the IANA time zone every day boundary is read
//! in, the grading scale (letter bands and GPA points), whether extra credit may take a percent
//! above 100, which total the transcript uses, the default credits of a course, and the terms
//! (marking periods) as calendar days. Managers (admins and counsellors, [`crate::roles`]) change
//! them; everyone signed in may read them (a transcript prints them).
//!
//! The checks here are the ones both sides make (the console before sending, the server before
//! storing); the server also checks the time zone against the tz database it carries.

use serde::{Deserialize, Serialize};

/// One letter of the grading scale: a percent at or above `min_percent` (and below the next
/// band's) earns `letter`, worth `gpa_points` in a grade point average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterBand {
    /// The letter, e.g. `A` or `B+`.
    pub letter: String,
    /// The lowest percent of the band (inclusive).
    pub min_percent: f64,
    /// Grade points of the letter (4.0 scale by default).
    pub gpa_points: f64,
}

/// Which total a transcript's final grade is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptTotal {
    /// SchoolBridge's own sum of the section's items (the default).
    #[default]
    Schoolbridge,
    /// Moodle's course total when the section has one (categories and weights as Moodle
    /// computes them), SchoolBridge's sum otherwise.
    Moodle,
}

impl TranscriptTotal {
    /// Stored and wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            TranscriptTotal::Schoolbridge => "schoolbridge",
            TranscriptTotal::Moodle => "moodle",
        }
    }
}

/// `GET/PUT /api/sis/settings`: the school settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolSettings {
    /// The school's name (transcript header).
    pub name: String,
    /// Its postal address, one line per line (transcript header).
    pub address: String,
    /// IANA time zone name, e.g. `America/New_York` (default `UTC`).
    pub time_zone: String,
    /// Letter bands, highest first; the last band starts at 0 %.
    pub scale: Vec<LetterBand>,
    /// Whether extra credit may take a percent above 100 (default no: capped).
    pub allow_over_100: bool,
    /// Which total the transcript uses.
    pub transcript_total: TranscriptTotal,
    /// Credits of a course that has none of its own, and of a section in no course (default 1).
    pub default_credits: f64,
}

impl Default for SchoolSettings {
    fn default() -> Self {
        let band = |letter: &str, min_percent: f64, gpa_points: f64| LetterBand {
            letter: letter.to_owned(),
            min_percent,
            gpa_points,
        };
        SchoolSettings {
            name: String::new(),
            address: String::new(),
            time_zone: "UTC".to_owned(),
            scale: vec![
                band("A", 90.0, 4.0),
                band("B", 80.0, 3.0),
                band("C", 70.0, 2.0),
                band("D", 60.0, 1.0),
                band("F", 0.0, 0.0),
            ],
            allow_over_100: false,
            transcript_total: TranscriptTotal::Schoolbridge,
            default_credits: 1.0,
        }
    }
}

/// Longest school name.
pub const MAX_SCHOOL_NAME: usize = 200;
/// Longest address.
pub const MAX_ADDRESS: usize = 1000;
/// Most letter bands.
pub const MAX_BANDS: usize = 20;
/// Longest letter.
pub const MAX_LETTER: usize = 4;
/// Most credits a course may carry.
pub const MAX_CREDITS: f64 = 100.0;

/// Why a setting was refused: the field and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// The field (`name`, `address`, `scale`, `default_credits`, `terms`, …).
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn problem(field: &'static str, message: impl Into<String>) -> SettingProblem {
    SettingProblem {
        field,
        message: message.into(),
    }
}

/// Checks credits: a number from 0 to [`MAX_CREDITS`].
pub fn check_credits(credits: f64) -> Result<(), SettingProblem> {
    if credits.is_finite() && (0.0..=MAX_CREDITS).contains(&credits) {
        Ok(())
    } else {
        Err(problem(
            "credits",
            format!("Credits must be a number from 0 to {MAX_CREDITS}."),
        ))
    }
}

impl SchoolSettings {
    /// The settings' own checks (all but the time zone's existence, which the server checks
    /// against its tz database): lengths, a scale of distinct letters with falling minimums
    /// ending at 0 %, finite GPA points, credits in range.
    pub fn check(&self) -> Result<(), SettingProblem> {
        if self.name.chars().count() > MAX_SCHOOL_NAME {
            return Err(problem(
                "name",
                format!("The name is longer than {MAX_SCHOOL_NAME} characters."),
            ));
        }
        if self.address.chars().count() > MAX_ADDRESS {
            return Err(problem(
                "address",
                format!("The address is longer than {MAX_ADDRESS} characters."),
            ));
        }
        if self.time_zone.trim().is_empty() {
            return Err(problem("time_zone", "Choose a time zone, e.g. UTC."));
        }
        check_scale(&self.scale)?;
        check_credits(self.default_credits).map_err(|p| problem("default_credits", p.message))
    }

    /// The band a percent falls in: the first (highest) band whose minimum it reaches. `None`
    /// only for a percent below every band (a scale always ends at 0 %, so a negative percent).
    pub fn band_for(&self, percent: f64) -> Option<&LetterBand> {
        band_in(&self.scale, percent)
    }

    /// The band of a letter.
    pub fn band_of(&self, letter: &str) -> Option<&LetterBand> {
        self.scale.iter().find(|b| b.letter == letter)
    }
}

/// The band of `percent` on `scale` (highest first): the first whose minimum it reaches.
pub fn band_in(scale: &[LetterBand], percent: f64) -> Option<&LetterBand> {
    scale.iter().find(|b| percent >= b.min_percent)
}

/// Checks a grading scale: one to [`MAX_BANDS`] bands, letters non-empty, distinct and short,
/// minimums strictly falling and the last one 0, GPA points finite and not negative.
pub fn check_scale(scale: &[LetterBand]) -> Result<(), SettingProblem> {
    if scale.is_empty() || scale.len() > MAX_BANDS {
        return Err(problem(
            "scale",
            format!("The grading scale needs from 1 to {MAX_BANDS} letters."),
        ));
    }
    for (i, b) in scale.iter().enumerate() {
        let letter = b.letter.trim();
        if letter.is_empty() || letter.chars().count() > MAX_LETTER || letter != b.letter {
            return Err(problem(
                "scale",
                format!("Each letter needs 1 to {MAX_LETTER} characters, without spaces around."),
            ));
        }
        if scale[..i].iter().any(|o| o.letter == b.letter) {
            return Err(problem(
                "scale",
                format!("The letter {} appears twice.", b.letter),
            ));
        }
        if !b.min_percent.is_finite() || !(0.0..=1000.0).contains(&b.min_percent) {
            return Err(problem(
                "scale",
                format!("The minimum of {} must be a percent from 0.", b.letter),
            ));
        }
        if i > 0 && b.min_percent >= scale[i - 1].min_percent {
            return Err(problem(
                "scale",
                format!(
                    "The minimum of {} must be lower than that of {}.",
                    b.letter,
                    scale[i - 1].letter
                ),
            ));
        }
        if !b.gpa_points.is_finite() || !(0.0..=100.0).contains(&b.gpa_points) {
            return Err(problem(
                "scale",
                format!("The grade points of {} must be a number from 0.", b.letter),
            ));
        }
    }
    if scale.last().is_some_and(|b| b.min_percent != 0.0) {
        return Err(problem(
            "scale",
            "The lowest letter must start at 0 %, so every percent has a letter.",
        ));
    }
    Ok(())
}

/// A term or marking period: calendar days in the school's time zone, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolTerm {
    /// Id.
    pub id: i64,
    /// Name, e.g. "Fall 2026".
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub first_day: String,
    /// Last day, `YYYY-MM-DD` (included).
    pub last_day: String,
}

/// `POST /api/sis/settings/terms` and `PUT /api/sis/settings/terms/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRequest {
    /// Name.
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub first_day: String,
    /// Last day, `YYYY-MM-DD`.
    pub last_day: String,
}

/// Longest term name.
pub const MAX_TERM_NAME: usize = 100;

/// A `YYYY-MM-DD` day as (year, month, day), when it is one (a real calendar day, years
/// 2000–9999). Text compares in day order only in this exact form, which is why it is enforced.
pub fn parse_day(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|t| t.parse::<u32>().ok())
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((2000..=9999).contains(&y) && (1..=days).contains(&d)).then_some((y as i32, m, d))
}

/// Checks a term against the others (`id` is the term's own id when it is changed, so it is not
/// compared with itself): a name, real days, first ≤ last, and no day shared with another term.
pub fn check_term(
    term: &TermRequest,
    id: Option<i64>,
    others: &[SchoolTerm],
) -> Result<(), SettingProblem> {
    let name = term.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TERM_NAME {
        return Err(problem(
            "name",
            format!("A term needs a name of 1 to {MAX_TERM_NAME} characters."),
        ));
    }
    if parse_day(&term.first_day).is_none() || parse_day(&term.last_day).is_none() {
        return Err(problem(
            "days",
            "Give the first and last day as dates (YYYY-MM-DD).",
        ));
    }
    if term.first_day > term.last_day {
        return Err(problem("days", "The last day is before the first day."));
    }
    if let Some(o) = others
        .iter()
        .find(|o| Some(o.id) != id && o.first_day <= term.last_day && term.first_day <= o.last_day)
    {
        return Err(problem(
            "days",
            format!(
                "These days overlap {} ({} to {}). Terms may not overlap.",
                o.name, o.first_day, o.last_day
            ),
        ));
    }
    Ok(())
}

/// A course's credits as the settings page lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseCredits {
    /// The course.
    pub course_id: i64,
    /// Its name.
    pub name: String,
    /// Its own credits (`None`: the school's default).
    pub credits: Option<f64>,
}

/// `PUT /api/sis/courses/{id}/credits`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CreditsRequest {
    /// The course's credits (`None`: back to the school's default).
    pub credits: Option<f64>,
}

/// `PUT /api/sis/enrolments/{id}/honors`: a student's track in a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HonorsRequest {
    /// On the honours track (items `honors_required` count for them).
    pub honors: bool,
}

/// `GET /api/sis/settings`: the settings, terms and course credits, with whether the reader may
/// change them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolSettingsPage {
    /// The settings.
    pub settings: SchoolSettings,
    /// Terms, by first day.
    pub terms: Vec<SchoolTerm>,
    /// Every course with its credits.
    pub courses: Vec<CourseCredits>,
    /// Whether the reader may change them (admins, counsellors).
    pub can_manage: bool,
}

/// One change to the school settings, as the settings page's history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsChange {
    /// Row id.
    pub id: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who (a person id).
    pub actor_id: Option<i64>,
    /// What changed: `settings`, `term`, `credits` or `honors`.
    pub what: String,
    /// The new value, as JSON text.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scale_is_valid_and_reads_percents() {
        let s = SchoolSettings::default();
        assert_eq!(s.check(), Ok(()));
        let letter = |p: f64| s.band_for(p).map(|b| b.letter.clone());
        assert_eq!(letter(90.0).as_deref(), Some("A"));
        assert_eq!(letter(89.99).as_deref(), Some("B"));
        assert_eq!(letter(60.0).as_deref(), Some("D"));
        assert_eq!(letter(59.9).as_deref(), Some("F"));
        assert_eq!(letter(0.0).as_deref(), Some("F"));
        assert_eq!(letter(104.0).as_deref(), Some("A"));
        assert_eq!(s.band_of("C").map(|b| b.gpa_points), Some(2.0));
    }

    #[test]
    fn a_scale_must_fall_to_zero_with_distinct_letters() {
        let mut s = SchoolSettings::default();
        s.scale[1].min_percent = 95.0;
        assert_eq!(s.check().map_err(|p| p.field), Err("scale"));
        let mut s = SchoolSettings::default();
        s.scale.pop();
        assert!(s.check().is_err(), "no band at 0 %");
        let mut s = SchoolSettings::default();
        s.scale[1].letter = "A".into();
        assert!(s.check().is_err(), "A twice");
        let mut s = SchoolSettings::default();
        s.scale[0].gpa_points = f64::NAN;
        assert!(s.check().is_err());
        let s = SchoolSettings {
            default_credits: -1.0,
            ..SchoolSettings::default()
        };
        assert_eq!(s.check().map_err(|p| p.field), Err("default_credits"));
    }

    #[test]
    fn days_are_real_calendar_days() {
        assert_eq!(parse_day("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_day("2027-02-29"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("2026-1-01"), None);
        assert_eq!(parse_day("1999-12-31"), None);
    }

    #[test]
    fn terms_may_not_overlap() {
        let fall = SchoolTerm {
            id: 1,
            name: "Fall".into(),
            first_day: "2026-09-01".into(),
            last_day: "2027-01-15".into(),
        };
        let req = |a: &str, b: &str| TermRequest {
            name: "Spring".into(),
            first_day: a.into(),
            last_day: b.into(),
        };
        let others = [fall];
        assert_eq!(
            check_term(&req("2027-01-16", "2027-06-15"), None, &others),
            Ok(())
        );
        assert!(check_term(&req("2027-01-15", "2027-06-15"), None, &others).is_err());
        assert!(check_term(&req("2026-08-01", "2026-09-01"), None, &others).is_err());
        // A term changed is not compared with itself.
        assert_eq!(
            check_term(&req("2026-08-20", "2027-01-10"), Some(1), &others),
            Ok(())
        );
        assert!(check_term(&req("2027-02-01", "2027-01-31"), None, &[]).is_err());
    }
}
