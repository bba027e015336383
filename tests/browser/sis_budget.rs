//! The gradebook's render budget (BENCHMARKS.md §4) — a benchmark, not a test, so it is
//! `#[ignore]`d and run by hand:
//!
//! ```sh
//! trunk build --release --offline && cargo build -p schoolbridge
//! cargo test -p schoolbridge-console --test browser -- --ignored --nocapture gradebook_budget
//! ```
//!
//! A section of 40 students × 60 grade items, every cell graded, is made through the console's
//! own API (from the signed-in page, with its CSRF token). The console's performance marks
//! measure, per page load: request → answer read (`gradebook-request` → `gradebook-data`: HTTP,
//! JSON and laying out the grid), answer → grid in the DOM (`gradebook-rendered`), and answer →
//! grid laid out and painted (`gradebook-painted`, two animation frames later: the budget of
//! 200 ms). The baseline, in the same browser and run, is the same table (same cells, classes and
//! attributes) built by plain JavaScript into `innerHTML`, timed the same two ways.

use std::time::Duration;

use anyhow::{Context, bail};

use crate::actions::signed_in_admin;
use crate::driver::Browser;
use crate::support::{artifacts_dir, poll};

const RUNS: usize = 7;
const BUDGET_MS: f64 = 200.0;

const MAKE_BOOK: &str = r#"
const s = await (await fetch('/api/session')).json();
const h = {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token};
const call = async (method, url, body) => {
  const r = await fetch(url, {method, headers: h, body: JSON.stringify(body)});
  if (!r.ok) throw new Error(method + ' ' + url + ': ' + r.status + ' ' + await r.text());
  return r.status === 204 ? null : r.json();
};
const sec = await call('POST', '/api/sis/sections', {name: 'Benchmark 40 x 60', idnumber: null, container_id: null, course_id: null, teacher_id: null});
let csv = 'name,points,chapter\n';
for (let i = 1; i <= 60; i++) csv += `Item ${i},${10 + i % 5},${Math.floor(i / 10)}\n`;
await call('POST', `/api/sis/sections/${sec.id}/assessments/csv?preview=false`, {csv});
const people = [];
for (let i = 1; i <= 40; i++) {
  const p = await call('POST', '/api/people', {username: `bench${i}`, firstname: 'Student', lastname: `Number ${i}`, email: null, password: 'benchmark password', roles: []});
  await call('POST', `/api/sis/sections/${sec.id}/enrolments`, {person_id: p.id, role: 'student', effective_at: null});
  people.push(p.id);
}
const book = await (await fetch(`/api/sis/sections/${sec.id}/gradebook`)).json();
const jobs = [];
for (const a of book.assessments) for (const p of people) jobs.push({assessment_id: a.id, person_id: p, points: (a.id * 7 + p * 3) % 11, excepted: false, note: null});
const worker = async () => { while (jobs.length) await call('PUT', '/api/sis/grades', jobs.pop()); };
await Promise.all([worker(), worker(), worker(), worker()]);
return sec.id;
"#;

/// The same table built by plain JavaScript: the cost of the DOM work alone.
const BASELINE: &str = r#"
const book = await (await fetch(arguments[0])).json();
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const t0 = performance.now();
const cells = new Map(book.cells.map(c => [c.grade.assessment_id + ':' + c.grade.person_id, c]));
let html = '<table class="table gradebook"><thead><tr><th scope="col">Student</th>';
for (const a of book.assessments) html += `<th scope="col" data-assessment-id="${a.id}"><span class="gradebook__name">${esc(a.name)}</span><span class="gradebook__meta">Ch. ${a.chapter} · ${a.pointval} pts</span><span class="mark mark--manual">made here</span></th>`;
html += '</tr></thead><tbody>';
book.students.forEach((s, r) => {
  html += `<tr data-person-id="${s.person.id}"><th scope="row">${esc(s.person.firstname + ' ' + s.person.lastname)}</th>`;
  book.assessments.forEach((a, c) => {
    const cell = cells.get(a.id + ':' + s.person.id);
    html += `<td><button type="button" class="cell cell--manual" title="entered here" data-cell="${r}:${c}" data-source="manual">${cell ? cell.grade.points : ''}</button></td>`;
  });
  html += '</tr>';
});
html += '</tbody></table>';
const div = document.createElement('div');
div.className = 'table-wrap gradebook-wrap';
div.innerHTML = html;
document.getElementById('main').appendChild(div);
const t1 = performance.now();
await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
const t2 = performance.now();
div.remove();
return [t1 - t0, t2 - t0];
"#;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn mark(browser: &Browser, name: &str) -> anyhow::Result<f64> {
    let script = format!(
        "const m = performance.getEntriesByName('schoolbridge:{name}'); \
         return m.length ? m[m.length - 1].startTime : null;"
    );
    let script = &script;
    poll(
        &format!("the {name} mark"),
        Duration::from_secs(60),
        || async move { Ok(browser.execute(script).await?.as_f64()) },
    )
    .await
}

#[tokio::test]
#[ignore = "a benchmark: run by hand, see BENCHMARKS.md §4"]
async fn gradebook_budget() -> anyhow::Result<()> {
    let (server, browser) = signed_in_admin("sis-budget").await?;
    let section = browser
        .execute(&format!("return (async () => {{ {MAKE_BOOK} }})();"))
        .await?
        .as_i64()
        .context("no section id from the set-up script")?;
    let page = server.url(&format!("/sis/sections/{section}/gradebook"));
    let api = format!("/api/sis/sections/{section}/gradebook");

    let (mut fetch, mut render, mut baseline) = (vec![], vec![], vec![]);
    let (mut painted, mut baseline_painted) = (vec![], vec![]);
    for run in 0..=RUNS {
        browser.goto(&page).await?;
        let painted_at = mark(&browser, "gradebook-painted").await?;
        let rendered = mark(&browser, "gradebook-rendered").await?;
        let data = mark(&browser, "gradebook-data").await?;
        let request = mark(&browser, "gradebook-request").await?;
        let cells = browser.count("[data-cell]").await?;
        if cells != 2400 {
            bail!("the gradebook shows {cells} cells, not 2400");
        }
        let plain = browser
            .execute(&format!(
                "return (async () => {{ {} }})();",
                BASELINE.replace("arguments[0]", &format!("{api:?}"))
            ))
            .await?;
        let (plain, plain_painted) = (
            plain[0].as_f64().context("no baseline time")?,
            plain[1].as_f64().context("no baseline time")?,
        );
        if run > 0 {
            // The first load warms the caches; it is not counted.
            fetch.push(data - request);
            render.push(rendered - data);
            painted.push(painted_at - data);
            baseline.push(plain);
            baseline_painted.push(plain_painted);
        }
    }
    browser.screenshot("sis-gradebook-40x60").await?;
    browser.close().await?;
    let (f, r, b) = (median(fetch), median(render), median(baseline));
    let (p, bp) = (median(painted), median(baseline_painted));
    let report = format!(
        "gradebook 40 students x 60 items (2,400 graded cells), median of {RUNS} warm loads:\n\
         request -> answer read and laid out: {f:.0} ms\n\
         answer -> grid in the DOM: {r:.0} ms; baseline (the same table by plain JS innerHTML): {b:.0} ms; ratio {:.1}x\n\
         answer -> grid laid out and painted (two frames): {p:.0} ms (budget {BUDGET_MS:.0} ms: {}); baseline {bp:.0} ms; ratio {:.1}x\n",
        r / b.max(0.1),
        if p <= BUDGET_MS { "met" } else { "MISSED" },
        p / bp.max(0.1),
    );
    println!("{report}");
    std::fs::write(artifacts_dir()?.join("sis-gradebook-budget.txt"), &report)?;
    Ok(())
}
