//! Sorting matches into buckets by their kind, instead of filtering by postings.
//!
//! A filter that keeps most findings (the kinds a question asks for keep about two thirds
//! of them) costs more met as postings than checked per match: tantivy walks and unions
//! every posting of every kind asked for, hundreds of thousands at 10,000 letters, to keep
//! the few thousand findings on the question's topic. [`Buckets`] reads each match's kind
//! in a FAST column instead and hands the match to the collector of every bucket whose
//! kinds hold it. One pass so serves several kinds: an answer ranks councils by some
//! kinds, and points to best practice and to councils praised on the same topic.
//!
//! The kind is read as a number ([`kind_code`]) from a column every document has: read
//! from the kind's text column it cost a rank in a sparse index, a lookup of the value's
//! ordinal and a comparison with each bucket's, for each of tens of thousands of matches,
//! a quarter of a whole answer.
//!
//! A range of review years is checked the same way: met as a query, tantivy scans the
//! year column over the whole index (`since 2019` tripled an answer's time), where the
//! matches to check are a few thousand.

use std::sync::Arc;

use peerscope_model::FindingKind;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The column [`Buckets`] reads a match's kind from.
pub const KIND_CODE: &str = "kind_code";

/// A finding's kind as a number: its place in [`FindingKind::ALL`], from 1. A document's
/// record has none and is written with 0, so that every document has a value (a column
/// with gaps is read through a rank in its sparse index first).
pub fn kind_code(kind: FindingKind) -> u64 {
    FindingKind::ALL.iter().position(|k| *k == kind).map_or(0, |i| i as u64 + 1)
}

/// The kinds as a set of codes, one bit each.
fn mask(kinds: &[FindingKind]) -> u64 {
    kinds.iter().fold(0, |m, k| m | 1 << kind_code(*k))
}

/// One collector per set of kinds; a match goes to each bucket holding its kind, and to
/// none when it has no kind (documents' records).
pub struct Buckets<C> {
    buckets: Vec<(u64, C)>,
    /// The u64 column and inclusive range every match must fall in, if any.
    range: Option<(String, u64, u64)>,
    /// Matches of the first bucket's kinds (those an answer ranks) left out by the range
    /// for having no value in its column (findings of no known year), gathered as the search
    /// goes: an answer says how many a year filter left out. Rare, so kept by address, and
    /// read for their council and text only after the search.
    without_value: Arc<std::sync::Mutex<Vec<DocAddress>>>,
}

impl<C> Buckets<C> {
    pub fn new(buckets: Vec<(&[FindingKind], C)>) -> Self {
        Buckets { buckets: buckets.into_iter().map(|(kinds, c)| (mask(kinds), c)).collect(), range: None, without_value: Arc::default() }
    }

    /// The matches of the first bucket's kinds the range left out for having no value in its
    /// column (after the search), in no order.
    pub fn without_value(&self) -> Vec<DocAddress> {
        std::mem::take(&mut *self.without_value.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Keep only matches whose `field` holds a value in `from..=to` (a document's record or
    /// a finding without a year has none, and is left out).
    pub fn within(mut self, field: &str, range: Option<(u64, u64)>) -> Self {
        self.range = range.map(|(from, to)| (field.to_string(), from, to));
        self
    }
}

impl<C: Collector> Collector for Buckets<C> {
    type Fruit = Vec<C::Fruit>;
    type Child = BucketsSegment<C::Child>;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        let codes = reader.fast_fields().u64(KIND_CODE)?.first_or_default_col(0);
        let mut children = Vec::with_capacity(self.buckets.len());
        for (mask, collector) in &self.buckets {
            children.push((*mask, collector.for_segment(segment, reader)?));
        }
        let range = match &self.range {
            Some((field, from, to)) => Some((reader.fast_fields().u64(field)?, *from, *to)),
            None => None,
        };
        let counted = self.buckets.first().map_or(0, |(mask, _)| *mask);
        Ok(BucketsSegment { codes, children, range, segment, counted, without_value: Vec::new(), gathered: self.without_value.clone() })
    }

    fn requires_scoring(&self) -> bool {
        self.buckets.iter().any(|(_, c)| c.requires_scoring())
    }

    fn merge_fruits(&self, segments: Vec<Vec<<C::Child as SegmentCollector>::Fruit>>) -> tantivy::Result<Self::Fruit> {
        let mut per_bucket: Vec<Vec<_>> = self.buckets.iter().map(|_| Vec::with_capacity(segments.len())).collect();
        for fruits in segments {
            for (bucket, fruit) in per_bucket.iter_mut().zip(fruits) {
                bucket.push(fruit);
            }
        }
        self.buckets.iter().zip(per_bucket).map(|((_, c), fruits)| c.merge_fruits(fruits)).collect()
    }
}

pub struct BucketsSegment<S> {
    codes: Arc<dyn ColumnValues<u64>>,
    children: Vec<(u64, S)>,
    range: Option<(tantivy::columnar::Column<u64>, u64, u64)>,
    segment: SegmentOrdinal,
    /// The first bucket's kinds: those whose matches without a value are gathered.
    counted: u64,
    without_value: Vec<DocId>,
    gathered: Arc<std::sync::Mutex<Vec<DocAddress>>>,
}

impl<S> BucketsSegment<S> {
    fn in_range(&mut self, doc: DocId) -> bool {
        let Some((column, from, to)) = &self.range else { return true };
        let mut values = column.values_for_doc(doc).peekable();
        if values.peek().is_none() {
            if self.counted & self.bit(doc) != 0 {
                self.without_value.push(doc);
            }
            return false;
        }
        values.any(|v| (*from..=*to).contains(&v))
    }

    /// A match's kind as its bucket bit; a code past the mask's bits (a damaged column) is
    /// in no bucket.
    fn bit(&self, doc: DocId) -> u64 {
        u32::try_from(self.codes.get_val(doc)).ok().and_then(|c| 1u64.checked_shl(c)).unwrap_or(0)
    }
}

impl<S: SegmentCollector> SegmentCollector for BucketsSegment<S> {
    type Fruit = Vec<S::Fruit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.in_range(doc) {
            return;
        }
        let bit = self.bit(doc);
        for (mask, child) in &mut self.children {
            if *mask & bit != 0 {
                child.collect(doc, score);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.gathered.lock().unwrap_or_else(|p| p.into_inner()).extend(self.without_value.iter().map(|&d| DocAddress::new(segment, d)));
        self.children.into_iter().map(|(_, c)| c.harvest()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind has a code of its own, none is a record's 0, and each is a bit of a mask.
    #[test]
    fn kinds_have_distinct_codes_apart_from_records() {
        let codes: Vec<u64> = FindingKind::ALL.iter().map(|k| kind_code(*k)).collect();
        assert!(codes.iter().all(|c| (1..64).contains(c)), "{codes:?}");
        let all = mask(&FindingKind::ALL);
        assert_eq!(all.count_ones() as usize, FindingKind::ALL.len());
        assert_eq!(all & 1, 0, "a record's code is in no bucket");
    }
}
