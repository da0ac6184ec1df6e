//! Sorting matches into buckets by a column's value, instead of filtering by postings.
//!
//! A filter that keeps most findings (the kinds a question asks for keep about two thirds
//! of them) costs more met as postings than checked per match: tantivy walks and unions
//! every posting of every kind asked for, hundreds of thousands at 10,000 letters, to keep
//! the few thousand findings on the question's topic. [`Buckets`] reads each match's value
//! in the FAST column instead and hands the match to the collector of every bucket whose
//! values hold it. One pass so serves several kinds: an answer ranks councils by some
//! kinds, and points to best practice and to councils praised on the same topic.
//!
//! A range of review years is checked the same way: met as a query, tantivy scans the
//! year column over the whole index (`since 2019` tripled an answer's time), where the
//! matches to check are a few thousand.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// One collector per set of values of `field`; a match goes to each bucket holding its
/// value, and to none when it has no value (documents' records have no kind).
pub struct Buckets<C> {
    field: String,
    buckets: Vec<(Vec<String>, C)>,
    /// The u64 column and inclusive range every match must fall in, if any.
    range: Option<(String, u64, u64)>,
}

impl<C> Buckets<C> {
    pub fn new(field: &str, buckets: Vec<(Vec<String>, C)>) -> Self {
        Buckets { field: field.to_string(), buckets, range: None }
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
        let column = reader.fast_fields().str(&self.field)?;
        let mut children = Vec::with_capacity(self.buckets.len());
        for (values, collector) in &self.buckets {
            children.push((ords(column.as_ref(), values)?, collector.for_segment(segment, reader)?));
        }
        let range = match &self.range {
            Some((field, from, to)) => Some((reader.fast_fields().u64(field)?, *from, *to)),
            None => None,
        };
        Ok(BucketsSegment { column, children, held: Vec::new(), range })
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

/// The ordinals of `values` in a segment's dictionary; a value the segment lacks has none.
fn ords(column: Option<&StrColumn>, values: &[String]) -> tantivy::Result<Vec<u64>> {
    let mut out = Vec::with_capacity(values.len());
    if let Some(column) = column {
        for value in values {
            if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                out.push(ord);
            }
        }
    }
    Ok(out)
}

pub struct BucketsSegment<S> {
    column: Option<StrColumn>,
    children: Vec<(Vec<u64>, S)>,
    /// The current match's ordinals, read once for every bucket.
    held: Vec<u64>,
    range: Option<(tantivy::columnar::Column<u64>, u64, u64)>,
}

impl<S> BucketsSegment<S> {
    fn in_range(&self, doc: DocId) -> bool {
        match &self.range {
            Some((column, from, to)) => column.values_for_doc(doc).any(|v| (*from..=*to).contains(&v)),
            None => true,
        }
    }
}

impl<S: SegmentCollector> SegmentCollector for BucketsSegment<S> {
    type Fruit = Vec<S::Fruit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(column) = &self.column else { return };
        if !self.in_range(doc) {
            return;
        }
        self.held.clear();
        self.held.extend(column.term_ords(doc));
        for (ords, child) in &mut self.children {
            if self.held.iter().any(|o| ords.contains(o)) {
                child.collect(doc, score);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.children.into_iter().map(|(_, c)| c.harvest()).collect()
    }
}
