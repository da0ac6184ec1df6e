//! Shows how the cue lexicons read sentences: one sentence per line on stdin, its praise,
//! concern, advice and need weights on stdout. Useful when a finding gets the wrong kind:
//!
//! ```text
//! echo "The BCF needs to demonstrate transformational change" | cargo run -p peerscope-extract --example cues
//! ```

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let c = peerscope_extract::cues::weigh(&line);
        let not = if peerscope_extract::cues::is_not_finding(&line) { " NOT-FINDING" } else { "" };
        println!("praise {:.1} concern {:.1} advice {:.1} need {:.1}{not}  | {line}", c.praise, c.concern, c.advice, c.need);
        for (kind, word) in peerscope_extract::cues::matches(&line) {
            println!("    {kind}: {word}");
        }
    }
}
