//! `peerscope eval GOLD_DIR DOCS_DIR`: extract each annotated document and score the result
//! against its annotation (rules in `peerscope-eval`), printing the tables and every missed
//! and spurious finding by document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use peerscope_eval::{Report, Side};

pub struct Options<'a> {
    pub gold: &'a Path,
    pub docs: &'a Path,
    pub json: bool,
    pub brief: bool,
    pub out: Option<&'a Path>,
    /// Score the cue rules instead of the shipped reader.
    pub rules: bool,
    /// Which trained reader to score when not the rules.
    pub reader: crate::pdf_child::ReaderChoice,
}

pub fn run(opts: &Options) -> anyhow::Result<ExitCode> {
    let extractor = if opts.rules { crate::pdf_child::rules_extractor()? } else { crate::pdf_child::extractor_with(opts.reader)? };
    let golds = gold_files(opts.gold)?;
    if let Some(dir) = opts.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut report = Report::new();
    let mut failed = 0;
    for gold_path in &golds {
        let name = stem(gold_path);
        let scored = score_one(&extractor, gold_path, opts).map(|(gold, pred)| report.add(&name, &gold, &pred));
        if let Err(e) = scored {
            failed += 1;
            eprintln!("peerscope: {}: {}", gold_path.display(), crate::describe(&e));
        }
    }
    if opts.json {
        crate::outln!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        crate::out!("{}", report.table());
        if !opts.brief {
            crate::out!("{}", report.errors());
        }
    }
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub fn gold_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading gold directory {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no annotations (*.json) in {}", dir.display());
    }
    Ok(files)
}

pub fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Reads one annotation, finds and extracts the document it annotates.
fn score_one(extractor: &peerscope_extract::Extractor, gold_path: &Path, opts: &Options) -> anyhow::Result<(Side, Side)> {
    let text = std::fs::read_to_string(gold_path).context("reading annotation")?;
    let value: serde_json::Value = serde_json::from_str(&text).context("annotation is not JSON")?;
    let gold = Side::from_json(&gold_path.display().to_string(), &value)?;
    let doc_path = document_for(opts.docs, &value, &stem(gold_path))?;
    let bytes = crate::ingest::read_capped(&doc_path)?;
    let origin = crate::origin::of_file(&doc_path, &mut HashMap::new());
    let doc = extractor.extract_from(&doc_path.display().to_string(), &origin, &bytes).with_context(|| format!("extracting {}", doc_path.display()))?.document;
    let pred_json = serde_json::to_value(&doc)?;
    if let Some(dir) = opts.out {
        let path = dir.join(format!("{}.json", stem(gold_path)));
        std::fs::write(&path, serde_json::to_vec_pretty(&pred_json)?).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok((gold, Side::from_json(&doc_path.display().to_string(), &pred_json)?))
}

/// The annotated document: the file the annotation's `doc` names, else any file in
/// `docs` with the annotation's stem (so `x.json` can annotate `x.pdf` or `x.html`).
pub fn document_for(docs: &Path, gold: &serde_json::Value, stem_: &str) -> anyhow::Result<PathBuf> {
    if let Some(name) = gold.get("doc").and_then(|d| d.as_str()) {
        let named = docs.join(name);
        if Path::new(name).file_name().is_some_and(|f| f == name) && named.is_file() {
            return Ok(named);
        }
    }
    let entries = std::fs::read_dir(docs).with_context(|| format!("reading {}", docs.display()))?;
    let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file() && stem(p) == stem_).collect();
    found.sort();
    found.into_iter().next().with_context(|| format!("no document named {stem_}.* in {}", docs.display()))
}

/// Pairs GOLD_DIR DOCS_DIR from a flat list of paths.
fn sets(paths: &[PathBuf], measured: bool) -> Vec<crate::learn::Set> {
    paths.chunks_exact(2).map(|p| crate::learn::Set { gold: p[0].clone(), docs: p[1].clone(), measured, real: !is_genre(&p[1]) }).collect()
}

/// The genre set is written here, not published: trained on less than real documents.
fn is_genre(docs: &Path) -> bool {
    docs.components().any(|c| c.as_os_str() == "genre")
}

/// What `eval --cross-validate` measures and trains on.
pub struct Measured<'a> {
    pub gold: &'a Path,
    pub docs: &'a Path,
    /// More measured sets, GOLD_DIR DOCS_DIR pairs.
    pub with: &'a [PathBuf],
    /// Sets trained on but not measured, GOLD_DIR DOCS_DIR pairs.
    pub train_also: &'a [PathBuf],
}

/// `peerscope eval --cross-validate`: the learned reader, trained fold by fold, beside the
/// cue rules, on the measured sets; with `against`, a variant of its training options too.
pub fn cross_validate(m: &Measured, folds: usize, brief: bool, units: Option<&Path>, against: Option<&str>) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(folds >= 2, "--folds must be at least 2");
    let options = crate::learn::options_from_env();
    // A bad variant is refused before the long part of the run.
    let variant = against.map(|spec| crate::learn::options_with(options.clone(), spec)).transpose()?;
    let extractor = crate::pdf_child::rules_extractor()?;
    let mut all = vec![crate::learn::Set { gold: m.gold.to_path_buf(), docs: m.docs.to_path_buf(), measured: true, real: !is_genre(m.docs) }];
    all.extend(sets(m.with, true));
    all.extend(sets(m.train_also, false));
    let (labelled, failed) = crate::learn::load(&extractor, &all)?;
    let cv = crate::learn::cross_validate(&extractor, &labelled, folds, &options, units)?;
    crate::out!("{}", cv.table());
    if let (Some(spec), Some(variant)) = (against, variant) {
        let other = crate::learn::cross_validate(&extractor, &labelled, folds, &variant, None)?;
        crate::out!("\n{}", other.against(&cv, spec));
    }
    if !brief {
        crate::out!("\nWhat the learned reader missed and made up, by document:\n{}", cv.learned.errors());
    }
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `peerscope train`: fit the reader on every annotated document of `sets` and write it.
pub fn train(paths: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(paths.len().is_multiple_of(2), "train takes GOLD_DIR DOCS_DIR pairs; got {} paths", paths.len());
    let extractor = crate::pdf_child::rules_extractor()?;
    let (labelled, failed) = crate::learn::load(&extractor, &sets(paths, true))?;
    anyhow::ensure!(failed == 0, "{failed} annotated documents could not be read");
    let docs: Vec<&crate::learn::Labelled> = labelled.iter().collect();
    let head = crate::learn::train(&docs, &Default::default());
    std::fs::write(out, head.to_json() + "\n").with_context(|| format!("writing {}", out.display()))?;
    crate::outln!("trained on {} documents, {} units (per class {:?}); wrote {}", head.trained_on.documents, head.trained_on.units, head.trained_on.per_class, out.display());
    Ok(ExitCode::SUCCESS)
}
