//! Splitting work over threads: the few lines every parallel step shares.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
