//! Splitting work over threads: the one thread policy every parallel step follows.
//!
//! A palette may use at most [`Threads`] threads (`PaletteOptions::threads`: 0 means every
//! core; a server running one palette per core sets 1). Each step asks for threads by the
//! size of its work, and gets one until the work is large enough for a second thread to pay
//! for its start. The palette does not depend on the number of threads.

/// The threads one palette may use, resolved from `PaletteOptions::threads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Threads(usize);

/// Pixels from which a second thread pays for itself in a pass over the pixels (pooling,
/// counting, the exact assignment). Clustering itself runs on at most 32^3 pooled points
/// and keeps to one thread.
pub(crate) const PARALLEL_FROM_PIXELS: usize = 1 << 18;

impl Threads {
    /// `requested` threads at most; 0 means every core.
    pub(crate) fn new(requested: usize) -> Self {
        Self(match requested {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        })
    }

    /// One thread only.
    #[cfg(test)]
    pub(crate) const ONE: Threads = Threads(1);

    /// The allowance itself: threads for work that is worth splitting whatever its size.
    pub(crate) fn at_most(self) -> usize {
        self.0
    }

    /// Threads for a pass over `pixels` pixels.
    pub(crate) fn for_pixels(self, pixels: usize) -> usize {
        if pixels >= PARALLEL_FROM_PIXELS {
            self.0
        } else {
            1
        }
    }
}

/// `0..len` in `parts` runs of nearly equal length.
pub(crate) fn split(len: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let step = len.div_ceil(parts.max(1)).max(1);
    (0..len)
        .step_by(step)
        .map(|start| start..(start + step).min(len))
        .collect()
}

/// `f` on every item, the first on the calling thread and each other on a thread of its
/// own; results in order. (The calling thread's allocator heap is already warm: a new
/// thread's first allocation costs a fresh page.)
pub(crate) fn run_all<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let mut items = items.into_iter();
    let Some(first) = items.next() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = items.map(|item| scope.spawn(move || f(item))).collect();
        let mut results = vec![f(first)];
        results.extend(
            others
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
        );
        results
    })
}

/// `a` and `b`, side by side when `threads` > 1 (`b` on a thread of its own), else one
/// after the other.
pub(crate) fn both<A: Send, B: Send>(
    threads: usize,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if threads <= 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let first = a();
        let second = other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (first, second)
    })
}

/// Runs `f` with any rayon splitting inside it (linfa's k-means) kept to one worker thread
/// of the calling thread's own. linfa splits each step of its k-means over rayon's global
/// pool; on the ~1,000 sampled colours a step is shorter than handing it over, and 6-8% of a
/// loaded server's cores sat idle waiting for those hand-overs. One hand-over per call is left.
pub(crate) fn with_rayon_on_one_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    thread_local! {
        // Built at a thread's first call; dropped, with its worker, when the thread ends.
        static POOL: Option<rayon::ThreadPool> = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "color-palettes-rayon".into())
            .build()
            .ok();
    }
    POOL.with(|pool| match pool {
        Some(pool) => pool.install(f),
        // No thread to be had: rayon's global pool, as before.
        None => f(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rayon_work_inside_stays_on_one_worker_thread() {
        use rayon::prelude::*;
        assert_eq!(
            rayon::current_thread_index(),
            None,
            "the test runs outside rayon"
        );
        let (index, workers, threads) = with_rayon_on_one_thread(|| {
            let mut threads: Vec<_> = (0..64)
                .into_par_iter()
                .map(|_| std::thread::current().id())
                .collect();
            threads.dedup();
            (
                rayon::current_thread_index(),
                rayon::current_num_threads(),
                threads.len(),
            )
        });
        assert_eq!((index, workers, threads), (Some(0), 1, 1));
        // The same thread's pool again, not a new one.
        let again = with_rayon_on_one_thread(|| std::thread::current().id());
        assert_eq!(
            again,
            with_rayon_on_one_thread(|| std::thread::current().id())
        );
    }

    #[test]
    fn split_covers_every_index_once() {
        for (len, parts) in [(0, 2), (1, 2), (7, 2), (8, 3), (5, 1), (3, 8)] {
            let runs = split(len, parts);
            assert!(runs.len() <= parts.max(1), "{len} {parts}");
            let all: Vec<usize> = runs.into_iter().flatten().collect();
            assert_eq!(all, (0..len).collect::<Vec<_>>(), "{len} {parts}");
        }
    }

    #[test]
    fn run_all_keeps_the_order() {
        let squares = run_all((0..5).collect(), |i: u64| i * i);
        assert_eq!(squares, vec![0, 1, 4, 9, 16]);
    }

    #[test]
    fn small_work_gets_one_thread_and_the_allowance_is_a_ceiling() {
        let three = Threads::new(3);
        assert_eq!(three.for_pixels(PARALLEL_FROM_PIXELS - 1), 1);
        assert_eq!(three.for_pixels(PARALLEL_FROM_PIXELS), 3);
        assert_eq!(Threads::ONE.for_pixels(1 << 30), 1);
        assert!(Threads::new(0).for_pixels(PARALLEL_FROM_PIXELS) >= 1);
    }
}
