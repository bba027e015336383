//! Decisions of the school settings page and of the reports the settings shape (issue 20): the
//! settings form read into [`SchoolSettings`] (the scale's rows, numbers, the checks shared with
//! the server), a term's form, a course's credits, how a grade, a GPA and credits are written,
//! a transcript's sections grouped by term, and the addresses of the reports as of a day (the
//! server reads the day in the school's time zone).

use schoolbridge_api::school::{
    LetterBand, SchoolSettings, TermRequest, TranscriptTotal, check_credits, check_scale, parse_day,
};
use schoolbridge_api::sis::{FinalGrade, Transcript, TranscriptEntry, TranscriptTerm};

use crate::model::sis::{report_csv_on, report_page_on};
use crate::model::sis_grades::{percent, points};

/// Why a settings form cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsProblem {
    /// A number field holds something else.
    BadNumber,
    /// No time zone.
    NoTimeZone,
    /// The scale's letters or minimums do not fall to 0.
    BadScale,
    /// A term's days are not dates, or the last is before the first.
    BadDays,
    /// A term without a name.
    NoName,
}

/// One editable row of the grading scale, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleRow {
    /// The letter.
    pub letter: String,
    /// Its minimum percent.
    pub min_percent: String,
    /// Its grade points.
    pub gpa_points: String,
}

/// The scale's rows for the form.
pub fn scale_rows(scale: &[LetterBand]) -> Vec<ScaleRow> {
    scale
        .iter()
        .map(|b| ScaleRow {
            letter: b.letter.clone(),
            min_percent: points(b.min_percent),
            gpa_points: points(b.gpa_points),
        })
        .collect()
}

/// A number as typed (`.` for decimals, spaces around allowed).
pub fn number(text: &str) -> Result<f64, SettingsProblem> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(SettingsProblem::BadNumber)
}

/// The scale the rows describe, checked as the server checks it.
pub fn scale_from_rows(rows: &[ScaleRow]) -> Result<Vec<LetterBand>, SettingsProblem> {
    let scale = rows
        .iter()
        .map(|r| {
            Ok(LetterBand {
                letter: r.letter.trim().to_owned(),
                min_percent: number(&r.min_percent)?,
                gpa_points: number(&r.gpa_points)?,
            })
        })
        .collect::<Result<Vec<_>, SettingsProblem>>()?;
    check_scale(&scale).map_err(|_| SettingsProblem::BadScale)?;
    Ok(scale)
}

/// The settings form's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsForm {
    /// School name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Time zone.
    pub time_zone: String,
    /// The scale's rows.
    pub scale: Vec<ScaleRow>,
    /// Extra credit above 100 %.
    pub allow_over_100: bool,
    /// Moodle's course total counts on the transcript.
    pub moodle_total: bool,
    /// Default credits.
    pub default_credits: String,
}

impl SettingsForm {
    /// The form filled from the stored settings.
    pub fn of(s: &SchoolSettings) -> Self {
        SettingsForm {
            name: s.name.clone(),
            address: s.address.clone(),
            time_zone: s.time_zone.clone(),
            scale: scale_rows(&s.scale),
            allow_over_100: s.allow_over_100,
            moodle_total: s.transcript_total == TranscriptTotal::Moodle,
            default_credits: points(s.default_credits),
        }
    }

    /// The settings to send, or the form's first problem.
    pub fn settings(&self) -> Result<SchoolSettings, SettingsProblem> {
        if self.time_zone.trim().is_empty() {
            return Err(SettingsProblem::NoTimeZone);
        }
        let default_credits = number(&self.default_credits)?;
        check_credits(default_credits).map_err(|_| SettingsProblem::BadNumber)?;
        Ok(SchoolSettings {
            name: self.name.trim().to_owned(),
            address: self.address.clone(),
            time_zone: self.time_zone.trim().to_owned(),
            scale: scale_from_rows(&self.scale)?,
            allow_over_100: self.allow_over_100,
            transcript_total: if self.moodle_total {
                TranscriptTotal::Moodle
            } else {
                TranscriptTotal::Schoolbridge
            },
            default_credits,
        })
    }
}

/// A new term from its form.
pub fn term_request(name: &str, first: &str, last: &str) -> Result<TermRequest, SettingsProblem> {
    if name.trim().is_empty() {
        return Err(SettingsProblem::NoName);
    }
    let (first, last) = (first.trim(), last.trim());
    if parse_day(first).is_none() || parse_day(last).is_none() || first > last {
        return Err(SettingsProblem::BadDays);
    }
    Ok(TermRequest {
        name: name.trim().to_owned(),
        first_day: first.to_owned(),
        last_day: last.to_owned(),
    })
}

/// A course's credits as typed: empty is the school's default.
pub fn credits(text: &str) -> Result<Option<f64>, SettingsProblem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let c = number(text)?;
    check_credits(c).map_err(|_| SettingsProblem::BadNumber)?;
    Ok(Some(c))
}

/// A grade as a report writes it: `B+ (88.0 %)`, or `W` for a withdrawal.
pub fn grade_text(g: &FinalGrade) -> String {
    match g.percent {
        Some(p) => format!("{} ({})", g.letter, percent(Some(p))),
        None => g.letter.clone(),
    }
}

/// A grade point average, two decimals (`—` when there is none).
pub fn gpa_text(gpa: Option<f64>) -> String {
    gpa.map_or_else(|| "—".to_owned(), |g| format!("{g:.2}"))
}

/// A transcript's sections grouped by its terms, in the transcript's order.
pub fn by_term(t: &Transcript) -> Vec<(&TranscriptTerm, Vec<&TranscriptEntry>)> {
    t.terms
        .iter()
        .map(|term| {
            (
                term,
                t.entries
                    .iter()
                    .filter(|e| e.term_id == term.term_id)
                    .collect(),
            )
        })
        .collect()
}

/// The console path of a section's progress report for a day.
pub fn section_progress_path(section_id: i64, day: &str) -> String {
    report_page_on(&format!("/sis/sections/{section_id}/progress"), day)
}

/// The CSV download of a section's progress report for a day.
pub fn section_progress_csv(section_id: i64, day: &str) -> String {
    report_csv_on(&format!("/api/sis/sections/{section_id}/progress.csv"), day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::{CreditSummary, PersonRef, SchoolHeader};

    #[test]
    fn the_form_reads_back_the_settings_it_was_filled_with() {
        let s = SchoolSettings::default();
        let form = SettingsForm::of(&s);
        assert_eq!(form.scale[1].min_percent, "80");
        assert_eq!(form.settings(), Ok(s));
    }

    #[test]
    fn the_forms_problems() {
        let mut form = SettingsForm::of(&SchoolSettings::default());
        form.scale[2].min_percent = "eighty".into();
        assert_eq!(form.settings(), Err(SettingsProblem::BadNumber));
        form.scale[2].min_percent = "85".into();
        assert_eq!(form.settings(), Err(SettingsProblem::BadScale));
        form.scale[2].min_percent = "70".into();
        form.time_zone = " ".into();
        assert_eq!(form.settings(), Err(SettingsProblem::NoTimeZone));
        form.time_zone = "America/New_York".into();
        form.moodle_total = true;
        form.default_credits = "0.5".into();
        let s = form.settings().expect("valid");
        assert_eq!(s.transcript_total, TranscriptTotal::Moodle);
        assert_eq!(s.default_credits, 0.5);
    }

    #[test]
    fn a_term_needs_a_name_and_days_in_order() {
        assert_eq!(
            term_request(" Fall ", "2026-09-01", "2027-01-15").map(|t| t.name),
            Ok("Fall".to_owned())
        );
        assert_eq!(
            term_request("", "2026-09-01", "2027-01-15"),
            Err(SettingsProblem::NoName)
        );
        assert_eq!(
            term_request("Fall", "2027-01-15", "2026-09-01"),
            Err(SettingsProblem::BadDays)
        );
        assert_eq!(
            term_request("Fall", "2026-9-1", "2027-01-15"),
            Err(SettingsProblem::BadDays)
        );
    }

    #[test]
    fn credits_grades_and_gpa_in_words() {
        assert_eq!(credits(""), Ok(None));
        assert_eq!(credits("2.5"), Ok(Some(2.5)));
        assert_eq!(credits("-1"), Err(SettingsProblem::BadNumber));
        let g = FinalGrade {
            letter: "B+".into(),
            percent: Some(88.04),
            counted: TranscriptTotal::Moodle,
            gpa_points: Some(3.3),
        };
        assert_eq!(grade_text(&g), "B+ (88.0 %)");
        let w = FinalGrade {
            letter: "W".into(),
            percent: None,
            counted: TranscriptTotal::Schoolbridge,
            gpa_points: None,
        };
        assert_eq!(grade_text(&w), "W");
        assert_eq!(gpa_text(Some(1.1)), "1.10");
        assert_eq!(gpa_text(None), "—");
        assert_eq!(
            section_progress_csv(4, "2026-10-05"),
            "/api/sis/sections/4/progress.csv?day=2026-10-05"
        );
        assert_eq!(
            section_progress_path(4, "2026-10-05"),
            "/sis/sections/4/progress?date=2026-10-05"
        );
    }

    #[test]
    fn a_transcript_is_grouped_by_its_terms() {
        let term = |id: Option<i64>, name: &str| TranscriptTerm {
            term_id: id,
            name: name.into(),
            first_day: None,
            last_day: None,
            summary: CreditSummary::default(),
        };
        let t = Transcript {
            person: PersonRef {
                id: 1,
                idnumber: None,
                firstname: "Sam".into(),
                lastname: "Moodle".into(),
            },
            entries: Vec::new(),
            school: SchoolHeader::default(),
            printed_on: String::new(),
            terms: vec![term(Some(2), "Summer"), term(None, "No term")],
            cumulative: CreditSummary::default(),
        };
        let groups = by_term(&t);
        assert_eq!(
            groups
                .iter()
                .map(|(t, _)| t.name.as_str())
                .collect::<Vec<_>>(),
            ["Summer", "No term"]
        );
    }
}
