//! Where the time goes: `cargo run --release --example profile -- STILL [METHOD] [SPACE]`.
use color_palettes::cells::Cells;
use color_palettes::cluster::Method;
use color_palettes::select::Brightness;
use color_palettes::{ColorSpace, Still};
use std::time::Instant;

fn main() -> color_palettes::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: profile STILL [METHOD] [SPACE]");
    let method: Method = args.next().unwrap_or_else(|| "kmeans".into()).parse()?;
    let space: ColorSpace = args.next().unwrap_or_else(|| "rgb".into()).parse()?;
    let t = Instant::now();
    let still = Still::open(&path)?;
    eprintln!("decode   {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let cells = Cells::from_still(&still, Brightness::default())?;
    eprintln!(
        "pool     {:>8.1} ms ({} cells)",
        t.elapsed().as_secs_f64() * 1e3,
        cells.len()
    );
    let t = Instant::now();
    let points = cells.points(space);
    eprintln!("embed    {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let centres = method.centres(&points, 8, 0)?;
    eprintln!("cluster  {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let _ = cells.assign(&points, &centres);
    eprintln!("assign   {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
