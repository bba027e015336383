//! Form checks the console makes before sending anything: the same rules the server applies
//! (it checks again), said next to the field a person has to fix.

use schoolbridge_api::{LoginRequest, NewPersonRequest, SetupRequest, rules};

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Left empty.
    Required,
    /// A sign-in name Moodle could not take (characters beyond `a-z 0-9 . _ - @`), or too long.
    BadUsername,
    /// Shorter than [`rules::MIN_PASSWORD`].
    ShortPassword,
    /// The two passwords differ.
    PasswordsDiffer,
    /// Not an e-mail address.
    BadEmail,
}

/// Which field has a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Sign-in name.
    Username,
    /// Password.
    Password,
    /// Password, again.
    Confirm,
    /// Given name.
    Firstname,
    /// Family name.
    Lastname,
    /// E-mail.
    Email,
    /// The set-up token.
    Token,
}

/// Every problem found, by field, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<(Field, Problem)>);

impl Problems {
    /// The problem with `field`, if any.
    pub fn of(&self, field: Field) -> Option<Problem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }

    /// No problems.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn check(&mut self, field: Field, problem: Option<Problem>) {
        if let Some(problem) = problem {
            self.0.push((field, problem));
        }
    }

    /// A new account's names: its sign-in name, given name and family name.
    fn check_names(&mut self, username_text: &str, firstname: &str, lastname: &str) {
        self.check(Field::Username, username(username_text));
        self.check(Field::Firstname, required(firstname));
        self.check(Field::Lastname, required(lastname));
    }

    /// These problems, or the request `build` makes when there are none.
    fn or_request<T>(self, build: impl FnOnce() -> T) -> Result<T, Problems> {
        if self.is_empty() {
            Ok(build())
        } else {
            Err(self)
        }
    }
}

fn required(text: &str) -> Option<Problem> {
    text.trim().is_empty().then_some(Problem::Required)
}

fn username(text: &str) -> Option<Problem> {
    let name = rules::normalise_username(text);
    if name.is_empty() {
        Some(Problem::Required)
    } else if !rules::username_is_valid(&name) {
        Some(Problem::BadUsername)
    } else {
        None
    }
}

fn password(text: &str) -> Option<Problem> {
    if text.is_empty() {
        Some(Problem::Required)
    } else if !rules::password_is_long_enough(text) {
        Some(Problem::ShortPassword)
    } else {
        None
    }
}

fn email(text: &str) -> Option<Problem> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let ok = text
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        && !text.contains(char::is_whitespace);
    (!ok).then_some(Problem::BadEmail)
}

/// The sign-in form.
pub fn sign_in(username_text: &str, password_text: &str) -> Result<LoginRequest, Problems> {
    let mut problems = Problems::default();
    problems.check(Field::Username, required(username_text));
    problems.check(Field::Password, required(password_text));
    problems.or_request(|| LoginRequest {
        username: username_text.trim().to_owned(),
        password: password_text.to_owned(),
    })
}

/// The first administrator's form (`/setup`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupForm {
    /// From the link.
    pub token: String,
    /// Sign-in name.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// Password.
    pub password: String,
    /// Password, again.
    pub confirm: String,
}

impl SetupForm {
    /// Checks the form and builds the request.
    pub fn validate(&self) -> Result<SetupRequest, Problems> {
        let mut problems = Problems::default();
        problems.check(Field::Token, required(&self.token));
        problems.check_names(&self.username, &self.firstname, &self.lastname);
        problems.check(Field::Password, password(&self.password));
        if self.password != self.confirm {
            problems.check(Field::Confirm, Some(Problem::PasswordsDiffer));
        }
        problems.or_request(|| SetupRequest {
            token: self.token.trim().to_owned(),
            username: self.username.trim().to_owned(),
            password: self.password.clone(),
            firstname: self.firstname.trim().to_owned(),
            lastname: self.lastname.trim().to_owned(),
        })
    }
}

/// "Create a local account" on the People page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPersonForm {
    /// Sign-in name.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail (optional).
    pub email: String,
    /// Initial password.
    pub password: String,
    /// Roles ticked.
    pub roles: Vec<String>,
}

impl NewPersonForm {
    /// Checks the form and builds the request.
    pub fn validate(&self) -> Result<NewPersonRequest, Problems> {
        let mut problems = Problems::default();
        problems.check_names(&self.username, &self.firstname, &self.lastname);
        problems.check(Field::Email, email(&self.email));
        problems.check(Field::Password, password(&self.password));
        let email = self.email.trim();
        problems.or_request(|| NewPersonRequest {
            username: self.username.trim().to_owned(),
            firstname: self.firstname.trim().to_owned(),
            lastname: self.lastname.trim().to_owned(),
            email: (!email.is_empty()).then(|| email.to_owned()),
            password: self.password.clone(),
            roles: self.roles.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_needs_both_fields() {
        let problems = sign_in(" ", "").unwrap_err();
        assert_eq!(problems.of(Field::Username), Some(Problem::Required));
        assert_eq!(problems.of(Field::Password), Some(Problem::Required));
        let ok = sign_in(" admin ", " secret ").unwrap();
        assert_eq!(ok.username, "admin");
        assert_eq!(ok.password, " secret ", "passwords are sent as typed");
    }

    #[test]
    fn setup_checks_every_field() {
        let form = SetupForm {
            token: "t".into(),
            username: "head teacher".into(),
            firstname: "".into(),
            lastname: "Lovejoy".into(),
            password: "short".into(),
            confirm: "shorter".into(),
        };
        let problems = form.validate().unwrap_err();
        assert_eq!(problems.of(Field::Username), Some(Problem::BadUsername));
        assert_eq!(problems.of(Field::Firstname), Some(Problem::Required));
        assert_eq!(problems.of(Field::Password), Some(Problem::ShortPassword));
        assert_eq!(problems.of(Field::Confirm), Some(Problem::PasswordsDiffer));
        assert_eq!(problems.of(Field::Lastname), None);
        // Moodle could not create o'brien when they roam there: refused here already.
        let apostrophe = SetupForm {
            username: "o'brien".into(),
            ..form.clone()
        };
        assert_eq!(
            apostrophe.validate().unwrap_err().of(Field::Username),
            Some(Problem::BadUsername)
        );
        let good = SetupForm {
            token: " tok ".into(),
            username: "skinner".into(),
            firstname: "Seymour".into(),
            lastname: "Skinner".into(),
            password: "correct horse".into(),
            confirm: "correct horse".into(),
        };
        let request = good.validate().unwrap();
        assert_eq!(request.token, "tok");
        assert_eq!(request.username, "skinner");
    }

    #[test]
    fn new_person_email_is_optional_but_checked() {
        let mut form = NewPersonForm {
            username: "edna".into(),
            firstname: "Edna".into(),
            lastname: "Krabappel".into(),
            email: "".into(),
            password: "0123456789".into(),
            roles: vec!["teacher".into()],
        };
        assert_eq!(form.validate().unwrap().email, None);
        form.email = "edna@".into();
        assert_eq!(
            form.validate().unwrap_err().of(Field::Email),
            Some(Problem::BadEmail)
        );
        form.email = " edna@school.example ".into();
        assert_eq!(
            form.validate().unwrap().email.as_deref(),
            Some("edna@school.example")
        );
    }
}
