pub fn run(_data: &std::path::Path, _paths: &[std::path::PathBuf]) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet")
}
