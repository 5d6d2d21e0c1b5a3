//! `curl` and `wget`, including whether what they fetch is run by a shell.

use crate::args::{Opt, OptSpec, find, flag, parse_args, val, values};
use crate::tools::pip::url_has_credentials;
use crate::{Origin, Script, Word};

/// Which downloader was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadTool {
    /// `curl`
    Curl,
    /// `wget`
    Wget,
}

/// One download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// `curl` or `wget`.
    pub tool: DownloadTool,
    /// The URLs fetched.
    pub urls: Vec<Word>,
    /// Where the body goes: `-o FILE`, `wget -O FILE` (`-` is stdout).
    pub output: Option<Word>,
    /// TLS verification turned off (`-k`, `--insecure`,
    /// `--no-check-certificate`).
    pub insecure: bool,
    /// True when credentials are on the command line (`-u user:pass`,
    /// `--password`, or `user:pass@` in a URL).
    pub has_credentials: bool,
    /// Index of the command the output is piped into, if any.
    pub piped_to: Option<usize>,
    /// True when the downloaded text is run as a script: piped into a
    /// shell or interpreter, or substituted into `sh -c "$(curl …)"`.
    pub runs_as_script: bool,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

const CURL: &[OptSpec] = &[
    val(&["--output", "-o"]),
    val(&["--header", "-H"]),
    val(&["--data", "-d"]),
    val(&["--data-raw"]),
    val(&["--data-binary"]),
    val(&["--data-urlencode"]),
    val(&["--user", "-u"]),
    val(&["--request", "-X"]),
    val(&["--user-agent", "-A"]),
    val(&["--referer", "-e"]),
    val(&["--max-time", "-m"]),
    val(&["--connect-timeout"]),
    val(&["--retry"]),
    val(&["--retry-delay"]),
    val(&["--retry-max-time"]),
    val(&["--write-out", "-w"]),
    val(&["--proxy", "-x"]),
    val(&["--upload-file", "-T"]),
    val(&["--form", "-F"]),
    val(&["--cacert"]),
    val(&["--cert", "-E"]),
    val(&["--key"]),
    val(&["--config", "-K"]),
    val(&["--cookie", "-b"]),
    val(&["--cookie-jar", "-c"]),
    val(&["--range", "-r"]),
    val(&["--continue-at", "-C"]),
    val(&["--limit-rate"]),
    val(&["--url"]),
    val(&["--output-dir"]),
    val(&["--proto"]),
    val(&["--proto-redir"]),
    val(&["--resolve"]),
    val(&["--time-cond", "-z"]),
    val(&["--tlsv1.2-max"]),
    flag(&["--insecure", "-k"]),
    flag(&["--fail", "-f"]),
    flag(&["--silent", "-s"]),
    flag(&["--show-error", "-S"]),
    flag(&["--location", "-L"]),
    flag(&["--remote-name", "-O"]),
    flag(&["--remote-header-name", "-J"]),
    flag(&["--verbose", "-v"]),
    flag(&["--head", "-I"]),
    flag(&["--compressed"]),
    flag(&["--create-dirs"]),
];

const WGET: &[OptSpec] = &[
    val(&["--output-document", "-O"]),
    val(&["--directory-prefix", "-P"]),
    val(&["--output-file", "-o"]),
    val(&["--append-output", "-a"]),
    val(&["--tries", "-t"]),
    val(&["--timeout", "-T"]),
    val(&["--header"]),
    val(&["--user-agent", "-U"]),
    val(&["--user"]),
    val(&["--password"]),
    val(&["--http-user"]),
    val(&["--http-password"]),
    val(&["--execute", "-e"]),
    val(&["--input-file", "-i"]),
    val(&["--base", "-B"]),
    val(&["--post-data"]),
    val(&["--post-file"]),
    val(&["--ca-certificate"]),
    val(&["--certificate"]),
    val(&["--private-key"]),
    val(&["--wait", "-w"]),
    val(&["--limit-rate"]),
    val(&["--quota", "-Q"]),
    val(&["--level", "-l"]),
    val(&["--progress"]),
    val(&["--method"]),
    val(&["--body-data"]),
    val(&["--referer"]),
    val(&["--domains", "-D"]),
    val(&["--accept", "-A"]),
    val(&["--reject", "-R"]),
    val(&["--max-redirect"]),
    val(&["--dns-timeout"]),
    val(&["--connect-timeout"]),
    val(&["--read-timeout"]),
    flag(&["--no-check-certificate"]),
    flag(&["--quiet", "-q"]),
    flag(&["--no-verbose", "-nv"]),
    flag(&["--continue", "-c"]),
    flag(&["--timestamping", "-N"]),
    flag(&["--server-response", "-S"]),
    flag(&["--recursive", "-r"]),
    flag(&["--no-parent", "-np"]),
    flag(&["--no-clobber", "-nc"]),
    flag(&["--no-directories", "-nd"]),
    flag(&["--no-host-directories", "-nH"]),
    flag(&["--show-progress"]),
    flag(&["--spider"]),
    flag(&["--https-only"]),
];

/// Programs that execute text piped into them.
fn is_interpreter(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "perl" | "ruby" | "node"
    ) || program.starts_with("python")
}

/// Parses the arguments after `curl`/`wget`; `script` and `command` locate
/// the call so its pipeline can be inspected.
pub(crate) fn parse(
    tool: DownloadTool,
    args: &[Word],
    script: &Script,
    command: usize,
) -> Download {
    let spec = match tool {
        DownloadTool::Curl => CURL,
        DownloadTool::Wget => WGET,
    };
    let parsed = parse_args(args, &[spec], false);
    let mut urls = parsed.positionals.clone();
    urls.extend(values(&parsed.opts, "--url"));
    let output = match tool {
        DownloadTool::Curl => find(&parsed.opts, "--output"),
        DownloadTool::Wget => find(&parsed.opts, "--output-document"),
    }
    .and_then(|o| o.value.clone());
    let insecure = find(&parsed.opts, "--insecure").is_some()
        || find(&parsed.opts, "--no-check-certificate").is_some();
    let has_credentials = urls.iter().any(|u| url_has_credentials(&u.text))
        || ["--user", "--password", "--http-password"]
            .iter()
            .any(|n| find(&parsed.opts, n).is_some());
    let this = script.commands.get(command);
    let piped_to = this.and_then(|c| {
        script
            .commands
            .iter()
            .enumerate()
            .skip(command + 1)
            .find(|(_, n)| n.pipeline == c.pipeline && n.origin == c.origin)
            .map(|(k, _)| k)
    });
    let piped_into_interpreter = piped_to
        .and_then(|k| script.commands.get(k))
        .and_then(|c| c.program())
        .is_some_and(is_interpreter);
    // `sh -c "$(curl …)"`: the substitution's output becomes the script.
    let substituted_into_shell = this.is_some_and(|c| match c.origin {
        Origin::Substitution(p) => script.commands.get(p).is_some_and(|parent| {
            crate::walk::shell_script_arg(&parent.argv).is_some()
                || parent.program().is_some_and(|p| p == "eval")
        }),
        _ => false,
    });
    Download {
        tool,
        urls,
        output,
        insecure,
        has_credentials,
        piped_to,
        runs_as_script: piped_into_interpreter || substituted_into_shell,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn downloads(s: &str) -> Vec<Download> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Download(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn curl_piped_to_shell() {
        let s = "curl -sSL https://install.python-poetry.org | python3 - && curl -fsSLo /tmp/x.tgz https://e.example/x.tgz";
        let all = downloads(s);
        assert!(all[0].runs_as_script);
        assert!(all[0].piped_to.is_some());
        assert_eq!(all[0].urls[0].text, "https://install.python-poetry.org");
        assert!(!all[1].runs_as_script);
        assert_eq!(all[1].piped_to, None);
        assert_eq!(
            all[1].output.as_ref().map(|w| w.text.as_str()),
            Some("/tmp/x.tgz")
        );
        assert_eq!(&s[all[1].urls[0].span.clone()], "https://e.example/x.tgz");
    }

    #[test]
    fn wget_and_substitution_forms() {
        let all = downloads(
            "wget -qO- https://get.example/sh | sh; wget --no-check-certificate -O a.zip https://a/b.zip; \
             sh -c \"$(curl -fsSL https://raw.example/install.sh)\"; curl -u bob:pw https://x/y | tar xz",
        );
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(all[0].runs_as_script);
        assert_eq!(all[0].output.as_ref().map(|w| w.text.as_str()), Some("-"));
        assert!(all[1].insecure && !all[1].runs_as_script);
        assert!(all[2].runs_as_script);
        assert!(!all[3].runs_as_script && all[3].has_credentials);
        assert!(all[3].piped_to.is_some());
    }
}
