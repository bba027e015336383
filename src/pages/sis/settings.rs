//! `/sis/settings`: the school settings (issue 20, admins and counsellors) — the transcript
//! header's name and address, the time zone of every report's days, the grading scale (letters,
//! minimum percents, grade points), whether extra credit may pass 100 %, which total the
//! transcript uses, the default credits; the terms; each course's credits. Every field has a
//! label and is reached by the keyboard; the decisions are in `model::school`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::school::SchoolSettingsPage;

use crate::api;
use crate::i18n::school;
use crate::model::school::{ScaleRow, SettingsForm, SettingsProblem, credits, term_request};
use crate::model::sis_grades::points;
use crate::ui::{
    self, Checkbox, ErrorSlot, Notice, Page, SavedSlot, Section, SubmitButton, TextField, Tone,
};

/// `/sis/settings`.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let w = school();
    let again = ui::Reload::new();
    let page = ui::load_each(move || again.track(), |()| api::school::settings());
    view! {
        <Page testid="school-settings" heading_id="settings-heading" heading=w.settings_heading>
            <p class="lead">{w.settings_intro}</p>
            {ui::loaded(page, move |p| {
                let reload = move || again.now();
                view! {
                    {(!p.can_manage).then(|| view! { <Notice tone=Tone::Info testid="settings-read-only"><p>{w.read_only}</p></Notice> })}
                    <SettingsFormView page=p.clone() />
                    <Terms page=p.clone() reload />
                    <Credits page=p reload />
                }
            })}
        </Page>
    }
}

/// A problem line under a form.
fn problem_line(problem: RwSignal<Option<SettingsProblem>>, testid: &'static str) -> impl IntoView {
    move || {
        problem.get().map(|p| {
            view! { <p class="field__problem" role="alert" data-testid=testid>{school().problem(p)}</p> }
        })
    }
}

#[component]
fn SettingsFormView(page: SchoolSettingsPage) -> impl IntoView {
    let w = school();
    let form = SettingsForm::of(&page.settings);
    let name = RwSignal::new(form.name);
    let address = RwSignal::new(form.address);
    let zone = RwSignal::new(form.time_zone);
    let scale = RwSignal::new(form.scale);
    let over = RwSignal::new(form.allow_over_100);
    let moodle = RwSignal::new(form.moodle_total);
    let default_credits = RwSignal::new(form.default_credits);
    let problem = RwSignal::new(None);
    let saved = RwSignal::new(false);
    let action = ui::Action::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let form = SettingsForm {
            name: name.get_untracked(),
            address: address.get_untracked(),
            time_zone: zone.get_untracked(),
            scale: scale.get_untracked(),
            allow_over_100: over.get_untracked(),
            moodle_total: moodle.get_untracked(),
            default_credits: default_credits.get_untracked(),
        };
        if let Some(settings) = ui::checked(problem, form.settings().map_err(Some)) {
            // The form already shows what was saved; loading the page again would draw a
            // new form and lose the "saved" notice.
            action.run(api::school::save_settings(settings), move |_| {
                saved.set(true)
            });
        }
    };
    let set_cell = move |i: usize, which: u8, value: String| {
        scale.update(|rows| {
            if let Some(r) = rows.get_mut(i) {
                match which {
                    0 => r.letter = value,
                    1 => r.min_percent = value,
                    _ => r.gpa_points = value,
                }
            }
        });
    };
    // Rows are drawn again only when one is added or removed: typing in a row changes `scale`
    // but must not replace the input being typed in (it would lose the focus).
    let count = Memo::new(move |_| scale.with(Vec::len));
    let rows = move || {
        let n = count.get();
        (0..n)
            .map(|i| {
                let row = scale.with_untracked(|r| r.get(i).cloned()).unwrap_or(ScaleRow {
                    letter: String::new(),
                    min_percent: String::new(),
                    gpa_points: String::new(),
                });
                let (l, m, g) = (
                    format!("scale-letter-{i}"),
                    format!("scale-min-{i}"),
                    format!("scale-points-{i}"),
                );
                let remove_label = (w.remove_letter)(&row.letter);
                view! {
                    <tr data-testid="scale-row">
                        <td>
                            <label class="visually-hidden" for=l.clone()>{(w.field_letter)(i + 1)}</label>
                            <input id=l type="text" size="4" data-testid="scale-letter" prop:value=row.letter
                                on:input:target=move |e| set_cell(i, 0, e.target().value()) />
                        </td>
                        <td>
                            <label class="visually-hidden" for=m.clone()>{(w.field_min_percent)(i + 1)}</label>
                            <input id=m type="text" inputmode="decimal" size="6" data-testid="scale-min" prop:value=row.min_percent
                                on:input:target=move |e| set_cell(i, 1, e.target().value()) />
                        </td>
                        <td>
                            <label class="visually-hidden" for=g.clone()>{(w.field_gpa_points)(i + 1)}</label>
                            <input id=g type="text" inputmode="decimal" size="6" data-testid="scale-points" prop:value=row.gpa_points
                                on:input:target=move |e| set_cell(i, 2, e.target().value()) />
                        </td>
                        <td>
                            <button type="button" class="link-button" aria-label=remove_label data-testid="scale-remove"
                                on:click=move |_| scale.update(|r| { if r.len() > 1 { r.remove(i); } })>"×"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let add = move |_| {
        scale.update(|r| {
            r.push(ScaleRow {
                letter: String::new(),
                min_percent: "0".into(),
                gpa_points: "0".into(),
            })
        })
    };
    view! {
        <form class="form" on:submit=submit data-testid="settings-form" novalidate=true>
            <Section heading_id="school-heading" heading=w.school_heading>
                <TextField id="school-name" label=w.field_school_name value=name testid="school-name" />
                <div class="field">
                    <label for="school-address">{w.field_address}</label>
                    <textarea id="school-address" rows="3" data-testid="school-address" aria-describedby="school-address-hint"
                        prop:value=move || address.get()
                        on:input:target=move |e| address.set(e.target().value())></textarea>
                    <p class="field__hint" id="school-address-hint">{w.address_hint}</p>
                </div>
                <TextField id="school-zone" label=w.field_time_zone value=zone testid="school-zone" hint=w.time_zone_hint />
            </Section>
            <Section heading_id="scale-heading" heading=w.scale_heading>
                <p class="field__hint">{w.scale_intro}</p>
                <table class="table table--compact" data-testid="scale">
                    <thead><tr>
                        <th scope="col">{w.col_letter}</th>
                        <th scope="col">"%"</th>
                        <th scope="col">{w.gpa}</th>
                        <th scope="col"><span class="visually-hidden">{crate::i18n::sis().col_actions}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <button type="button" class="button button--quiet" data-testid="scale-add" on:click=add>{w.add_letter}</button>
                <Checkbox id="allow-over-100" label=w.field_allow_over_100 checked=over testid="allow-over-100" hint=w.allow_over_100_hint />
                <div class="field">
                    <label for="transcript-total">{w.field_transcript_total}</label>
                    <select id="transcript-total" data-testid="transcript-total"
                        on:change:target=move |e| moodle.set(e.target().value() == "moodle")>
                        <option value="schoolbridge" selected=move || !moodle.get()>{w.total_schoolbridge}</option>
                        <option value="moodle" selected=move || moodle.get()>{w.total_moodle}</option>
                    </select>
                </div>
                <TextField id="default-credits" label=w.field_default_credits value=default_credits testid="default-credits" />
            </Section>
            {problem_line(problem, "settings-problem")}
            <ErrorSlot error=action.failure testid="settings-result" />
            <SavedSlot saved text=w.settings_saved testid="settings-saved" />
            <SubmitButton testid="settings-submit" busy=action.busy>{w.save_settings}</SubmitButton>
        </form>
    }
}

#[component]
fn Terms(
    page: SchoolSettingsPage,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let w = school();
    let name = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let problem = RwSignal::new(None);
    let action = ui::Action::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = term_request(
            &name.get_untracked(),
            &first.get_untracked(),
            &last.get_untracked(),
        );
        if let Some(term) = ui::checked(problem, checked.map_err(Some)) {
            action.run(api::school::add_term(term), move |_| reload());
        }
    };
    let terms = page.terms;
    view! {
        <Section heading_id="terms-heading" heading=w.terms_heading testid="terms">
            <p class="field__hint">{w.terms_intro}</p>
            {if terms.is_empty() {
                view! { <p data-testid="no-terms">{w.no_terms}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {terms.into_iter().map(|t| {
                            let id = t.id;
                            let remove = ui::Action::new();
                            view! {
                                <li data-testid="term" data-name=t.name.clone()>
                                    {format!("{} · {} – {} ", t.name, t.first_day, t.last_day)}
                                    <button type="button" class="button button--quiet" data-testid="term-remove"
                                        aria-label=(w.remove_term)(&t.name)
                                        on:click=move |_| remove.run(api::school::remove_term(id), move |_| reload())>
                                        {crate::i18n::strings().remove}
                                    </button>
                                    <ErrorSlot error=remove.failure testid="term-remove-result" />
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="form form--row" on:submit=submit data-testid="term-form" novalidate=true>
                <TextField id="term-name" label=w.field_term_name value=name testid="term-name" />
                <TextField id="term-first" label=w.field_first_day value=first testid="term-first" kind="date" />
                <TextField id="term-last" label=w.field_last_day value=last testid="term-last" kind="date" />
                <SubmitButton testid="term-submit">{w.add_term}</SubmitButton>
            </form>
            {problem_line(problem, "term-problem")}
            <ErrorSlot error=action.failure testid="term-result" />
        </Section>
    }
}

#[component]
fn Credits(
    page: SchoolSettingsPage,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let w = school();
    let courses = page.courses;
    view! {
        <Section heading_id="credits-heading" heading=w.credits_heading testid="credits">
            <p class="field__hint">{w.credits_intro}</p>
            {if courses.is_empty() {
                view! { <p>{w.no_courses}</p> }.into_any()
            } else {
                courses.into_iter().map(|c| {
                    let value = RwSignal::new(c.credits.map(points).unwrap_or_default());
                    let problem = RwSignal::new(None);
                    let action = ui::Action::new();
                    let course = c.course_id;
                    let submit = move |event: SubmitEvent| {
                        event.prevent_default();
                        if let Some(credits) = ui::checked(problem, credits(&value.get_untracked()).map_err(Some)) {
                            action.run(api::school::set_credits(course, credits), move |_| reload());
                        }
                    };
                    let id = format!("credits-{course}");
                    let label = (w.field_course_credits)(&c.name);
                    view! {
                        <form class="form form--inline" on:submit=submit data-testid="credits-form" data-course=c.name.clone() novalidate=true>
                            <div class="field">
                                <label for=id.clone()>{label}</label>
                                <input id=id type="text" inputmode="decimal" data-testid="course-credits"
                                    prop:value=move || value.get()
                                    on:input:target=move |e| value.set(e.target().value()) />
                            </div>
                            <div class="form__actions">
                                <button type="submit" class="button button--quiet" data-testid="credits-submit">{(w.save_credits)(&c.name)}</button>
                            </div>
                            {problem_line(problem, "credits-problem")}
                            <ErrorSlot error=action.failure testid="credits-result" />
                        </form>
                    }
                }).collect_view().into_any()
            }}
        </Section>
    }
}
