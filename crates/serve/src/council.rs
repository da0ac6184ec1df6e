//! The council page: what `peerscope council` shows — reviews over time, findings by theme
//! and kind, what was flagged again, comparators and who to learn from — with every
//! council, theme and document linked.

use std::collections::HashMap;

use maud::{html, Markup};
use peerscope_model::{DocKind, FindingKind, ReviewType};
use peerscope_query::profile::{CouncilProfile, Praise};

use crate::page::{finding_href, layout, path_segment, source_link};

/// Findings shown under each theme (the rest are a search away).
const FINDINGS_PER_THEME: usize = 3;

/// `documents`: each published source's document id, so sources link to document pages.
pub fn page(p: &CouncilProfile, documents: &HashMap<&str, &str>) -> Markup {
    let name = &p.council.name;
    let search = |pairs: &[(&str, &str)]| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("council", name);
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        format!("/?{}", s.finish())
    };
    // A finding's link goes to the finding in its document; a document's to its top.
    // `about` is said to a screen reader's list of links, where a hundred "read it in its
    // document" could not be told apart (regression).
    let doc_link = |source: &str, start: Option<usize>, about: &str| html! {
        @if let Some(id) = documents.get(source) {
            @match start {
                Some(at) => { a class="govuk-link" href=(finding_href(id, at as u64)) { "read it in its document" span class="govuk-visually-hidden" { ": " (peerscope_model::text::clip_chars(about, 80)) } } " · " },
                None => { a class="govuk-link" href=(format!("/document/{}", path_segment(id))) { "read it" span class="govuk-visually-hidden" { ": " (peerscope_model::text::clip_chars(about, 80)) } } " · " },
            }
        }
        (source_link(source))
    };
    layout(name, html! {
        span class="govuk-caption-l" { "Council" }
        h1 class="govuk-heading-l" { (name) }
        p class="govuk-body" { (p.council.region.as_deref().unwrap_or("region unknown")) ", " (p.la_type) @if let Some(g) = &p.council.gss_code { " · GSS code " (g) } }
        @if let Some(f) = &p.former { div class="govuk-inset-text" { "A former council: " (f) "." } }
        p class="govuk-body-s" { a class="govuk-link" href=(search(&[])) { "Search all of " (name) "’s findings" } " · " a class="govuk-link" href=(format!("/api/council/{}", path_segment(name))) { "this page as JSON" } }
        h2 class="govuk-heading-m" { "Reviews and documents" }
        @if p.documents.is_empty() {
            p class="govuk-body" { "No reviews of " (name) " are in this data directory." }
        } @else {
            div class="ps-scroll" { table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--s" { "Documents about " (name) "’s reviews, by year" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Year" } th scope="col" class="govuk-table__header" { "Document" } th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Findings" } th scope="col" class="govuk-table__header" { "Where" }
                } }
                tbody class="govuk-table__body" {
                    @for d in &p.documents {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { @match d.year {
                                // A year whose documents hold no finding leads to no search
                                // (regression: Croydon's 2020 led to "no council's findings match").
                                Some(y) if p.documents.iter().any(|o| o.year == Some(y) && o.findings > 0) => { a class="govuk-link" href=(search(&[("year", &y.to_string())])) { (y) } },
                                Some(y) => { (y) },
                                None => { "not known" } } }
                            td class="govuk-table__cell" { (d.title) br; span class="govuk-body-s" { (DocKind::parse(&d.doc_kind).map_or(d.doc_kind.as_str(), |k| k.label())) " · " @if d.review_type == "unknown" { "review type not known" } @else { (ReviewType::parse(&d.review_type).map_or(d.review_type.as_str(), |k| k.label())) } } }
                            td class="govuk-table__cell govuk-table__cell--numeric" { (d.findings) }
                            td class="govuk-table__cell" { @for s in &d.sources { (doc_link(s, None, &d.title)) br; } }
                        }
                    }
                }
            } }
        }
        @if !p.themes.is_empty() {
            h2 class="govuk-heading-m" { "Findings by theme" }
            div class="ps-scroll" { table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--s" { "Findings by theme and kind" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Theme" }
                    @for k in FindingKind::ALL { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (k.label()) } }
                } }
                tbody class="govuk-table__body" {
                    @for t in &p.themes {
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { a class="govuk-link" href=(search(&[("theme", &t.theme)])) { (t.label) } }
                            @for (i, k) in FindingKind::ALL.iter().enumerate() {
                                td class="govuk-table__cell govuk-table__cell--numeric" {
                                    @if t.counts[i] > 0 { a class="govuk-link" href=(search(&[("theme", &t.theme), ("kind", k.as_str())])) { (t.counts[i]) span class="govuk-visually-hidden" { " " (k.label()) " on " (t.label) } } } @else { "0" }
                                }
                            }
                        }
                    }
                }
            } }
            @if p.themes.len() > 8 {
                p class="govuk-body" { "Examples from the " (8) " themes with most findings; every theme's findings are a link in the table above." }
            }
            @for t in p.themes.iter().take(8) {
                h3 class="govuk-heading-s" { (t.label) }
                ul class="govuk-list" {
                    @for f in t.findings.iter().take(FINDINGS_PER_THEME) {
                        li { strong class={ "govuk-tag ps-kind ps-" (f.kind.as_str()) } { (f.kind.label()) } " " (f.text) br; span class="govuk-body-s ps-provenance" { @if let Some(y) = f.year { (y) " · " } (doc_link(&f.source, Some(f.start), &f.text)) } }
                    }
                }
                // The examples are a few of the theme's findings: say how many, and link to all.
                @let all: usize = t.counts.iter().sum();
                @if all > t.findings.len().min(FINDINGS_PER_THEME) {
                    p class="govuk-body-s" { a class="govuk-link" href=(search(&[("theme", &t.theme)])) { "All " (all) " findings of " (name) " on " (t.label) } }
                }
            }
        }
        @if !p.repeated.is_empty() {
            h2 class="govuk-heading-m" { "Flagged again" }
            ul class="govuk-list govuk-list--bullet" {
                @for r in &p.repeated { li { a class="govuk-link" href=(search(&[("theme", &r.theme)])) { (r.label) } " — " (r.summary) } }
            }
        }
        @if !p.comparators.is_empty() {
            h2 class="govuk-heading-m" { "Comparators" }
            ul class="govuk-list govuk-list--bullet" {
                @for c in &p.comparators { li { a class="govuk-link" href=(format!("/council/{}", path_segment(&c.council.name))) { (c.council.name) } " (" (c.council.region.as_deref().unwrap_or("")) ") — " (c.basis) @if c.similarity > 0.0 { ", similarity " (format!("{:.2}", c.similarity)) } @else { ", no findings on the same themes" } } }
            }
        }
        @if !p.named_by.is_empty() {
            h2 class="govuk-heading-m" { "Other councils' reviews point to " (name) "’s practice" }
            ul class="govuk-list" {
                @for x in &p.named_by { (praise(x, "its review names this council", &doc_link)) }
            }
        }
        @if !p.learn_from.is_empty() {
            h2 class="govuk-heading-m" { "Who to learn from, on each theme flagged (areas for development and recommendations)" }
            @for l in &p.learn_from {
                h3 class="govuk-heading-s" { (l.label) }
                ul class="govuk-list" {
                    @for x in &l.pointers { (praise(x, "pointed to by a review", &doc_link)) }
                    @for x in &l.praised { (praise(x, "praised in its own review", &doc_link)) }
                }
            }
        }
    })
}

fn praise(x: &Praise, basis: &str, doc_link: &dyn Fn(&str, Option<usize>, &str) -> Markup) -> Markup {
    html! {
        li {
            strong { a class="govuk-link" href=(format!("/council/{}", path_segment(&x.council))) { (x.council) } } " (" (basis) "): " (x.text)
            br; span class="govuk-body-s ps-provenance" { (doc_link(&x.source, Some(x.start), &x.text)) }
        }
    }
}
