//! The zstd dictionary the store compresses its records with: its samples and its training
//! (`scripts/train_record_dict.sh` runs both).
//!
//! ```text
//! cargo run --release --example record_dict -- sample DATA_DIR SAMPLES   # every record, one JSON a line
//! cargo run --release --example record_dict -- train SAMPLES DICT        # the dictionary from those lines
//! ```
//!
//! The samples are committed (`crates/store/dict/records.samples.jsonl`), so the dictionary
//! is rebuilt from them byte for byte whatever the extractor of the day makes of the
//! documents; sampling again is for making a new dictionary, added beside the old one.

use std::io::Write;

use peerscope_store::Store;

/// Big enough for every key, kind, section and theme name; small beside one data directory.
const MAX_SIZE: usize = 16 * 1024;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["sample", data, out] => {
            let samples = Store::open(std::path::Path::new(data))?.record_samples()?;
            let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
            for s in &samples {
                file.write_all(s)?;
                file.write_all(b"\n")?;
            }
            file.flush()?;
            eprintln!("{} records written to {out}", samples.len());
        }
        ["train", samples, out] => {
            let text = std::fs::read(samples)?;
            let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
            let dict = peerscope_store::train_record_dictionary(&lines, MAX_SIZE)?;
            std::fs::write(out, &dict)?;
            eprintln!("{} records, dictionary of {} bytes written to {out}", lines.len(), dict.len());
        }
        _ => anyhow::bail!("usage: record_dict sample DATA_DIR SAMPLES | record_dict train SAMPLES DICT"),
    }
    Ok(())
}
