//! The table and the JSON record.

use crate::stats::Summary;
use crate::workloads::RuntimeId;
use std::fmt::Write as _;

/// What one runtime's column of one workload holds.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Measured: summary of the samples, in ms or bytes.
    Done(Summary),
    /// weft's side is not on main yet.
    NotYet,
    /// The runtime has no equivalent.
    NoEquivalent,
    /// Left out with `--runtimes`.
    Skipped,
    /// A sample panicked or timed out.
    Failed(String),
}

/// One workload's row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Workload name.
    pub workload: &'static str,
    /// Whether the samples are bytes (else milliseconds).
    pub bytes: bool,
    /// Cells in [`RuntimeId::ALL`] order.
    pub cells: Vec<Cell>,
    /// CPU-time cells (ms) of a time row, in the same order.
    pub cpu: Vec<Cell>,
}

impl Row {
    /// This row with its CPU-time cells in place of the wall-clock ones.
    pub fn cpu_row(&self) -> Row {
        Row {
            cells: self.cpu.clone(),
            ..self.clone()
        }
    }

    fn median(&self, rt: RuntimeId) -> Option<f64> {
        match &self.cells[rt as usize] {
            Cell::Done(s) => Some(s.median),
            _ => None,
        }
    }

    /// weft's median over `other`'s median.
    pub fn ratio(&self, other: RuntimeId) -> Option<f64> {
        Some(self.median(RuntimeId::Weft)? / self.median(other)?)
    }
}

const NOT_YET: &str = "n/a (weft side not available yet)";

fn cell_text(c: &Cell, bytes: bool) -> String {
    match c {
        Cell::Done(s) if bytes => format!("{:.0} B [{:.0}-{:.0}]", s.median, s.min, s.max),
        Cell::Done(s) => format!("{} [{}-{}]", ms(s.median), ms(s.min), ms(s.max)),
        Cell::NotYet => "n/a (not yet)*".into(),
        Cell::NoEquivalent => "n/a (no equivalent)".into(),
        Cell::Skipped => "-".into(),
        Cell::Failed(_) => "FAILED".into(),
    }
}

/// Milliseconds with three significant digits (at least).
fn ms(v: f64) -> String {
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$}")
}

fn ratio_text(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}"))
}

/// The table: medians with [min-max], and weft's ratio to each other
/// runtime. A runtime with no cell in any row (left out, or no equivalent in
/// any selected workload) gets no column.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let shown: Vec<RuntimeId> = RuntimeId::ALL
        .into_iter()
        .filter(|&rt| {
            rows.iter()
                .any(|r| !matches!(r.cells[rt as usize], Cell::Skipped | Cell::NoEquivalent))
        })
        .collect();
    let others: Vec<RuntimeId> = shown
        .iter()
        .copied()
        .filter(|&rt| rt != RuntimeId::Weft)
        .collect();
    let mut head = vec!["workload".to_owned()];
    head.extend(shown.iter().map(|rt| rt.name().to_owned()));
    head.extend(others.iter().map(|rt| format!("weft/{}", rt.short())));
    let mut lines = vec![head];
    for r in rows {
        let unit = if r.bytes { " (B)" } else { " (ms)" };
        let mut l = vec![format!("{}{unit}", r.workload)];
        l.extend(
            shown
                .iter()
                .map(|&rt| cell_text(&r.cells[rt as usize], r.bytes)),
        );
        l.extend(others.iter().map(|&rt| ratio_text(r.ratio(rt))));
        lines.push(l);
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| lines.iter().map(|l| l[i].len()).max().unwrap_or(0))
        .collect();
    for l in &lines {
        let mut line = String::new();
        for (i, c) in l.iter().enumerate() {
            let _ = if i == 0 {
                write!(line, "{c:<w$}", w = widths[i])
            } else {
                write!(line, "  {c:>w$}", w = widths[i])
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if rows.iter().any(|r| matches!(r.cells[0], Cell::NotYet)) {
        let _ = writeln!(out, "* {NOT_YET}: nothing measured for weft there.");
    }
    for r in rows {
        for (rt, c) in RuntimeId::ALL.iter().zip(&r.cells) {
            if let Cell::Failed(why) = c {
                let _ = writeln!(out, "{} on {} FAILED: {why}", r.workload, rt.name());
            }
        }
    }
    out.push_str("medians [min-max]; ratio = weft median / other median (below 1.0: weft faster or smaller)\n");
    out
}

/// JSON string literal.
fn js(s: &str) -> String {
    let mut o = String::from('"');
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The JSON record: `{"meta":{..},"results":[{"workload","runtime","median_ms"|"bytes_per_task","runs",..}],
/// "ratios":[..],"unavailable":[..]}`.
pub fn json(rows: &[Row], meta: &[(&str, String)]) -> String {
    let mut results = Vec::new();
    let mut unavailable = Vec::new();
    for r in rows {
        for (rt, c) in RuntimeId::ALL.iter().zip(&r.cells) {
            match c {
                Cell::Done(s) => {
                    let key = if r.bytes {
                        "bytes_per_task"
                    } else {
                        "median_ms"
                    };
                    let unit = if r.bytes { "bytes" } else { "ms" };
                    let cpu = match &r.cpu[*rt as usize] {
                        Cell::Done(c) => format!(",\"cpu_median_ms\":{:.4}", c.median),
                        _ => String::new(),
                    };
                    results.push(format!(
                        "{{\"workload\":{},\"runtime\":{},\"{key}\":{:.4},\"min_{unit}\":{:.4},\"max_{unit}\":{:.4},\"q1_{unit}\":{:.4},\"q3_{unit}\":{:.4},\"runs\":{}{cpu}}}",
                        js(r.workload), js(rt.name()), s.median, s.min, s.max, s.q1, s.q3, s.runs
                    ));
                }
                Cell::NotYet | Cell::Failed(_) => {
                    let why = match c {
                        Cell::Failed(w) => format!("failed: {w}"),
                        _ => NOT_YET.to_owned(),
                    };
                    unavailable.push(format!(
                        "{{\"workload\":{},\"runtime\":{},\"why\":{}}}",
                        js(r.workload),
                        js(rt.name()),
                        js(&why)
                    ));
                }
                Cell::Skipped | Cell::NoEquivalent => {}
            }
        }
    }
    let ratios: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let fields: Vec<String> = RuntimeId::ALL[1..]
                .iter()
                .filter_map(|&rt| {
                    let name = rt.name().replace('-', "_");
                    Some(format!("\"weft_over_{name}\":{:.4}", r.ratio(rt)?))
                })
                .collect();
            (!fields.is_empty())
                .then(|| format!("{{\"workload\":{},{}}}", js(r.workload), fields.join(",")))
        })
        .collect();
    let meta: Vec<String> = meta
        .iter()
        .map(|(k, v)| format!("{}:{}", js(k), js(v)))
        .collect();
    format!(
        "{{\"meta\":{{{}}},\n\"results\":[\n{}\n],\n\"ratios\":[\n{}\n],\n\"unavailable\":[\n{}\n]}}\n",
        meta.join(","),
        results.join(",\n"),
        ratios.join(",\n"),
        unavailable.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        let s = |m: f64| {
            Cell::Done(Summary {
                median: m,
                min: m,
                max: m,
                q1: m,
                q3: m,
                runs: 3,
            })
        };
        Row {
            workload: "w",
            bytes: false,
            cells: vec![s(8.0), s(10.0), Cell::NoEquivalent, Cell::NoEquivalent],
            cpu: vec![s(9.0), s(12.0), Cell::NoEquivalent, Cell::NoEquivalent],
        }
    }

    #[test]
    fn ratio_is_weft_over_other() {
        assert_eq!(row().ratio(RuntimeId::Tokio), Some(0.8));
        assert_eq!(row().ratio(RuntimeId::AsyncExecutor), None);
    }

    #[test]
    fn json_has_rows_ratios_and_unavailable() {
        let j = json(&[row()], &[("quick", "true".into())]);
        assert!(j.contains("{\"workload\":\"w\",\"runtime\":\"tokio\",\"median_ms\":10.0000"));
        assert!(j.contains("{\"workload\":\"w\",\"weft_over_tokio\":0.8000}"));
        assert!(j.contains("\"runs\":3,\"cpu_median_ms\":12.0000}"));
        assert!(!j.contains("async-executor"));
    }

    #[test]
    fn table_marks_weft_not_yet() {
        let mut r = row();
        r.cells[0] = Cell::NotYet;
        let t = table(&[r.clone()]);
        assert!(t.contains("n/a (not yet)*") && t.contains(NOT_YET));
        assert!(!t.contains("mio"), "a column no row has is left out");
        let j = json(&[r], &[]);
        assert!(j.contains(&format!(
            "{{\"workload\":\"w\",\"runtime\":\"weft\",\"why\":\"{NOT_YET}\"}}"
        )));
    }
}
