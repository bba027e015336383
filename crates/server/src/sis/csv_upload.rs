//! Reading a spreadsheet (CSV) upload, for every kind the console takes (grade items,
//! `csv_items`; grades, `grade_import`): a UTF-8 byte-order mark (as Excel writes) is ignored, the
//! first line must name the columns (any order, any case, spaces or dashes for underscores),
//! fully blank lines are skipped, at most [`MAX_BATCH`] lines are read, and every record keeps the
//! 1-based line it starts on, so a preview can name it.

use crate::sis::domain::limits::MAX_BATCH;

/// How an upload's messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upload {
    /// The columns the first line must name, for the "empty file" message.
    pub columns: &'static str,
    /// What one line holds, plural ("items", "grades").
    pub lines: &'static str,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// There is no header row; the columns it must name.
    #[error("the file is empty: the first line must name the columns ({0})")]
    Empty(&'static str),
    /// A required column is not in the header.
    #[error("the header has no {0:?} column")]
    MissingColumn(&'static str),
    /// More lines than one upload may hold.
    #[error("the file has more than {max} {lines}")]
    TooManyLines {
        /// The most an upload may hold.
        max: usize,
        /// What one line holds, plural.
        lines: &'static str,
    },
    /// The CSV is malformed.
    #[error("line {line}: {message}")]
    Unreadable {
        /// Line number.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
}

/// An upload read: its header and its non-blank records with their line numbers.
#[derive(Debug)]
pub struct Sheet {
    /// The first line.
    pub header: csv::StringRecord,
    /// Every non-blank record after it, with the 1-based line it starts on.
    pub records: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    /// Reads `text` as an `upload`.
    pub fn read(text: &str, upload: Upload) -> Result<Sheet, CsvError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| CsvError::Unreadable {
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(CsvError::Empty(upload.columns));
        }
        let line = |p: Option<&csv::Position>| p.map_or(0, |p| line_of(text, p.byte()));
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| CsvError::Unreadable {
                line: line(e.position()),
                message: e.to_string(),
            })?;
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if records.len() >= MAX_BATCH {
                return Err(CsvError::TooManyLines {
                    max: MAX_BATCH,
                    lines: upload.lines,
                });
            }
            records.push((line(record.position()), record));
        }
        Ok(Sheet { header, records })
    }

    /// The first column whose header is one of `names` (lower case, `_` for spaces and dashes).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase().replace([' ', '-'], "_");
            names.contains(&h.as_str())
        })
    }

    /// [`Sheet::column`], required: its absence is [`CsvError::MissingColumn`] `name`.
    pub fn required(&self, name: &'static str, names: &[&str]) -> Result<usize, CsvError> {
        self.column(names).ok_or(CsvError::MissingColumn(name))
    }
}

/// A record's cell in `column` (absent column or cell: empty), trimmed.
pub fn cell(record: &csv::StringRecord, column: Option<usize>) -> &str {
    column.and_then(|c| record.get(c)).unwrap_or("").trim()
}

/// The 1-based line where a record starts. The CSV reader's own line count and offset do not
/// count the blank lines it skipped before the record, so skip them here too.
fn line_of(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while end < bytes.len() && (bytes[end] == b'\n' || bytes[end] == b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEMS: Upload = Upload {
        columns: "name, points",
        lines: "items",
    };

    #[test]
    fn lines_count_the_blank_ones_skipped_and_a_bom_is_ignored() {
        let sheet =
            Sheet::read("\u{feff}Name,Max Points\n\nLab,3\r\n\r\n,\nQuiz,4\n", ITEMS).unwrap();
        assert_eq!(sheet.column(&["max_points"]), Some(1));
        assert_eq!(sheet.required("name", &["name"]), Ok(0));
        assert_eq!(
            sheet.required("chapter", &["chapter"]),
            Err(CsvError::MissingColumn("chapter"))
        );
        let lines: Vec<(u64, &str)> = sheet
            .records
            .iter()
            .map(|(l, r)| (*l, cell(r, Some(0))))
            .collect();
        assert_eq!(lines, [(3, "Lab"), (6, "Quiz")]);
    }

    #[test]
    fn an_empty_file_names_its_columns_and_too_many_lines_its_kind() {
        assert_eq!(
            Sheet::read("", ITEMS).unwrap_err().to_string(),
            "the file is empty: the first line must name the columns (name, points)"
        );
        let long = format!("name\n{}", "x\n".repeat(MAX_BATCH + 1));
        assert_eq!(
            Sheet::read(&long, ITEMS).unwrap_err().to_string(),
            format!("the file has more than {MAX_BATCH} items")
        );
    }
}
