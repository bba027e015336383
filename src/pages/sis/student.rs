//! A student's records: `/sis/students` (finding a student, for counsellors and
//! administrators), `/sis/students/{id}` (schedule and enrolment history; counsellors change
//! statuses here too), `/sis/me` (the same for the signed-in student), and the printable
//! `/sis/students/{id}/progress?date=…` (a progress report as of any chosen day, rebuilt from
//! history) and `/sis/students/{id}/transcript` (withdrawals with their codes), each with a CSV
//! download. The server lets students read only their own records.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use schoolbridge_api::PersonSummary;
use schoolbridge_api::rules::transcript_shows_grade;
use schoolbridge_api::sis::{ProgressReport, ReportSection, StudentPage as Page, Transcript};

use super::enrolment::EnrolmentPanel;
use super::{clicked_action, loading_or_error, markup_view, not_found, source_badge, status_badge};
use crate::api::{self, ApiError};
use crate::i18n::sis;
use crate::model::people::{PeopleFilter, full_name};
use crate::model::roles::Need;
use crate::model::sis::{as_of_end_of_day, progress_csv, progress_path, report_day, route_id};
use crate::model::sis_grades::{percent, points};
use crate::model::sis_markup::Markup;
use crate::model::time;
use crate::session::use_session;
use crate::ui::{self, Empty, ErrorNotice, Loading, TextField};

fn param_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| route_id(params.with(|p| p.get("id"))))
}

fn is_staff() -> bool {
    use_session().with(|s| Need::StaffReader.allows(&s.roles()))
}

/// `/sis/students`: find a student by name, username or id number.
#[component]
pub fn StudentsPage() -> impl IntoView {
    let t = sis();
    let text = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Option<Result<Vec<PersonSummary>, ApiError>>>);
    let search = move |event: SubmitEvent| {
        event.prevent_default();
        let query = PeopleFilter {
            text: text.get_untracked(),
            ..PeopleFilter::default()
        }
        .query();
        found.set(Some(None));
        spawn_local(async move { found.set(Some(Some(api::admin::people(query).await))) });
    };
    view! {
        <section class="page" data-testid="students" aria-labelledby="students-heading">
            <h1 id="students-heading">{t.students_heading}</h1>
            <p class="lead">{t.students_intro}</p>
            <form class="form form--inline" role="search" on:submit=search data-testid="student-search">
                <TextField id="student-q" label=t.find_person value=text testid="student-q" kind="search" />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="student-search-submit">{t.search}</button>
                </div>
            </form>
            {move || found.get().map(|state| match state {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text=t.nobody_found testid="students-empty" /> }.into_any(),
                Some(Ok(list)) => markup_view(people_markup(&list), "student-results").into_any(),
            })}
        </section>
    }
}

/// Search results: links to students' pages (markup).
fn people_markup(list: &[PersonSummary]) -> String {
    let mut m = Markup::new();
    m.open("ul", &[("class", Some("link-list"))]);
    for p in list {
        let (id, href) = (p.id.to_string(), format!("/sis/students/{}", p.id));
        m.open("li", &[])
            .el(
                "a",
                &[
                    ("href", Some(&href)),
                    ("data-testid", Some("student-result")),
                    ("data-person-id", Some(&id)),
                ],
                &full_name(p),
            )
            .text(" ")
            .el(
                "span",
                &[("class", Some("hint"))],
                p.idnumber
                    .as_deref()
                    .or(p.username.as_deref())
                    .unwrap_or(""),
            )
            .close("li");
    }
    m.close("ul");
    m.finish()
}

/// `/sis/students/{id}`.
#[component]
pub fn StudentPage() -> impl IntoView {
    let id = param_id();
    move || match id.get() {
        Some(id) => view! { <StudentView id /> }.into_any(),
        None => view! { <ErrorNotice error=not_found() /> }.into_any(),
    }
}

/// `/sis/me`: the signed-in person's own records.
#[component]
pub fn MyRecordsPage() -> impl IntoView {
    let me = use_session().with(|s| s.info().map(|i| i.person.id));
    me.map(|id| view! { <StudentView id /> })
}

#[component]
fn StudentView(id: i64) -> impl IntoView {
    let t = sis();
    let staff = is_staff();
    let page = RwSignal::new(None::<Result<Page, ApiError>>);
    let generation = RwSignal::new(0_u32);
    let open = RwSignal::new(None::<(i64, String, String)>);
    Effect::new(move |_| {
        generation.track();
        spawn_local(async move { page.set(Some(api::sis::student(id).await)) });
    });
    let reload = move || generation.update(|g| *g += 1);
    let today = time::date(ui::now());
    view! {
        <section class="page" data-testid="student-page" aria-labelledby="student-heading">
            {staff.then(|| view! { <p class="breadcrumb"><a href="/sis/students">{t.nav_students}</a></p> })}
            {move || page.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let Some(Ok(p)) = state.clone() else { return ().into_any() };
                let name = p.person.full_name();
                // What each "Change the status" button opens.
                let rows: Vec<(i64, String, String)> = p
                    .enrolments
                    .iter()
                    .map(|r| (r.enrolment.id, (t.who_in)(&name, &r.section.name), r.enrolment.status.clone()))
                    .collect();
                let on_click = move |event: leptos::ev::MouseEvent| {
                    if let Some((_, id)) = clicked_action(&event)
                        && let Some(row) = rows.iter().find(|r| r.0 == id)
                    {
                        open.set(Some(row.clone()));
                    }
                };
                view! {
                    <h1 id="student-heading" data-testid="student-name">{name}</h1>
                    {p.person.idnumber.clone().map(|idn| view! { <p class="lead">{(t.id_number)(&idn)}</p> })}
                    <div class="report-actions">
                        <a class="button" href=progress_path(id, &today) data-testid="open-progress">{t.progress_heading}</a>
                        <a class="button" href=format!("/sis/students/{id}/transcript") data-testid="open-transcript">{t.transcript_heading}</a>
                    </div>
                    <div on:click=on_click>{markup_view(schedule_markup(&p, staff), "schedule-wrap")}</div>
                }.into_any()
            }))}
            {move || open.get().map(|(eid, title, current)| view! {
                <EnrolmentPanel id=eid title current can_manage=true changed=reload />
            })}
        </section>
    }
}

/// The schedule and the enrolment history (markup); staff get section links and a "Change the
/// status" button per enrolment (`data-action="status"`).
fn schedule_markup(page: &Page, staff: bool) -> String {
    let t = sis();
    let mut m = Markup::new();
    m.section("schedule-heading", t.schedule_heading);
    if page.schedule.is_empty() {
        m.empty("schedule-empty", t.schedule_empty);
    } else {
        m.table(
            "table",
            "schedule",
            &[
                t.col_section,
                t.col_teacher,
                t.field_term,
                t.col_role,
                t.col_since,
                t.col_source,
            ],
        );
        for e in &page.schedule {
            let id = e.section.id.to_string();
            m.open(
                "tr",
                &[
                    ("data-testid", Some("schedule-row")),
                    ("data-section-id", Some(&id)),
                ],
            )
            .open("th", &[("scope", Some("row"))]);
            if staff {
                let href = format!("/sis/sections/{id}");
                m.el("a", &[("href", Some(&href))], &e.section.name);
            } else {
                m.text(&e.section.name);
            }
            let kind = e.section.container_kind.as_str();
            m.close("th")
                .el(
                    "td",
                    &[],
                    &e.section
                        .teacher
                        .as_ref()
                        .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
                )
                .el(
                    "td",
                    &[],
                    &t.container_name(&e.section.container_name, kind),
                )
                .el("td", &[], t.role_name(e.enrolment.role))
                .el(
                    "td",
                    &[("class", Some("nowrap"))],
                    &time::date(e.enrolment.status_effective_at),
                )
                .open("td", &[]);
            source_badge(&mut m, e.section.source);
            m.close("td").close("tr");
        }
        m.end_table();
    }
    m.close("section");

    m.section("history-heading", t.enrolment_history_heading);
    if page.enrolments.is_empty() {
        m.el("p", &[("class", Some("empty"))], t.enrolment_history_empty);
    }
    for r in &page.enrolments {
        let e = &r.enrolment;
        let id = e.id.to_string();
        m.open(
            "article",
            &[
                ("class", Some("record")),
                ("data-testid", Some("enrolment-record")),
                ("data-enrolment-id", Some(&id)),
                ("data-status", Some(&e.status)),
                ("data-section", Some(&r.section.name)),
            ],
        )
        .open("h3", &[])
        .text(&r.section.name)
        .text(" · ")
        .text(t.role_name(e.role))
        .text(" ");
        status_badge(&mut m, e.status_kind, &e.status_label);
        m.close("h3").open("ol", &[("class", Some("changes"))]);
        for h in &r.history {
            m.open(
                "li",
                &[
                    ("data-testid", Some("history-change")),
                    ("data-status", Some(&h.status)),
                ],
            )
            .el(
                "span",
                &[("class", Some("nowrap"))],
                &time::date(h.effective_at),
            )
            .text(" ");
            status_badge(&mut m, h.kind, &h.label);
            m.text(" ");
            source_badge(&mut m, h.source);
            if let Some(note) = &h.note {
                m.text(" ").el("q", &[], note);
            }
            if h.stale {
                m.text(" ")
                    .el("span", &[("class", Some("hint"))], t.arrived_late);
            }
            m.close("li");
        }
        m.close("ol");
        if staff {
            m.el(
                "button",
                &[
                    ("type", Some("button")),
                    ("class", Some("link-button")),
                    ("data-testid", Some("change-status")),
                    ("data-action", Some("status")),
                    ("data-id", Some(&id)),
                ],
                t.change_status,
            );
        }
        m.close("article");
    }
    m.close("section");
    m.finish()
}

/// Print and CSV links of a printable report.
#[component]
fn ReportActions(csv: String) -> impl IntoView {
    let t = sis();
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="report-actions">
            <button type="button" class="button" data-testid="print" on:click=print>{t.print}</button>
            <a class="button button--quiet" href=csv rel="external" download="" data-testid="download-csv">{t.download_csv}</a>
        </div>
    }
}

/// `/sis/students/{id}/progress?date=YYYY-MM-DD`.
#[component]
pub fn ProgressPage() -> impl IntoView {
    let t = sis();
    let id = param_id();
    let query = use_query_map();
    let day = Memo::new(move |_| query.with(|q| report_day(q.get_str("date"), ui::now())));
    let report = RwSignal::new(None::<Result<ProgressReport, ApiError>>);
    Effect::new(move |_| {
        let (Some(id), Some(as_of)) = (id.get(), as_of_end_of_day(&day.get())) else {
            report.set(Some(Err(not_found())));
            return;
        };
        report.set(None);
        spawn_local(async move { report.set(Some(api::sis::progress(id, as_of).await)) });
    });
    let chosen = RwSignal::new(day.get_untracked());
    let navigate = use_navigate();
    let show = move |event: SubmitEvent| {
        event.prevent_default();
        if let Some(id) = id.get_untracked() {
            navigate(
                &progress_path(id, &chosen.get_untracked()),
                Default::default(),
            );
        }
    };
    view! {
        <section class="page report" data-testid="progress-page" aria-labelledby="progress-heading">
            {move || id.get().map(|id| view! { <p class="breadcrumb"><a href=format!("/sis/students/{id}")>{t.back_to_student}</a></p> })}
            <h1 id="progress-heading">{t.progress_heading}</h1>
            <form class="form form--inline" on:submit=show data-testid="as-of-form">
                <TextField id="as-of" label=t.field_as_of value=chosen testid="as-of" kind="date" hint=t.as_of_hint />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="as-of-submit">{t.show_report}</button>
                </div>
            </form>
            {move || report.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let Some(Ok(r)) = state.clone() else { return ().into_any() };
                let csv = progress_csv(r.person.id, &day.get_untracked());
                view! {
                    <p class="report__who" data-testid="progress-who" data-as-of=r.as_of.to_string()>
                        {(t.report_for)(&r.person.full_name(), &time::date(r.as_of))}
                    </p>
                    <ReportActions csv />
                    {if r.sections.is_empty() {
                        view! { <Empty text=t.progress_empty testid="progress-empty" /> }.into_any()
                    } else {
                        let html: String = r.sections.iter().map(progress_markup).collect();
                        markup_view(html, "progress-sections").into_any()
                    }}
                }.into_any()
            }))}
        </section>
    }
}

/// One section of a progress report (markup).
fn progress_markup(s: &ReportSection) -> String {
    let t = sis();
    let mut m = Markup::new();
    let heading = format!("progress-{}", s.enrolment_id);
    m.open(
        "section",
        &[
            ("class", Some("section report__section")),
            ("aria-labelledby", Some(&heading)),
            ("data-testid", Some("progress-section")),
            ("data-section", Some(&s.section.name)),
            ("data-status", Some(&s.status)),
        ],
    )
    .el("h2", &[("id", Some(&heading))], &s.section.name)
    .open("p", &[]);
    status_badge(&mut m, s.status_kind, &s.status_label);
    m.text(" ").text(&(t.since)(&time::date(s.status_since)));
    if let Some(p) = &s.section.teacher {
        m.text(" · ").text(&p.full_name());
    }
    m.close("p")
        .open("div", &[("class", Some("table-wrap"))])
        .open(
            "table",
            &[
                ("class", Some("table table--compact")),
                ("data-testid", Some("progress-items")),
            ],
        )
        .head(&[
            t.col_item,
            t.col_chapter,
            t.col_points_possible,
            t.col_points_earned,
            t.col_given,
            t.col_source,
        ])
        .open("tbody", &[]);
    for i in &s.items {
        let grade = i.grade.as_ref();
        let value = grade.and_then(|g| g.points).map(points);
        let earned = match grade {
            None => t.not_graded.to_owned(),
            Some(g) if g.excepted => t.excepted.to_owned(),
            Some(_) => value.clone().unwrap_or_default(),
        };
        m.open(
            "tr",
            &[
                ("data-testid", Some("progress-item")),
                ("data-name", Some(&i.assessment.name)),
                ("data-points", value.as_deref()),
            ],
        )
        .open("th", &[("scope", Some("row"))])
        .text(&i.assessment.name);
        if i.assessment.extra_credit {
            m.text(" ")
                .el("span", &[("class", Some("hint"))], t.extra_credit);
        }
        m.close("th")
            .el(
                "td",
                &[("class", Some("num"))],
                &i.assessment.chapter.to_string(),
            )
            .el(
                "td",
                &[("class", Some("num"))],
                &points(i.assessment.pointval),
            )
            .el(
                "td",
                &[
                    ("class", Some("num")),
                    ("data-testid", Some("progress-grade")),
                ],
                &earned,
            )
            .el(
                "td",
                &[("class", Some("nowrap"))],
                &grade
                    .map(|g| time::date(g.effective_at))
                    .unwrap_or_default(),
            )
            .open("td", &[]);
        if let Some(g) = grade {
            source_badge(&mut m, g.source);
        }
        m.close("td").close("tr");
    }
    m.close("tbody")
        .open("tfoot", &[])
        .open("tr", &[("data-testid", Some("progress-total"))])
        .el("th", &[("scope", Some("row"))], t.total)
        .el("td", &[], "")
        .el("td", &[("class", Some("num"))], &points(s.totals.possible))
        .el("td", &[("class", Some("num"))], &points(s.totals.earned))
        .el("td", &[("colspan", Some("2"))], &percent(s.totals.percent))
        .close("tr")
        .close("tfoot")
        .close("table")
        .close("div")
        .close("section");
    m.finish()
}

/// `/sis/students/{id}/transcript`.
#[component]
pub fn TranscriptPage() -> impl IntoView {
    let t = sis();
    let id = param_id();
    let transcript = RwSignal::new(None::<Result<Transcript, ApiError>>);
    Effect::new(move |_| {
        let Some(id) = id.get() else {
            transcript.set(Some(Err(not_found())));
            return;
        };
        spawn_local(async move { transcript.set(Some(api::sis::transcript(id).await)) });
    });
    view! {
        <section class="page report" data-testid="transcript-page" aria-labelledby="transcript-heading">
            {move || id.get().map(|id| view! { <p class="breadcrumb"><a href=format!("/sis/students/{id}")>{t.back_to_student}</a></p> })}
            <h1 id="transcript-heading">{t.transcript_heading}</h1>
            {move || transcript.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let Some(Ok(tr)) = state.clone() else { return ().into_any() };
                let csv = format!("/api/sis/students/{}/transcript.csv", tr.person.id);
                view! {
                    <p class="report__who" data-testid="transcript-who">{(t.transcript_for)(&tr.person.full_name(), &time::date(ui::now()))}</p>
                    <ReportActions csv />
                    {if tr.entries.is_empty() {
                        view! { <Empty text=t.transcript_empty testid="transcript-empty" /> }.into_any()
                    } else {
                        markup_view(transcript_markup(&tr), "transcript-wrap").into_any()
                    }}
                }.into_any()
            }))}
        </section>
    }
}

/// A transcript's table (markup).
fn transcript_markup(tr: &Transcript) -> String {
    let t = sis();
    let mut m = Markup::new();
    m.table(
        "table",
        "transcript",
        &[
            t.col_section,
            t.col_course,
            t.field_term,
            t.col_status,
            t.col_withdrawal,
            t.col_points,
            t.col_percent,
        ],
    );
    for e in &tr.entries {
        let kind = e.section.container_kind.as_str();
        m.open(
            "tr",
            &[
                ("data-testid", Some("transcript-row")),
                ("data-section", Some(&e.section.name)),
                ("data-status", Some(&e.enrolment.status)),
                (
                    "data-withdrawn",
                    Some(if e.withdrawal.is_some() {
                        "true"
                    } else {
                        "false"
                    }),
                ),
            ],
        )
        .el("th", &[("scope", Some("row"))], &e.section.name)
        .el(
            "td",
            &[],
            // Moodle-driven sections have no SIS course (the Moodle course is the section).
            e.section
                .course
                .as_ref()
                .map_or(t.no_course, |c| c.name.as_str()),
        )
        .el(
            "td",
            &[],
            &t.container_name(&e.section.container_name, kind),
        )
        .open("td", &[]);
        status_badge(&mut m, e.enrolment.status_kind, &e.enrolment.status_label);
        m.close("td")
            .open("td", &[("data-testid", Some("transcript-withdrawal"))]);
        if let Some(w) = &e.withdrawal {
            m.el(
                "span",
                &[("data-code", Some(&w.code))],
                &(t.withdrawn_on)(&w.label, &time::date(w.since)),
            );
            if let Some(note) = &w.note {
                m.open("br", &[])
                    .el("q", &[("data-testid", Some("transcript-note"))], note);
            }
        }
        m.close("td");
        let points_cell = [
            ("class", Some("num")),
            ("data-testid", Some("transcript-points")),
        ];
        if transcript_shows_grade(e.enrolment.status_kind) {
            m.el(
                "td",
                &points_cell,
                &(t.earned_of)(&points(e.totals.earned), &points(e.totals.possible)),
            )
            .el("td", &[("class", Some("num"))], &percent(e.totals.percent));
        } else {
            m.el("td", &points_cell, t.withdrawn_no_points).el(
                "td",
                &[("class", Some("num"))],
                t.withdrawn_no_points,
            );
        }
        m.close("tr");
    }
    m.end_table();
    m.finish()
}
