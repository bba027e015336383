//! RSA work off the async runtime (STYLE.md habit 10): a private-key operation costs
//! milliseconds, so it runs on the blocking pool, bounded by a semaphore sized to the cores so a
//! burst of requests queues instead of starving the runtime.

use std::sync::Arc;
use tokio::sync::Semaphore;

/// The bounded pool.
#[derive(Clone, Debug)]
pub struct CryptoPool {
    permits: Arc<Semaphore>,
}

/// The pool could not run the job (shutting down, or the job panicked).
#[derive(Debug, thiserror::Error)]
#[error("the cryptography worker failed")]
pub struct CryptoPoolError;

impl CryptoPool {
    /// A pool running at most `threads` jobs at once.
    pub fn new(threads: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(threads.max(1))),
        }
    }

    /// Runs `job` on a blocking thread once a permit is free.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CryptoPoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| CryptoPoolError)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|_| CryptoPoolError)
    }
}
