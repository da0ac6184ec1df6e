//! The filter flags shared by `themes`, `council` and `export`.

use anyhow::bail;
use clap::Args;
use peerscope_model::{FindingKind, ReviewType};
use peerscope_query::Filter;

#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this council (repeatable).
    #[arg(long = "council", value_name = "NAME")]
    pub councils: Vec<String>,
    /// Only councils in this region, e.g. "North East" (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Reviews from this year on.
    #[arg(long, value_name = "YEAR")]
    pub since: Option<i32>,
    /// Reviews up to this year.
    #[arg(long, value_name = "YEAR")]
    pub until: Option<i32>,
    /// lga or adass (repeatable).
    #[arg(long = "review-type", value_name = "TYPE")]
    pub review_types: Vec<String>,
    /// Include children's services, corporate and other reviews.
    #[arg(long)]
    pub all_services: bool,
    /// strength, area_for_development, recommendation or best_practice (repeatable).
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// A theme id from corpus/themes.toml, e.g. workforce (repeatable).
    #[arg(long = "theme", value_name = "THEME")]
    pub themes: Vec<String>,
    /// Only findings the reader is at least this sure of, 0–1 (each finding's `confidence`).
    #[arg(long, value_name = "P")]
    pub min_confidence: Option<f32>,
}

impl FilterArgs {
    pub fn filter(&self) -> anyhow::Result<Filter> {
        let mut kinds = Vec::new();
        for k in &self.kinds {
            match FindingKind::parse(k) {
                Some(kind) => kinds.push(kind),
                None => bail!("unknown kind {k:?}: use strength, area_for_development, recommendation or best_practice"),
            }
        }
        let mut review_types = Vec::new();
        for t in &self.review_types {
            review_types.push(match t.to_ascii_lowercase().as_str() {
                "lga" | "lga-peer-challenge" => ReviewType::LgaPeerChallenge,
                "adass" | "adass-regional-peer-challenge" | "regional" => ReviewType::AdassRegionalPeerChallenge,
                "inspection" => ReviewType::Inspection,
                other => bail!("unknown review type {other:?}: use lga or adass"),
            });
        }
        // A theme of either axis, or a CQC theme standing for its quality statements.
        let taxonomy = peerscope_model::Taxonomy::builtin()?;
        let mut themes = Vec::new();
        for t in &self.themes {
            let ids = taxonomy.expand(t);
            if ids.is_empty() {
                let cqc: Vec<&str> = taxonomy.cqc_themes.iter().map(|c| c.id.as_str()).collect();
                let all: Vec<&str> = taxonomy.themes.iter().map(|t| t.id.as_str()).collect();
                bail!("unknown theme {t:?}: a CQC theme ({}) or one of {}", cqc.join(", "), all.join(", "));
            }
            themes.extend(ids);
        }
        // A name that matches nothing would silently answer nothing: refuse it, as
        // `peerscope council` does, with the nearest names.
        let councils = peerscope_model::Councils::builtin()?;
        for c in &self.councils {
            if c.trim().is_empty() {
                bail!("--council needs a name, e.g. --council Walsall");
            }
            if councils.lookup(c).is_none() {
                bail!("no English council with social care duties is called {c:?}; nearest: {}", councils.nearest(c).join(", "));
            }
        }
        let regions = councils.regions();
        for r in &self.regions {
            if !regions.iter().any(|known| known.eq_ignore_ascii_case(r.trim())) {
                bail!("no region is called {r:?}; the regions: {}", regions.join(", "));
            }
        }
        if let (Some(s), Some(u)) = (self.since, self.until) {
            if s > u {
                bail!("--since {s} is after --until {u}");
            }
        }
        if let Some(m) = self.min_confidence.filter(|m| !(0.0..=1.0).contains(m)) {
            bail!("--min-confidence {m} is not between 0 and 1");
        }
        Ok(Filter {
            councils: self.councils.clone(),
            regions: self.regions.clone(),
            since: self.since,
            until: self.until,
            review_types,
            all_services: self.all_services,
            kinds,
            themes,
            min_confidence: self.min_confidence,
        })
    }
}
