//! The coursework of one section: which grade items a teacher of that subject sets, in order
//! (homework, quizzes, labs or essays, unit tests, a midterm and a final, sometimes extra
//! credit), with their point values; and how a score becomes points.

use super::Points;
use super::names::{CourseKind, EXTRA_CREDIT_TOPICS, LAB_TOPICS};
use super::rng::SimRng;
use std::collections::HashMap;

/// A fraction of the maximum, rounded to half points.
pub(super) fn score(max: Points, fraction: f64) -> Points {
    let halves = (f64::from(max.as_hundredths()) * fraction.clamp(0.0, 1.0) / 50.0).round();
    Points::hundredths((halves as u32) * 50)
}

pub(super) struct PlannedItem {
    pub(super) name: String,
    pub(super) points: Points,
    pub(super) extra_credit: bool,
    pub(super) retakes: bool,
}

/// The grade items of one section, in the order they are set: exactly `count` of them.
pub(super) fn item_plan(kind: CourseKind, count: u32, rng: &mut SimRng) -> Vec<PlannedItem> {
    let mut counters: HashMap<&'static str, u32> = HashMap::new();
    let mut next = |key: &'static str| {
        let n = counters.entry(key).or_insert(0);
        *n += 1;
        *n
    };
    let cycle: &[&str] = match (kind.labs, kind.essays) {
        (true, _) => &["homework", "quiz", "lab", "homework", "lab", "test"],
        (_, true) => &["homework", "essay", "quiz", "homework", "test"],
        _ => &["homework", "quiz", "homework", "quiz", "test"],
    };
    let extra_at = (count >= 3 && rng.chance(0.08)).then_some(1);
    let lab_offset = rng.below(LAB_TOPICS.len() as u64) as usize;
    let mut items = Vec::with_capacity(count as usize);
    for i in 0..count {
        let item = if Some(i) == extra_at {
            let topic = rng.pick(EXTRA_CREDIT_TOPICS).copied().unwrap_or("Project");
            planned(format!("Extra Credit: {topic}"), 10, true, false)
        } else if count >= 6 && i == count - 1 {
            planned("Final Exam".to_owned(), 150, false, false)
        } else if count >= 4 && i == count / 2 {
            planned("Midterm Exam".to_owned(), 100, false, false)
        } else {
            match cycle[i as usize % cycle.len()] {
                "quiz" => planned(format!("Quiz {}", next("quiz")), 20, false, true),
                "lab" => {
                    let n = next("lab");
                    let topic = LAB_TOPICS[(lab_offset + n as usize - 1) % LAB_TOPICS.len()];
                    planned(format!("Lab {n}: {topic}"), 25, false, false)
                }
                "essay" => planned(format!("Essay {}", next("essay")), 50, false, false),
                "test" => planned(format!("Unit {} Test", next("test")), 100, false, false),
                _ => planned(format!("Homework {}", next("homework")), 10, false, false),
            }
        };
        items.push(item);
    }
    items
}

fn planned(name: String, points: u32, extra_credit: bool, retakes: bool) -> PlannedItem {
    PlannedItem {
        name,
        points: Points::whole(points),
        extra_credit,
        retakes,
    }
}
