//! The state of a page, all of it in its address: the question, the filters (the same as
//! the command line's flags, one parameter each, repeatable) and the page of councils. Read
//! from the query string, checked, and written back into the links that narrow, widen or
//! turn the page, so any view can be bookmarked, shared or subscribed to.

use peerscope_query::filter::FilterParams;

use crate::MAX_QUERY_CHARS;

/// Parameters taken in one address; more is not a person's request.
const MAX_PARAMS: usize = 64;
/// Pages of councils one may turn to.
pub const MAX_PAGE: usize = 100;

/// The filter parameters, in the order links write them.
pub const FILTERS: [&str; 12] = ["kind", "region", "council", "year", "since", "until", "theme", "review_type", "service", "doc_kind", "min_confidence", "all_services"];

/// Every parameter a page reads: the question, the page, the filters.
pub const READ: [&str; 14] = ["q", "page", "kind", "region", "council", "year", "since", "until", "theme", "review_type", "service", "doc_kind", "min_confidence", "all_services"];

/// A page's request: its question, its filters, its page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ask {
    pub q: String,
    /// 1 for the first page.
    pub page: usize,
    /// Every filter parameter as given, in order (links are built from these).
    pub pairs: Vec<(String, String)>,
}

/// Why a request was refused: a message for the person who sent it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequest(pub String);

impl Ask {
    /// The question asked in `raw`, however the rest of it is wrong (to show it again with
    /// the error), cut to what the box holds.
    pub fn question_of(raw: Option<&str>) -> String {
        let raw = peerscope_model::text::prefix(raw.unwrap_or(""), 16 * MAX_QUERY_CHARS);
        form_urlencoded::parse(raw.as_bytes()).find(|(k, _)| k == "q").map(|(_, v)| v.trim().chars().take(MAX_QUERY_CHARS).collect()).unwrap_or_default()
    }

    /// Read a query string (`None`: no `?`). Unknown parameters are ignored (a shared link
    /// may carry a tracker's); known ones are checked.
    pub fn parse(raw: Option<&str>) -> Result<Ask, BadRequest> {
        let mut ask = Ask { page: 1, ..Ask::default() };
        let raw = raw.unwrap_or("");
        if raw.len() > 16 * MAX_QUERY_CHARS {
            return Err(BadRequest(format!("the address's query is {} bytes long; at most {} are taken", raw.len(), 16 * MAX_QUERY_CHARS)));
        }
        for (n, (key, value)) in form_urlencoded::parse(raw.as_bytes()).enumerate() {
            if n >= MAX_PARAMS {
                return Err(BadRequest(format!("more than {MAX_PARAMS} parameters")));
            }
            // Characters, as the page's box counts them (“curly quotes” are three bytes each).
            let chars = value.chars().count();
            if chars > MAX_QUERY_CHARS {
                return Err(BadRequest(format!("the parameter {key:?} is {chars} characters long; at most {MAX_QUERY_CHARS} are taken")));
            }
            match key.as_ref() {
                "q" => ask.q = value.trim().to_string(),
                "page" => ask.page = value.trim().parse().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or_else(|| BadRequest(format!("page {value:?} is not a page number from 1 to {MAX_PAGE}")))?,
                k if FILTERS.contains(&k) => {
                    let value = value.trim();
                    if !value.is_empty() {
                        ask.pairs.push((k.to_string(), value.to_string()));
                    }
                }
                _ => {}
            }
        }
        ask.filter_params()?;
        Ok(ask)
    }

    /// The filters as the engine's [`FilterParams`] (numbers checked here, names by it).
    pub fn filter_params(&self) -> Result<FilterParams, BadRequest> {
        let mut p = FilterParams::default();
        let year = |k: &str, v: &str| v.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(|| BadRequest(format!("{k} {v:?} is not a year")));
        for (k, v) in &self.pairs {
            match k.as_str() {
                "kind" => p.kinds.push(v.clone()),
                "region" => p.regions.push(v.clone()),
                "council" => p.councils.push(v.clone()),
                "year" => {
                    let y = year(k, v)?;
                    p.since = Some(y);
                    p.until = Some(y);
                }
                "since" => p.since = Some(year(k, v)?),
                "until" => p.until = Some(year(k, v)?),
                "theme" => p.themes.push(v.clone()),
                "review_type" => p.review_types.push(v.clone()),
                "service" => p.services.push(v.clone()),
                "doc_kind" => p.doc_kinds.push(v.clone()),
                "min_confidence" => p.min_confidence = Some(v.parse().map_err(|_| BadRequest(format!("min_confidence {v:?} is not a number from 0 to 1")))?),
                "all_services" => p.all_services = matches!(v.as_str(), "1" | "true" | "yes" | "on"),
                _ => {}
            }
        }
        Ok(p)
    }

    /// Whether the filter `key=value` is on.
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == key && v.eq_ignore_ascii_case(value))
    }

    /// The address of `path` with this question and these filters (page 1).
    pub fn href(&self, path: &str) -> String {
        self.build(path, &self.pairs, None)
    }

    /// … narrowed by one more filter.
    pub fn with(&self, path: &str, key: &str, value: &str) -> String {
        let mut pairs = self.pairs.clone();
        if !self.has(key, value) {
            pairs.push((key.to_string(), value.to_string()));
        }
        self.build(path, &pairs, None)
    }

    /// … with `key` narrowed to `value` alone (other values of it dropped).
    pub fn only(&self, path: &str, key: &str, value: &str) -> String {
        let mut pairs: Vec<(String, String)> = self.pairs.iter().filter(|(k, _)| k != key).cloned().collect();
        pairs.push((key.to_string(), value.to_string()));
        self.build(path, &pairs, None)
    }

    /// … widened by dropping one filter.
    pub fn without(&self, path: &str, key: &str, value: &str) -> String {
        let pairs: Vec<(String, String)> = self.pairs.iter().filter(|(k, v)| !(k == key && v == value)).cloned().collect();
        self.build(path, &pairs, None)
    }

    /// … asking `question` instead, with the same filters.
    pub fn asking(&self, question: &str) -> String {
        Ask { q: question.to_string(), ..self.clone() }.href("/")
    }

    /// … on another page of councils.
    pub fn on_page(&self, page: usize) -> String {
        self.build("/", &self.pairs, Some(page))
    }

    fn build(&self, path: &str, pairs: &[(String, String)], page: Option<usize>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        for (k, v) in pairs {
            out.append_pair(k, v);
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            out.append_pair("page", &p.to_string());
        }
        let query = out.finish();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_state_round_trips_through_the_address() {
        let ask = Ask::parse(Some("q=waiting+lists&region=North+West&year=2019&kind=strength&page=2&utm_source=x")).unwrap();
        assert_eq!(ask.q, "waiting lists");
        assert_eq!(ask.page, 2);
        let p = ask.filter_params().unwrap();
        assert_eq!((p.since, p.until), (Some(2019), Some(2019)));
        assert_eq!(p.regions, ["North West"]);
        let again = Ask::parse(ask.on_page(2).split_once('?').map(|x| x.1)).unwrap();
        assert_eq!(again, ask);
        assert!(ask.with("/", "theme", "carers").ends_with("&theme=carers"));
        assert!(!ask.without("/", "region", "North West").contains("region"));
    }

    #[test]
    fn malformed_requests_are_refused_with_a_reason() {
        for bad in ["page=0", "page=x", "page=101", "year=abc", "since=99999", "min_confidence=lots"] {
            assert!(Ask::parse(Some(bad)).is_err(), "{bad}");
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        assert!(Ask::parse(Some(&long)).unwrap_err().0.contains("at most"));
        let many: Vec<String> = (0..70).map(|i| format!("kind={i}")).collect();
        assert!(Ask::parse(Some(&many.join("&"))).is_err());
        // Regression: the box takes 500 characters and the server took 500 bytes, so a
        // question of 450 characters with curly quotes was refused, and the box emptied.
        let curly = format!("q={}", form_urlencoded::byte_serialize("“carers” – ".repeat(40).as_bytes()).collect::<String>());
        assert_eq!(Ask::parse(Some(&curly)).unwrap().q.chars().count(), "“carers” – ".repeat(40).trim().chars().count());
        assert_eq!(Ask::question_of(Some("q=carers+in+bury&page=0")), "carers in bury");
    }
}
