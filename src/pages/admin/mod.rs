//! Network administration (issue 6): peers, the test client, the site key, people and the MNet
//! activity log — one page per file (listed in `pages::PAGES`), and the test client's views of
//! an exchange (`call_view`), which the activity entry page shares.

pub mod activity;
pub mod activity_entry;
pub mod add_peer;
pub mod call_view;
pub mod peer;
pub mod peers;
pub mod people;
pub mod site_key;
pub mod test_client;
