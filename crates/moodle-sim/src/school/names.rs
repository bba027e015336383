//! Built-in name lists for the generated school: people, courses and grade items. Small, fixed
//! and mixed (a few accented names, an apostrophe) so that UTF-8 and escaping get exercised while
//! usernames stay the plain ASCII a default Moodle allows.

/// Given names.
pub const FIRST_NAMES: &[&str] = &[
    "Maya",
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "Mateo",
    "Ava",
    "Lucas",
    "Sofia",
    "Ethan",
    "Amara",
    "Kenji",
    "Chloé",
    "Diego",
    "Hannah",
    "Omar",
    "Isla",
    "Tariq",
    "Zoë",
    "Samuel",
    "Priya",
    "Jonah",
    "Leila",
    "Marcus",
    "Ingrid",
    "José",
    "Aaliyah",
    "Caleb",
    "Mei",
    "Rafael",
    "Fatima",
    "Elijah",
    "Nora",
    "Andrés",
    "Grace",
    "Kwame",
    "Ruby",
    "Felix",
    "Yara",
    "Theo",
    "Anya",
    "Malik",
    "Clara",
    "Henrik",
    "Lucía",
    "Owen",
    "Sana",
    "Jack",
    "Imani",
    "Leo",
    "Freya",
    "Arjun",
    "Nia",
    "Hugo",
    "Eva",
    "Dmitri",
    "Aisha",
    "Ben",
    "Léa",
    "Sebastián",
];

/// Family names.
pub const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Smith",
    "García",
    "Nguyễn",
    "Müller",
    "Johnson",
    "Kowalski",
    "Patel",
    "O'Brien",
    "Tanaka",
    "Hernández",
    "Williams",
    "Rossi",
    "Brown",
    "Kim",
    "Silva",
    "Jones",
    "Andersson",
    "Martin",
    "Haddad",
    "Taylor",
    "Novak",
    "Clarke",
    "Mensah",
    "López",
    "Wilson",
    "Dubois",
    "Chen",
    "Moore",
    "Ivanova",
    "Walker",
    "Fischer",
    "Santos",
    "Hughes",
    "Yilmaz",
    "Baker",
    "Nakamura",
    "Reyes",
    "Wright",
    "Popescu",
    "Evans",
    "Jensen",
    "Scott",
    "Costa",
    "Murphy",
    "Schmidt",
    "Ali",
    "Campbell",
    "Núñez",
    "Cohen",
    "Turner",
    "Lindqvist",
    "Adeyemi",
    "Bennett",
    "Moreau",
    "Gupta",
    "Fernández",
    "Kelly",
    "Svoboda",
    "Park",
];

/// A course of the catalogue: its name and the kind of work it grades.
#[derive(Debug, Clone, Copy)]
pub struct CourseKind {
    /// E.g. "Algebra 1".
    pub name: &'static str,
    /// Whether it has lab work ("Lab 3: Density").
    pub labs: bool,
    /// Whether it grades essays.
    pub essays: bool,
}

const fn course(name: &'static str, labs: bool, essays: bool) -> CourseKind {
    CourseKind { name, labs, essays }
}

/// The course catalogue a section's name is drawn from.
pub const COURSES: &[CourseKind] = &[
    course("Algebra 1", false, false),
    course("Geometry", false, false),
    course("Algebra 2", false, false),
    course("Pre-Calculus", false, false),
    course("Biology", true, false),
    course("Chemistry", true, false),
    course("Physics", true, false),
    course("Earth Science", true, false),
    course("English 9", false, true),
    course("English 10", false, true),
    course("American Literature", false, true),
    course("World History", false, true),
    course("U.S. History", false, true),
    course("Government & Economics", false, true),
    course("Spanish 1", false, false),
    course("Spanish 2", false, false),
    course("French 1", false, false),
    course("Studio Art", false, false),
    course("Music Theory", false, false),
    course("Computer Science", true, false),
    course("Health", false, false),
    course("Physical Education", false, false),
];

/// Lab topics, cycled through.
pub const LAB_TOPICS: &[&str] = &[
    "Density",
    "Titration",
    "Pendulum",
    "Cell Observation",
    "Rock Cycle",
    "Circuits",
    "Enzymes",
    "Projectile Motion",
];

/// Topics of extra-credit work.
pub const EXTRA_CREDIT_TOPICS: &[&str] = &["Museum Visit", "Science Fair", "Book Review", "Poster"];

/// The ASCII form of a name part for a username, as an administrator would type it:
/// lowercase, accents dropped, anything else that is not a letter or digit removed.
pub fn username_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ễ' | 'ế' | 'ệ' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ñ' => "n",
            'ç' => "c",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_plain_ascii() {
        assert_eq!(username_part("Nguyễn"), "nguyen");
        assert_eq!(username_part("O'Brien"), "obrien");
        assert_eq!(username_part("Núñez"), "nunez");
        assert_eq!(username_part("Zoë"), "zoe");
        for name in FIRST_NAMES.iter().chain(LAST_NAMES) {
            let u = username_part(name);
            assert!(!u.is_empty(), "{name}");
            assert!(
                u.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{name}"
            );
        }
    }
}
