fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).map_or(2000, |s| s.parse().unwrap());
    let x = peerscope_extract::Extractor::new().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files.truncate(n);
    let docs: Vec<(String, Vec<u8>)> = files.iter().map(|p| (p.display().to_string(), std::fs::read(p).unwrap())).collect();
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    for pass in 0..2 {
        let t0 = std::time::Instant::now();
        let f = if pass == 0 { warm(&x, &docs) } else { measured(&x, &docs) };
        let s = t0.elapsed().as_secs_f64();
        println!("pass {pass}: {s:.2} s, {:.2} MB/s, {f} findings", bytes as f64 / 1e6 / s);
    }
}

#[inline(never)]
fn warm(x: &peerscope_extract::Extractor, docs: &[(String, Vec<u8>)]) -> usize {
    docs.iter().map(|(n, b)| x.extract(n, b).unwrap().document.findings.len()).sum()
}
#[inline(never)]
fn measured(x: &peerscope_extract::Extractor, docs: &[(String, Vec<u8>)]) -> usize {
    docs.iter().map(|(n, b)| x.extract(n, b).unwrap().document.findings.len()).sum()
}
