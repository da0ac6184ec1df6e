//! `peerscope council NAME`: the council's reviews and documents, findings by theme, what
//! was flagged again, comparators, and who to learn from on each theme flagged.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use peerscope_model::text::clip_chars;
use peerscope_model::{Councils, Taxonomy};
use peerscope_query::profile::{profile, CouncilProfile};
use peerscope_query::Filter;

use crate::filter_args::FilterArgs;

pub fn run(data: &Path, name: &str, filters: &FilterArgs, json: bool) -> anyhow::Result<ExitCode> {
    if !filters.councils.is_empty() {
        bail!("`--council` narrows the other commands; here the council is the name given: `peerscope council NAME`");
    }
    let filter = filters.filter()?;
    let councils = Councils::builtin()?;
    if councils.lookup(name).is_none() {
        let named: Vec<&str> = councils.named_in_typed(name).iter().map(|c| c.name.as_str()).collect();
        if named.len() > 1 {
            bail!("{name:?} names {} councils ({}): ask for one council at a time", named.len(), named.join(", "));
        }
        bail!("no English council with social care duties is called {name:?}; nearest: {} (names as in corpus/councils.csv)", councils.nearest(name).join(", "));
    }
    let stored = crate::data::open_for_reading(data)?.documents()?;
    let taxonomy = Taxonomy::builtin()?;
    let docs = stored.iter().map(|d| (&d.document, d.sources.as_slice()));
    let Some(p) = profile(name, docs.clone(), &filter, &councils, &taxonomy) else { bail!("unknown council {name:?}") };
    // A filter that leaves nothing is not a council never reviewed.
    let filtered_out = filter != Filter::default() && (p.documents.is_empty() || p.themes.is_empty()) && profile(name, docs, &Filter::default(), &councils, &taxonomy).is_some_and(|all| !all.documents.is_empty());
    if json {
        crate::outln!("{}", serde_json::to_string_pretty(&p)?);
    } else {
        crate::out!("{}", render(&p, filtered_out));
    }
    Ok(ExitCode::SUCCESS)
}

/// The profile as text; `filtered_out`: the council has reviews, but none or none of their
/// findings meet the filters given.
pub fn render(p: &CouncilProfile, filtered_out: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let region = p.council.region.as_deref().unwrap_or("");
    let _ = writeln!(out, "{} — {region}, {} ({})", p.council.name, p.la_type, p.council.gss_code.as_deref().unwrap_or(""));
    if let Some(former) = &p.former {
        let _ = writeln!(out, "A former council: {former}.");
    }
    if filtered_out {
        let _ = writeln!(out, "\nNo findings of {} match these filters (without them, its reviews are in the data directory).", p.council.name);
    }
    if p.documents.is_empty() {
        if !filtered_out {
            let _ = writeln!(out, "\nNo reviews of {} in the data directory (try `peerscope fetch` or `peerscope ingest`).", p.council.name);
        }
    } else {
        let _ = writeln!(out, "\nReviews and documents:");
        for d in &p.documents {
            let year = d.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into());
            let _ = writeln!(out, "  {year} {} · {} · {} findings · {}", d.title, d.doc_kind, d.findings, d.sources.join(", "));
        }
    }
    if !p.themes.is_empty() {
        let _ = writeln!(out, "\nFindings by theme (strengths / areas / recommendations / ideas):");
        for t in &p.themes {
            let [s, a, r, b] = t.counts;
            let _ = writeln!(out, "  {:<44} {s:>3} {a:>3} {r:>3} {b:>3}", t.label);
            for f in t.findings.iter().take(2) {
                let _ = writeln!(out, "      [{}] {}", f.kind.label(), clip_chars(&f.text, 160));
            }
        }
    }
    if !p.repeated.is_empty() {
        let _ = writeln!(out, "\nFlagged again:");
        for r in &p.repeated {
            let _ = writeln!(out, "  {} — {}", r.label, r.summary);
        }
    }
    if !p.comparators.is_empty() {
        let _ = writeln!(out, "\nComparators:");
        for c in &p.comparators {
            let similarity = if c.similarity > 0.0 { format!(", similarity {:.2}", c.similarity) } else { ", no findings on the same themes".to_string() };
            let _ = writeln!(out, "  {} ({}) — {}{similarity}", c.council.name, c.council.region.as_deref().unwrap_or(""), c.basis);
        }
    }
    if !p.named_by.is_empty() {
        let _ = writeln!(out, "\nOther councils' reviews point to {}'s practice:", p.council.name);
        for x in &p.named_by {
            let _ = writeln!(out, "  ← in {}'s review: {} — {}", x.council, clip_chars(&x.text, 140), x.source);
        }
    }
    if !p.learn_from.is_empty() {
        let _ = writeln!(out, "\nWho to learn from, on each theme flagged (areas for development and recommendations):");
        for l in &p.learn_from {
            let _ = writeln!(out, "  {}:", l.label);
            for x in &l.pointers {
                let _ = writeln!(out, "    → {} (pointed to): {} — {}", x.council, clip_chars(&x.text, 140), x.source);
            }
            for x in &l.praised {
                let _ = writeln!(out, "    + {} (praised): {} — {}", x.council, clip_chars(&x.text, 140), x.source);
            }
        }
    }
    out
}

