//! The spreadsheet (CSV) upload of manual grade items (`docs/product.md` §4, scenario 5):
//! a header row naming the columns, then one item per line. Lines that cannot be read are kept
//! as rejections with their line number and reason, so the preview
//! (`Store::preview_manual_assessments`) can show created / matched-by-name / rejected per line.
//!
//! Columns (any order, any case): `name` (or `title`, `item`), `points` (or `pointval`, `max`,
//! `max_points`), and optionally `chapter`, `extra_credit`, `honors_required`,
//! `nonhonors_required`. Numbers use "." as the decimal separator; booleans are 1/0, true/false
//! or yes/no (empty = default). The file is read as every upload is (`csv_upload`).

use crate::sis::csv_upload::{CsvError, Sheet, Upload, cell};
use crate::store::sis_assessments::{AssessmentLine, NewManualAssessment};

/// The downloadable template: every column, with two example lines.
pub const TEMPLATE: &str = "name,points,chapter,extra_credit,honors_required,nonhonors_required\nLab 1: Density,20,1,no,yes,yes\nBonus puzzle,5,1,yes,no,no\n";

/// How its messages name this upload.
const UPLOAD: Upload = Upload {
    columns: "name, points, …",
    lines: "items",
};

struct Columns {
    name: usize,
    points: usize,
    chapter: Option<usize>,
    extra_credit: Option<usize>,
    honors_required: Option<usize>,
    nonhonors_required: Option<usize>,
}

fn columns(sheet: &Sheet) -> Result<Columns, CsvError> {
    Ok(Columns {
        name: sheet.required("name", &["name", "title", "item"])?,
        points: sheet.required("points", &["points", "pointval", "max", "max_points"])?,
        chapter: sheet.column(&["chapter", "chapternum"]),
        extra_credit: sheet.column(&["extra_credit"]),
        honors_required: sheet.column(&["honors_required", "honours_required"]),
        nonhonors_required: sheet.column(&["nonhonors_required", "nonhonours_required"]),
    })
}

fn flag(
    record: &csv::StringRecord,
    column: Option<usize>,
    name: &str,
    default: bool,
) -> Result<bool, String> {
    match cell(record, column).to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "1" | "true" | "yes" | "y" => Ok(true),
        "0" | "false" | "no" | "n" => Ok(false),
        other => Err(format!("{name} {other:?} is not yes/no")),
    }
}

fn item(record: &csv::StringRecord, c: &Columns) -> Result<NewManualAssessment, String> {
    let name = cell(record, Some(c.name));
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let points_text = cell(record, Some(c.points));
    let pointval = points_text
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite())
        .ok_or_else(|| format!("points {points_text:?} is not a number"))?;
    let chapter_text = cell(record, c.chapter);
    let chapter = if chapter_text.is_empty() {
        0
    } else {
        chapter_text
            .parse::<i64>()
            .map_err(|_| format!("chapter {chapter_text:?} is not a whole number"))?
    };
    Ok(NewManualAssessment {
        name: name.to_owned(),
        pointval,
        chapter,
        extra_credit: flag(record, c.extra_credit, "extra_credit", false)?,
        honors_required: flag(record, c.honors_required, "honors_required", false)?,
        nonhonors_required: flag(record, c.nonhonors_required, "nonhonors_required", true)?,
    })
}

/// Reads an upload into lines for the store's batch functions.
pub fn parse_assessment_csv(text: &str) -> Result<Vec<AssessmentLine>, CsvError> {
    let sheet = Sheet::read(text, UPLOAD)?;
    let cols = columns(&sheet)?;
    Ok(sheet
        .records
        .iter()
        .map(|(line, record)| AssessmentLine {
            line: *line,
            item: item(record, &cols),
            name: Some(cell(record, Some(cols.name)))
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_and_keeps_bad_lines_as_rejections() {
        let text = "\u{feff}Points,Name,Extra Credit\n10,Lab 1,\n,Lab 2,\nabc,Lab 3,no\n12.5,Lab 4,yes\n\n5,,\n";
        let lines = parse_assessment_csv(text).unwrap();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0].line, 2);
        let lab1 = lines[0].item.as_ref().unwrap();
        assert_eq!(
            (lab1.name.as_str(), lab1.pointval, lab1.extra_credit),
            ("Lab 1", 10.0, false)
        );
        assert!(lines[1].item.as_ref().unwrap_err().contains("not a number"));
        assert!(lines[2].item.as_ref().unwrap_err().contains("\"abc\""));
        // A rejected line keeps its name, so the preview can say which item it was.
        assert_eq!(lines[2].name.as_deref(), Some("Lab 3"));
        assert_eq!(lines[4].name, None);
        let lab4 = lines[3].item.as_ref().unwrap();
        assert!(lab4.extra_credit && lab4.nonhonors_required && !lab4.honors_required);
        assert_eq!(lines[4].line, 7);
        assert_eq!(lines[4].item, Err("the name is empty".into()));
    }

    #[test]
    fn refuses_files_without_the_required_columns() {
        assert_eq!(
            parse_assessment_csv(""),
            Err(CsvError::Empty("name, points, …"))
        );
        assert_eq!(
            parse_assessment_csv("title,chapter\nLab,1\n").unwrap_err(),
            CsvError::MissingColumn("points")
        );
        assert_eq!(
            parse_assessment_csv("points\n1\n").unwrap_err(),
            CsvError::MissingColumn("name")
        );
    }
}
