//! Bytes this machine received over its network adapters while a build ran,
//! read from the kernel's counters (`/proc/net/dev`).
//!
//! Installers print sizes for some downloads only (uv for large packages,
//! pip not at all behind Pipenv), and never for the index pages they read,
//! so the log is a lower bound. For an engine on this machine every byte a
//! build fetches arrives through one of its physical adapters; counting
//! there covers packages, index pages and TLS alike. Virtual adapters
//! (loopback, the engine's bridge, container veths) are left out: what they
//! carry was received once already, or never left the machine.

use std::path::Path;

/// The machine's physical adapters, whose received bytes a bench counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapters {
    names: Vec<String>,
}

impl Adapters {
    /// The adapters of this machine that are not virtual; `None` where the
    /// kernel does not list them (not Linux) or every one is virtual (inside
    /// a container, whose own adapter is a veth).
    pub fn of_this_machine() -> Option<Adapters> {
        let names: Vec<String> = std::fs::read_dir("/sys/class/net")
            .ok()?
            .flatten()
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| !Path::new("/sys/devices/virtual/net").join(name).exists())
            .collect();
        (!names.is_empty()).then_some(Adapters { names })
    }

    /// Bytes received so far by these adapters together.
    pub fn received(&self) -> Option<u64> {
        let table = std::fs::read_to_string("/proc/net/dev").ok()?;
        received_by(&table, &self.names)
    }
}

/// Sums the receive-bytes column of `/proc/net/dev` over `names`; `None`
/// when one of them is missing from the table.
fn received_by(table: &str, names: &[String]) -> Option<u64> {
    let mut total = 0u64;
    for name in names {
        let bytes = table.lines().find_map(|line| {
            let (adapter, counters) = line.split_once(':')?;
            (adapter.trim() == name)
                .then(|| counters.split_whitespace().next()?.parse::<u64>().ok())?
        })?;
        total = total.saturating_add(bytes);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 451088108   11527    0    0    0     0          0         0   641018    6446    0    0    0     0       0          0
  eth1:1200 3 0 0 0 0 0 0 10 1 0 0 0 0 0 0
docker0:  146402    2053    0    0    0     0          0         0 155164866    3198    0    2    0     0       0          0
";

    #[test]
    fn sums_the_named_adapters_receive_column() {
        let names = ["eth0".to_string(), "eth1".to_string()];
        assert_eq!(received_by(TABLE, &names), Some(451_088_108 + 1200));
        assert_eq!(received_by(TABLE, &names[..1]), Some(451_088_108));
    }

    #[test]
    fn an_adapter_missing_from_the_table_gives_no_count() {
        let names = ["eth0".to_string(), "wlan0".to_string()];
        assert_eq!(received_by(TABLE, &names), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_counts_its_physical_adapters_only() {
        if let Some(adapters) = Adapters::of_this_machine() {
            assert!(!adapters.names.iter().any(|n| n == "lo"));
            assert!(adapters.received().is_some());
        }
    }
}
