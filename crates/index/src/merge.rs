//! When the index merges its segments while a run writes: not until there are many.
//!
//! Each batch an ingest commits is a segment. tantivy's default policy merges them by size
//! level as they come, so a finding is rewritten two or three times before the run's end,
//! where [`crate::FindingIndex::compact`] merges what is left into one segment anyway. At
//! 10,000 letters (40 batches) those merges were a tenth of ingest's wall time
//! (`peerscope ingest target/scale-letters-10000-31`, six runs each way, alternated:
//! 11.3–13.0 s with tantivy's policy against 10.5–12.1 s
//! without merging). Readers open every segment, though, so a run never leaves more than about
//! [`MOST_SEGMENTS_WRITING`] for them: past that, all but the largest are merged.

use tantivy::index::SegmentMeta;
use tantivy::indexer::{MergeCandidate, MergePolicy};

/// How many segments a run may leave before some are merged while it writes. A query
/// costs about a tenth of a millisecond more per segment it opens.
pub const MOST_SEGMENTS_WRITING: usize = 64;

#[derive(Debug)]
pub struct MergeAtCap {
    pub most: usize,
}

impl Default for MergeAtCap {
    fn default() -> Self {
        MergeAtCap { most: MOST_SEGMENTS_WRITING }
    }
}

impl MergePolicy for MergeAtCap {
    /// `segments` are those not being merged already.
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        if segments.len() <= self.most {
            return Vec::new();
        }
        // The largest stays as it is: merging the rest into it would rewrite the whole
        // index each time the cap is reached.
        let mut by_size: Vec<&SegmentMeta> = segments.iter().collect();
        by_size.sort_by_key(|s| std::cmp::Reverse(s.num_docs()));
        vec![MergeCandidate(by_size[1..].iter().map(|s| s.id()).collect())]
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
    fn nothing_merges_up_to_the_cap_then_all_but_the_largest() {
        let policy = MergeAtCap { most: 3 };
        assert!(policy.compute_merge_candidates(&segments(&[5, 9, 2])).is_empty());
        let four = segments(&[5, 90, 2, 7]);
        let merged = policy.compute_merge_candidates(&four);
        assert_eq!(merged.len(), 1);
        let ids = &merged[0].0;
        assert_eq!(ids.len(), 3);
        assert!(!ids.contains(&four[1].id()), "the largest segment is left alone");
    }
}
