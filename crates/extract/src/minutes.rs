//! Minutes: which sentences retell the review's findings.
//!
//! In the minutes of a meeting an officer retells the review's findings among councillors'
//! questions, the council's own plans and the committee's business. A sentence there is a
//! finding only when it is attributed to the review ("the peer review had highlighted",
//! "recognised by the peer review", "the feedback in respect of ..."), or when it sits in
//! the stretch where the officer goes through the findings and reads as an evaluation
//! ("... was considered exemplary", "In respect of carers, ..."), and never when it
//! describes what the council has done or will do in reply.

use std::sync::LazyLock;

use regex::Regex;

fn re(p: &str) -> Regex {
    peerscope_model::pattern::compile(p).unwrap_or_else(|e| panic!("minutes pattern {p}: {e}"))
}

/// The review (not some other report) as the source of what a sentence says.
static ATTRIBUTED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:the|this|that) (?:(?:lga|adass|peer|external) )?(?:peer )?(?:review(?:ers)?|report|feedback|challenge|team|peers)(?:'s)? (?:had |has |have )?(?:also )?(?:highlighted|noted|found|reported|identified|acknowledged|recogni[sz]ed|stated|said|praised|commended|cited|observed|felt|concluded|suggested|recommended|raised|described|judged|referred|pointed|commented|welcomed|emphasi[sz]ed|stressed|singled out|remarked|advised|urged|encouraged)\b|\b(?:by|from|in|of) the (?:(?:lga|adass) )?(?:peer )?(?:review|challenge|peers|feedback)\b|\bpeer (?:review|challenge)(?:'s|s)? (?:had |has )?(?:also )?(?:highlighted|noted|found|reported|identified|acknowledged|recogni[sz]ed|stated|findings)\b|\b(?:review|report)(?:'s|s)? findings\b|\bfeedback (?:in respect of|on|about|regarding|relating to)\b")
});
/// A passive evaluation: in the retelling, the judgement is the review's.
static PASSIVE_EVALUATION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:was|were|is|are|had been|has been|have been) (?:also )?(?:considered|deemed|described|seen|judged|felt|found|cited|noted|highlighted|identified|recogni[sz]ed|praised|commended|viewed|regarded)\b")
});
/// "They had also noted that ...": in the retelling, what "they" had found is the review's.
static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:had|have) (?:also )?(?:noted|found|identified|highlighted|praised|recommended|observed|commented|reported|recogni[sz]ed)\b")
});
/// An officer opening the retelling: "summarised the findings of the peer review".
static RETELL_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:summari[sz]ed|outlined|presented|went through|took [\w ]{0,30} through|set out|detailed|reported on|gave an overview of|introduced|received (?:a |an )?(?:presentation|report|update|verbal update)(?: from [\w ,]{0,60}?)? on) (?:[\w ]{0,60})?(?:findings|feedback|outcomes?|key messages|recommendations|the (?:peer )?review|(?:lga |adass )?peer (?:challenge|review)|the report)\b|\bthe key points (?:made |raised )?(?:were|included)\b")
});
/// The end of the retelling: discussion, the council's response, resolutions.
static RETELL_END: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:in (?:the ensuing )?discussion|during (?:the )?discussion|members (?:asked|raised|queried|discussed|noted)|resolved|in summary, it was agreed)|\b(?:council|service|department|directorate)(?:'s|s)? (?:response|action plan)\b|\bresponse to the (?:top tips|recommendations|findings)")
});
/// What the council did or will do: its reply, not the review's finding.
static COUNCIL_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:the (?:service|council|directorate|department|authority)|we|they) (?:has|had|have|is|was|were|are|would|will|planned|plans|intends?|intended)\b (?:\w+ )?(?:developed|introduced|put|established|mirrored|launched|implemented|created|appointed|progress\w*|looking|planning|working|invest\w*|reinvigorated|expanded|recruited|commissioned|begun|started|set up|reviewed|agreed|taken|made|developing|introducing)\b|\bwould progress\b|\bproposals?\b|\b(?:were|was|has been|had been) (?:reinvigorated|introduced|launched|implemented|established|created|set up|put in place)\b|\bhas taken place\b|\bnewly appointed\b")
});
/// "In respect of carers, ...": the officer takes the findings one topic at a time.
static TOPIC_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:in respect of|in relation to|with regard to|regarding|turning to|on the (?:subject|topic|theme) of) ([^,]{3,80}?)(?:,| the | there )")
});

/// "since the conclusion of the peer review", "in readiness for a peer review by ADASS":
/// the review as a point in time, not as the source of what is said.
static TEMPORAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:since|after|following|before|ahead of|prior to|in readiness for|in preparation for) (?:the (?:conclusion|end|completion|start|close) of )?(?:the|a|an|its|their) (?:\w+ ){0,2}(?:peer )?(?:review|challenge)\b")
});
/// An officer or member speaking in their own voice: "The Assistant Director noted that ...".
static SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:the |an? )?(?:[\w-]+ ){0,4}(?:director|officer|manager|head of [\w ]+|lead|member|councillor|cllr\.?|chair(?:man)?)\b[^.]{0,80}?\b(?:noted|explained|said|advised|confirmed|stated|added|commented|outlined|emphasi[sz]ed|stressed)\b")
});

/// Whether a minutes sentence retells a finding, given whether it sits in the retelling.
pub fn retells_finding(sentence: &str, in_retelling: bool) -> bool {
    if COUNCIL_ACTION.is_match(sentence) || starts_retelling(sentence) {
        return false;
    }
    let attributed = is_attributed(sentence);
    attributed
        || (in_retelling && !SPEAKER.is_match(sentence) && (PASSIVE_EVALUATION.is_match(sentence) || TOPIC_OPENER.is_match(sentence) || REPORTED.is_match(sentence)))
}

/// The sentence says the review is its source (a mention of the review as a point in time
/// does not count).
pub fn is_attributed(sentence: &str) -> bool {
    let masked = TEMPORAL.replace_all(sentence, "");
    ATTRIBUTED.is_match(&masked)
}

/// An officer or member speaking in their own voice, without quoting the review.
pub fn is_own_voice(sentence: &str) -> bool {
    SPEAKER.is_match(sentence) && !is_attributed(sentence)
}

pub fn is_council_action(sentence: &str) -> bool {
    COUNCIL_ACTION.is_match(sentence)
}

pub fn starts_retelling(sentence: &str) -> bool {
    RETELL_START.is_match(sentence)
}

pub fn ends_retelling(sentence: &str) -> bool {
    RETELL_END.is_match(sentence.trim_start())
}

/// The topic a paragraph opens with ("In respect of the Better Care Fund, ..."), if any.
pub fn topic(sentence: &str) -> Option<&str> {
    TOPIC_OPENER.captures(sentence).and_then(|c| c.get(1)).map(|m| m.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_to_the_review() {
        assert!(retells_finding("The peer review reported that the knowledge and leadership of the PSW was notable.", false));
        assert!(retells_finding("Councillor Yasseen commented that it was pleasing to see preventative services recognised by the peer review.", false));
        assert!(retells_finding("A Member asked why the Peer Review had reported an absence of clear vision.", false));
        assert!(!retells_finding("A Council commissioned report had found that demand differed to the national picture.", false));
        assert!(!retells_finding("They described that in response the service had developed a new communication framework.", true));
    }

    #[test]
    fn evaluations_count_only_in_the_retelling() {
        let s = "Likewise, advocacy and brokerage services were deemed to work well.";
        assert!(retells_finding(s, true));
        assert!(!retells_finding(s, false));
        assert!(starts_retelling("The Assistant Director summarised the findings of the peer review and focussed on each theme."));
        assert!(ends_retelling("In the ensuing discussion, the following main points were made:"));
        assert!(starts_retelling("The Corporate Director presented a report on the Local Government Association peer challenge of adult social care."));
        assert!(retells_finding("They had also reported that some people were waiting too long.", true));
        // The review as a point in time, and an officer's own view, are not the review's findings.
        assert!(!retells_finding("They explained that an internal audit delivered assurance of progress since the conclusion of the peer review in December 2023.", true));
        assert!(is_own_voice("The Assistant Director of Adult Care and Integration noted that no Local Authority had successfully addressed their DoLS challenges."));
        assert!(!is_own_voice("The Director confirmed that the report had recommended that HCC simplify the direct payments process."));
        assert_eq!(topic("In respect of the Better Care Fund, opportunities were highlighted."), Some("the Better Care Fund"));
    }
}
