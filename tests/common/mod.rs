//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use color_palettes::{data, ColorSpace};

/// Runs the real `ffmpeg` (quiet, overwriting) and fails the test if it fails; it must be
/// installed (the test command installs it).
pub fn ffmpeg(args: &[String]) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (scripts/test.sh installs Debian's ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh, empty folder of the system's temporary folder for one test: `cp-{kind}-{pid}-{name}`,
/// emptied first if a run before left it.
pub fn temp_dir(kind: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cp-{kind}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    dir
}

/// Environment variable naming the test groups to skip, comma-separated (`web`, `samples`,
/// `accents`). Nothing is ever skipped unless it is named here; a skip is reported loudly.
pub const SKIP_ENV: &str = "COLOR_PALETTES_SKIP";

/// Whether the group `name` was asked to be skipped (by `COLOR_PALETTES_SKIP`); says so on
/// stderr when it is. Tests call this only where they would otherwise need something from
/// outside the repository (a browser, the sample stills, the accent labels).
pub fn skipped(name: &str, test: &str) -> bool {
    let asked = std::env::var(SKIP_ENV).unwrap_or_default();
    let skip = asked
        .split(',')
        .map(str::trim)
        .any(|s| s.eq_ignore_ascii_case(name));
    if skip {
        // Straight to stderr, not through `eprintln!`, which the test harness captures: a
        // skip shows in the output of a passing run.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED {test}: {SKIP_ENV}={asked} names {name:?} ***\n"
        );
    }
    skip
}

/// The verified local copy of a sample still, found where `color_palettes::data` looks
/// (`COLOR_PALETTES_DATA`, then the cache `data/cache/`). A test never downloads: a missing
/// still fails, saying where it was looked for and how to get it.
pub fn still_path(name: &str) -> PathBuf {
    let sample = data::sample(name).unwrap_or_else(|e| panic!("{e}"));
    let mut places: Vec<PathBuf> = data::data_dir()
        .map(|d| d.join(&sample.file))
        .into_iter()
        .collect();
    places.push(data::cache_dir().join(&sample.file));
    // A copy with the wrong sha256 counts as missing (data::path would download another).
    let good =
        |p: &PathBuf| std::fs::read(p).is_ok_and(|bytes| data::sha256_hex(&bytes) == sample.sha256);
    if !places.iter().any(good) {
        panic!(
            "sample still {name} is missing: no copy with its sha256 at {} ({} is {:?}). Run \
             `python3 scripts/fetch_stills.py` or point {} at the stills folder \
             (`{SKIP_ENV}=samples` skips the tests that need it, on purpose)",
            places
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and "),
            data::DATA_ENV,
            std::env::var(data::DATA_ENV).unwrap_or_default(),
            data::DATA_ENV,
        );
    }
    let path = data::path(name).unwrap_or_else(|e| {
        panic!("sample still {name} is there but unusable ({e}); fetch it again with scripts/fetch_stills.py")
    });
    assert!(
        places.contains(&path),
        "{name}: data::path gave {}, not a file that was already there",
        path.display()
    );
    path
}

/// The accent labels that ship beside the sample stills (`accents.json` in the folder of
/// `COLOR_PALETTES_DATA`; they are not in the repository or the download cache).
pub fn accents_path() -> PathBuf {
    let path = still_path("El_Fuente").with_file_name("accents.json");
    assert!(
        path.is_file(),
        "the accent labels {} are missing: accents.json ships beside the sample stills in \
         ../shared/data/stills; point {} there (`{SKIP_ENV}=accents` skips this test, on purpose)",
        path.display(),
        data::DATA_ENV
    );
    path
}

// ---- Stills of noisy blobs ------------------------------------------------------------

/// A synthetic still of noisy color blobs, and what a palette of it must say.
pub struct Blobs {
    pub image: image::RgbImage,
    /// Each blob's pixels, in blob order.
    pub members: Vec<Vec<[u8; 3]>>,
    /// Each blob's share of the pixels, in blob order.
    pub shares: Vec<f64>,
}

impl Blobs {
    /// The mean color of each blob's pixels taken in `space` (a swatch is the mean of its
    /// pixels in the space it was clustered in: in HSV, say, the mean of the red blob is a
    /// little more saturated than its mean in RGB).
    pub fn means(&self, space: ColorSpace) -> Vec<[f64; 3]> {
        self.members
            .iter()
            .map(|pixels| {
                let mut sum = [0.0f64; 3];
                for &p in pixels {
                    for (s, v) in sum.iter_mut().zip(space.embed(p)) {
                        *s += f64::from(v);
                    }
                }
                let n = pixels.len() as f64;
                let mean = sum.map(|s| (s / n) as f32);
                if space == ColorSpace::Rgb {
                    // Unrounded, so the test holds the swatch to the exact mean.
                    mean.map(|v| f64::from(v) * 255.0)
                } else {
                    space.to_rgb(mean).map(f64::from)
                }
            })
            .collect()
    }

    /// Keeps only the blobs `kept`, with their shares of what is left.
    pub fn only(&self, kept: std::ops::Range<usize>) -> Blobs {
        let total: f64 = self.shares[kept.clone()].iter().sum();
        Blobs {
            image: self.image.clone(),
            members: self.members[kept.clone()].to_vec(),
            shares: self.shares[kept].iter().map(|s| s / total).collect(),
        }
    }
}

/// A deterministic generator (xorshift64*), so every run draws the same still.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `-spread..=spread`.
    fn offset(&mut self, spread: i32) -> i32 {
        (self.next() >> 33) as i32 % (2 * spread + 1) - spread
    }
}

/// `counts[i]` pixels around `centres[i]`, each channel off by up to `spread` levels, in
/// shuffled order over a still `width` pixels wide.
pub fn blobs(centres: &[[u8; 3]], counts: &[usize], spread: i32, width: u32) -> Blobs {
    assert_eq!(centres.len(), counts.len());
    let total: usize = counts.iter().sum();
    assert_eq!(total % width as usize, 0, "a full rectangle");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut owners: Vec<usize> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| std::iter::repeat_n(i, n))
        .collect();
    for i in (1..owners.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        owners.swap(i, j);
    }
    let mut members = vec![Vec::new(); centres.len()];
    let mut pixels = Vec::with_capacity(total * 3);
    for &owner in &owners {
        let color: [u8; 3] = std::array::from_fn(|c| {
            (i32::from(centres[owner][c]) + rng.offset(spread)).clamp(0, 255) as u8
        });
        pixels.extend(color);
        members[owner].push(color);
    }
    let shares = counts.iter().map(|&n| n as f64 / total as f64).collect();
    let image = image::RgbImage::from_raw(width, (total / width as usize) as u32, pixels)
        .expect("a full rectangle");
    Blobs {
        image,
        members,
        shares,
    }
}

/// Four vivid blobs with shares 40, 30, 20 and 10 % (4 800 pixels, hundreds of distinct
/// colors and of 4 x 4 x 4 cells each): a palette of 4 must be found by clustering.
pub fn four_blobs() -> Blobs {
    blobs(
        &[[200, 40, 40], [40, 160, 70], [50, 70, 200], [230, 210, 70]],
        &[1920, 1440, 960, 480],
        14,
        80,
    )
}

/// Six blobs, with a near-black, a grey and two close hues, uneven shares (7 200 pixels).
pub fn six_blobs() -> Blobs {
    blobs(
        &[
            [28, 24, 22],
            [128, 128, 132],
            [210, 60, 40],
            [220, 150, 40],
            [40, 120, 180],
            [120, 200, 110],
        ],
        &[2400, 1600, 1200, 900, 700, 400],
        12,
        90,
    )
}

/// The PNG file of `image`.
pub fn png(image: &image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// Distinct colors, and occupied cells of 4 x 4 x 4 levels, in `image`.
pub fn distinct_colors_and_cells(image: &image::RgbImage) -> (usize, usize) {
    let colors: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    let cells: std::collections::HashSet<[u8; 3]> =
        colors.iter().map(|c| c.map(|v| v >> 2)).collect();
    (colors.len(), cells.len())
}

/// Checks that a palette clustered in `space` (`(rgb, share)` largest first) is the blobs':
/// one color per blob, within `levels` of its mean in that space on every channel, with its
/// share within 1 percentage point.
#[track_caller]
pub fn assert_recovers(
    blobs: &Blobs,
    space: ColorSpace,
    got: &[([u8; 3], f64)],
    levels: f64,
    context: &str,
) {
    let means = blobs.means(space);
    assert_eq!(
        got.len(),
        means.len(),
        "{context}: {} colors, expected one per blob: {got:?}",
        got.len()
    );
    let mut used = vec![false; got.len()];
    for (mean, share) in means.iter().zip(&blobs.shares) {
        let nearest = (0..got.len())
            .filter(|&i| !used[i])
            .min_by(|&a, &b| distance(got[a].0, *mean).total_cmp(&distance(got[b].0, *mean)))
            .expect("a color left");
        used[nearest] = true;
        let (rgb, got_share) = got[nearest];
        let off = (0..3)
            .map(|c| (f64::from(rgb[c]) - mean[c]).abs())
            .fold(0.0, f64::max);
        assert!(
            off <= levels,
            "{context}: blob of mean {mean:.1?} came back as {rgb:?} ({off:.1} levels off); palette {got:?}"
        );
        assert!(
            (got_share - share).abs() <= 0.01,
            "{context}: blob of mean {mean:.1?} has share {share:.4}, the palette says {got_share:.4}; palette {got:?}"
        );
    }
}

fn distance(rgb: [u8; 3], mean: [f64; 3]) -> f64 {
    (0..3).map(|c| (f64::from(rgb[c]) - mean[c]).powi(2)).sum()
}

// ---- Figures --------------------------------------------------------------------------

/// The palette strips of a rendered figure, bottom strip last: each strip's swatches as
/// `(color, width in pixels)`, read from one row near the strip's bottom edge (below the
/// labels). A strip is a run of at least 60 rows of one color, not the background, in the
/// column just inside the left margin.
pub fn strips(figure: &image::RgbImage) -> Vec<Vec<([u8; 3], u32)>> {
    let background = figure.get_pixel(0, figure.height() - 1).0;
    // The left margin is the background's width on the bottom strip's row.
    let x0 = (0..figure.width())
        .find(|&x| {
            (0..figure.height())
                .rev()
                .take(200)
                .any(|y| figure.get_pixel(x, y).0 != background)
        })
        .expect("something drawn");
    let column = x0 + 1;
    let mut found = Vec::new();
    let mut y = figure.height() as i64 - 1;
    while y >= 0 {
        let color = figure.get_pixel(column, y as u32).0;
        let mut top = y;
        while top > 0 && figure.get_pixel(column, top as u32 - 1).0 == color {
            top -= 1;
        }
        if color != background && y - top + 1 >= 60 {
            let row = (y - 2) as u32;
            let mut swatches: Vec<([u8; 3], u32)> = Vec::new();
            for x in x0..figure.width() {
                let c = figure.get_pixel(x, row).0;
                // A pale swatch's one-pixel outline counts as part of the swatch beside it.
                if c == color_palettes::render::OUTLINE_RGB {
                    if let Some((_, w)) = swatches.last_mut() {
                        *w += 1;
                        continue;
                    }
                }
                match swatches.last_mut() {
                    Some((last, w)) if *last == c => *w += 1,
                    _ => swatches.push((c, 1)),
                }
            }
            while swatches.last().is_some_and(|(c, _)| *c == background) {
                swatches.pop();
            }
            found.push(swatches);
        }
        y = top - 1;
    }
    found.reverse();
    found
}

/// Checks one strip read by [`strips`] against a palette (`(rgb, share)`, largest first):
/// the same colors in order, each as wide as its share of the strip (or all equal), to a
/// pixel of rounding; a swatch too small for the minimum width is that wide, and the others
/// share the rest in proportion.
#[track_caller]
pub fn assert_strip(strip: &[([u8; 3], u32)], palette: &[([u8; 3], f64)], equal: bool) {
    let colors: Vec<[u8; 3]> = strip.iter().map(|s| s.0).collect();
    let expected: Vec<[u8; 3]> = palette.iter().map(|s| s.0).collect();
    assert_eq!(colors, expected, "the strip's colors are the palette's");
    let total: u32 = strip.iter().map(|s| s.1).sum();
    let shares: Vec<f64> = palette.iter().map(|s| s.1).collect();
    let widths = color_palettes::render::swatch_widths(
        &shares,
        total,
        color_palettes::render::MIN_SWATCH_WIDTH,
    );
    for (((_, w), (rgb, share)), fitted) in strip.iter().zip(palette).zip(widths) {
        let want = if equal {
            f64::from(total) / palette.len() as f64
        } else {
            // Its share of the strip, unless held at the minimum width (then the others
            // share what is left in proportion): `swatch_widths`, unit-tested in render/strip.rs.
            let _ = share;
            f64::from(fitted)
        };
        assert!(
            (f64::from(*w) - want).abs() <= 1.5,
            "swatch {rgb:?} is {w} px of {total}, expected {want:.1} (equal widths: {equal})"
        );
    }
}

/// A palette's `(rgb, share)` list.
pub fn swatches(palette: &color_palettes::Palette) -> Vec<([u8; 3], f64)> {
    palette
        .colors
        .iter()
        .map(|s| (s.rgb, s.proportion))
        .collect()
}

/// One colour read back from an Adobe Swatch Exchange file: its name and 8-bit RGB.
#[derive(Debug, Clone, PartialEq)]
pub struct AseColour {
    pub name: String,
    pub rgb: [u8; 3],
}

/// Parses an `.ase` file as Adobe documents it (big-endian: `ASEF`, version, block count,
/// then blocks of type, length and body), independently of the crate's writer: the group
/// name and every RGB colour entry. Fails the test on anything malformed.
pub fn parse_ase(bytes: &[u8]) -> (String, Vec<AseColour>) {
    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
    /// A name: its length in UTF-16 units (with the final zero), then the units.
    fn name_at(b: &[u8], at: usize) -> (String, usize) {
        let units = u16_at(b, at) as usize;
        let code: Vec<u16> = (0..units).map(|i| u16_at(b, at + 2 + 2 * i)).collect();
        assert_eq!(code.last(), Some(&0), "a name ends with a zero unit");
        (
            String::from_utf16(&code[..units - 1]).expect("UTF-16 name"),
            at + 2 + 2 * units,
        )
    }
    assert_eq!(&bytes[..4], b"ASEF", "signature");
    assert_eq!((u16_at(bytes, 4), u16_at(bytes, 6)), (1, 0), "version 1.0");
    let blocks = u32_at(bytes, 8) as usize;
    let (mut at, mut group, mut colours, mut depth) = (12, String::new(), Vec::new(), 0);
    for _ in 0..blocks {
        let (kind, length) = (u16_at(bytes, at), u32_at(bytes, at + 2) as usize);
        let body = at + 6;
        match kind {
            0xC001 => {
                group = name_at(bytes, body).0;
                depth += 1;
            }
            0xC002 => depth -= 1,
            0x0001 => {
                let (name, model_at) = name_at(bytes, body);
                assert_eq!(&bytes[model_at..model_at + 4], b"RGB ", "colour model");
                let channel = |i: usize| {
                    let at = model_at + 4 + 4 * i;
                    let v = f32::from_be_bytes([
                        bytes[at],
                        bytes[at + 1],
                        bytes[at + 2],
                        bytes[at + 3],
                    ]);
                    assert!((0.0..=1.0).contains(&v), "channel {v}");
                    (v * 255.0).round() as u8
                };
                let rgb = [channel(0), channel(1), channel(2)];
                let colour_type = u16_at(bytes, model_at + 16);
                assert!(colour_type <= 2, "colour type {colour_type}");
                assert_eq!(model_at + 18, body + length, "entry length");
                colours.push(AseColour { name, rgb });
            }
            other => panic!("unknown block type {other:#06x}"),
        }
        at = body + length;
    }
    assert_eq!(depth, 0, "every group is closed");
    assert_eq!(at, bytes.len(), "no bytes after the last block");
    (group, colours)
}
