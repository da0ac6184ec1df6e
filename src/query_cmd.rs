//! `peerscope query`: answer a question, on the terminal or as JSON. On an empty data
//! directory the shipped corpus is ingested first, so a fresh clone answers at once.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use peerscope_model::{Councils, Taxonomy};
use peerscope_query::{Answer, Engine};

use crate::data::DataDir;

pub fn run(data: &Path, text: &str, json: bool, limit: usize, filter: &peerscope_query::Filter) -> anyhow::Result<ExitCode> {
    let index = crate::data::open_for_reading(data)?;
    let councils = Councils::builtin()?;
    let taxonomy = Taxonomy::builtin()?;
    let engine = Engine { index: &index, councils: &councils, taxonomy: &taxonomy };
    let answer = engine.answer_filtered(text, filter, limit)?;
    if json {
        crate::outln!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        crate::out!("{}", render(&answer, std::io::stdout().is_terminal()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Open the data directory; when it is empty, ingest the shipped corpus first so a fresh
/// clone answers at once.
pub fn open_with_corpus(data: &Path) -> anyhow::Result<DataDir> {
    // A mistyped `--data` is not made into a data directory by a command that reads: not a
    // path that does not exist (unless it is the default, made from the shipped corpus:
    // regression, a mistyped path beside corpus/ was made and filled without a word), and
    // never a folder of other files (`--data ~`).
    let default = data == Path::new(crate::cli::DEFAULT_DATA) || data == Path::new(crate::cli::DEFAULT_DATA.trim_start_matches("./"));
    anyhow::ensure!(data.exists() || (default && Path::new("corpus").is_dir()), "the data directory {} does not exist: run `peerscope ingest PATH...` to make it, or give `--data` the one you made", data.display());
    let holds_other_files = !data.join("store").exists() && std::fs::read_dir(data).is_ok_and(|mut d| d.next().is_some());
    anyhow::ensure!(!holds_other_files, "{} is not a peerscope data directory (it holds other files and no store): give `--data` the one you made, or run `peerscope ingest PATH...` with a new one", data.display());
    let mut dir = DataDir::open(data)?;
    if dir.store.is_empty() {
        let corpus = PathBuf::from("corpus");
        anyhow::ensure!(corpus.is_dir(), "the data directory {} is empty: run `peerscope ingest PATH...` first", data.display());
        eprintln!("peerscope: {} is empty; ingesting corpus/ first", data.display());
        let extractor = crate::pdf_child::extractor()?;
        let s = crate::ingest::ingest(&mut dir, &extractor, &[corpus])?;
        for (file, reason) in &s.failed {
            eprintln!("peerscope: {file}: {reason}");
        }
    }
    Ok(dir)
}

/// The answer for people: councils, their findings with sources, then who does it well.
pub fn render(a: &Answer, color: bool) -> String {
    use std::fmt::Write;
    let mark = |s: &str| emphasise(s, color);
    let kinds: Vec<&str> = a.intent.kinds.iter().map(|k| k.label()).collect();
    let mut o = String::new();
    let _ = writeln!(o, "Query: {}", a.query);
    let mut looking = vec![kinds.join(", ")];
    if !a.intent.topic.is_empty() {
        looking.push(format!("topic \"{}\"", a.intent.topic));
    }
    looking.extend(a.intent.phrases.iter().map(|p| format!("the phrase \"{p}\"")));
    if !a.intent.themes.is_empty() {
        looking.push(format!("themes: {}", a.intent.themes.join(", ")));
    }
    // The filters, typed or read from the question, so nobody wonders why a council is missing.
    looking.extend(a.intent.filter.describe());
    let _ = writeln!(o, "Looking for: {}", looking.join(" · "));
    if !a.unmatched.is_empty() {
        let words: Vec<String> = a.unmatched.iter().map(|w| format!("'{w}'")).collect();
        let _ = writeln!(o, "\nNo finding mentions {}: nothing is listed rather than councils that match only the other words. Try other words, or `peerscope ingest` more documents.", words.join(" or "));
        suggest(&mut o, a);
    } else if !a.not_together.is_empty() {
        let words: Vec<String> = a.not_together.iter().map(|w| format!("'{w}'")).collect();
        let _ = writeln!(o, "\nNo finding mentions {} together with the rest of the question. Try fewer words.", words.join(" or "));
        suggest(&mut o, a);
    } else if a.councils.is_empty() {
        let _ = writeln!(o, "\nNo council's findings match. Try fewer or other words, or `peerscope ingest` more documents.");
        suggest(&mut o, a);
    }
    if a.undated_left_out > 0 {
        let _ = writeln!(o, "({})", peerscope_query::undated_left_out(a.undated_left_out, "by the year filter"));
    }
    if a.without_council > 0 {
        let _ = writeln!(o, "({})", peerscope_query::without_council(a.without_council));
    }
    if a.points_to_themes() {
        let regions: String = a.intent.filter.regions.iter().map(|r| format!(" --region \"{r}\"")).collect();
        let _ = writeln!(o, "Themes that recur across councils: `peerscope themes{regions}`.");
    }
    for (i, c) in a.councils.iter().enumerate() {
        let region = c.council.region.as_deref().unwrap_or("region unknown");
        let _ = writeln!(o, "\n{}. {} ({region}) — {} matching finding{}, score {:.2}", i + 1, c.council.name, c.matched, if c.matched == 1 { "" } else { "s" }, c.score);
        for f in &c.findings {
            let _ = writeln!(o, "   [{}] {}", f.kind.label(), mark(&f.highlighted));
            let year = f.year.map(|y| format!(", {y}")).unwrap_or_default();
            let _ = writeln!(o, "      — {}{year} · {} (bytes {}–{})", f.title, f.source, f.start, f.end);
            if !f.also_in.is_empty() {
                let _ = writeln!(o, "        also in {}", f.also_in.join(", "));
            }
        }
        // The best findings are shown; the rest are one filter away, or too many for one page.
        match a.more_of(c) {
            Some(m) if m.alone => {
                let _ = writeln!(o, "   … the best {} of {} are shown: narrow the question (--theme, --kind, --since); `peerscope export --council \"{}\"` lists every finding of the council", c.findings.len(), m.all, c.council.name);
            }
            Some(m) => {
                let all = if m.all_when_alone { "them all".to_string() } else { format!("the best {}", peerscope_query::OF_ONE_COUNCIL) };
                let _ = writeln!(o, "   … {} more: ask about {} alone (--council \"{}\") to see {all}", m.more, c.council.name, c.council.name);
            }
            None => {}
        }
    }
    if !a.best_practice.is_empty() {
        let _ = writeln!(o, "\nWho to learn from:");
        for p in &a.best_practice {
            let why = match p.basis {
                "pointer" => format!("pointed to by {}'s peer team", p.from),
                _ => "praised in its own review".to_string(),
            };
            let _ = writeln!(o, "  {} — {why}: {}", p.council.name, mark(&p.text));
            let _ = writeln!(o, "      — {} · {}", p.title, p.source);
        }
    }
    o
}

/// Councils the question named with no findings held, then those it nearly named.
fn suggest(o: &mut String, a: &Answer) {
    use std::fmt::Write as _;
    let said = a.suggestions();
    for name in said.not_held {
        let _ = writeln!(o, "No findings of {name} are held: none of its peer challenge documents has been ingested (`peerscope council {name}`).");
    }
    for name in said.without_findings {
        let _ = writeln!(o, "{} (`peerscope council {name}`).", peerscope_query::held_without_findings(name));
    }
    if !said.near.is_empty() {
        let _ = writeln!(o, "Did you mean {}?", said.near.join(" or "));
    }
    for r in &a.respelt {
        let _ = writeln!(o, "Did you mean \"{}\"? Try: peerscope query \"{}\"", r.meant, r.question(&a.query));
    }
}

/// Turn `**word**` marks into bold on a terminal, or drop them in plain output.
fn emphasise(s: &str, color: bool) -> String {
    if !color {
        return s.replace("**", "");
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in s.split("**").enumerate() {
        if i > 0 {
            out.push_str(if i % 2 == 1 { "\x1b[1m" } else { "\x1b[0m" });
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::emphasise;

    #[test]
    fn marks_become_bold_on_a_terminal_and_vanish_elsewhere() {
        assert_eq!(emphasise("the **reviews** and **reviewing**", false), "the reviews and reviewing");
        assert_eq!(emphasise("the **reviews** end", true), "the \x1b[1mreviews\x1b[0m end");
    }
}
