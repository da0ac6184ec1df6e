//! The pages' frame and the search page, as maud templates: every text interpolated is
//! escaped, no page holds a script, and provenance is shown beside every finding. Styles
//! are the GOV.UK Design System's (see `assets/NOTICE.md`), so the pages look and behave
//! as the services these users meet daily.

use maud::{html, Markup, DOCTYPE};
use peerscope_model::Taxonomy;
use peerscope_query::{facets, Answer, Evidence, Facet};

use crate::params::Ask;

/// The frame of every page: skip link, header, navigation, main landmark, footer.
pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" class="govuk-template" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – peerscope" }
                link rel="stylesheet" href=(crate::STYLESHEET);
            }
            body class="govuk-template__body" {
                a href="#main-content" class="govuk-skip-link" { "Skip to main content" }
                header class="govuk-header" {
                    div class="govuk-header__container govuk-width-container" {
                        div class="govuk-header__content" {
                            a href="/" class="govuk-header__link govuk-header__service-name" { "peerscope" }
                        }
                    }
                }
                nav class="govuk-width-container" aria-label="Sections" {
                    ul class="govuk-list govuk-!-margin-top-3" {
                        li class="govuk-!-display-inline-block govuk-!-margin-right-4" { a class="govuk-link" href="/" { "Search findings" } }
                        li class="govuk-!-display-inline-block govuk-!-margin-right-4" { a class="govuk-link" href="/themes" { "Themes across councils" } }
                    }
                }
                div class="govuk-width-container" {
                    main class="govuk-main-wrapper" id="main-content" {
                        (body)
                    }
                }
                footer class="govuk-footer" {
                    div class="govuk-width-container" {
                        p class="govuk-body-s" {
                            "Findings of adult social care peer challenges, read from published documents by peerscope. "
                            "Every finding links to the document it was read from; check it there before you rely on it."
                        }
                    }
                }
            }
        }
    }
}

/// A message as a sentence on a page: the engine's messages start in lower case, as the
/// command line's errors do after "peerscope: ".
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// Questions a first-time visitor can follow, one of each kind of answer.
const EXAMPLES: [&str; 4] = ["councils flagged for review performance", "praised for carers support", "what did peers recommend about safeguarding", "workforce in the West Midlands since 2015"];

/// The search page: the box, the filters in force, then the answer (or why there is none).
pub fn search(ask: &Ask, answer: Option<&Answer>, error: Option<&str>, taxonomy: &Taxonomy) -> Markup {
    // Filters in words: "Kind of finding: Area for development", not "kind: area_for_development".
    let in_words: Vec<(&str, String)> = ask.pairs.iter().map(|(k, v)| (facets::field_label(k), facets::label(k, v, taxonomy))).collect();
    // The title says what the page holds, so tabs, bookmarks and history tell pages apart:
    // the question, or the filters of a page reached by a link, and an error first.
    let filters: Vec<String> = in_words.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let what = match (ask.q.is_empty(), filters.is_empty()) {
        (true, true) => "Search the findings".to_string(),
        (true, false) => format!("Findings: {}", filters.join(", ")),
        (false, true) => ask.q.clone(),
        (false, false) => format!("{} ({})", ask.q, filters.join(", ")),
    };
    let title = if error.is_some() { format!("Error: {what}") } else { what };
    layout(&title, html! {
        h1 class="govuk-heading-l" { "Search the findings" }
        form method="get" action="/" role="search" {
            div class="govuk-form-group" {
                label class="govuk-label govuk-label--s" for="q" { "Your question" }
                div class="govuk-hint" id="q-hint" { "For example “councils flagged for waiting lists” or “praised for carers in the West Midlands since 2015”" }
                input class="govuk-input" type="search" id="q" name="q" value=(ask.q) maxlength=(crate::MAX_QUERY_CHARS) aria-describedby="q-hint";
            }
            @for (k, v) in &ask.pairs {
                input type="hidden" name=(k) value=(v);
            }
            button type="submit" class="govuk-button" { "Search" }
        }
        @if !ask.pairs.is_empty() {
            div class="govuk-!-margin-bottom-4" {
                h2 class="govuk-heading-s govuk-!-margin-bottom-1" { "Filters in force" }
                ul class="govuk-list" {
                    @for ((k, v), (key, value)) in ask.pairs.iter().zip(&in_words) {
                        li { (key) ": " strong { (value) } " — " a class="govuk-link" href=(ask.without("/", k, v)) { "remove" span class="govuk-visually-hidden" { " the filter " (key) ": " (value) } } }
                    }
                }
            }
        }
        @if let Some(e) = error {
            div class="govuk-error-summary" {
                div role="alert" {
                    h2 class="govuk-error-summary__title" { "There is a problem" }
                    div class="govuk-error-summary__body" { p class="govuk-body" { (sentence(e)) } }
                }
            }
        }
        @if let Some(a) = answer {
            (answer_view(ask, a))
        } @else if ask.q.is_empty() && ask.pairs.is_empty() {
            h2 class="govuk-heading-s" { "Questions to start from" }
            ul class="govuk-list govuk-list--bullet" {
                @for q in EXAMPLES { li { a class="govuk-link" href=(Ask::default().asking(q)) { (q) } } }
            }
        }
    })
}

fn answer_view(ask: &Ask, a: &Answer) -> Markup {
    html! {
        p class="govuk-body looking-for" { "Looking for: " (a.intent.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "))
            @if !a.intent.topic.is_empty() { " · topic “" (a.intent.topic) "”" }
            @for f in a.intent.filter.describe() { " · " (f) } }
        p class="govuk-body-s" {
            "Download these findings: "
            a class="govuk-link" href=(ask.href("/export.csv")) { "CSV" } " · "
            a class="govuk-link" href=(ask.href("/export.jsonl")) { "JSON lines" } " · "
            a class="govuk-link" href=(ask.href("/feed")) { "Atom feed (newest first)" } " · "
            a class="govuk-link" href=(ask.href("/api/query")) { "JSON of this answer" }
        }
        // The answer first, the ways to narrow it beside it (below it on a phone, where
        // they came first and put the first council two screens down).
        div class="govuk-grid-row" {
            div class="govuk-grid-column-two-thirds" {
                (councils(ask, a))
                (learn_from(a))
            }
            div class="govuk-grid-column-one-third" {
                @if !a.facets.is_empty() {
                    h2 class="govuk-heading-m" { "Narrow the answer" }
                    p class="govuk-body-s" { "Counts of the " (a.findings_counted) " best-matching findings." }
                    @for f in &a.facets { (facet(ask, f)) }
                }
            }
        }
    }
}

fn facet(ask: &Ask, f: &Facet) -> Markup {
    html! {
        nav class="ps-facet" aria-label=(f.label) {
            h3 class="govuk-heading-s govuk-!-margin-bottom-1" { (f.label) }
            ul {
                @for v in f.values.iter().take(10) {
                    li class="govuk-body-s" {
                        @if ask.has(f.field, &v.value) {
                            strong { (v.label) } " (" (v.count) ") — " a class="govuk-link" href=(ask.without("/", f.field, &v.value)) { "remove" span class="govuk-visually-hidden" { " " (v.label) } }
                        } @else {
                            a class="govuk-link" href=(ask.with("/", f.field, &v.value)) { (v.label) } " (" (v.count) ")"
                        }
                    }
                }
            }
        }
    }
}

/// The themes page, narrowed to the regions the question named.
fn themes_href(a: &Answer) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for r in &a.intent.filter.regions {
        query.append_pair("region", r);
    }
    let query = query.finish();
    if query.is_empty() { "/themes".to_string() } else { format!("/themes?{query}") }
}

fn councils(ask: &Ask, a: &Answer) -> Markup {
    html! {
        @if a.points_to_themes() {
            p class="govuk-body" { "Themes that recur across councils are on " a class="govuk-link" href=(themes_href(a)) { "the themes page" } "." }
        }
        @if !a.unmatched.is_empty() {
            p class="govuk-body" { "No finding mentions " (a.unmatched.join(" or ")) ": nothing is listed rather than councils that match only the other words." }
            (suggestions(ask, a))
        } @else if !a.not_together.is_empty() {
            p class="govuk-body" { "No finding mentions " (a.not_together.join(" or ")) " together with the rest of the question." }
            (suggestions(ask, a))
        } @else if a.councils.is_empty() && a.councils_total > 0 {
            p class="govuk-body" { (a.councils_total) @if a.councils_total == 1 { " council matches, on an earlier page: " } @else { " councils match, all on earlier pages: " } a class="govuk-link" href=(ask.on_page(1)) { "back to the first page" } "." }
        } @else if a.councils.is_empty() {
            p class="govuk-body" { "No council's findings match." }
            (suggestions(ask, a))
        } @else {
            h2 class="govuk-heading-m" id="councils" { "Councils " (a.offset + 1) " to " (a.offset + a.councils.len()) " of " (a.councils_total) }
        }
        @if a.undated_left_out > 0 {
            p class="govuk-body-s" { (peerscope_query::undated_left_out(a.undated_left_out, "by the year filter")) }
        }
        @if a.without_council > 0 {
            p class="govuk-body-s" { (peerscope_query::without_council(a.without_council)) }
        }
        @for (i, c) in a.councils.iter().enumerate() {
            section class="council" aria-labelledby=(format!("council-{i}")) {
                h3 class="govuk-heading-s" id=(format!("council-{i}")) {
                    (a.offset + i + 1) ". " a class="govuk-link" href=(format!("/council/{}", path_segment(&c.council.name))) { (c.council.name) }
                    " (" (c.council.region.as_deref().unwrap_or("region unknown")) ") — " (c.matched) " matching finding" @if c.matched != 1 { "s" }
                }
                ul class="govuk-list" {
                    @for f in &c.findings { li { (finding(f)) } }
                }
                // Only the best findings of each council are shown: the rest are one filter
                // away, or too many for one page.
                @match a.more_of(c) {
                    Some(m) if m.alone && c.findings.is_empty() => { p class="govuk-body-s" { "All " (m.all) " are on earlier pages: " a class="govuk-link" href=(ask.on_page(1)) { "back to the first page" } "." } },
                    Some(m) if m.alone => { p class="govuk-body-s" { "Findings " (m.before + 1) " to " (m.before + c.findings.len()) " of " (m.all) ", the best first; "
                        @if m.before + c.findings.len() < m.all { "the next pages hold the others." } @else { "the earlier pages hold the others." } } },
                    Some(m) => { p class="govuk-body-s" { a class="govuk-link" href=(ask.only("/", "council", &c.council.name)) { "All " (m.all) " matching findings of " (c.council.name) } } },
                    None => {},
                }
            }
        }
        (pagination(ask, a))
    }
}

/// Councils the question named with no findings held, then those it nearly named, each a
/// link to its council page.
fn suggestions(ask: &Ask, a: &Answer) -> Markup {
    let said = a.suggestions();
    let near = said.near;
    html! {
        @for name in said.not_held {
            p class="govuk-body" { "No findings of " a class="govuk-link" href=(format!("/council/{}", path_segment(name))) { (name) } " are held: none of its peer challenge documents has been read yet." }
        }
        @for name in said.without_findings {
            p class="govuk-body" { (peerscope_query::held_without_findings(name)) ": " a class="govuk-link" href=(format!("/council/{}", path_segment(name))) { "see " (name) "'s page" } "." }
        }
        @if !near.is_empty() {
            p class="govuk-body" { "Did you mean "
                @for (i, name) in near.iter().enumerate() { @if i > 0 { " or " } a class="govuk-link" href=(format!("/council/{}", path_segment(name))) { (name) } }
            "?" }
        }
        @for r in &a.respelt {
            p class="govuk-body" { "Did you mean " a class="govuk-link" href=(ask.asking(&r.question(&a.query))) { (r.meant) } "?" }
        }
    }
}

/// One finding: its kind, its words (matched ones marked), where it is from.
fn finding(f: &Evidence) -> Markup {
    html! {
        strong class={ "govuk-tag ps-kind ps-" (f.kind.as_str()) } { (f.kind.label()) } " "
        span { (marked(&f.highlighted)) }
        br;
        span class="govuk-body-s ps-provenance" {
            // Said in full to a screen reader's list of links, where a dozen "Read it in
            // its document" could not be told apart.
            a class="govuk-link" href=(finding_href(&f.document, f.start)) { "Read it in its document" span class="govuk-visually-hidden" { ": " (peerscope_model::text::clip_chars(&f.text, 80)) } }
            " · " (f.title) @if let Some(y) = f.year { ", " (y) }
            @if !f.section.is_empty() { " · section “" (f.section) "”" }
            " · " (source_link(&f.source))
            @if !f.also_in.is_empty() { " · also in " @for (i, s) in f.also_in.iter().enumerate() { @if i > 0 { ", " } (source_link(s)) } }
        }
    }
}

fn pagination(ask: &Ask, a: &Answer) -> Markup {
    let page = ask.page;
    let more = a.more_pages() && page < crate::params::MAX_PAGE;
    html! {
        @if page > 1 || more {
            nav class="govuk-pagination" aria-label=(if a.intent.filter.councils.len() == 1 { "Pages of findings" } else { "Pages of councils" }) {
                @if page > 1 {
                    div class="govuk-pagination__prev" { a class="govuk-link govuk-pagination__link" href=(ask.on_page(page - 1)) rel="prev" { span class="govuk-pagination__link-title" { "Previous" span class="govuk-visually-hidden" { " page" } } } }
                }
                @if more {
                    div class="govuk-pagination__next" { a class="govuk-link govuk-pagination__link" href=(ask.on_page(page + 1)) rel="next" { span class="govuk-pagination__link-title" { "Next" span class="govuk-visually-hidden" { " page" } } } }
                }
            }
        }
    }
}

fn learn_from(a: &Answer) -> Markup {
    html! {
        @if !a.best_practice.is_empty() {
            h2 class="govuk-heading-m" { "Who to learn from" }
            ul class="govuk-list" {
                @for p in &a.best_practice {
                    li {
                        strong { a class="govuk-link" href=(format!("/council/{}", path_segment(&p.council.name))) { (p.council.name) } }
                        @if p.basis == "pointer" { " — pointed to by " (p.from) "’s review: " } @else { " — praised in its own review: " }
                        (marked(&p.text))
                        br;
                        span class="govuk-body-s ps-provenance" { a class="govuk-link" href=(finding_href(&p.document, p.start)) { "Read it in its document" span class="govuk-visually-hidden" { ": " (peerscope_model::text::clip_chars(&p.text, 80)) } } " · " (p.title) " · " (source_link(&p.source)) }
                    }
                }
            }
        }
    }
}

/// The address of a finding in its document page (the page scrolls to it).
pub fn finding_href(document: &str, start: u64) -> String {
    format!("/document/{}#at-{start}", path_segment(document))
}

/// A name as one segment of a path ("Bath and North East Somerset", "St. Helens").
pub fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A source as a link when it is a web address, as text otherwise (a `javascript:` or
/// other scheme is never a link).
pub fn source_link(source: &str) -> Markup {
    let web = peerscope_model::text::is_web_address(source);
    html! {
        @if web { a class="govuk-link" href=(source) rel="noreferrer" { (source) } } @else { (source) }
    }
}

/// Text whose matched words the engine wrapped in `**`, with those words marked (each piece
/// escaped; the marks are the only markup).
pub fn marked(text: &str) -> Markup {
    html! {
        @for (i, piece) in text.split("**").enumerate() {
            @if i % 2 == 1 { mark { (piece) } } @else { (piece) }
        }
    }
}
