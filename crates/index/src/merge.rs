//! When the index merges its segments while a run writes: not until there are many.
//!
//! Each batch an ingest commits is a segment. tantivy's default policy merges them by size
//! level as they come; but when a run ends with more than four segments,
//! [`crate::FindingIndex::compact`] merges them all into one anyway, so at 10,000 letters
//! (40 batches) those merges were work done twice: 4–7% of ingest's wall time
//! (`peerscope ingest target/scale-letters-10000-31`, runs alternated: 12.30 → 11.47 s,
//! mean of four, and 11.52 → 11.10 s, mean of three). Readers open every segment, though,
//! and a long run needs its merges (at 100,000 letters, merging only the batches, 64 at a time, cost
//! 139 s and 1.09 GB against tantivy's policy's 121 s and 0.83 GB), so past
//! [`MOST_SEGMENTS_WRITING`] segments tantivy's policy decides as before.

use tantivy::index::SegmentMeta;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// How many segments a run may leave before they are merged while it writes. A query
/// costs about a tenth of a millisecond more per segment it opens.
pub const MOST_SEGMENTS_WRITING: usize = 64;

#[derive(Debug)]
pub struct MergeAtCap {
    most: usize,
    then: LogMergePolicy,
}

impl Default for MergeAtCap {
    fn default() -> Self {
        MergeAtCap::new(MOST_SEGMENTS_WRITING)
    }
}

impl MergeAtCap {
    pub fn new(most: usize) -> Self {
        MergeAtCap { most, then: LogMergePolicy::default() }
    }
}

impl MergePolicy for MergeAtCap {
    /// `segments` are those not being merged already.
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        if segments.len() <= self.most {
            return Vec::new();
        }
        self.then.compute_merge_candidates(segments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::index::SegmentId;

    fn segments(sizes: &[u32]) -> Vec<SegmentMeta> {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        sizes.iter().map(|&n| index.new_segment_meta(SegmentId::generate_random(), n)).collect()
    }

    #[test]
    fn nothing_merges_up_to_the_cap_then_tantivys_policy_decides() {
        let nine = segments(&[100; 9]);
        assert!(MergeAtCap::new(9).compute_merge_candidates(&nine).is_empty());
        let merged = MergeAtCap::new(3).compute_merge_candidates(&nine);
        let ids = |m: Vec<MergeCandidate>| m.into_iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(ids(merged.clone()), ids(LogMergePolicy::default().compute_merge_candidates(&nine)));
        assert!(!merged.is_empty(), "nine segments of one size are merged by tantivy's policy");
    }
}
