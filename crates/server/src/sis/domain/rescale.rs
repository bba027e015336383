//! The rescale question (design 026 §6, `docs/design/028-gradebook-entry.md`): when a Moodle item
//! takes over a manual item of the same name (scenario 6) and its maximum differs, the manual
//! grades were given out of the old maximum. The teacher decides: keep the points as they are,
//! or rescale each to the new maximum (points × new ÷ old). Until then the item remembers the
//! old maximum and the gradebook shows both.

/// Whether linking asks the question: the maxima differ and the item already has manual grades
/// (with none there is nothing to rescale). Returns the old maximum to remember.
pub fn question_on_link(old_max: f64, new_max: f64, has_manual_grades: bool) -> Option<f64> {
    (has_manual_grades && old_max != new_max).then_some(old_max)
}

/// A manual grade's points on the new maximum, to two decimals (what the console shows and the
/// CSV exports carry). `None` when the old maximum is 0: there is no ratio to apply.
pub fn rescaled(points: f64, old_max: f64, new_max: f64) -> Option<f64> {
    if old_max <= 0.0 || !old_max.is_finite() || !new_max.is_finite() {
        return None;
    }
    Some((points * new_max / old_max * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_changed_maximum_with_grades_asks() {
        assert_eq!(question_on_link(20.0, 50.0, true), Some(20.0));
        assert_eq!(question_on_link(20.0, 50.0, false), None);
        assert_eq!(question_on_link(20.0, 20.0, true), None);
    }

    #[test]
    fn points_follow_the_ratio_of_the_maxima() {
        assert_eq!(rescaled(15.0, 20.0, 50.0), Some(37.5));
        assert_eq!(rescaled(7.0, 30.0, 100.0), Some(23.33));
        assert_eq!(rescaled(18.0, 20.0, 10.0), Some(9.0));
        assert_eq!(rescaled(0.0, 20.0, 50.0), Some(0.0));
        assert_eq!(rescaled(5.0, 0.0, 50.0), None);
    }
}
