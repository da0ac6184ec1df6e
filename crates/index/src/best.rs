//! The best matches by score, with equal scores in an order that depends on the findings
//! alone.
//!
//! tantivy's top-docs collector breaks a tie by the match's address in the index, and an
//! ingest extracts documents in parallel, so two ingests of the same documents lay them out
//! differently: an answer's cut (a thousand candidates of tens of thousands) then kept
//! different findings of equal score, counted a council's matches differently and named a
//! different source first. [`Best`] breaks a tie by the finding's `tie` column, a hash of
//! its document's id and its number there (see `Ties` in `lib.rs`), and reads that column
//! only for a match that could enter the kept set: most matches score below it.

use std::cmp::Ordering;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The column [`Best`] breaks ties by.
pub const TIE: &str = "tie";

/// The best `limit` matches, best first: higher score, then higher tie, then earlier in
/// the index (only two findings whose ties collide are left to that).
pub struct Best {
    limit: usize,
}

impl Best {
    pub fn new(limit: usize) -> Best {
        Best { limit: limit.max(1) }
    }
}

/// A kept match: its rank key ([`key`]) and where it is.
type Kept = (u64, DocAddress);

/// A score and a tie as one number ordered as the pair is: a score is never negative (BM25
/// sums and positive boosts), and a non-negative `f32`'s bits are ordered as its values are.
/// One integer comparison then ranks two matches.
fn key(score: Score, tie: u64) -> u64 {
    (u64::from(score.max(0.0).to_bits()) << 32) | (tie & 0xffff_ffff)
}

fn score_of(key: u64) -> Score {
    f32::from_bits((key >> 32) as u32)
}

/// Best first.
fn order(a: &Kept, b: &Kept) -> Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Collector for Best {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = BestSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<BestSegment> {
        // An index written before ties were kept has none: every tie is 0 there, as before.
        let ties = reader.fast_fields().u64(TIE).ok().map(|c| c.first_or_default_col(0));
        // A limit of "all" must not reserve for all.
        let kept = Vec::with_capacity(self.limit.saturating_mul(2).min(1 << 12));
        Ok(BestSegment { segment, ties, limit: self.limit, kept, floor: None })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Vec<Kept>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<Kept> = segments.into_iter().flatten().collect();
        all.sort_unstable_by(order);
        all.truncate(self.limit);
        Ok(all.into_iter().map(|(key, addr)| (score_of(key), addr)).collect())
    }
}

pub struct BestSegment {
    segment: SegmentOrdinal,
    ties: Option<Arc<dyn ColumnValues<u64>>>,
    limit: usize,
    /// Up to twice `limit` matches; cut back to the best `limit` when full.
    kept: Vec<Kept>,
    /// The key of the worst match kept at the last cut: only a better one can be among
    /// the best.
    floor: Option<u64>,
}

impl BestSegment {
    fn tie(&self, doc: DocId) -> u64 {
        self.ties.as_ref().map_or(0, |t| t.get_val(doc))
    }

    /// Keep the match at `doc` if it can be among the best.
    fn offer(&mut self, key: u64, doc: DocId) {
        // Matches come in index order, so one equal to the floor is worse than it.
        if self.floor.is_some_and(|floor| key <= floor) {
            return;
        }
        self.kept.push((key, DocAddress::new(self.segment, doc)));
        if self.kept.len() >= self.limit.saturating_mul(2) {
            self.cut();
        }
    }

    /// Keep the best `limit`, and raise the floor to the worst of them.
    fn cut(&mut self) {
        if self.kept.len() > self.limit {
            self.kept.select_nth_unstable_by(self.limit - 1, order);
            self.kept.truncate(self.limit);
        }
        self.floor = self.kept.iter().map(|k| k.0).min();
    }
}

impl SegmentCollector for BestSegment {
    type Fruit = Vec<Kept>;

    fn collect(&mut self, doc: DocId, score: Score) {
        // Below the floor's score no tie can lift a match: its tie is not read.
        if self.floor.is_some_and(|floor| key(score, u64::MAX) < floor) {
            return;
        }
        self.offer(key(score, self.tie(doc)), doc);
    }

    fn harvest(mut self) -> Vec<Kept> {
        self.cut();
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Offered in index order, in one segment or spread over two, the kept matches are
        /// the first `limit` of all of them sorted best first.
        #[test]
        fn the_kept_are_the_best_of_a_full_sort(scores in proptest::collection::vec((0u8..6, 0u64..4), 0..300), limit in 1usize..40, split in 0usize..300) {
            let matches: Vec<u64> = scores.iter().map(|&(s, t)| key(f32::from(s) * 0.5, t)).collect();
            let split = split.min(matches.len());
            let mut segments = Vec::new();
            for (ordinal, part) in [&matches[..split], &matches[split..]].into_iter().enumerate() {
                let mut segment = BestSegment { segment: ordinal as u32, ties: None, limit, kept: Vec::new(), floor: None };
                for (doc, k) in part.iter().enumerate() {
                    segment.offer(*k, doc as DocId);
                }
                segments.push(segment.harvest());
            }
            let kept = Best::new(limit).merge_fruits(segments).unwrap();
            let mut all: Vec<Kept> = matches.iter().enumerate().map(|(i, k)| {
                let (ordinal, doc) = if i < split { (0, i) } else { (1, i - split) };
                (*k, DocAddress::new(ordinal, doc as DocId))
            }).collect();
            all.sort_by(order);
            all.truncate(limit);
            let expected: Vec<(Score, DocAddress)> = all.into_iter().map(|(k, a)| (score_of(k), a)).collect();
            prop_assert_eq!(kept, expected);
        }
    }

    #[test]
    fn keys_order_as_score_then_tie() {
        assert!(key(1.5, 0) > key(1.25, u32::MAX as u64));
        assert!(key(1.5, 7) > key(1.5, 6));
        assert!(key(0.0, 1) > key(0.0, 0));
        assert_eq!(score_of(key(3.75, 9)), 3.75);
    }
}
