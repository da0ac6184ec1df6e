//! The child side of isolated PDF parsing: cap this process's memory, then parse stdin.

/// Address-space cap for the PDF child: generous for real reports, fatal for bombs.
const MEMORY_LIMIT: u64 = 2 << 30;

pub fn run() -> std::process::ExitCode {
    // Best effort: where the limit cannot be set the timeout still bounds the child.
    let _ = rlimit::setrlimit(rlimit::Resource::AS, MEMORY_LIMIT, MEMORY_LIMIT);
    std::process::ExitCode::from(peerscope_extract::pdf::child_main() as u8)
}

/// Which trained reader decides findings (`--reader`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReaderChoice {
    /// The shipped head over structure, cues and static embeddings: fast (the default).
    #[default]
    Head,
    /// The fine-tuned sentence encoder blended with the head: about 10 ms a sentence; held
    /// out by council, a little better than the head alone (README, "The reader").
    Encoder,
}

/// An extractor that parses PDFs in a child copy of this binary.
pub fn extractor() -> anyhow::Result<peerscope_extract::Extractor> {
    extractor_with(ReaderChoice::Head)
}

/// The same, deciding findings with `choice`.
pub fn extractor_with(choice: ReaderChoice) -> anyhow::Result<peerscope_extract::Extractor> {
    let extractor = match choice {
        ReaderChoice::Head => peerscope_extract::Extractor::new()?,
        ReaderChoice::Encoder => peerscope_extract::Extractor::with_reader(peerscope_extract::Reader::encoder()?)?,
    };
    isolated(extractor)
}

/// The same with the cue rules deciding findings: what the reader is trained from (it
/// needs no trained weights, so a first training can run).
pub fn rules_extractor() -> anyhow::Result<peerscope_extract::Extractor> {
    isolated(peerscope_extract::Extractor::with_reader(peerscope_extract::Reader::Rules)?)
}

fn isolated(extractor: peerscope_extract::Extractor) -> anyhow::Result<peerscope_extract::Extractor> {
    let exe = std::env::current_exe()?;
    Ok(extractor.isolated_pdf(exe, vec!["__pdf-text".into()], std::time::Duration::from_secs(60)))
}
