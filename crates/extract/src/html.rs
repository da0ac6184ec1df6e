//! HTML pages to text: the article without the site around it.
//!
//! Council and LGA pages wrap a document in banners, navigation, breadcrumbs, cookie
//! notices and footers. This module picks the content root (`main`, `article`, ModernGov's
//! `mgContent`), drops chrome, and renders blocks one per line: headings and paragraphs on
//! their own lines, list items as "- item", table cells joined by " | ". The site's name and
//! the page title are kept aside as hints for the metadata (they often name the council).

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

/// Text of a page plus what the chrome said about it.
#[derive(Debug, Default, Clone)]
pub struct HtmlText {
    pub text: String,
    pub title: Option<String>,
    pub site: Option<String>,
}

const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "select",
    "iframe", "svg", "head", "object", "canvas",
];
const CHROME_WORDS: &[&str] = &[
    "cookie", "breadcrumb", "navigation", "navbar", "nav", "menu", "footer", "header", "banner", "sidebar",
    "skip", "share", "social", "related", "masthead", "search",
];
const BLOCK_TAGS: &[&str] = &[
    "p", "div", "section", "article", "main", "blockquote", "ul", "ol", "table", "tr", "dl", "dt", "dd", "pre",
    "figure", "figcaption", "address", "body", "hr",
];

/// The text of a page, parsed within bounds of time and memory whatever its shape
/// (`peerscope_html`).
pub fn html_to_text(source: &str) -> HtmlText {
    let doc = peerscope_html::parse_document(source);
    let title = select_text(&doc, "title");
    let site = doc
        .select(&sel("meta[property='og:site_name']"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .map(str::to_string)
        .or_else(|| select_text(&doc, ".site-name"))
        .or_else(|| doc.select(&sel("#header img[alt], header img[alt]")).next().and_then(|i| i.value().attr("alt")).map(str::to_string));
    let root = content_root(&doc);
    let mut r = Renderer::default();
    r.render(root);
    HtmlText { text: r.finish(), title, site }
}

fn sel(s: &str) -> Selector {
    // The selectors are literals of this file; a failure is a programming error caught by tests.
    Selector::parse(s).unwrap_or_else(|_| panic!("bad selector {s}"))
}

fn select_text(doc: &Html, s: &str) -> Option<String> {
    let t = doc.select(&sel(s)).next()?.text().collect::<String>();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

fn content_root(doc: &Html) -> ElementRef<'_> {
    for s in ["main", "[role=main]", "article", ".mgContent", "#modgov", "#content", "#main-content", "body"] {
        if let Some(e) = doc.select(&sel(s)).next() {
            if e.text().any(|t| !t.trim().is_empty()) {
                return e;
            }
        }
    }
    doc.root_element()
}

fn is_chrome(e: &scraper::node::Element) -> bool {
    if SKIP_TAGS.contains(&e.name()) {
        return true;
    }
    if matches!(e.attr("role"), Some("navigation" | "banner" | "contentinfo" | "search" | "complementary")) {
        return true;
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    let words = e.id().into_iter().chain(e.classes()).flat_map(|s| s.split(['-', '_'])).map(str::to_ascii_lowercase);
    let mut words = words.collect::<Vec<_>>();
    words.retain(|w| !w.is_empty());
    words.iter().any(|w| CHROME_WORDS.contains(&w.as_str()))
}

#[derive(Default)]
struct Renderer {
    out: String,
    line: String,
    list_depth: usize,
    ordered: Vec<Option<usize>>,
    /// Inside a table cell: where its text starts in `line`. Paragraphs, breaks and list
    /// items inside a cell become " • " within the row, so the row stays one line and each
    /// point of the cell stays apart.
    cell: Option<usize>,
}

impl Renderer {
    fn render(&mut self, root: ElementRef<'_>) {
        let mut skipping: Option<ego_tree::NodeId> = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skipping.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => self.text(t),
                        Node::Element(e) if node.id() != root.id() && is_chrome(e) => skipping = Some(node.id()),
                        Node::Element(e) => self.open(e.name()),
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skipping {
                        if id == node.id() {
                            skipping = None;
                        }
                        continue;
                    }
                    if let Node::Element(e) = node.value() {
                        self.close(e.name());
                    }
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        let t = t.replace('\u{a0}', " ");
        if t.starts_with(char::is_whitespace) && !self.line.ends_with(' ') && !self.line.is_empty() {
            self.line.push(' ');
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        self.line.push_str(&words.join(" "));
        if t.ends_with(char::is_whitespace) && !words.is_empty() {
            self.line.push(' ');
        }
    }

    fn open(&mut self, tag: &str) {
        if let Some(start) = self.cell {
            if matches!(tag, "br" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
                let in_cell = self.line.get(start..).unwrap_or("");
                if !in_cell.trim().is_empty() && !self.line.trim_end().ends_with('•') {
                    self.line.push_str(" • ");
                }
                return;
            }
            if matches!(tag, "ul" | "ol") {
                return;
            }
        }
        match tag {
            "br" => self.end_line(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.paragraph_break(),
            "ul" => {
                self.end_line();
                self.list_depth += 1;
                self.ordered.push(None);
            }
            "ol" => {
                self.end_line();
                self.list_depth += 1;
                self.ordered.push(Some(0));
            }
            "li" => {
                self.end_line();
                let indent = "  ".repeat(self.list_depth.saturating_sub(1));
                let marker = match self.ordered.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{n}. ")
                    }
                    _ => "- ".to_string(),
                };
                self.line.push_str(&indent);
                self.line.push_str(&marker);
            }
            "td" | "th" => {
                if !self.line.trim().is_empty() {
                    self.line.push_str(" | ");
                }
                self.cell = Some(self.line.len());
            }
            // `<li><p>…</p></li>` (Word's HTML, many CMSs): the paragraph is the item's
            // text, on the marker's line (regression: a bare "-" line, then the text).
            t if BLOCK_TAGS.contains(&t) && self.only_marker() => {}
            t if BLOCK_TAGS.contains(&t) => {
                if t == "p" {
                    self.paragraph_break()
                } else {
                    self.end_line()
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, tag: &str) {
        if self.cell.is_some() {
            match tag {
                // The end of the cell; or of its row or table, with the cell left open.
                "tr" | "table" => self.cell = None,
                "td" | "th" => {
                    self.cell = None;
                    return;
                }
                _ => return,
            }
        }
        match tag {
            // A paragraph inside a list item ends the item's line, not the list.
            "p" if self.list_depth > 0 => self.end_line(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "p" => self.paragraph_break(),
            "ul" | "ol" => {
                self.end_line();
                self.list_depth = self.list_depth.saturating_sub(1);
                self.ordered.pop();
            }
            "li" => self.end_line(),
            t if BLOCK_TAGS.contains(&t) => self.end_line(),
            _ => {}
        }
    }

    /// Whether the line so far is a list item's marker alone ("- ", "  3. ").
    fn only_marker(&self) -> bool {
        if self.list_depth == 0 {
            return false;
        }
        let t = self.line.trim();
        t == "-" || (t.ends_with('.') && t.len() > 1 && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit()))
    }

    fn end_line(&mut self) {
        // A block inside a cell (a <main> or <table> nested in a <td>) ends the line: what
        // stays of the cell starts again on the new one.
        if self.cell.is_some() {
            self.cell = Some(0);
        }
        let line = self.line.trim_end();
        let bare = line.trim_start().trim_start_matches("- ").trim();
        if !bare.is_empty() {
            self.out.push_str(line);
            self.out.push('\n');
        }
        self.line.clear();
    }

    fn paragraph_break(&mut self) {
        self.end_line();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn finish(mut self) -> String {
        self.end_line();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_chrome_and_keeps_structure() {
        let page = r#"<html><head><title>Report | LGA</title><meta property="og:site_name" content="Local Government Association"></head>
        <body><header>Site banner</header><nav><a>Topics</a></nav>
        <div class="cookie-banner">We use cookies</div>
        <main><h1>Peer challenge</h1><h2>Strengths</h2><ul><li>Good <strong>leadership</strong></li><li>Strong partnerships</li></ul>
        <p>One paragraph.</p><table><tr><td>A</td><td>B</td></tr></table></main>
        <footer>Copyright</footer></body></html>"#;
        let h = html_to_text(page);
        assert_eq!(h.text, "Peer challenge\n\nStrengths\n\n- Good leadership\n- Strong partnerships\n\nOne paragraph.\n\nA | B\n");
        assert_eq!(h.title.as_deref(), Some("Report | LGA"));
        assert_eq!(h.site.as_deref(), Some("Local Government Association"));
    }

    #[test]
    fn a_list_item_of_paragraphs_keeps_its_text_on_the_marker_line() {
        // Regression: Word's HTML (and many CMSs) writes `<li><p>…</p></li>`; each item
        // became a bare "-" line and the text apart, read as two units.
        let html = "<html><body><main><p>Strengths</p><ul><li><p>Staff were proud.</p></li><li><div>Good advice.</div></li></ul><ol><li><p>Reduce waiting.</p></li></ol></main></body></html>";
        let text = html_to_text(html).text;
        assert_eq!(text, "Strengths\n\n- Staff were proud.\n- Good advice.\n1. Reduce waiting.\n", "{text}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!("<html><body>{}text{}</body></html>", "<div>".repeat(5000), "</div>".repeat(5000));
        assert!(html_to_text(&page).text.contains("text"));
    }

    #[test]
    fn a_block_nested_in_a_cell_does_not_lose_the_cell_start() {
        // Regression (found by the html_pages property test): a <main> inside a <td> ended
        // the line, the cell kept its old offset into it, and the next <p> sliced past the end.
        let page = "<!doctype html><html><body><main><table><td>Some Ideas for Best Practice Development\nStrengths\n<td>Areas for Consideration and Recommendations\n(a) Strengths\nThe council should consider Shropshire for best practice.\n<td><main><div>Strengths<p>More</p></div></body></html>";
        let text = html_to_text(page).text;
        assert!(text.contains("Shropshire") && text.contains("More"), "{text}");
    }

    #[test]
    fn a_cell_of_paragraphs_or_items_stays_one_row() {
        let html = "<html><body><main><table><tr><th>Theme</th><th>Strengths</th></tr><tr><td>Leadership</td><td><ul><li>Visible leaders</li><li>Staff listened to</li></ul></td></tr><tr><td>Carers</td><td><p>A strong offer.</p><p>Good respite.</p></td></tr></table></main></body></html>";
        let text = html_to_text(html).text;
        assert!(text.contains("Leadership | Visible leaders • Staff listened to\n"), "{text}");
        assert!(text.contains("Carers | A strong offer. • Good respite.\n"), "{text}");
    }
}
