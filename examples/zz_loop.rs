#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use color_palettes::{PaletteOptions, Still};
use std::time::Instant;
fn main() -> color_palettes::Result<()> {
    let path = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "/tmp/big.png".into());
    let bytes = std::fs::read(path).unwrap();
    let space = std::env::args().nth(3).unwrap_or_else(|| "rgb".into());
    let options = PaletteOptions::new()
        .method("kmeans".parse()?)
        .space(space.parse()?)
        .threads(1)
        .check()?;
    let mut best = [f64::INFINITY; 3];
    let n: usize = std::env::args().nth(1).map_or(40, |v| v.parse().unwrap());
    let mut last = String::new();
    for _ in 0..n {
        let t = Instant::now();
        let still = Still::from_bytes(&bytes)?;
        let a = t.elapsed().as_secs_f64();
        let cells = options.pool(&still)?;
        let b = t.elapsed().as_secs_f64();
        let p = options.extract_from_cells(&cells)?;
        let c = t.elapsed().as_secs_f64();
        last = p.to_json();
        for (i, v) in [a, b - a, c - b].into_iter().enumerate() {
            best[i] = best[i].min(v);
        }
    }
    println!(
        "min of {n}: decode {:.2} ms  pool {:.2} ms  palette {:.2} ms",
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3
    );
    println!("{last}");
    Ok(())
}
