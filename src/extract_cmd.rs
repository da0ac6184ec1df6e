//! `peerscope extract`: files to documents, printed or written as JSON, errors counted per
//! file instead of stopping the run.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub fn run(files: &[std::path::PathBuf], json: bool, out: Option<&Path>, text: bool, explain: bool, reader: crate::pdf_child::ReaderChoice) -> anyhow::Result<ExitCode> {
    let extractor = crate::pdf_child::extractor_with(reader)?;
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut failed = 0;
    // The sources.toml beside a file names where it was published, as `ingest` reads it:
    // `extract` shows what `ingest` would store (regression: it ignored it, so its council,
    // kind and url differed from the export's).
    let mut origins = std::collections::HashMap::new();
    for file in files {
        let name = file.display().to_string();
        let result = crate::ingest::read_capped(file).and_then(|bytes| {
            if text {
                let (t, _, _) = extractor.text(&bytes)?;
                crate::out!("{t}");
                return Ok(());
            }
            if explain {
                return print_units(&extractor, &name, &bytes);
            }
            let origin = crate::origin::of_file(file, &mut origins);
            let extracted = extractor.extract_from(&name, &origin, &bytes)?;
            crate::ingest::say_notes(&name, &extracted.notes);
            let doc = extracted.document;
            match out {
                Some(dir) => {
                    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
                    let path = dir.join(format!("{stem}.json"));
                    std::fs::write(&path, serde_json::to_vec_pretty(&doc)?).with_context(|| format!("writing {}", path.display()))?;
                }
                None if json => crate::outln!("{}", serde_json::to_string_pretty(&doc)?),
                None => print_summary(&doc)?,
            }
            Ok(())
        });
        if let Err(e) = result {
            if crate::is_broken_pipe(&e) {
                return Err(e); // the reader has gone: stop quietly
            }
            failed += 1;
            eprintln!("peerscope: {name}: {}", crate::describe(&e));
        }
    }
    if failed > 0 {
        eprintln!("peerscope: {failed} of {} files failed", files.len());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(doc: &peerscope_model::Document) -> anyhow::Result<()> {
    let council = doc.council.as_ref().map_or("(unknown council)", |c| c.name.as_str());
    let year = doc.review_year.map_or("?".to_string(), |y| y.to_string());
    crate::outln!("{} — {council}, {year}", doc.title);
    crate::outln!("  {} · {} · {} · read as {}", doc.doc_kind.as_str(), doc.service.as_str(), doc.review_type.as_str(), doc.format);
    let [s, a, r, b] = doc.kind_counts();
    crate::outln!("  {s} strengths, {a} areas for development, {r} recommendations, {b} best-practice pointers");
    for f in &doc.findings {
        let who = f.council.as_deref().map(|c| format!(" → {c}")).unwrap_or_default();
        crate::outln!("  [{}{who}] {}", f.kind.label(), f.text);
    }
    Ok(())
}

/// Every unit the reader weighed, with the rules' verdict and the reader's probabilities:
/// why a passage was, or was not, read as a finding.
fn print_units(extractor: &peerscope_extract::Extractor, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let read = extractor.read(name, &Default::default(), bytes)?;
    let text = &read.extracted.text;
    for c in &read.candidates {
        let Some(p) = extractor.current_reader().probabilities(text, c) else { anyhow::bail!("--explain needs a trained reader") };
        let section = c.unit.section.map_or("-".to_string(), |s| format!("{s:?}"));
        let rule = c.unit.rule.map_or("-", |k| k.as_str());
        let unit: String = text[c.unit.start..c.unit.end].chars().take(110).collect();
        crate::outln!("none {:.2} S {:.2} A {:.2} R {:.2} B {:.2} | {section:<14} rule {rule:<20} | {unit}", p[0], p[1], p[2], p[3], p[4]);
    }
    Ok(())
}
