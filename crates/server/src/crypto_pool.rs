//! RSA work off the serving runtime (STYLE.md habit 10). A private-key operation costs
//! milliseconds, so it must not run on the runtime that answers HTTP, the console and health
//! checks. It runs on this pool: a dedicated runtime whose worker threads — one per core, named
//! `sb-crypto` — are the only threads that do RSA and password hashing, so a burst of requests
//! queues here instead of starving the server.
//!
//! The MNet receive pipeline runs as a whole on the pool ([`CryptoPool::spawn`]): its open,
//! verify, dispatch and seal steps then run on one thread, with no hand-off between threads for
//! each RSA step. On this 2-core machine those hand-offs cost a third of the throughput
//! (`docs/design/011-crypto-pool.md`, BENCHMARKS.md §2).

use std::future::Future;
use std::sync::Arc;
use tokio::runtime::{Handle, Runtime};

/// The bounded pool (cheap to clone).
#[derive(Clone, Debug)]
pub struct CryptoPool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    runtime: Option<Runtime>,
    handle: Handle,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a runtime blocks; the pool may be dropped inside another runtime.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The pool could not run the job (shutting down, or the job panicked).
#[derive(Debug, thiserror::Error)]
#[error("the cryptography worker failed")]
pub struct CryptoPoolError;

impl CryptoPool {
    /// A pool of `threads` worker threads.
    ///
    /// # Panics
    /// When the operating system refuses to start a thread.
    #[allow(clippy::expect_used)]
    pub fn new(threads: usize) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .max_blocking_threads(1)
            .thread_name("sb-crypto")
            .enable_all()
            .build()
            .expect("cannot start the cryptography threads");
        let handle = runtime.handle().clone();
        Self {
            inner: Arc::new(Inner {
                runtime: Some(runtime),
                handle,
            }),
        }
    }

    /// Whether the caller is one of the pool's threads.
    fn on_pool(&self) -> bool {
        Handle::try_current().is_ok_and(|h| h.id() == self.inner.handle.id())
    }

    /// Runs `job` (CPU-bound) on one of the pool's threads: right here when the caller already is
    /// one, otherwise on the next free one.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CryptoPoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        if self.on_pool() {
            return Ok(job());
        }
        self.inner
            .handle
            .spawn(async move { job() })
            .await
            .map_err(|_| CryptoPoolError)
    }

    /// Starts `job` on the pool without waiting for it (e.g. sealing a reply while a commit is
    /// being flushed).
    pub fn start<T, F>(&self, job: F) -> tokio::task::JoinHandle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.inner.handle.spawn(async move { job() })
    }

    /// Runs a whole task whose steps are mostly [`CryptoPool::run`] jobs on the pool.
    pub async fn spawn<T, F>(&self, task: F) -> Result<T, CryptoPoolError>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        if self.on_pool() {
            return Ok(task.await);
        }
        self.inner
            .handle
            .spawn(task)
            .await
            .map_err(|_| CryptoPoolError)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_pool_threads_and_panics_are_errors() {
        let pool = CryptoPool::new(2);
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("sb-crypto"));
        assert!(std::thread::current().name() != Some("sb-crypto"));
        // A job run from a task already on the pool stays on the same thread.
        let p = pool.clone();
        let same = pool
            .spawn(async move {
                let outer = std::thread::current().id();
                let inner = p.run(|| std::thread::current().id()).await.unwrap();
                outer == inner
            })
            .await
            .unwrap();
        assert!(same);
        #[allow(clippy::panic)]
        let failed = pool.run(|| panic!("boom")).await;
        assert!(failed.is_err());
        // The pool survives a panicking job.
        assert_eq!(pool.run(|| 2 + 2).await.unwrap(), 4);
    }

    #[test]
    fn dropping_the_pool_inside_a_runtime_does_not_panic() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let pool = CryptoPool::new(1);
            assert_eq!(pool.run(|| 1).await.unwrap(), 1);
            drop(pool);
        });
    }
}
