//! The console's pages, one module per page or area. Every page shows a loading, an empty and
//! an error state, and carries `data-testid`s for the browser tests. Areas (`admin`, and `sis`
//! for the SIS pages) export their routes as a transparent component and their navigation as
//! `NAV`; `crate::app` and `crate::nav` list them.

pub mod admin;
mod home;
mod not_found;
mod setup;
mod sign_in;
pub mod sis;

pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use setup::SetupPage;
pub use sign_in::SignInPage;
