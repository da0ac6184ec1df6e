//! Trains the zstd dictionary the store compresses its records with, on every record of a
//! data directory (`scripts/train_record_dict.sh` ingests the committed documents first).
//!
//! ```text
//! cargo run --release --example record_dict -- DATA_DIR OUT
//! ```

use peerscope_store::Store;

/// Big enough for every key, kind, section and theme name; small beside one data directory.
const MAX_SIZE: usize = 16 * 1024;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(data), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: record_dict DATA_DIR OUT");
    };
    let store = Store::open(std::path::Path::new(&data))?;
    let dict = store.train_record_dictionary(MAX_SIZE)?;
    std::fs::write(&out, &dict)?;
    eprintln!("{} records, dictionary of {} bytes written to {out}", store.len(), dict.len());
    Ok(())
}
