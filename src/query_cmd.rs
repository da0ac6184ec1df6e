pub fn run(_data: &std::path::Path, _q: &str, _json: bool, _limit: usize) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet")
}
