//! `/people`: search people (local accounts and people from peers), see where they come from and
//! their roles (given here, or learnt from the enrolments Moodle sends); administrators also
//! grant or withdraw login rights one by one or in bulk — everyone from a Moodle at once only
//! after saying yes to what it will do — edit roles and create local accounts. Counsellors read
//! only.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::{LoginRightsRequest, PeerSummary, PersonSummary};

use crate::api;
use crate::i18n::{admin, strings};
use crate::model::forms::{Field, NewPersonForm, Problems};
use crate::model::peers::peer_choices;
use crate::model::people::{
    self, PeopleFilter, for_peer, for_selection, full_name, toggle, with_role,
};
use crate::session::use_session;
use crate::ui::{
    self, AccountNameFields, Badge, ConfirmButton, DoneSlot, Empty, ErrorSlot, NewPasswordField,
    Page, Section, SelectField, SubmitButton, TableFrame, TextField, Tone,
};
use schoolbridge_api::roles::{Right, Role};

/// `/people`.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let a = admin();
    let is_admin = use_session().with(|state| state.may(Right::ManageAccounts));
    let filter = RwSignal::new(PeopleFilter::default());
    let selection = RwSignal::new(Vec::<i64>::new());
    let again = ui::Reload::new();
    let notice = RwSignal::new(None::<String>);
    let list = ui::load_each(
        move || {
            again.track();
            filter.with(PeopleFilter::query)
        },
        api::admin::people,
    );
    let reload = move || again.now();
    // Peers for the filter and the bulk actions (administrators only: the list is theirs).
    let all_peers = RwSignal::new(None);
    if is_admin {
        all_peers.set(Some(ui::load(api::admin::peers)));
    }
    let peers = Signal::derive(move || {
        all_peers
            .get()
            .and_then(|loaded: ui::Loaded<Vec<PeerSummary>>| loaded.get())
            .and_then(Result::ok)
            .map(|all| all.into_iter().filter(|p| !p.deleted).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    view! {
        <Page testid="people" heading_id="people-heading" heading=a.people_heading>
            <p class="lead">{if is_admin { a.people_intro_admin } else { a.people_intro_reader }}</p>
            <SearchForm filter peers />
            <DoneSlot done=notice testid="people-notice" />
            {is_admin.then(|| view! { <BulkActions selection peers reload notice /> })}
            {ui::loaded(list, move |found| if found.is_empty() {
                view! { <Empty text=a.people_empty testid="people-empty" /> }.into_any()
            } else {
                view! { <PeopleTable people=found is_admin selection reload notice /> }.into_any()
            })}
            <Pager filter list />
            {is_admin.then(|| view! { <NewPerson reload notice /> })}
        </Page>
    }
}

#[component]
fn SearchForm(filter: RwSignal<PeopleFilter>, peers: Signal<Vec<PeerSummary>>) -> impl IntoView {
    let a = admin();
    let text = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let login = RwSignal::new(String::new());
    let peer = RwSignal::new(String::new());
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        filter.set(PeopleFilter {
            text: text.get_untracked(),
            peer: peer.get_untracked().parse().ok(),
            role: Some(role.get_untracked()).filter(|r| !r.is_empty()),
            login: match login.get_untracked().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            offset: 0,
        });
    };
    view! {
        <form class="form form--inline" role="search" on:submit=submit data-testid="people-search">
            <TextField id="people-q" label=a.field_search value=text testid="people-q" kind="search" />
            <SelectField id="people-role" label=a.field_role value=role first=a.any options=role_options() />
            <SelectField id="people-login" label=a.field_login value=login first=a.any
                options=vec![("yes".to_owned(), a.login_allowed.to_owned()), ("no".to_owned(), a.login_withdrawn.to_owned())] />
            {move || (!peers.with(Vec::is_empty)).then(|| view! {
                <div class="field">
                    <label for="people-peer">{a.field_source}</label>
                    <select id="people-peer" data-testid="people-peer" on:change:target=move |e| peer.set(e.target().value())>
                        <option value="">{a.any}</option>
                        {peers.get().into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <SubmitButton testid="people-search-submit">{a.search}</SubmitButton>
        </form>
    }
}

/// Runs a login-rights change and reports how many changed.
fn change_rights(
    request: LoginRightsRequest,
    reload: impl Fn() + 'static,
    notice: RwSignal<Option<String>>,
    action: ui::Action,
) {
    notice.set(None);
    action.run(api::admin::set_login_rights(request), move |changed| {
        notice.set(Some((admin().rights_changed)(changed.changed)));
        reload();
    });
}

#[component]
fn BulkActions(
    selection: RwSignal<Vec<i64>>,
    peers: Signal<Vec<PeerSummary>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let a = admin();
    let action = ui::Action::new();
    let peer = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let selected = move || selection.with(Vec::len);
    let for_selected = move |allowed: bool| {
        let ids = selection.get_untracked();
        if ids.is_empty() {
            return;
        }
        change_rights(for_selection(&ids, allowed), reload, notice, action);
        selection.set(Vec::new());
    };
    let for_whole_peer = move |allowed: bool| {
        let Ok(peer_id) = peer.get_untracked().parse::<i64>() else {
            return;
        };
        let role = role.get_untracked();
        change_rights(
            for_peer(peer_id, Some(&role), allowed),
            reload,
            notice,
            action,
        );
    };
    // What "Allow all" and "Withdraw from all" will do, said before they do it.
    let chosen = move || {
        let id = peer.get().parse::<i64>().ok();
        let name = peers.with(|all| {
            all.iter()
                .find(|p| Some(p.id) == id)
                .map(|p| p.name.clone())
        });
        let role = role.get();
        let role = (!role.is_empty()).then(|| a.role_name(&role));
        (name.unwrap_or_default(), role)
    };
    let grant_question = Signal::derive(move || {
        let (name, role) = chosen();
        (a.grant_peer_question)(&name, role.as_deref())
    });
    let withdraw_question = Signal::derive(move || {
        let (name, role) = chosen();
        (a.withdraw_peer_question)(&name, role.as_deref())
    });
    let no_peer = Signal::derive(move || peer.with(String::is_empty) || action.is_busy());
    view! {
        <Section heading_id="bulk-heading" heading=a.bulk_heading class="section bulk" testid="bulk-actions">
            <div class="bulk__row">
                <span role="status" aria-live="polite">{move || (a.selected_count)(selected())}</span>
                <button type="button" class="button" data-testid="grant-selected" disabled=move || selected() == 0 on:click=move |_| for_selected(true)>
                    {a.grant_selected}
                </button>
                <button type="button" class="button" data-testid="withdraw-selected" disabled=move || selected() == 0 on:click=move |_| for_selected(false)>
                    {a.withdraw_selected}
                </button>
            </div>
            {move || (!peers.with(Vec::is_empty)).then(|| view! {
                <div class="bulk__row">
                    <SelectField id="bulk-peer" label=a.everyone_from value=peer first=a.choose_peer
                        options=peer_choices(peers.get()) />
                    <SelectField id="bulk-role" label=a.holding_role value=role first=a.any options=role_options() />
                    <ConfirmButton label=a.grant_peer question=grant_question confirm_label=a.grant_peer_yes
                        testid="grant-peer" disabled=no_peer on_confirm=move || for_whole_peer(true) />
                    <ConfirmButton label=a.withdraw_peer question=withdraw_question confirm_label=a.withdraw_peer_yes
                        testid="withdraw-peer" danger=true disabled=no_peer on_confirm=move || for_whole_peer(false) />
                </div>
            })}
            <ErrorSlot error=action.failure testid="bulk-error" />
        </Section>
    }
}

#[component]
fn PeopleTable(
    people: Vec<PersonSummary>,
    is_admin: bool,
    selection: RwSignal<Vec<i64>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let a = admin();
    view! {
        <TableFrame testid="people-table" caption=a.people_heading select=is_admin.then_some(a.col_select)
            headings=vec![a.col_name, a.col_username, a.col_source, a.col_roles, a.col_login]>
            <tbody>
                {people.into_iter().map(|person| view! { <PersonRow person is_admin selection reload notice /> }).collect_view()}
            </tbody>
        </TableFrame>
    }
}

#[component]
fn PersonRow(
    person: PersonSummary,
    is_admin: bool,
    selection: RwSignal<Vec<i64>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let s = strings();
    let a = admin();
    let id = person.id;
    let name = full_name(&person);
    let editing = RwSignal::new(false);
    let roles = RwSignal::new(person.roles.clone());
    // Roles learnt from the enrolments Moodle sends (not edited here).
    let from_moodle = StoredValue::new((!person.roles_from_enrolments.is_empty()).then(|| {
        let names: Vec<String> = person
            .roles_from_enrolments
            .iter()
            .map(|r| a.role_name(r))
            .collect();
        format!("{} ({})", names.join(", "), a.roles_from_moodle)
    }));
    let action = ui::Action::new();
    let allowed = person.login_allowed;
    // The server refuses withdrawing one's own sign-in (it would lock the administrator out), so
    // the button is not offered on one's own row.
    let is_me = use_session().with(|state| state.info().is_some_and(|i| i.person.id == id));
    let save_roles = move |_| {
        action.run(
            api::admin::set_roles(id, roles.get_untracked()),
            move |_| {
                editing.set(false);
                reload();
            },
        );
    };
    let select_label = (a.select_person)(&name);
    let rights_label = if allowed {
        (a.withdraw_for)(&name)
    } else {
        (a.grant_for)(&name)
    };
    view! {
        <tr
            data-testid="person-row"
            data-person-id=id.to_string()
            data-username=person.username.clone()
            data-login=allowed.to_string()
        >
            {is_admin.then(|| view! {
                <td>
                    <input type="checkbox" data-testid="select-person" aria-label=select_label
                        prop:checked=move || selection.with(|s| s.contains(&id))
                        on:change:target=move |e| selection.update(|s| toggle(s, id, e.target().checked())) />
                </td>
            })}
            <th scope="row" data-testid="person-name">{name.clone()}</th>
            <td>{person.username.clone().unwrap_or_default()}</td>
            <td>
                {match person.peer.clone() {
                    Some(peer) => view! { <span data-testid="person-source">{peer.name}</span> }.into_any(),
                    None => view! { <span data-testid="person-source">{a.local_account}</span> }.into_any(),
                }}
            </td>
            <td data-testid="person-roles">
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        {move || {
                            let current = roles.get();
                            if current.is_empty() && from_moodle.with_value(Option::is_none) {
                                view! { <span class="hint">{a.no_roles}</span> " " }.into_any()
                            } else {
                                current.iter().map(|r| view! { <Badge tone=Tone::Info text=a.role_name(r) /> " " }).collect_view().into_any()
                            }
                        }}
                        {from_moodle.get_value().map(|text| view! { <span class="hint" data-testid="roles-from-moodle">{text}</span> " " })}
                        {is_admin.then(|| view! {
                            <button type="button" class="link-button" data-testid="edit-roles" on:click=move |_| editing.set(true)>{a.edit_roles}</button>
                        })}
                    }
                >
                    <fieldset class="roles-edit">
                        <legend class="visually-hidden">{(a.roles_for)(&name)}</legend>
                        <RoleChecks roles id_prefix=format!("role-{id}") testid_prefix="role" />
                        <button type="button" class="button" data-testid="save-roles" on:click=save_roles>{s.save}</button>
                        <button type="button" class="button button--quiet" on:click=move |_| editing.set(false)>{s.cancel}</button>
                    </fieldset>
                </Show>
                <ErrorSlot error=action.failure />
            </td>
            <td>
                {if allowed {
                    view! { <Badge tone=Tone::Good text=a.login_allowed /> }.into_any()
                } else {
                    view! { <Badge tone=Tone::Warn text=a.login_withdrawn /> }.into_any()
                }}
                {(is_admin && !(allowed && is_me)).then(|| view! {
                    " "
                    <button type="button" class="link-button" data-testid="toggle-login" aria-label=rights_label
                        on:click=move |_| change_rights(for_selection(&[id], !allowed), reload, notice, action)>
                        {if allowed { a.withdraw } else { a.grant }}
                    </button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Pager(filter: RwSignal<PeopleFilter>, list: ui::Loaded<Vec<PersonSummary>>) -> impl IntoView {
    let a = admin();
    let shown = move || list.with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, Vec::len));
    let previous = move || filter.with(PeopleFilter::previous_page);
    let next = move || filter.with(|f| f.next_page(shown()));
    view! {
        <nav class="pager" aria-label=a.pages_label>
            <button type="button" class="button button--quiet" disabled=move || previous().is_none()
                on:click=move |_| if let Some(p) = previous() { filter.set(p) }>
                {a.previous_page}
            </button>
            <button type="button" class="button button--quiet" data-testid="people-next" disabled=move || next().is_none()
                on:click=move |_| if let Some(n) = next() { filter.set(n) }>
                {a.next_page}
            </button>
        </nav>
    }
}

/// A checkbox per role, ticking and unticking it in `roles`; ids are `{id_prefix}-{role}` and
/// `data-testid`s `{testid_prefix}-{role}`.
#[component]
fn RoleChecks(
    roles: RwSignal<Vec<String>>,
    id_prefix: String,
    testid_prefix: &'static str,
) -> impl IntoView {
    let a = admin();
    Role::ALL
        .into_iter()
        .map(Role::name)
        .map(|role| {
            let role_id = format!("{id_prefix}-{role}");
            view! {
                <span class="check-inline">
                    <input type="checkbox" id=role_id.clone() data-testid=format!("{testid_prefix}-{role}")
                        prop:checked=move || roles.with(|r| r.iter().any(|x| x == role))
                        on:change:target=move |e| roles.update(|r| *r = with_role(r, role, e.target().checked())) />
                    <label for=role_id>{a.role_name(role)}</label>
                </span>
            }
        })
        .collect_view()
}

/// Every role, for a drop-down list: (name, words).
fn role_options() -> Vec<(String, String)> {
    let a = admin();
    Role::ALL
        .into_iter()
        .map(Role::name)
        .map(|r| (r.to_owned(), a.role_name(r)))
        .collect()
}

#[component]
fn NewPerson(
    reload: impl Fn() + Copy + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let a = admin();
    let s = strings();
    let username = RwSignal::new(String::new());
    let firstname = RwSignal::new(String::new());
    let lastname = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let roles = RwSignal::new(Vec::<String>::new());
    let problems = RwSignal::new(Problems::default());
    let action = ui::Action::new();
    let problem = move |field: Field| ui::field_problem(problems, field);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let form = NewPersonForm {
            username: username.get_untracked(),
            firstname: firstname.get_untracked(),
            lastname: lastname.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            roles: roles.get_untracked(),
        };
        let Some(request) = ui::checked(problems, form.validate()) else {
            return;
        };
        action.run(api::admin::create_person(request), move |person| {
            notice.set(Some((a.person_created)(&people::full_name(&person))));
            ui::clear(&[username, firstname, lastname, email, password]);
            roles.set(Vec::new());
            reload();
        });
    };
    view! {
        <Section heading_id="new-person-heading" heading=a.new_person_heading>
            <p>{a.new_person_intro}</p>
            <form class="form" on:submit=submit novalidate=true data-testid="new-person-form">
                <AccountNameFields prefix="np" own=false username firstname lastname problems />
                <TextField id="np-email" label=s.field_email value=email testid="np-email" kind="email" problem=problem(Field::Email) />
                <NewPasswordField prefix="np" password problems />
                <fieldset class="roles-edit">
                    <legend>{a.col_roles}</legend>
                    <RoleChecks roles id_prefix="np-role".to_owned() testid_prefix="np-role" />
                </fieldset>
                <ErrorSlot error=action.failure testid="new-person-error" />
                <SubmitButton testid="np-submit" primary=true busy=action.busy>{a.create_account}</SubmitButton>
            </form>
        </Section>
    }
}
