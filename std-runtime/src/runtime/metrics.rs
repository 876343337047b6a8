//! [`RuntimeMetrics`]: a snapshot of a runtime's counters.
use super::scheduler;

/// A snapshot of a runtime's counters. Poll, steal and park counts are flushed by workers
/// at maintenance points, so they can lag by up to `event_interval` polls per worker.
///
/// ```
/// let rt = weft::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// rt.block_on(async { weft::spawn(async {}).await.unwrap() });
/// let m = rt.metrics();
/// assert_eq!(m.num_workers(), 2);
/// println!("polls={} steals={} parks={}", m.total_polls(), m.total_steals(), m.total_parks());
/// ```
#[derive(Debug, Clone)]
pub struct RuntimeMetrics {
    num_workers: usize,
    num_alive_tasks: usize,
    injection_queue_depth: usize,
    polls: u64,
    steals: u64,
    parks: u64,
}

impl RuntimeMetrics {
    pub(crate) fn collect(h: &scheduler::Handle) -> RuntimeMetrics {
        match h {
            scheduler::Handle::MultiThread(h) => {
                let (polls, steals, parks) = h.metrics_totals();
                RuntimeMetrics {
                    num_workers: h.num_workers(),
                    num_alive_tasks: h.shared.owned.len(),
                    injection_queue_depth: h.shared.inject.len(),
                    polls,
                    steals,
                    parks,
                }
            }
            scheduler::Handle::CurrentThread(h) => RuntimeMetrics {
                num_workers: 1,
                num_alive_tasks: h.num_alive_tasks(),
                injection_queue_depth: h.injection_queue_depth(),
                polls: h.polls(),
                steals: 0,
                parks: 0,
            },
        }
    }

    /// Worker threads (1 for the current-thread flavor).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 1);
    /// ```
    pub fn num_workers(&self) -> usize {
        self.num_workers
    }

    /// Tasks spawned and not yet completed.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _h = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.metrics().num_alive_tasks(), 1);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.num_alive_tasks
    }

    /// Tasks waiting in the global injection queue.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// let _h = rt.spawn(async {});
    /// // Not yet run: nobody is in block_on. It was spawned from outside, so it is queued globally.
    /// assert_eq!(rt.metrics().injection_queue_depth(), 1);
    /// ```
    pub fn injection_queue_depth(&self) -> usize {
        self.injection_queue_depth
    }

    /// Task polls so far (flushed periodically).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { weft::spawn(async {}).await.unwrap() });
    /// assert!(rt.metrics().total_polls() >= 1);
    /// ```
    pub fn total_polls(&self) -> u64 {
        self.polls
    }

    /// Successful steals so far (multi-thread flavor).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _ = rt.metrics().total_steals();
    /// ```
    pub fn total_steals(&self) -> u64 {
        self.steals
    }

    /// Times a worker went to sleep (multi-thread flavor).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _ = rt.metrics().total_parks();
    /// ```
    pub fn total_parks(&self) -> u64 {
        self.parks
    }
}
