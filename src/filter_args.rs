//! The filter flags shared by `themes`, `council` and `export`.

use clap::Args;
use peerscope_query::filter::FilterParams;
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
    /// lga, adass or inspection (repeatable).
    #[arg(long = "review-type", value_name = "TYPE")]
    pub review_types: Vec<String>,
    /// Include children's services, corporate and other reviews.
    #[arg(long)]
    pub all_services: bool,
    /// strength, area_for_development, recommendation or best_practice (repeatable).
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// A theme, by its name as `themes` shows it or its id, e.g. workforce (repeatable: a finding must carry each theme named).
    #[arg(long = "theme", value_name = "THEME")]
    pub themes: Vec<String>,
    /// Only findings the reader is at least this sure of, 0–1 (each finding's `confidence`).
    #[arg(long, value_name = "P")]
    pub min_confidence: Option<f32>,
    /// A service reviewed, e.g. childrens-services (repeatable; implies it is included).
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// A kind of document: peer-report, scrutiny-report, scrutiny-minutes, press-release or web-page (repeatable).
    #[arg(long = "doc-kind", value_name = "KIND")]
    pub doc_kinds: Vec<String>,
}

impl FilterArgs {
    pub fn filter(&self) -> anyhow::Result<Filter> {
        let params = FilterParams {
            councils: self.councils.clone(),
            regions: self.regions.clone(),
            since: self.since,
            until: self.until,
            review_types: self.review_types.clone(),
            all_services: self.all_services,
            kinds: self.kinds.clone(),
            themes: self.themes.clone(),
            min_confidence: self.min_confidence,
            services: self.services.clone(),
            doc_kinds: self.doc_kinds.clone(),
        };
        // Most commands are run without flags: the tables that check them are then not read.
        if params == FilterParams::default() {
            return Ok(Filter::default());
        }
        Ok(params.filter(&peerscope_model::Taxonomy::builtin()?, &peerscope_model::Councils::builtin()?)?)
    }
}
