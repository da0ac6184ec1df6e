//! `peerscope extract`: files to documents, printed or written as JSON, errors counted per
//! file instead of stopping the run.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub fn run(files: &[std::path::PathBuf], json: bool, out: Option<&Path>, text: bool) -> anyhow::Result<ExitCode> {
    let extractor = crate::pdf_child::extractor()?;
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut failed = 0;
    for file in files {
        let name = file.display().to_string();
        let result = crate::ingest::read_capped(file).and_then(|bytes| {
            if text {
                let (t, _, _) = extractor.text(&bytes)?;
                crate::out!("{t}");
                return Ok(());
            }
            let doc = extractor.extract(&name, &bytes)?.document;
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
