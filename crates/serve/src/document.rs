//! The document page: a stored document's extracted text with every finding marked by
//! kind (a colour and a text label, never colour alone), its metadata, where it was
//! published and its raw bytes, so a reader checks each finding where it stands.

use maud::{html, Markup};
use peerscope_index::DocumentRecord;
use peerscope_model::text::clip_chars;
use peerscope_model::{Finding, FindingKind};

use crate::page::{layout, path_segment, source_link};

/// The most text one page shows, in bytes: a stranger's document may be megabytes of text.
const MOST_TEXT_SHOWN: usize = 2_000_000;

pub fn page(record: &DocumentRecord) -> Markup {
    let d = &record.document;
    let title = if d.title.trim().is_empty() { "Untitled document" } else { d.title.as_str() };
    let council = d.council.as_ref();
    // The tab's title names the council and year: copies of one report are told apart by
    // their pages' content, but a title alone ("LGA Peer Review report") names no one.
    let tab = match (council, d.review_year) {
        (Some(c), Some(y)) => format!("{} {y}: {title}", c.name),
        (Some(c), None) => format!("{}: {title}", c.name),
        _ => title.to_string(),
    };
    html! {
        (layout(&tab, html! {
            span class="govuk-caption-l" { "Document" }
            h1 class="govuk-heading-l" { (title) }
            dl class="govuk-summary-list" {
                (row("Council", html! { @match council {
                    Some(c) => { a class="govuk-link" href=(format!("/council/{}", path_segment(&c.name))) { (c.name) } @if let Some(r) = &c.region { " (" (r) ")" } },
                    None => { "not known" },
                } }))
                (row("Year of review", html! { @match d.review_year { Some(y) => { (y) }, None => { "not known" } } }))
                (row("Document", html! { (d.doc_kind.label()) }))
                (row("Review", html! { (d.review_type.label()) " of " (d.service.label()) }))
                @if let Some(url) = d.url.as_deref() {
                    (row("Public address", source_link(url)))
                }
                (row("Read from", html! { @for (i, s) in record.sources.iter().enumerate() { @if i > 0 { br; } (source_link(s)) } }))
                (row("Raw bytes", html! { a class="govuk-link" href=(format!("/document/{}/raw", path_segment(&record.id))) download { "Download the " (d.format) " as published" } " (SHA-256 " (record.id) ")" }))
                (row("Findings", html! { (d.findings.len()) " · " a class="govuk-link" href=(format!("/api/document/{}", path_segment(&record.id))) { "as JSON" } }))
            }
            h2 class="govuk-heading-m" { "Findings in this document" }
            (legend())
            @if d.findings.is_empty() {
                p class="govuk-body" { "The reader found no finding in this document." }
            } @else {
                ol class="govuk-list govuk-list--number" {
                    @for f in &d.findings {
                        li { (f.kind.label()) ": " a class="govuk-link" href=(format!("#at-{}", f.start)) { (clip_chars(&f.text, 160)) } }
                    }
                }
            }
            h2 class="govuk-heading-m" { "The text as read" }
            @if record.text.is_empty() {
                p class="govuk-body" { "The index holds no text for this document; its findings are listed above." }
            } @else {
                @if record.text.len() > MOST_TEXT_SHOWN {
                    p class="govuk-body" { "The text is " (record.text.len()) " bytes long; the first " (MOST_TEXT_SHOWN) " are shown. Download the raw bytes for the rest." }
                }
                div class="ps-document-text" { (marked_text(&record.text, &d.findings)) }
            }
        }))
    }
}

fn row(key: &str, value: Markup) -> Markup {
    html! { div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (key) } dd class="govuk-summary-list__value" { (value) } } }
}

/// What each mark means: its colour and, on every mark, its name.
fn legend() -> Markup {
    html! {
        p class="govuk-body" {
            "In the text, each finding starts with its kind: "
            @for (i, k) in FindingKind::ALL.iter().enumerate() {
                @if i > 0 { ", " }
                span class={ "ps-kind ps-" (k.as_str()) } { (k.label()) }
            }
            "."
        }
    }
}

/// The text with each finding marked where it stands (findings out of order, overlapping
/// an earlier one or off the text are listed above but not marked).
fn marked_text(text: &str, findings: &[Finding]) -> Markup {
    let shown = peerscope_model::text::prefix(text, MOST_TEXT_SHOWN);
    let mut spans: Vec<&Finding> = findings.iter().filter(|f| f.start < f.end && shown.get(f.start..f.end).is_some()).collect();
    spans.sort_by_key(|f| f.start);
    let mut at = 0;
    let mut pieces: Vec<(Option<&Finding>, &str)> = Vec::new();
    for f in spans {
        if f.start < at {
            continue;
        }
        pieces.push((None, &shown[at..f.start]));
        pieces.push((Some(f), &shown[f.start..f.end]));
        at = f.end;
    }
    pieces.push((None, &shown[at..]));
    html! {
        @for (f, piece) in pieces {
            @match f {
                Some(f) => { mark class={ "ps-finding ps-" (f.kind.as_str()) } id=(format!("at-{}", f.start)) { span class={ "ps-kind ps-" (f.kind.as_str()) } { (f.kind.label()) } span class="govuk-visually-hidden" { ": " } (piece) } },
                None => { (piece) },
            }
        }
    }
}

