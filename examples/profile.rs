//! Where the time goes: `cargo run --release --example profile -- STILL [METHOD] [SPACE]`.
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use std::time::Instant;

fn main() -> color_palettes::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile STILL [METHOD] [SPACE]");
        std::process::exit(2);
    };
    let method: Method = args.next().unwrap_or_else(|| "kmeans".into()).parse()?;
    let space: ColorSpace = args.next().unwrap_or_else(|| "rgb".into()).parse()?;
    let options = PaletteOptions::new().method(method).space(space).check()?;
    let t = Instant::now();
    let still = Still::open(&path)?;
    eprintln!("decode   {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let cells = options.pool(&still)?;
    eprintln!(
        "pool     {:>8.1} ms ({} cells)",
        t.elapsed().as_secs_f64() * 1e3,
        cells.len()
    );
    let t = Instant::now();
    let palette = options.extract_from_cells(&cells)?;
    eprintln!(
        "palette  {:>8.1} ms (embed, cluster, assign: {} colours)",
        t.elapsed().as_secs_f64() * 1e3,
        palette.len()
    );
    Ok(())
}
