//! Command-line options.

use std::path::PathBuf;

/// Usage text.
pub const USAGE: &str = "\
usage: weft-bench [--quick] [--rounds N] [--filter NAME]... [--json PATH]
                  [--threads N] [--runtimes weft,tokio,async-executor]
                  [--timeout SECS] [--samples] [--list] [WORKLOAD ...]

Runs every workload on weft, tokio and async-executor in this one process,
alternating the runtimes round by round, and prints medians and ratios
(ratio = weft time / other time; below 1.0 weft is faster).

  --quick          fewer rounds and smaller sizes for the slow workloads
  --rounds N       measured rounds per runtime (default 15, quick 7), after one warm-up
  --filter NAME    run the workloads whose name contains NAME (repeatable,
                   comma-separated); bare WORKLOAD arguments are exact names
  --json PATH      also write the results as JSON
  --threads N      worker threads of the multi-thread flavor (default 2)
  --runtimes LIST  only these runtimes
  --timeout SECS   give up (print what was measured, exit 2) when one sample
                   runs longer than this (default 120)
  --samples        print every sample (wall and CPU time) to stderr
  --list           list the workloads and exit";

/// Parsed options.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--quick`.
    pub quick: bool,
    /// `--rounds`, or the default of the mode.
    pub rounds: usize,
    /// `--filter` substrings.
    pub filters: Vec<String>,
    /// Exact workload names.
    pub exact: Vec<String>,
    /// `--json`.
    pub json: Option<PathBuf>,
    /// `--threads`.
    pub threads: usize,
    /// `--runtimes`, `None` for all.
    pub runtimes: Option<Vec<String>>,
    /// `--timeout` in seconds.
    pub timeout: u64,
    /// `--list`.
    pub list: bool,
    /// `--samples`: print every sample to stderr.
    pub samples: bool,
}

impl Options {
    /// Parses `args` (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut o = Options {
            quick: false,
            rounds: 0,
            filters: Vec::new(),
            exact: Vec::new(),
            json: None,
            threads: 2,
            runtimes: None,
            timeout: 120,
            list: false,
            samples: false,
        };
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match a.as_str() {
                "--quick" => o.quick = true,
                "--list" => o.list = true,
                "--samples" => o.samples = true,
                "--rounds" => o.rounds = number(&value("--rounds")?)?,
                "--threads" => o.threads = number(&value("--threads")?)?,
                "--timeout" => o.timeout = number(&value("--timeout")?)? as u64,
                "--json" => o.json = Some(value("--json")?.into()),
                "--filter" => o.filters.extend(list(&value("--filter")?)),
                "--runtimes" => o.runtimes = Some(list(&value("--runtimes")?)),
                "-h" | "--help" => return Err(String::new()),
                s if s.starts_with('-') => return Err(format!("unknown option {s}")),
                s => o.exact.push(s.to_owned()),
            }
        }
        if o.rounds == 0 {
            o.rounds = if o.quick { 7 } else { 15 };
        }
        Ok(o)
    }

    /// Whether the workload `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        (self.filters.is_empty() && self.exact.is_empty())
            || self.exact.iter().any(|e| e == name)
            || self.filters.iter().any(|f| name.contains(f.as_str()))
    }

    /// Whether the runtime `name` is selected.
    pub fn selects_runtime(&self, name: &str) -> bool {
        self.runtimes
            .as_ref()
            .is_none_or(|rs| rs.iter().any(|r| r == name))
    }
}

fn number(s: &str) -> Result<usize, String> {
    match s.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a positive number, got {s:?}")),
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn parse(s: &str) -> Options {
        Options::parse(s.split_whitespace().map(str::to_owned)).unwrap()
    }

    #[test]
    fn defaults_and_quick() {
        assert_eq!(parse("").rounds, 15);
        assert_eq!(parse("--quick").rounds, 7);
        assert_eq!(parse("--quick --rounds 3").rounds, 3);
    }

    #[test]
    fn selection() {
        let o = parse("--filter spawn,yield ping_pong");
        assert!(o.selects("spawn_many_ct") && o.selects("yield_many") && o.selects("ping_pong"));
        assert!(!o.selects("ping_pong_ct") && !o.selects("echo"));
        assert!(parse("").selects("echo"));
    }

    #[test]
    fn errors() {
        assert!(Options::parse(["--rounds".to_owned()]).is_err());
        assert!(Options::parse(["--rounds".to_owned(), "0".to_owned()]).is_err());
        assert!(Options::parse(["--bogus".to_owned()]).is_err());
    }
}
