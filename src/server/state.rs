//! What the handlers share: the configuration, the job and download semaphores, and the
//! decoded sample stills.

use std::collections::HashMap;
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
        Self(Arc::new(Inner {
            openapi: super::openapi::document(&config).to_string(),
            config,
            net,
            jobs,
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
        self.0.config.max_jobs.max(1) - self.0.jobs.available_permits()
    }

    /// Runs CPU-bound work (decode, cluster, render) on the blocking pool once a job slot
    /// is free, so the async threads keep answering (health checks, the page) meanwhile.
    pub async fn job<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> crate::Result<T> + Send + 'static,
    {
        blocking(&self.0.jobs, work).await
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
