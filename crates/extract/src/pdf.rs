//! PDF to text, with page furniture (running headers, footers, page numbers) removed.
//!
//! PDF parsers can take a process down in ways `catch_unwind` cannot stop (stack overflow on
//! deep nesting, compression bombs). So the extractor normally runs the parser in a child
//! process ([`PdfBackend::Isolated`]: the peerscope binary's hidden `__pdf-text` command)
//! with a timeout; the child caps its own memory. [`PdfBackend::InProcess`] is for tests
//! and fuzzing.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::error::ExtractError;

/// How PDFs are parsed.
#[derive(Debug, Clone)]
pub enum PdfBackend {
    /// Parse in this process (a panic is caught; a stack overflow is not).
    InProcess,
    /// Run `program args...`, which reads the PDF on stdin and writes its text on stdout.
    Isolated { program: PathBuf, args: Vec<String>, timeout: Duration },
}

/// The text of a PDF, furniture removed, pages separated by blank lines.
pub fn pdf_text(bytes: &[u8], backend: &PdfBackend) -> Result<String, ExtractError> {
    let raw = match backend {
        PdfBackend::InProcess => parse_pages(bytes),
        PdfBackend::Isolated { program, args, timeout } => run_child(bytes, program, args, *timeout),
    };
    // A PDF cut short (half a download) reads as nothing or as an error: say which it is.
    let raw = raw.map_err(|e| if is_truncated(bytes) && matches!(e, ExtractError::Pdf(_) | ExtractError::PdfChild(_)) { ExtractError::PdfTruncated } else { e })?;
    let pages: Vec<&str> = raw.split('\u{0c}').collect();
    let text = strip_furniture(&pages);
    if text.trim().is_empty() {
        return Err(if is_truncated(bytes) {
            ExtractError::PdfTruncated
        } else if memchr::memmem::find(bytes, b"/Encrypt").is_some() {
            // Encrypted with no empty user password (those are read): not "scanned images".
            ExtractError::PdfPassword
        } else {
            ExtractError::PdfNoText
        });
    }
    Ok(text)
}

/// Whether a PDF lacks the `%%EOF` marker every complete file ends with (some writers add
/// a few bytes after it, so the end is searched, not only the last bytes).
fn is_truncated(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    !tail.windows(5).any(|w| w == b"%%EOF")
}

/// Parse a PDF into page texts joined by form feeds. This is what the child process runs.
pub fn parse_pages(bytes: &[u8]) -> Result<String, ExtractError> {
    let owned = bytes.to_vec();
    let result = std::panic::catch_unwind(move || -> Result<String, ExtractError> {
        let doc = pdf_oxide::PdfDocument::from_bytes(owned).map_err(|e| ExtractError::Pdf(e.to_string()))?;
        let n = doc.page_count().map_err(|e| ExtractError::Pdf(e.to_string()))?;
        let mut pages = Vec::with_capacity(n);
        for i in 0..n {
            // One bad page should not lose the others.
            pages.push(doc.extract_text(i).unwrap_or_default());
        }
        Ok(pages.join("\u{0c}"))
    });
    result.unwrap_or_else(|_| Err(ExtractError::Pdf("the PDF parser panicked".into())))
}

/// Entry point of the child process: PDF on stdin, text on stdout, exit 2 with a message on
/// failure. Runs the parser on a thread with a large stack for deeply nested files.
pub fn child_main() -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("reading stdin: {e}");
        return 2;
    }
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(move || parse_pages(&bytes));
    let result = match worker {
        Ok(h) => h.join().unwrap_or_else(|_| Err(ExtractError::Pdf("the PDF parser panicked".into()))),
        Err(e) => Err(ExtractError::Io(e)),
    };
    match result {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                return 2;
            }
            0
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

fn run_child(bytes: &[u8], program: &PathBuf, args: &[String], timeout: Duration) -> Result<String, ExtractError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ExtractError::PdfChild(format!("cannot start {}: {e}", program.display())))?;
    let mut stdin = child.stdin.take();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input); // a child that dies early closes the pipe: reported below
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        out
    });
    let mut stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut out = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_string(&mut out);
        }
        out
    });
    let status = match child.wait_timeout(timeout)? {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ExtractError::PdfTimeout(timeout.as_secs()));
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(ExtractError::PdfChild(child_failure(&status, &err)));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// What went wrong in the PDF child, in words: its memory cap reached, its panic's message,
/// or how it ended; never Rust's "note: run with RUST_BACKTRACE" advice.
fn child_failure(status: &std::process::ExitStatus, stderr: &str) -> String {
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") || stderr.contains("capacity overflow") {
        return "ran out of memory: the PDF needs more than the reader's limit (2 GiB), too large or too complex to read".into();
    }
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("note:") && !l.starts_with("stack backtrace")).collect();
    // A panic prints "thread … panicked at FILE:" then its message on the next line.
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at")) {
        if let Some(message) = lines.get(i + 1) {
            return format!("the PDF parser failed: {message}");
        }
    }
    if let Some(last) = lines.last() {
        return (*last).to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("the PDF reader was stopped by signal {signal} (its memory limit or a crash)");
        }
    }
    format!("the PDF reader exited with {status}")
}

/// Drop lines that repeat at the top or bottom of most pages (running headers and footers,
/// with digits ignored so "Page 3" matches "Page 4") and bare page numbers. The first
/// occurrence of a repeated line stays: a running header is often the document's title
/// ("London ADASS Peer Review"), and the metadata needs it once.
pub fn strip_furniture(pages: &[&str]) -> String {
    let shape = |l: &str| l.trim().chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect::<String>();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        let edge = lines.iter().take(2).chain(lines.iter().rev().take(2));
        let mut seen = std::collections::HashSet::new();
        for l in edge {
            if seen.insert(shape(l)) {
                *counts.entry(shape(l)).or_default() += 1;
            }
        }
    }
    let threshold = (pages.len() / 2).max(2);
    let mut kept_once = std::collections::HashSet::new();
    let mut kept: Vec<Vec<&str>> = Vec::with_capacity(pages.len());
    for page in pages {
        let lines: Vec<&str> = page.lines().collect();
        let content: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].trim().is_empty()).collect();
        let edges: Vec<usize> = content.iter().take(2).chain(content.iter().rev().take(2)).copied().collect();
        let mut page_lines = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let at_edge = edges.contains(&i);
            if at_edge && is_page_number(l) {
                continue;
            }
            if at_edge && counts.get(&shape(l)).is_some_and(|&c| pages.len() > 1 && c >= threshold) && !kept_once.insert(shape(l)) {
                continue;
            }
            page_lines.push(l.trim_end());
        }
        kept.push(page_lines);
    }
    join_pages(&kept)
}

/// The pages' lines as one text, a blank line after each page, except where a sentence runs
/// on to the next page ("There is a need to ensure" / "Adult Social Care staff are doing …"):
/// there the page's trailing and the next page's leading blank lines go, so the normaliser
/// reads the two lines as one paragraph broken by the layout, as it does inside a page.
fn join_pages(pages: &[Vec<&str>]) -> String {
    let full_width = full_width(pages);
    let mut out = String::new();
    // The last line with words of the pages so far (empty pages skipped).
    let mut last_before: Option<&str> = None;
    for page in pages {
        let first_here = page.iter().find(|l| !l.trim().is_empty());
        let runs_on = matches!((last_before, first_here), (Some(before), Some(here)) if sentence_runs_on(before, here, full_width));
        if let Some(last) = page.iter().rev().find(|l| !l.trim().is_empty()) {
            last_before = Some(last);
        }
        let lines = if runs_on {
            while out.ends_with("\n\n") {
                out.pop();
            }
            let first = page.iter().position(|l| !l.trim().is_empty()).unwrap_or(page.len());
            &page[first..]
        } else {
            &page[..]
        };
        let last = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(0, |i| i + 1);
        for l in &lines[..last] {
            out.push_str(l);
            out.push('\n');
        }
        // A blank line even after a page's trailing blank lines were dropped: the text is the
        // same as before wherever no sentence runs on.
        out.push_str(&"\n".repeat(lines.len() - last + 1));
    }
    out
}

/// Whether a page's last line stops in the middle of a sentence that the next page's first
/// line goes on with: the last line is prose as wide as the body text (a list item, a
/// heading or a paragraph's last line ends short) that ends in a letter or a comma, and the
/// next page opens with neither a heading nor a list item.
fn sentence_runs_on(last: &str, next: &str, full_width: usize) -> bool {
    let last = last.trim();
    let next = next.trim();
    last.ends_with(|c: char| c.is_lowercase() || c == ',')
        && last.chars().count() >= full_width
        && crate::structure::list_marker(last).is_none()
        && crate::structure::list_marker(next).is_none()
        && !crate::structure::is_heading(next)
}

/// The width of a full line of the body text, as the normaliser judges a line broken by
/// the layout: 80% of the typical width of the pages' lines.
fn full_width(pages: &[Vec<&str>]) -> usize {
    crate::normalize::typical_width(pages.iter().flatten().map(|l| l.trim())).saturating_mul(8) / 10
}

fn is_page_number(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    let l = l.trim_matches(|c: char| c == '-' || c == '–' || c.is_whitespace());
    let l = l.strip_prefix("page").unwrap_or(l).trim();
    !l.is_empty()
        && l.split(" of ").all(|p| !p.trim().is_empty() && p.trim().chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_is_removed() {
        let pages = ["Scrutiny Panel - 17 December 2015\nFirst page text\nPage 1", "Scrutiny Panel - 17 December 2015\nSecond page\nPage 2", "Scrutiny Panel - 17 December 2015\nThird\n3 of 9"];
        let t = strip_furniture(&pages);
        assert_eq!(t.matches("Scrutiny Panel").count(), 1, "{t}");
        assert!(t.starts_with("Scrutiny Panel"), "{t}");
        assert!(!t.contains("Page"), "{t}");
        assert!(t.contains("First page text") && t.contains("Third"));
    }

    #[test]
    fn a_sentence_running_on_to_the_next_page_is_one_paragraph() {
        // Regression: Leicester's letter gave "There is a need to ensure" and "Adult Social
        // Care staff are doing ..." as two findings, the second read as a finding of its own.
        let body = "The team found a great deal to praise in the way the service is led and run day to day.";
        let pages = [
            format!("Scrutiny Commission\n{body}\nAs mentioned earlier, the boundaries need clarification. There is a need to ensure\n\nPage 8"),
            format!("Scrutiny Commission\nAdult Social Care staff are doing appropriate work. As part of this, you\nshould look at the front door.\n{body}\nPage 9"),
            format!("Scrutiny Commission\n{body}\n• A bullet that ends short without a stop\nPage 10"),
            format!("Scrutiny Commission\nSummary\n{body}\nPage 11"),
        ];
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        let text = crate::normalize::normalize(&strip_furniture(&pages), true);
        assert!(text.contains("There is a need to ensure Adult Social Care staff are doing appropriate work."), "{text}");
        // A bullet ending a page and a heading opening the next stay apart.
        assert!(text.contains("without a stop\n\nSummary\n"), "{text}");
    }

    fn child(script: &str, timeout_ms: u64) -> PdfBackend {
        PdfBackend::Isolated {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[test]
    fn a_hung_child_is_killed_at_the_timeout() {
        let started = std::time::Instant::now();
        let err = pdf_text(b"%PDF-1.4", &child("sleep 30", 300)).unwrap_err();
        assert!(matches!(err, ExtractError::PdfTimeout(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_crashed_child_is_an_error_with_its_message() {
        let err = pdf_text(b"%PDF-1.4 %%EOF", &child("cat >/dev/null; echo 'stack overflow' >&2; kill -SEGV $$", 10_000)).unwrap_err();
        assert!(matches!(err, ExtractError::PdfChild(ref m) if m.contains("stack overflow")), "{err}");
    }

    #[test]
    fn a_child_that_reads_nothing_does_not_block_the_parent() {
        // The parent writes a large body while the child exits at once: no deadlock, no panic.
        let mut body = vec![b'x'; 8 << 20];
        body.extend_from_slice(b"%%EOF");
        let err = pdf_text(&body, &child("exit 3", 10_000)).unwrap_err();
        assert!(matches!(err, ExtractError::PdfChild(_)), "{err}");
    }

    #[test]
    fn child_text_has_its_furniture_removed() {
        let text = pdf_text(b"%PDF", &child("cat >/dev/null; printf 'Report\\nBody one\\nPage 1\\fReport\\nBody two\\nPage 2\\fReport\\nBody three\\nPage 3'", 10_000)).unwrap();
        assert_eq!(text.split_whitespace().collect::<Vec<_>>(), ["Report", "Body", "one", "Body", "two", "Body", "three"]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let err = pdf_text(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer garbage", &PdfBackend::InProcess).unwrap_err();
        assert!(matches!(err, ExtractError::Pdf(_) | ExtractError::PdfNoText | ExtractError::PdfTruncated), "{err}");
    }

    #[test]
    fn a_child_out_of_memory_or_panicking_says_what_happened() {
        // Regression: the message was Rust's last stderr line, "note: Some details are
        // omitted, run with `RUST_BACKTRACE=full`…".
        let oom = pdf_text(b"%PDF-1.4 %%EOF", &child("cat >/dev/null; echo 'memory allocation of 4294967296 bytes failed' >&2; kill -ABRT $$", 10_000)).unwrap_err();
        assert!(oom.to_string().contains("ran out of memory"), "{oom}");
        let panic = "cat >/dev/null; printf \"thread 'main' panicked at src/x.rs:1:1:\\nxref table is damaged\\nnote: run with RUST_BACKTRACE=1 environment variable to display a backtrace\\n\" >&2; exit 101";
        let err = pdf_text(b"%PDF-1.4 %%EOF", &child(panic, 10_000)).unwrap_err();
        assert_eq!(err.to_string(), "PDF extractor failed: the PDF parser failed: xref table is damaged");
    }

    #[test]
    fn half_a_pdf_is_called_cut_short() {
        let whole = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/leicester_scrutiny-report_2016.pdf")).unwrap();
        let err = pdf_text(&whole[..whole.len() / 2], &PdfBackend::InProcess).unwrap_err();
        assert!(matches!(err, ExtractError::PdfTruncated), "{err}");
    }
}
