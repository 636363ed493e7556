//! Where the time goes: `cargo run --release --example profile -- STILL [METHOD] [SPACE] [REPEATS]`
//! (the fastest of REPEATS runs of each stage, 1 by default; `THREADS=N` caps the threads,
//! 0 or unset: every core).
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use std::time::Instant;

fn fastest<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

fn main() -> color_palettes::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile STILL [METHOD] [SPACE] [REPEATS]");
        std::process::exit(2);
    };
    let method: Method = args.next().unwrap_or_else(|| "kmeans".into()).parse()?;
    let space: ColorSpace = args.next().unwrap_or_else(|| "rgb".into()).parse()?;
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let threads: usize = std::env::var("THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let options = PaletteOptions::new()
        .method(method)
        .space(space)
        .threads(threads)
        .check()?;
    let (ms, still) = fastest(repeats, || Still::open(&path));
    let still = still?;
    eprintln!("decode   {ms:>8.1} ms");
    let (ms, cells) = fastest(repeats, || options.pool(&still));
    let cells = cells?;
    eprintln!("pool     {ms:>8.1} ms ({} cells)", cells.len());
    let (ms, palette) = fastest(repeats, || options.extract_from_cells(&cells));
    eprintln!(
        "palette  {ms:>8.1} ms (embed, cluster, assign: {} colours)",
        palette?.len()
    );
    Ok(())
}
