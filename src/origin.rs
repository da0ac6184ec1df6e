//! Where files on disk were published: a `sources.toml` beside them lists each file's URL
//! (`[[document]] file = "..." url = "..."`), the same knowledge `fetch` has of what it
//! fetched. Only the URL is read: the reader must find the council and the kind itself.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use peerscope_extract::Origin;
use serde::Deserialize;

#[derive(Deserialize)]
struct SourcesFile {
    #[serde(default)]
    document: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: String,
    #[serde(default)]
    url: Option<String>,
}

/// File name → URL for the documents in `dir`; empty when there is no `sources.toml`.
pub fn urls(dir: &Path) -> anyhow::Result<HashMap<String, String>> {
    let path = dir.join("sources.toml");
    if !path.is_file() {
        return Ok(HashMap::new());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let parsed: SourcesFile = toml::from_str(&text).with_context(|| format!("{} is not a sources file", path.display()))?;
    let mut urls = HashMap::new();
    for Entry { file, url } in parsed.document {
        let Some(url) = url else { continue };
        // Only a web address is an address: it is exported and linked (regression:
        // `javascript:alert(1)` was stored as a document's URL and exported).
        if peerscope_model::text::is_web_address(&url) {
            urls.insert(file, url);
        } else {
            eprintln!("peerscope: {}: {file}: {url:?} is not an http or https address; left out", path.display());
        }
    }
    Ok(urls)
}

/// The origin of one file: its URL from the `sources.toml` beside it, if any. A broken
/// sources file is reported and the file read without it.
pub fn of_file(file: &Path, cache: &mut HashMap<std::path::PathBuf, HashMap<String, String>>) -> Origin {
    let dir = file.parent().unwrap_or(Path::new("."));
    let urls = cache.entry(dir.to_path_buf()).or_insert_with(|| {
        urls(dir).unwrap_or_else(|e| {
            eprintln!("peerscope: {}", crate::describe(&e));
            HashMap::new()
        })
    });
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Origin { url: urls.get(&name).cloned(), council: None }
}
