//! One module per subcommand. Each exposes its clap arguments and a `run`
//! function returning the process exit code (see `crate::exit`).

pub mod bench;
pub mod build;
pub mod check;
pub mod completions;
pub mod debug;
pub mod doctor;
pub mod explain;
pub mod fix;
pub mod init;
pub mod installer;
pub mod plugin;
pub mod rule;
pub mod server;

/// `--build-arg` values as `docker build` reads them: `KEY=VALUE`, or `KEY`
/// alone taking its value from the environment and left out when unset.
/// Every command that takes `--build-arg` reads it here.
pub fn build_args(args: &[String]) -> Vec<(String, String)> {
    args.iter()
        .filter_map(|arg| match arg.split_once('=') {
            Some((k, v)) => Some((k.to_string(), v.to_string())),
            None => std::env::var(arg).ok().map(|v| (arg.clone(), v)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn build_arg_without_value_comes_from_the_environment_or_is_left_out() {
        let unset = "LAYERWISE_TEST_SURELY_UNSET_BUILD_ARG";
        let args = vec![
            "A=1".to_string(),
            "B=".to_string(),
            unset.to_string(),
            "PATH".to_string(),
        ];
        let parsed = super::build_args(&args);
        assert_eq!(parsed[0], ("A".to_string(), "1".to_string()));
        assert_eq!(parsed[1], ("B".to_string(), String::new()));
        assert!(!parsed.iter().any(|(k, _)| k == unset));
        assert_eq!(parsed[2].0, "PATH");
        assert_eq!(parsed.len(), 3);
    }
}
