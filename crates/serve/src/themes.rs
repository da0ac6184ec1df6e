//! The themes page: what `peerscope themes` shows, with two charts drawn on the server as
//! SVG (no script): each theme's findings by kind (stacked bars) and the findings by region
//! and year (a heat map, each cell printing its count, so nothing is told by colour alone).
//! Every bar and cell links to its findings in search, and each chart has a table with the
//! same numbers and links beside it. Filters are the search page's, in the address.

use maud::{html, Markup};
use peerscope_model::FindingKind;
use peerscope_query::recurring::{RecurringTheme, RegionYearCells};

use crate::page::layout;
use crate::params::Ask;

/// Topic rows drawn (the framework's rows are always drawn).
const TOPICS_DRAWN: usize = 15;

/// Kinds in the order of each bar's segments, with their fill (the same as the document
/// page's marks, darker so white gaps separate them).
const KINDS: [(FindingKind, &str); 4] = [
    (FindingKind::Strength, "#00703c"),
    (FindingKind::AreaForDevelopment, "#d4351c"),
    (FindingKind::Recommendation, "#1d70b8"),
    (FindingKind::BestPractice, "#ffdd00"),
];

fn count(t: &RecurringTheme, k: FindingKind) -> usize {
    match k {
        FindingKind::Strength => t.strengths,
        FindingKind::AreaForDevelopment => t.areas_for_development,
        FindingKind::Recommendation => t.recommendations,
        FindingKind::BestPractice => t.best_practice,
    }
}

pub fn page(ask: &Ask, regions: &[&str], (table, cells, undated): (&[RecurringTheme], &RegionYearCells, usize), error: Option<&str>) -> Markup {
    let mut topics = 0;
    let rows: Vec<&RecurringTheme> = table
        .iter()
        .filter(|t| t.level == "cqc-theme" || (t.level == "topic" && {
            topics += 1;
            topics <= TOPICS_DRAWN
        }))
        .collect();
    let every = every_theme(table);
    let drawn_topics = rows.iter().filter(|t| t.level == "topic").count();
    let drawn_cqc = rows.len() - drawn_topics;
    let all_topics = table.iter().filter(|t| t.level == "topic").count();
    let title = if error.is_some() { "Error: themes across councils" } else { "Themes across councils" };
    layout(title, html! {
        h1 class="govuk-heading-l" { "Themes across councils" }
        p class="govuk-body" { "What keeps coming up in peer challenges: each theme's findings by kind, then all findings by region and year. Every bar, cell and number links to its findings." }
        (filters(ask, regions))
        @if !ask.pairs.is_empty() {
            p class="govuk-body" { "Filtered: "
                @for (i, (k, v)) in ask.pairs.iter().enumerate() { @if i > 0 { ", " } (k.replace('_', " ")) " " strong { (v) } " (" a class="govuk-link" href=(ask.without("/themes", k, v)) { "remove" span class="govuk-visually-hidden" { " " (k) " " (v) } } ")" }
            }
        }
        @if let Some(e) = error {
            div class="govuk-error-summary" { div role="alert" { h2 class="govuk-error-summary__title" { "There is a problem" } div class="govuk-error-summary__body" { p class="govuk-body" { (crate::page::sentence(e)) } } } }
        }
        @if undated > 0 {
            div class="govuk-inset-text" { (peerscope_query::undated_left_out(undated, "by the year filter")) }
        }
        p class="govuk-body-s" { a class="govuk-link" href=(ask.href("/api/themes")) { "These numbers as JSON" } }
        @if rows.is_empty() {
            p class="govuk-body" { "No findings match these filters." }
        } @else {
            h2 class="govuk-heading-m" id="by-kind" { "Findings by theme and kind" }
            p class="govuk-body" {
                "The chart shows the " (drawn_cqc) " CQC themes and the " (drawn_topics) " topics with most findings (of " (all_topics) "). "
                "The table under it lists every theme: each CQC theme with its quality statements, then every topic. "
                "The two lists sort the same findings two ways, and a finding can be on several themes, so their numbers do not add up to a total."
            }
            div class="ps-scroll" { (bars(ask, &rows)) }
            details class="govuk-details" open {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Every theme as a table" } }
                div class="govuk-details__text" { (bars_table(ask, &every)) }
            }
            h2 class="govuk-heading-m" id="by-region" { "Findings by region and year" }
            div class="ps-scroll" { (heat_map(ask, cells)) }
            details class="govuk-details" open {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "The same as a table" } }
                div class="govuk-details__text" { (heat_table(ask, cells)) }
            }
        }
    })
}

/// A form for the common filters (the address takes all of search's).
fn filters(ask: &Ask, regions: &[&str]) -> Markup {
    let value = |k: &str| ask.pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (region, since, until, kind) = (value("region"), value("since"), value("until"), value("kind"));
    html! {
        form method="get" action="/themes" class="govuk-!-margin-bottom-6" {
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Filter the themes" }
                div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4" {
                    label class="govuk-label" for="region" { "Region" }
                    select class="govuk-select" id="region" name="region" {
                        option value="" selected[region.is_empty()] { "All regions" }
                        @for r in regions { option value=(r) selected[region.eq_ignore_ascii_case(r)] { (r) } }
                    }
                }
                div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4" {
                    label class="govuk-label" for="since" { "Reviews from (year)" }
                    input class="govuk-input govuk-input--width-4" id="since" name="since" inputmode="numeric" value=(since);
                }
                div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4" {
                    label class="govuk-label" for="until" { "to (year)" }
                    input class="govuk-input govuk-input--width-4" id="until" name="until" inputmode="numeric" value=(until);
                }
                div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4" {
                    label class="govuk-label" for="kind" { "Kind of finding" }
                    select class="govuk-select" id="kind" name="kind" {
                        option value="" selected[kind.is_empty()] { "All kinds" }
                        @for (k, _) in KINDS { option value=(k.as_str()) selected[kind == k.as_str()] { (k.label()) } }
                    }
                }
            }
            button type="submit" class="govuk-button govuk-button--secondary" { "Show" }
        }
    }
}

/// The search for a theme's findings of one kind, with the page's filters.
fn theme_href(ask: &Ask, theme: &str, kind: Option<FindingKind>) -> String {
    let narrowed = Ask { q: String::new(), page: 1, pairs: ask.pairs.clone() };
    let with_theme = Ask { pairs: with_pair(&narrowed.pairs, "theme", theme), ..narrowed };
    match kind {
        Some(k) => with_theme.with("/", "kind", k.as_str()),
        None => with_theme.href("/"),
    }
}

fn with_pair(pairs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != key).cloned().collect();
    out.push((key.to_string(), value.to_string()));
    out
}

fn bars(ask: &Ask, rows: &[&RecurringTheme]) -> Markup {
    let (label_w, bar_w, row_h) = (330.0, 560.0, 26.0);
    let most = rows.iter().map(|t| t.findings).max().unwrap_or(1).max(1) as f64;
    let height = row_h * (rows.len() as f64 + 1.0) + 10.0;
    html! {
        svg class="ps-chart" role="group" aria-labelledby="bars-title" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 60.0)) width=(label_w + bar_w + 60.0) height=(height) xmlns="http://www.w3.org/2000/svg" {
            title id="bars-title" { "Findings by theme, each bar split by kind: strengths, areas for development, recommendations, best practice. The table below holds the same numbers and every other theme." }
            @for (i, (k, fill)) in KINDS.iter().enumerate() {
                // Outlined like the bars: the yellow swatch alone is 1.35:1 against white.
                rect x=(i as f64 * 210.0) y="4" width="14" height="14" fill=(fill) stroke="#0b0c0c" stroke-width="1" {}
                text x=(i as f64 * 210.0 + 20.0) y="16" { (k.label()) }
            }
            @for (i, t) in rows.iter().enumerate() {
                @let y = row_h * (i as f64 + 1.0) + 4.0;
                text x="0" y=(y + 16.0) { (peerscope_model::text::clip_chars(&t.label, 48)) }
                @let (segments, end) = segments(t, label_w, bar_w / most);
                @for Segment { kind, fill, findings, x, width } in segments {
                    a href=(theme_href(ask, &t.theme, Some(kind))) aria-label=(format!("{}: {findings} {}", t.label, kind.label())) {
                        rect x=(x) y=(y) width=(width) height=(row_h - 6.0) fill=(fill) stroke="#0b0c0c" stroke-width="1" { title { (t.label) ": " (findings) " " (kind.label()) } }
                    }
                }
                text x=(end + 6.0) y=(y + 16.0) { (t.findings) }
            }
        }
    }
}

/// One kind's part of a theme's bar.
struct Segment {
    kind: FindingKind,
    fill: &'static str,
    findings: usize,
    x: f64,
    width: f64,
}

/// A theme's bar: a segment per kind with findings; and where the bar ends.
fn segments(t: &RecurringTheme, left: f64, per_finding: f64) -> (Vec<Segment>, f64) {
    let mut x = left;
    let mut out = Vec::new();
    for (kind, fill) in KINDS {
        let findings = count(t, kind);
        if findings > 0 {
            let width = (findings as f64 * per_finding).max(2.0);
            out.push(Segment { kind, fill, findings, x, width });
            x += width;
        }
    }
    (out, x)
}

/// Every theme for the table, in two groups: each CQC theme followed by its quality
/// statements, then the topics; each list in the order given (most findings first).
fn every_theme(table: &[RecurringTheme]) -> [(&'static str, Vec<&RecurringTheme>); 2] {
    let mut framework = Vec::with_capacity(table.len());
    for cqc in table.iter().filter(|t| t.level == "cqc-theme") {
        framework.push(cqc);
        framework.extend(table.iter().filter(|t| t.level == "quality-statement" && t.group == cqc.theme));
    }
    // A quality statement whose CQC theme has no findings here still has its row.
    framework.extend(table.iter().filter(|t| t.level == "quality-statement" && !table.iter().any(|c| c.level == "cqc-theme" && c.theme == t.group)));
    let topics = table.iter().filter(|t| t.level == "topic").collect();
    [("CQC assessment framework: its themes, each with its quality statements", framework), ("Topics", topics)]
}

fn bars_table(ask: &Ask, groups: &[(&str, Vec<&RecurringTheme>)]) -> Markup {
    html! {
        div class="ps-scroll" { table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--s" { "Findings by theme and kind, and how many councils they came up for" }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Theme" }
                th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Councils" }
                @for (k, _) in KINDS { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (k.label()) } }
                th scope="col" class="govuk-table__header govuk-table__header--numeric" { "All" }
            } }
            // One body per group, its heading a header of the rows under it.
            @for (heading, rows) in groups.iter().filter(|(_, rows)| !rows.is_empty()) {
                tbody class="govuk-table__body" {
                    tr class="govuk-table__row" { th scope="rowgroup" colspan=(KINDS.len() + 3) class="govuk-table__header" { (heading) } }
                    @for t in rows {
                        tr class="govuk-table__row" {
                            @if t.level == "quality-statement" {
                                th scope="row" class="govuk-table__header ps-indent" { span class="govuk-visually-hidden" { "quality statement: " } (t.label) }
                            } @else {
                                th scope="row" class="govuk-table__header" { (t.label) }
                            }
                            td class="govuk-table__cell govuk-table__cell--numeric" { (t.councils.len()) }
                            @for (k, _) in KINDS {
                                td class="govuk-table__cell govuk-table__cell--numeric" {
                                    @let n = count(t, k);
                                    @if n > 0 { a class="govuk-link" href=(theme_href(ask, &t.theme, Some(k))) { (n) span class="govuk-visually-hidden" { " " (k.label()) " on " (t.label) } } } @else { "0" }
                                }
                            }
                            td class="govuk-table__cell govuk-table__cell--numeric" { a class="govuk-link" href=(theme_href(ask, &t.theme, None)) { (t.findings) span class="govuk-visually-hidden" { " findings on " (t.label) } } }
                        }
                    }
                }
            }
        } }
    }
}

/// The search for one region's findings of one year, with the page's filters.
fn cell_href(ask: &Ask, region: &str, year: i32) -> String {
    let pairs = with_pair(&with_pair(&ask.pairs, "region", region), "year", &year.to_string());
    Ask { q: String::new(), page: 1, pairs: pairs.into_iter().filter(|(k, _)| k != "since" && k != "until").collect() }.href("/")
}

/// The regions, and the years in order with "not known" last.
fn axes(cells: &RegionYearCells) -> (Vec<String>, Vec<Option<i32>>) {
    let mut regions: Vec<String> = cells.keys().map(|(r, _)| r.clone()).collect();
    regions.dedup();
    let mut years: Vec<Option<i32>> = cells.keys().map(|(_, y)| *y).collect();
    years.sort_unstable_by_key(|y| (y.is_none(), *y));
    years.dedup();
    (regions, years)
}

/// A year as a column heading.
fn year_label(year: Option<i32>) -> String {
    year.map_or_else(|| "year not known".to_string(), |y| y.to_string())
}

fn heat_map(ask: &Ask, cells: &RegionYearCells) -> Markup {
    let (regions, years) = axes(cells);
    let most = cells.values().copied().max().unwrap_or(1).max(1) as f64;
    let (label_w, cell_w, cell_h) = (200.0, 52.0, 30.0);
    let width = label_w + cell_w * years.len() as f64 + 10.0;
    let height = cell_h * (regions.len() as f64 + 1.0) + 10.0;
    html! {
        svg class="ps-chart" role="group" aria-labelledby="heat-title" viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height) xmlns="http://www.w3.org/2000/svg" {
            title id="heat-title" { "Findings by region (rows) and year of review (columns, “?” where the review's year is not known); each cell prints its count, darker cells hold more. The table below holds the same numbers." }
            @for (j, y) in years.iter().enumerate() {
                text x=(label_w + cell_w * j as f64 + 8.0) y="20" { (y.map_or_else(|| "?".to_string(), |y| y.to_string())) }
            }
            @for (i, r) in regions.iter().enumerate() {
                @let top = cell_h * (i as f64 + 1.0);
                text x="0" y=(top + 20.0) { (r) }
                @for (j, y) in years.iter().enumerate() {
                    @let n = cells.get(&(r.clone(), *y)).copied().unwrap_or(0);
                    @let x = label_w + cell_w * j as f64;
                    @if n > 0 {
                        @let (fill, ink) = cell_colours(n as f64 / most);
                        // No search finds "year not known": those cells are not links.
                        @if let Some(year) = y {
                            a href=(cell_href(ask, r, *year)) aria-label=(format!("{r}, {year}: {}", findings(n))) {
                                rect x=(x) y=(top) width=(cell_w - 2.0) height=(cell_h - 2.0) fill=(fill) { title { (r) ", " (year) ": " (findings(n)) } }
                                text x=(x + 6.0) y=(top + 20.0) style=(ink) { (n) }
                            }
                        } @else {
                            rect x=(x) y=(top) width=(cell_w - 2.0) height=(cell_h - 2.0) fill=(fill) { title { (r) ", year not known: " (findings(n)) } }
                            text x=(x + 6.0) y=(top + 20.0) style=(ink) { (n) }
                        }
                    } @else {
                        rect x=(x) y=(top) width=(cell_w - 2.0) height=(cell_h - 2.0) fill="#f3f2f1" {}
                    }
                }
            }
        }
    }
}

/// "1 finding", "2 findings".
fn findings(n: usize) -> String {
    if n == 1 { "1 finding".to_string() } else { format!("{n} findings") }
}

/// A cell's fill and the style of the count printed on it: a blue from pale (few findings)
/// to the GOV.UK blue (most), with black or white ink, whichever reads at 4.5:1 or more
/// (WCAG AA). Mid blues read at under 4.5:1 with either (regression: 3.73:1), so a shade
/// there is darkened until white ink reads.
fn cell_colours(shade: f64) -> (String, &'static str) {
    let mut shade = shade.clamp(0.0, 1.0);
    loop {
        let rgb = blue(shade);
        let l = luminance(rgb);
        if (l + 0.05) / (luminance(TEXT) + 0.05) >= 4.5 {
            return (hex(rgb), "");
        }
        if 1.05 / (l + 0.05) >= 4.5 || shade >= 1.0 {
            return (hex(rgb), "fill:#ffffff");
        }
        shade = (shade + 0.01).min(1.0);
    }
}

/// The GOV.UK text colour, the chart's black ink.
const TEXT: [u8; 3] = [0x0b, 0x0c, 0x0c];

fn blue(shade: f64) -> [u8; 3] {
    let mix = |light: f64, dark: f64| (light + (dark - light) * shade).round() as u8;
    [mix(222.0, 29.0), mix(235.0, 112.0), mix(247.0, 184.0)]
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Relative luminance as WCAG 2 defines it.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

fn heat_table(ask: &Ask, cells: &RegionYearCells) -> Markup {
    let (regions, years) = axes(cells);
    html! {
        div class="ps-scroll" { table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--s" { "Findings by region and year of review" }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Region" }
                @for y in &years { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (year_label(*y)) } }
            } }
            tbody class="govuk-table__body" {
                @for r in &regions {
                    tr class="govuk-table__row" {
                        th scope="row" class="govuk-table__header" { (r) }
                        @for y in &years {
                            td class="govuk-table__cell govuk-table__cell--numeric" {
                                @let n = cells.get(&(r.clone(), *y)).copied().unwrap_or(0);
                                @match (n, y) {
                                    (0, _) => { "0" },
                                    (n, Some(year)) => { a class="govuk-link" href=(cell_href(ask, r, *year)) { (n) span class="govuk-visually-hidden" { " findings in " (r) ", " (year) } } },
                                    (n, None) => { (n) },
                                }
                            }
                        }
                    }
                }
            }
        } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cells_count_reads_at_four_and_a_half_to_one() {
        for i in 0..=200 {
            let (fill, ink) = cell_colours(f64::from(i) / 200.0);
            let rgb = [1, 3, 5].map(|at| u8::from_str_radix(&fill[at..at + 2], 16).unwrap());
            let (a, b) = (luminance(rgb), if ink.is_empty() { luminance(TEXT) } else { 1.0 });
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "shade {i}/200: {fill} with {ink:?} reads at {ratio:.2}:1");
        }
    }
}
