//! What the handlers share: the configuration, the job, memory and download semaphores, and
//! the decoded sample stills.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::config::{Config, NetLimits};
use super::error::ApiError;
use crate::data::{self, Sample};
use crate::load::Still;

/// Shared state of one server, cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    net: NetLimits,
    /// Bounds CPU work (decode, cluster, render): at most `max_jobs` at once.
    jobs: Arc<Semaphore>,
    /// Bounds the memory of the jobs running: one permit a MiB of [`Config::memory_budget`],
    /// each job holding its estimated cost ([`super::budget`]) while it runs.
    memory: Arc<Semaphore>,
    /// The budget, in MiB (the permits of `memory`).
    budget_mib: u32,
    /// Jobs running their work now (admitted against the budget).
    running: AtomicUsize,
    /// Bounds downloads, which block a thread and hold their bytes in memory until the
    /// still is decoded.
    fetches: Arc<Semaphore>,
    /// Bounds the uploads held in memory.
    uploads: Arc<Semaphore>,
    /// Sample stills decoded once: the page asks for them again and again.
    samples: Mutex<HashMap<&'static str, Arc<Still>>>,
    /// The OpenAPI document.
    openapi: String,
}

impl AppState {
    /// State for a server with `config` and the default [`NetLimits`].
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self::with_net(config, NetLimits::default())
    }

    /// State for a server with `config` and `net`.
    #[must_use]
    pub fn with_net(config: Config, net: NetLimits) -> Self {
        let jobs = Arc::new(Semaphore::new(config.max_jobs.max(1)));
        let fetches = Arc::new(Semaphore::new(config.max_fetches.max(1)));
        let uploads = Arc::new(Semaphore::new(config.max_uploads.max(1)));
        // (At most 2^28 permits: tokio's semaphore holds fewer than 2^29 on a 32-bit target.)
        let budget_mib = super::budget::mib(config.memory_budget_bytes()).clamp(1, 1 << 28);
        let memory = Arc::new(Semaphore::new(budget_mib as usize));
        Self(Arc::new(Inner {
            openapi: super::openapi::document(&config).to_string(),
            config,
            net,
            jobs,
            memory,
            budget_mib,
            running: AtomicUsize::new(0),
            fetches,
            uploads,
            samples: Mutex::new(HashMap::new()),
        }))
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The connection and transfer bounds.
    #[must_use]
    pub fn net(&self) -> &NetLimits {
        &self.0.net
    }

    /// The OpenAPI document, as JSON text.
    #[must_use]
    pub fn openapi(&self) -> &str {
        &self.0.openapi
    }

    /// Jobs running now.
    #[must_use]
    pub fn jobs_running(&self) -> usize {
        self.0.running.load(Ordering::SeqCst)
    }

    /// The memory budget of the jobs, in MiB.
    #[must_use]
    pub fn memory_budget_mib(&self) -> u32 {
        self.0.budget_mib
    }

    /// The part of the memory budget held by the jobs running (and the one being admitted),
    /// in MiB.
    #[must_use]
    pub fn memory_in_use_mib(&self) -> u32 {
        let free = u32::try_from(self.0.memory.available_permits()).unwrap_or(u32::MAX);
        self.0.budget_mib.saturating_sub(free)
    }

    /// Runs CPU-bound work that holds no still of its own (a swatch grid, a preview of a
    /// decoded sample) on the blocking pool once a job slot and [`super::budget::SMALL_JOB`]
    /// of the memory budget are free, so the async threads keep answering (health checks,
    /// the page) meanwhile.
    pub async fn job<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> crate::Result<T> + Send + 'static,
    {
        self.job_costing(|| Ok(super::budget::SMALL_JOB), work)
            .await
    }

    /// Runs CPU-bound work (decode, cluster, render) on the blocking pool once a job slot is
    /// free and the job's cost fits in the memory budget. `cost` runs first, in the job's
    /// slot (it may read a still's header): the bytes the work will hold at its peak. Its
    /// error is the job's answer, the work never run. A job that costs more than the whole
    /// budget waits for all of it, and so runs alone.
    pub async fn job_costing<T, C, F>(&self, cost: C, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        C: FnOnce() -> crate::Result<u64> + Send + 'static,
        F: FnOnce() -> crate::Result<T> + Send + 'static,
    {
        // Slot, then memory, in that order for every job: a job holding memory is running,
        // never waiting, so the two cannot deadlock. The memory semaphore is fair (first
        // come, first served), so a large job is not starved by small ones behind it.
        let slot = Arc::clone(&self.0.jobs)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let bytes = tokio::task::spawn_blocking(cost)
            .await
            .map_err(|e| ApiError::internal(format!("background task failed: {e}")))??;
        let permits = super::budget::mib(bytes).clamp(1, self.0.budget_mib);
        let memory = Arc::clone(&self.0.memory)
            .acquire_many_owned(permits)
            .await
            .map_err(ApiError::internal)?;
        let state = self.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let _held = (slot, memory);
            state.0.running.fetch_add(1, Ordering::SeqCst);
            let _running = Running(&state.0.running);
            work()
        })
        .await
        .map_err(|e| ApiError::internal(format!("background task failed: {e}")))?;
        outcome.map_err(ApiError::from)
    }

    /// Runs blocking I/O (a download, reading a sample still) on the blocking pool, at most
    /// `max_fetches` at once: each holds a thread and its bytes in memory.
    pub async fn io<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> crate::Result<T> + Send + 'static,
    {
        blocking(&self.0.fetches, work).await
    }

    /// Waits for an upload slot; hold it from reading the body until the body is dropped.
    pub async fn upload_slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.0.uploads)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)
    }

    /// Downloads `url` under the fetch policy: address checks (on every redirect), caps on
    /// size, time, redirects and pace. The download slot comes with the bytes: hold it until
    /// the still is decoded, so the downloads in memory (waiting for a job included) stay
    /// within `max_fetches`.
    pub async fn fetch(&self, url: String) -> Result<(Vec<u8>, OwnedSemaphorePermit), ApiError> {
        let policy = self.0.config.fetch;
        let pace = self.0.net.download_rate;
        let slot = Arc::clone(&self.0.fetches)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let bytes = tokio::task::spawn_blocking(move || {
            crate::fetch::fetch_bytes_paced(&url, &policy, pace)
        })
        .await
        .map_err(|e| ApiError::internal(format!("background task failed: {e}")))??;
        Ok((bytes, slot))
    }

    /// A sample still by name, decoded once and then kept.
    pub async fn sample_still(&self, sample: &'static Sample) -> Result<Arc<Still>, ApiError> {
        if let Some(still) = self.cached(sample) {
            return Ok(still);
        }
        // May download the still into the cache (verified by its sha256), hence io().
        let name = sample.name.as_str();
        let still = self
            .io(move || data::still(name))
            .await
            .map_err(|e| unavailable(name, e))?;
        let still = Arc::new(still);
        if let Ok(mut cache) = self.0.samples.lock() {
            cache.insert(name, Arc::clone(&still));
        }
        Ok(still)
    }

    /// The file of a sample still, as stored.
    pub async fn sample_file(&self, sample: &'static Sample) -> Result<Vec<u8>, ApiError> {
        self.io(move || {
            let path = data::path(&sample.name)?;
            std::fs::read(&path).map_err(|source| crate::Error::Io { path, source })
        })
        .await
        .map_err(|e| unavailable(&sample.name, e))
    }

    fn cached(&self, sample: &Sample) -> Option<Arc<Still>> {
        let cache = self.0.samples.lock().ok()?;
        cache.get(sample.name.as_str()).cloned()
    }
}

/// A sample still this server cannot load (not in COLOR_PALETTES_DATA, no network to
/// download it): a 503 saying so, rather than a bare 500. The cause is already in the log.
fn unavailable(name: &str, error: ApiError) -> ApiError {
    if error.status == axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("the sample still {name} is not available on this server (the details are in the server log)"),
        )
    } else {
        error
    }
}

/// Counts a job as running until it is dropped (a panicking job included).
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `work` on the blocking pool holding a permit of `slots` until it ends (even if the
/// client has gone away meanwhile, so the limit stays true).
async fn blocking<T, F>(slots: &Arc<Semaphore>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> crate::Result<T> + Send + 'static,
{
    let permit = Arc::clone(slots)
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let outcome = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| ApiError::internal(format!("background task failed: {e}")))?;
    outcome.map_err(ApiError::from)
}

/// The catalogue entry for a sample name, or a 404 listing the known names.
pub fn find_sample(name: &str) -> Result<&'static Sample, ApiError> {
    data::sample(name).map_err(|_| {
        ApiError::not_found(format!(
            "no sample still called {name:?} (known: {})",
            data::names().join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    const MIB: u64 = 1024 * 1024;

    /// Starts a job costing `mib` that runs until told to end; its first channel says when
    /// it started, the second ends it.
    fn held_job(
        state: &AppState,
        mib: u64,
    ) -> (
        mpsc::Receiver<()>,
        mpsc::Sender<()>,
        tokio::task::JoinHandle<Result<(), ApiError>>,
    ) {
        let (started, on_start) = mpsc::channel();
        let (end, on_end) = mpsc::channel::<()>();
        let state = state.clone();
        let job = tokio::spawn(async move {
            state
                .job_costing(
                    move || Ok(mib * MIB),
                    move || {
                        let _ = started.send(());
                        let _ = on_end.recv_timeout(Duration::from_secs(20));
                        Ok(())
                    },
                )
                .await
        });
        (on_start, end, job)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_are_admitted_against_the_memory_budget() {
        let state = AppState::new(Config {
            max_jobs: 3,
            memory_budget: Some(100 * MIB),
            log_requests: false,
            ..Config::default()
        });
        let wait = Duration::from_secs(10);
        let none = Duration::from_millis(300);
        // Two jobs of 60 MiB do not fit in 100 at once: the second waits for the first.
        let (a_started, a_end, a) = held_job(&state, 60);
        a_started.recv_timeout(wait).expect("the first job runs");
        let (b_started, b_end, b) = held_job(&state, 60);
        assert!(
            b_started.recv_timeout(none).is_err(),
            "a second 60 MiB job ran beside the first, over the 100 MiB budget"
        );
        // (The waiting job may hold part of what it waits for: the semaphore is fair.)
        assert_eq!(state.jobs_running(), 1);
        assert!(state.memory_in_use_mib() >= 60);
        a_end.send(()).unwrap();
        b_started
            .recv_timeout(wait)
            .expect("the second job runs once the first ends");
        // Two of 20 MiB fit beside it.
        let (c_started, c_end, c) = held_job(&state, 20);
        let (d_started, d_end, d) = held_job(&state, 20);
        c_started
            .recv_timeout(wait)
            .expect("a small job runs beside");
        d_started
            .recv_timeout(wait)
            .expect("another small job runs beside");
        assert_eq!((state.jobs_running(), state.memory_in_use_mib()), (3, 100));
        for end in [b_end, c_end, d_end] {
            end.send(()).unwrap();
        }
        for job in [a, b, c, d] {
            job.await.unwrap().unwrap();
        }
        // A job larger than the whole budget runs, alone.
        let (e_started, e_end, e) = held_job(&state, 500);
        e_started
            .recv_timeout(wait)
            .expect("a job over the budget runs");
        assert_eq!(state.memory_in_use_mib(), 100);
        e_end.send(()).unwrap();
        e.await.unwrap().unwrap();
        assert_eq!((state.jobs_running(), state.memory_in_use_mib()), (0, 0));
        // A cost that cannot be known is the job's error, and the work never runs.
        let refused = state
            .job_costing(
                || Err(crate::Error::TooLarge("too many pixels".into())),
                || -> crate::Result<()> { panic!("ran") },
            )
            .await
            .unwrap_err();
        assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(state.memory_in_use_mib(), 0);
    }
}
