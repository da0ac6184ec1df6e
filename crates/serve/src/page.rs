//! The pages, as maud templates: every text interpolated is escaped, and no page holds a
//! script. Provenance is shown beside every finding.

use maud::{html, Markup, DOCTYPE};
use peerscope_query::Answer;

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – peerscope" }
            }
            body {
                header { p { a href="/" { "peerscope" } " — findings of adult social care peer challenges" } }
                main { (body) }
            }
        }
    }
}

/// The search page: the box, then the answer (or why there is none).
pub fn search(q: &str, answer: Option<&Answer>, error: Option<&str>) -> Markup {
    let title = if q.is_empty() { "Search".to_string() } else { format!("{q}") };
    layout(&title, html! {
        h1 { "Search the findings" }
        form method="get" action="/" role="search" {
            label for="q" { "Question, e.g. “councils flagged for review performance”" }
            input type="search" id="q" name="q" value=(q) maxlength=(crate::MAX_QUERY_BYTES);
            button type="submit" { "Search" }
        }
        @if let Some(e) = error {
            p role="alert" { (e) }
        }
        @if let Some(a) = answer {
            (answer_view(a))
        }
    })
}

fn answer_view(a: &Answer) -> Markup {
    html! {
        p class="looking-for" { "Looking for: " (a.intent.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")) " · topic “" (a.intent.topic) "”"
            @for f in a.intent.filter.describe() { " · " (f) } }
        @if !a.unmatched.is_empty() {
            p { "No finding mentions " (a.unmatched.join(" or ")) "." }
        } @else if !a.not_together.is_empty() {
            p { "No finding mentions " (a.not_together.join(" or ")) " together with the rest of the question." }
        } @else if a.councils.is_empty() {
            p { "No council's findings match." }
        }
        @for (i, c) in a.councils.iter().enumerate() {
            section class="council" {
                h2 { (i + 1) ". " (c.council.name) " (" (c.council.region.as_deref().unwrap_or("region unknown")) ") — " (c.matched) " matching findings" }
                ul {
                    @for f in &c.findings {
                        li {
                            strong { "[" (f.kind.label()) "] " } (marked(&f.highlighted))
                            br;
                            small { (f.title) @if let Some(y) = f.year { ", " (y) } " · " (source_link(&f.source)) " (bytes " (f.start) "–" (f.end) ")" }
                        }
                    }
                }
            }
        }
        @if !a.best_practice.is_empty() {
            h2 { "Who to learn from" }
            ul {
                @for p in &a.best_practice {
                    li { strong { (p.council.name) } " — " (marked(&p.text)) br; small { (p.title) " · " (source_link(&p.source)) } }
                }
            }
        }
    }
}

/// A source as a link when it is a web address, as text otherwise (a `javascript:` or
/// other scheme is never a link).
fn source_link(source: &str) -> Markup {
    let web = source.starts_with("https://") || source.starts_with("http://");
    html! {
        @if web { a href=(source) rel="noreferrer" { (source) } } @else { (source) }
    }
}

/// Text whose matched words the engine wrapped in `**`, with those words marked (each piece
/// escaped; the marks are the only markup).
fn marked(text: &str) -> Markup {
    html! {
        @for (i, piece) in text.split("**").enumerate() {
            @if i % 2 == 1 { mark { (piece) } } @else { (piece) }
        }
    }
}
