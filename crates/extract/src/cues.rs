//! The genre's cue lexicons: words that mark praise, concern, advice, pointers to other
//! councils' practice, and sentences that are not findings at all (process, thanks,
//! resolutions, the council's own response, councillors' questions).

use regex::Regex;
use std::sync::LazyLock;

fn re(p: &str) -> Regex {
    peerscope_model::pattern::compile(p).unwrap_or_else(|e| panic!("cue pattern {p}: {e}"))
}

static STRENGTH: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:good|excellent|strong(?:ly)?|strength|positive(?:ly)?|impress(?:ed|ive)|effective(?:ly)?|well[- ](?:established|embedded|resourced|received|provided|managed|led|placed|regarded|developed|recognised|run|supported)|(?:working|works|work|worked) well|spoken? well|commend\w*|celebrat\w*|exemplary|notable|welcomed|commitment|committed|mature|robust|enthusias\w*|innovat\w*|passionate|pleased|valued|success\w*|clear (?:vision|ambition|direction|strategy|focus)|best in class|outstanding|encouraging|helpful|proud|resilien\w*|creativ\w*|maintained|high quality|good quality|thorough|knowledgeable|dedicated|national recognition|unique|loyalty|appreciated|great|praised|thriv\w*|embedded)\b")
});
static CONCERN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:concern\w*|lack(?:s|ing|ed)?|not (?:clear|evident|apparent|possible|sufficient\w*|consistent\w*|always|yet|enough|fully|been|where|seen)|unclear|no (?:evidence|clear|formal|real|consistent)|little (?:evidence|\w+ support)|(?:does|do|did)(?:n.t| not) (?:appear|seem|have|know|feel|see|hear)|inconsisten\w*|variab\w*|low|lowest|gaps?|delays?|delayed|backlogs?|waiting lists?|failure|failing|weak\w*|poor\w*|limited|risks?|at risk|challeng\w*|difficult\w*|pressures?|confus\w*|silo\w*|disappoint\w*|overwhelm\w*|paralysis|demotivat\w*|anxiety|stopped|imbalance|fragment\w*|insufficient\w*|inadequate|too (?:much|many|few|responsive|confusing|slow)|absence|negative|deteriorat\w*|struggl\w*|unable|barriers?|problem\w*|issues?|tensions?|turbulence|uncertain\w*|improvement (?:is |was )?needed|targeted improvement|less than|worse|vacant|sickness|tick box|immature|danger|without)\b")
});
static ADVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:should|recommend\w*|suggest\w*|advise[sd]?|urge[sd]?|encourage[sd]?|consider\w*|need(?:s|ed)? to|need for|there is a need|must|would benefit|could benefit|will benefit|would help|(?:is|are|be|was) (?:essential|important|vital|critical|key|needed|required)|it is (?:important|essential|vital|critical)|priorit\w*|urgent\w*|opportunit\w*|could (?:be|look|consider|explore|help|usefully)|might (?:help|be|consider|usefully)|may (?:wish|want|benefit)|ensure|build on|further (?:work|analysis|consideration|development)|would need)\b")
});
/// An advice sentence may open with a verb: "Ensure the voice of the resident is prominent".
static IMPERATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:Ensur|Develop|Consider|Review|Build|Continu|Improv|Strengthen|Establish|Work|Use|Learn|Explor|Appoint|Creat|Free|Understand|Undertak|Increas|Embed|Maintain|Promot|Agree|Set|Introduc|Prioriti[sz]|Focus|Map|Clarif|Communicat|Invest|Refresh|Revisit|Identify|Engag|Captur|Align|Seek|Share|Look|Make|Put|Reduc|Squar)\w*\b")
});
static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:not|no|lack of|little|limited|without|never|nor|less|loss of)\s+(?:\w+\s+){0,2}$")
});
/// Sentences that are about the review's process, thanks, resolutions, questions in a
/// meeting or the council's own response: never findings.
static NOT_FINDING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^meeting:|\bthank\w*|\b(?:review|challenge|peer) team (?:comprised|consisted|was (?:made up|led)|included|spent|met|visited|would like)|\bwas led by\b|\bjoined by\b|\btook place\b|\bkey lines? of enquiry\b|\battached (?:as|at) (?:an )?appendix|\bappendix \d|\bthe purpose of (?:the|this)\b|\bin response\b|\bthe service (?:had|has) (?:developed|introduced|put in place|established|mirrored)|\b(?:asked|queried|enquired|requested|sought clarity|sought assurance)\b|\bagreed to (?:check|share|submit|discuss|provide|circulate)|\bthe chair\b|\bwe were made welcome|\bmade (?:to feel )?(?:very )?welcome|\bi (?:was pleased|write|am writing|would like)|\bcopy of (?:our|the) presentation|\bthis letter\b|\bplease (?:see|contact)|\bfor more information\b|\bemail\b|\btel\b|\bwould be happy to|\btook part in (?:a|the) peer|\bforms? part of (?:the |a |ADASS)|\bsector[- ]led improvement (?:process|is based)|\b(?:the|a) peer challenge (?:is|includes|allows|process|aims)|\bpeer challenge summit|\bpreparation of a self-assessment")
});
static RESOLUTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:that\b:?\s*)?(?:(?:the )?(?:scrutiny|members?|committee|panel|commission|cabinet|board|council)\b.{0,60}\b(?:note[sd]?|agree[sd]?|resolve[sd]?|receive[sd]?|endorse[sd]?)\b|resolved\b|note the (?:feedback|findings|report|action plan))")
});
static POINTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)could be looked at|worth (?:discussing|exploring|looking|contacting|visiting|talking)|learn(?:ing|t)? from|willing to share|happy to share|consider (?:exploring|visiting|contacting|talking|reviewing)|(?:best|good|notable|leading|innovative) practice (?:in|from|at|of)|as (?:used|done|developed) (?:in|by)|(?:have|has) (?:an?|the) (?:\w+ ){0,3}(?:model|plan|approach|offer|tool|framework|scheme)|(?:have|has) (?:led|done|developed|implemented|introduced|pioneered)")
});

/// How strongly a sentence reads as praise, concern and advice.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Cues {
    pub praise: f32,
    pub concern: f32,
    pub advice: f32,
}

impl Cues {
    pub fn none(&self) -> bool {
        self.praise == 0.0 && self.concern == 0.0 && self.advice == 0.0
    }
}

/// Weigh the cues in a sentence. Cues in an opening concessive clause ("Whilst the vision
/// is clear, ...") count half: the main clause carries the finding.
pub fn weigh(sentence: &str) -> Cues {
    let concessive_end = concessive_clause_end(sentence);
    let w = |pos: usize| if pos < concessive_end { 0.5 } else { 1.0 };
    let mut c = Cues::default();
    for m in STRENGTH.find_iter(sentence) {
        if NEGATION.is_match(&sentence[..m.start()]) {
            c.concern += w(m.start());
        } else {
            c.praise += w(m.start());
        }
    }
    for m in CONCERN.find_iter(sentence) {
        c.concern += w(m.start());
    }
    for m in ADVICE.find_iter(sentence) {
        c.advice += w(m.start());
    }
    if IMPERATIVE.is_match(sentence.trim_start_matches(['-', ' '])) {
        c.advice += 1.5;
    }
    c
}

fn concessive_clause_end(s: &str) -> usize {
    let lower = s.trim_start().to_lowercase();
    let concessive = ["whilst", "while", "although", "though", "despite", "notwithstanding", "even though"];
    if concessive.iter().any(|w| lower.starts_with(w)) {
        s.find(',').unwrap_or(0)
    } else {
        0
    }
}

/// Not a finding whatever its section: process, thanks, meeting business, resolutions.
pub fn is_not_finding(sentence: &str) -> bool {
    NOT_FINDING.is_match(sentence) || RESOLUTION.is_match(sentence.trim())
}

/// A sentence that points to another council's practice.
pub fn is_pointer(sentence: &str) -> bool {
    POINTER.is_match(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn praise_concern_and_advice() {
        let c = weigh("The morale of staff is low, they report a lack of leadership");
        assert!(c.concern >= 2.0 && c.praise < c.concern, "{c:?}");
        let c = weigh("The strong relationship with the CCG is delivering a shared understanding");
        assert!(c.praise >= 1.0 && c.concern == 0.0, "{c:?}");
        let c = weigh("Ensuring the voice of the resident is prominent in developing services.");
        assert!(c.advice >= 1.0, "{c:?}");
        let c = weigh("There was not good evidence of planning");
        assert!(c.concern >= 1.0 && c.praise == 0.0, "{c:?}");
    }

    #[test]
    fn process_and_resolutions_are_not_findings() {
        assert!(is_not_finding("Scrutiny note the findings of the Peer Challenge"));
        assert!(is_not_finding("The review team was led by Joy Hollister, Strategic Director."));
        assert!(is_not_finding("Councillor Havard queried whether there are any updates."));
        assert!(!is_not_finding("The performance on reviews remains concerning."));
    }
}
