//! What a film is read from: one video (a file, or an http(s) URL FFmpeg fetches), or
//! stills (paths, folders, or `*`/`?` patterns) taken as its frames in name order, each one
//! second long; and the two sources of frames the analysis reads, each finding its bars
//! before the first frame.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::letterbox::{crop_still, find_bars, BarFinder, Crop};
use crate::load::Still;

use super::analysis::{analyse, FrameSource};
use super::budget::{Budget, TIME_LIMIT_BASE_S};
use super::frame::Frame;
use super::options::ValidFilmOptions;
use super::output::Film;
use super::sampling::{Sampling, MAX_FRAMES};

/// Frames are analysed within this many pixels a side (FFmpeg scales larger ones down).
pub const ANALYSIS_SIDE: u32 = 640;
/// Frames looked at to find the letterbox bars, spread over the film.
pub const BAR_FRAMES: usize = 40;

/// File extensions read as stills.
pub const STILL_EXTENSIONS: [&str; 8] = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"];

/// A film's input.
#[derive(Debug, Clone, PartialEq)]
pub enum FilmInput {
    /// One video: a file, or an http(s) URL (read by FFmpeg; needs the `video` feature).
    Video(String),
    /// Stills as frames, in name order, one second each.
    Stills {
        /// What was given, for the JSON's `source`.
        source: String,
        /// The stills, sorted by file name.
        paths: Vec<PathBuf>,
    },
}

/// Whether `path` has a still's extension.
#[must_use]
pub fn is_still(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| STILL_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether `name` matches `pattern`, where `*` is any run of characters and `?` one.
fn matches(pattern: &[char], name: &[char]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            matches(&pattern[1..], name) || (!name.is_empty() && matches(pattern, &name[1..]))
        }
        (Some('?'), Some(_)) => matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

/// The entries of `dir` whose file names pass `keep`.
fn entries(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.file_name().and_then(|n| n.to_str()).is_some_and(&keep) {
            out.push(path);
        }
    }
    Ok(out)
}

/// Whether the still at `path` is an animated GIF or APNG: alone, it is read as a film
/// (through FFmpeg), not as its first frame. A file that cannot be read is not: reading it
/// as a still says what is wrong.
fn is_animation(path: &Path) -> bool {
    use super::animation::{animation, may_be_animation, Animation, SIGNATURE_BYTES};
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let size_of = |f: &std::fs::File| f.metadata().map_or(0, |m| m.len());
    // Only a GIF or a PNG is read whole: any other still, its first bytes.
    let mut head = [0u8; SIGNATURE_BYTES];
    if file.read_exact(&mut head).is_err() || !may_be_animation(&head) {
        return false;
    }
    crate::load::LoadLimits::default()
        .read_within(head.as_slice().chain(&file), path, size_of(&file))
        .ok()
        .and_then(|bytes| animation(&bytes))
        .is_some_and(Animation::is_animated)
}

impl FilmInput {
    /// The input named by command-line arguments: one video file or URL; or stills, given
    /// as paths, folders (their stills) or patterns (`frames/*.png`).
    pub fn from_args<S: AsRef<str>>(args: &[S]) -> Result<FilmInput> {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let Some(&first) = args.first() else {
            return Err(Error::InvalidOption(
                "no input: give a video or stills".into(),
            ));
        };
        if args.len() == 1 {
            let path = Path::new(first);
            if crate::source::is_url(first)
                || (path.exists() && !path.is_dir() && !is_still(path))
                || (!path.exists() && !is_still(path) && !first.contains(['*', '?']))
                || (cfg!(feature = "video") && path.is_file() && is_animation(path))
            {
                return Ok(FilmInput::Video(first.to_string()));
            }
        }
        let mut paths = Vec::new();
        for &arg in &args {
            let path = Path::new(arg);
            if path.is_dir() {
                let stills = entries(path, |n| is_still(Path::new(n)))?;
                if stills.is_empty() {
                    return Err(Error::InvalidOption(format!(
                        "no stills in the folder {arg}"
                    )));
                }
                paths.extend(stills);
            } else if !path.exists() && arg.contains(['*', '?']) {
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let pattern: Vec<char> = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .chars()
                    .collect();
                let found = entries(dir, |n| matches(&pattern, &n.chars().collect::<Vec<_>>()))?;
                if found.is_empty() {
                    return Err(Error::InvalidOption(format!("no file matches {arg}")));
                }
                paths.extend(found);
            } else if is_still(path) {
                paths.push(path.to_path_buf());
            } else {
                return Err(Error::InvalidOption(format!(
                    "{arg} is not a still (png, jpg, webp, gif, bmp, tiff): several inputs are the stills of one film; give a video alone"
                )));
            }
            if paths.len() > MAX_FRAMES {
                return Err(Error::InvalidOption(format!(
                    "more than {MAX_FRAMES} stills; a film takes at most {MAX_FRAMES} frames"
                )));
            }
        }
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then_with(|| a.cmp(b)));
        paths.dedup();
        Ok(FilmInput::Stills {
            source: args.join(" "),
            paths,
        })
    }

    /// Reads the film and makes its palettes, with options checked once by
    /// [`super::FilmOptions::check`], within its time limit
    /// ([`ValidFilmOptions::time_limit_for`] its length).
    pub fn analyse(&self, options: &ValidFilmOptions) -> Result<Film> {
        // Until the film's length is known (a video's probe), the limit given or the base.
        let mut budget = Budget::start(options.time_limit_s().unwrap_or(TIME_LIMIT_BASE_S));
        match self {
            #[cfg(feature = "video")]
            FilmInput::Video(source) => {
                let mut frames = open_video(source, options, &mut budget)?;
                analyse(&mut frames, options, &budget)
            }
            #[cfg(not(feature = "video"))]
            FilmInput::Video(source) => Err(Error::InvalidOption(format!(
                "{source}: reading video needs the crate's `video` feature (and FFmpeg)"
            ))),
            FilmInput::Stills { source, paths } => {
                // Each still is one second of the film.
                budget = budget.with_limit(options.time_limit_for(paths.len() as f64));
                let mut frames = StillFrames::open(source, paths, options, &budget)?;
                analyse(&mut frames, options, &budget)
            }
        }
    }
}

/// A still of a film, with its path in any error that names only the problem.
fn open_still(path: &Path) -> Result<Still> {
    Still::open(path).map_err(|e| match e {
        Error::Decode(m) => Error::Decode(format!("{}: {m}", path.display())),
        Error::TooLarge(m) => Error::TooLarge(format!("{}: {m}", path.display())),
        other => other,
    })
}

/// `n` indices spread evenly over `0..len`.
fn spread(len: usize, n: usize) -> Vec<usize> {
    let n = n.min(len);
    let mut out: Vec<usize> = (0..n).map(|i| i * len / n).collect();
    out.dedup();
    out
}

/// How the stills lose their bars.
enum StillBars {
    /// Stills of one size share the bars found over them.
    Common((u32, u32), Option<Crop>),
    /// Stills of several sizes: each loses its own.
    Each,
    /// Bars kept.
    Kept,
}

/// Stills as a film's frames, one second each, in name order; one still in memory at a time.
struct StillFrames<'a> {
    source: &'a str,
    paths: &'a [PathBuf],
    bars: StillBars,
    /// The index of the next still.
    next: usize,
    /// The still the last frame borrows.
    still: Option<Still>,
}

impl<'a> StillFrames<'a> {
    /// The stills of `paths`, their bars found first (over up to [`BAR_FRAMES`] of them).
    fn open(
        source: &'a str,
        paths: &'a [PathBuf],
        options: &ValidFilmOptions,
        budget: &Budget,
    ) -> Result<Self> {
        use super::sampling::SampleMode;
        let name = match (options.sampling(), options.sample_mode()) {
            (Sampling::Every(_), _) => Some("every"),
            (Sampling::Frames(_), _) => Some("frames"),
            (_, SampleMode::Keys | SampleMode::Seek) => Some("sampling"),
            (Sampling::Auto, SampleMode::Auto | SampleMode::Dense) => None,
        };
        if let Some(name) = name {
            return Err(Error::option(
                name,
                "samples a video only; each still is one frame of one second",
            ));
        }
        let bars = if options.crop() {
            let mut finder: Option<BarFinder> = None;
            let mut size = None;
            let mut same = true;
            for i in spread(paths.len(), BAR_FRAMES) {
                let still = open_still(&paths[i])?;
                let dims = (still.width(), still.height());
                if *size.get_or_insert(dims) != dims {
                    same = false;
                    break;
                }
                finder
                    .get_or_insert_with(|| BarFinder::new(dims.0, dims.1))
                    .add_still(&still)?;
                budget.check(source)?;
            }
            match (same, size) {
                (true, Some(dims)) => StillBars::Common(dims, finder.and_then(|f| f.crop())),
                _ => StillBars::Each,
            }
        } else {
            StillBars::Kept
        };
        Ok(Self {
            source,
            paths,
            bars,
            next: 0,
            still: None,
        })
    }
}

impl FrameSource for StillFrames<'_> {
    fn next_frame(&mut self) -> Result<Option<(Frame<'_>, f64, f64)>> {
        let i = self.next;
        let Some(path) = self.paths.get(i) else {
            return Ok(None);
        };
        self.next += 1;
        let still = open_still(path)?;
        let dims = (still.width(), still.height());
        let crop = match &self.bars {
            StillBars::Common(size, crop) if *size == dims => *crop,
            StillBars::Kept => None,
            _ => find_bars(&still),
        };
        let still = match crop {
            Some(c) => crop_still(&still, c),
            None => still,
        };
        let still = self.still.insert(still);
        Ok(Some((Frame::of_still(still), i as f64, 1.0)))
    }

    fn source(&self) -> &str {
        self.source
    }

    fn duration_s(&self) -> f64 {
        self.paths.len() as f64
    }

    fn frame_number(&self, t: f64) -> Option<usize> {
        // Each still is one frame of one second.
        Some((t.max(0.0).round() as usize).min(self.paths.len()))
    }

    fn crop(&self) -> Option<Crop> {
        match self.bars {
            StillBars::Common(_, crop) => crop,
            _ => None,
        }
    }
}

/// The largest size with the aspect of `w` x `h` inside a `side` x `side` box, never larger
/// than `w` x `h`.
#[cfg_attr(not(feature = "video"), allow(dead_code))]
fn fit_within(w: u32, h: u32, side: u32) -> (u32, u32) {
    if w <= side && h <= side {
        return (w, h);
    }
    crate::render::aspect::fit(w, h, side, side, crate::render::aspect::Rounding::Nearest)
}

/// Which frames a video gives the analysis, and when each is shown.
#[cfg(feature = "video")]
enum Samples {
    /// One every step from the film's start, as FFmpeg's `fps` filter gives them.
    Steps,
    /// The kept key frames, at these times (FFmpeg decodes key frames only).
    Keys(Vec<f64>),
    /// One seek to each of these times.
    Seeks(Vec<f64>),
}

/// A video's sampled frames, cropped and scaled by FFmpeg, as they arrive.
#[cfg(feature = "video")]
struct VideoFrames {
    source: String,
    duration_s: f64,
    crop: Option<Crop>,
    /// Seconds between sampled frames.
    step: f64,
    samples: Samples,
    /// When each frame is shown, when it was read (for a skim, or for scenes).
    index: Option<super::index::FrameIndex>,
    /// How FFmpeg decodes the sampled frames; a seek's own start is set on a copy.
    decode: super::video::Decode,
    budget: Budget,
    /// `None` between two seeks.
    reader: Option<super::video::Reader>,
    /// The index of the next frame FFmpeg gives.
    next: usize,
    /// Where the frames given so far end, in seconds.
    covered_s: f64,
    /// Whether FFmpeg has given its last frame.
    ended: bool,
    /// Whether frames came a whole step past the header's length (timestamps that run on,
    /// cut off where FFmpeg is told to stop).
    overran: bool,
    /// Whether FFmpeg gave another number of key frames than the index has.
    keys_mismatched: bool,
    /// The samples asked for, when the key frames kept are fewer than half as many.
    sparse_keys: Option<usize>,
    /// What FFmpeg reported though it ended well, from every run.
    reported: Option<String>,
}

/// Key frames at `times` (seconds, in order) kept for samples `step` apart: the first,
/// then the first at or after each next multiple of `step` (within a millisecond, so that
/// FFmpeg's arithmetic and this one agree on a key frame at a multiple).
#[cfg(feature = "video")]
fn kept_keys(times: impl Iterator<Item = f64>, step: f64) -> Vec<f64> {
    let mut kept = Vec::new();
    let mut next = f64::NEG_INFINITY;
    for t in times {
        if t >= next - KEY_SLACK_S {
            kept.push(t);
            next = (((t + KEY_SLACK_S) / step).floor() + 1.0) * step;
        }
    }
    kept
}

/// The slack in [`kept_keys`], in seconds.
#[cfg(feature = "video")]
const KEY_SLACK_S: f64 = 0.001;

/// FFmpeg's `select` filter keeping the key frames [`kept_keys`] keeps, its clock `offset_s`
/// ahead of the index's.
#[cfg(feature = "video")]
fn select_kept_keys(step: f64, offset_s: f64) -> String {
    let (s, o, e) = (step, offset_s, KEY_SLACK_S);
    format!(
        "select='isnan(prev_selected_t)+gte(t-{o:.6},(floor((prev_selected_t-{o:.6}+{e})/{s:.9})+1)*{s:.9}-{e})'"
    )
}

/// Probes `source` (within `budget`, then given the film's time limit), chooses how to
/// read its samples, finds its bars (on frames spread over the film), then starts FFmpeg
/// sampling, cropping and scaling the frames of the analysis.
#[cfg(feature = "video")]
fn open_video(
    source: &str,
    options: &ValidFilmOptions,
    budget: &mut Budget,
) -> Result<VideoFrames> {
    use super::index::FrameIndex;
    use super::sampling::{cheapest, SampleMode};
    use super::video::{probe_within, select_every, Decode, Reader};

    /// Bars are found on frames at most this wide or high (a 4K film's at half size).
    const BAR_SIDE: u32 = 1920;
    /// Fewer key frames than this, and the bars are looked for on every sampled frame.
    const MIN_KEY_FRAMES: u32 = 8;

    /// The bars seen on every frame FFmpeg gives with `decode`.
    fn bars_of(source: &str, decode: &Decode, budget: &Budget) -> Result<BarFinder> {
        let mut finder = BarFinder::new(decode.width, decode.height);
        let mut reader = Reader::start(source, decode, budget)?;
        while reader.read()? {
            finder.add(reader.frame(), 3)?;
        }
        Ok(finder)
    }

    let info = probe_within(source, budget)?;
    *budget = budget.with_limit(options.time_limit_for(info.duration_s));
    let step = options.sampling().step(info.duration_s)?;
    let threads = options.palette().options().threads;
    let wanted = options.sample_mode();
    // Read, not decoded: a second or two for a two-hour film.
    let index = FrameIndex::probe(source, budget)?;
    let samples = (info.duration_s / step).ceil() as usize;
    let mode = match (wanted, &index) {
        (SampleMode::Auto, Some(index)) => cheapest(index.frames(), index.key_frames(), samples),
        (SampleMode::Auto, None) => SampleMode::Dense,
        (SampleMode::Keys | SampleMode::Seek, None) => {
            return Err(Error::option(
                "sampling",
                format!(
                    "{} needs the times of {source}'s frames, and ffprobe finds none (a raw \
                     stream, or a film of more than {} frames): use dense",
                    wanted.name(),
                    super::index::MAX_INDEXED_FRAMES
                ),
            ))
        }
        (mode, _) => mode,
    };
    let kept = match (mode, &index) {
        (SampleMode::Keys, Some(index)) => kept_keys(index.key_times(), step),
        _ => Vec::new(),
    };
    let (dw, dh) = fit_within(info.width, info.height, BAR_SIDE);
    let full = |filter: String| Decode {
        filter,
        width: dw,
        height: dh,
        key_frames_only: false,
        // Bars are found on colours alone.
        channels: 3,
        threads,
        until_s: info.duration_s + 2.0 * info.duration_s / BAR_FRAMES as f64,
        start_s: None,
        frames: None,
    };
    let scaled = if (dw, dh) == (info.width, info.height) {
        String::new()
    } else {
        format!(",scale={dw}:{dh}:flags=area")
    };
    let crop = if !options.crop() {
        None
    } else if let Some(index) = index.as_ref().filter(|i| {
        mode == SampleMode::Seek
            || super::sampling::bars_cheaper_by_seeking(i.frames(), i.key_frames())
    }) {
        // A seek to each of the bars' frames, when decoding every key frame costs more (a
        // long film, or one where every frame is a key frame).
        let mut finder = BarFinder::new(dw, dh);
        let seeks = super::sampling::BAR_SEEKS;
        for i in 0..seeks {
            let t = info.duration_s * i as f64 / seeks as f64;
            let mut decode = full(format!("null{scaled}"));
            decode.start_s = Some(index.seek_time(t));
            decode.frames = Some(1);
            decode.until_s = info.duration_s;
            let mut reader = Reader::start(source, &decode, budget)?;
            if reader.read()? {
                finder.add(reader.frame(), 3)?;
            }
        }
        finder.crop()
    } else {
        // Key frames first: FFmpeg decodes only them, fast. A film with too few of them (a
        // short clip) is decoded whole instead.
        let mut decode = full(format!(
            "{}{scaled}",
            select_every(info.duration_s / BAR_FRAMES as f64)
        ));
        decode.key_frames_only = true;
        let mut finder = bars_of(source, &decode, budget)?;
        if finder.frames() < MIN_KEY_FRAMES {
            decode.key_frames_only = false;
            finder = bars_of(source, &decode, budget)?;
        }
        finder.crop()
    }
    .map(|c| {
        c.scaled(
            f64::from(info.width) / f64::from(dw),
            f64::from(info.height) / f64::from(dh),
        )
    });
    let picture = crop.unwrap_or(Crop {
        x: 0,
        y: 0,
        width: info.width,
        height: info.height,
    });
    let (aw, ah) = fit_within(picture.width, picture.height, ANALYSIS_SIDE);
    let mut filter = match (mode, &index) {
        // `eof_action=pass`: the last, shorter step gets its frame too.
        (SampleMode::Dense, _) | (_, None) => format!("fps=fps={:.9}:eof_action=pass", 1.0 / step),
        (SampleMode::Keys, Some(index)) => select_kept_keys(step, index.seek_time(0.0)),
        _ => "null".to_string(),
    };
    filter.push_str(&picture_filter(crop, picture, (aw, ah)));
    let decode = Decode {
        filter,
        width: aw,
        height: ah,
        key_frames_only: mode == SampleMode::Keys,
        // With alpha, transparent pixels take no part, as in a still.
        channels: if info.alpha { 4 } else { 3 },
        threads,
        // Two steps' grace: FFmpeg's `-t` drops a last frame that would run past it.
        until_s: info.duration_s + 2.0 * step,
        start_s: None,
        frames: None,
    };
    let sparse_keys = (mode == SampleMode::Keys && 2 * kept.len() < samples).then_some(samples);
    let samples = match mode {
        SampleMode::Keys => Samples::Keys(kept),
        SampleMode::Seek => Samples::Seeks(
            (0..samples)
                .map(|i| i as f64 * step)
                .filter(|&t| t < info.duration_s - 1e-9)
                .collect(),
        ),
        _ => Samples::Steps,
    };
    let reader = match samples {
        Samples::Seeks(_) => None,
        _ => Some(Reader::start(source, &decode, budget)?),
    };
    Ok(VideoFrames {
        source: source.to_string(),
        duration_s: info.duration_s,
        crop,
        step,
        samples,
        index,
        decode,
        budget: *budget,
        reader,
        next: 0,
        covered_s: 0.0,
        ended: false,
        overran: false,
        keys_mismatched: false,
        sparse_keys,
        reported: None,
    })
}

/// FFmpeg's filters cutting `crop` away (the picture left is `picture`) and scaling the
/// rest to `size`, each starting with a comma; empty when there is nothing to do.
#[cfg(feature = "video")]
fn picture_filter(crop: Option<Crop>, picture: Crop, size: (u32, u32)) -> String {
    let mut filter = String::new();
    if crop.is_some() {
        filter.push_str(&format!(
            ",crop={}:{}:{}:{}:exact=1",
            picture.width, picture.height, picture.x, picture.y
        ));
    }
    if size != (picture.width, picture.height) {
        filter.push_str(&format!(",scale={}:{}:flags=area", size.0, size.1));
    }
    filter
}

#[cfg(feature = "video")]
impl FrameSource for VideoFrames {
    fn next_frame(&mut self) -> Result<Option<(Frame<'_>, f64, f64)>> {
        loop {
            // A seek's own FFmpeg, for the next sample.
            if let Samples::Seeks(times) = &self.samples {
                if let Some(mut done) = self.reader.take() {
                    // The last seek's FFmpeg, read to its end so that its exit is checked.
                    while done.read()? {}
                    self.reported = done.reported().map(str::to_string).or(self.reported.take());
                }
                let Some(&t) = times.get(self.next) else {
                    self.ended = true;
                    return Ok(None);
                };
                let mut decode = self.decode.clone();
                decode.start_s = Some(self.index.as_ref().map_or(t, |i| i.seek_time(t)));
                decode.frames = Some(1);
                decode.until_s = 2.0 * self.step;
                self.reader = Some(super::video::Reader::start(
                    &self.source,
                    &decode,
                    &self.budget,
                )?);
            }
            let Some(reader) = self.reader.as_mut() else {
                self.ended = true;
                return Ok(None);
            };
            if !reader.read()? {
                self.reported = reader
                    .reported()
                    .map(str::to_string)
                    .or(self.reported.take());
                if let Samples::Keys(kept) = &self.samples {
                    self.keys_mismatched |= self.next != kept.len();
                }
                if let Samples::Seeks(times) = &self.samples {
                    // A seek past the last frame: no frame there, nor after.
                    self.next = times.len();
                }
                self.reader = None;
                self.ended = true;
                return Ok(None);
            }
            let i = self.next;
            self.next += 1;
            let (t, seconds) = match &self.samples {
                Samples::Steps => (i as f64 * self.step, self.step),
                Samples::Keys(kept) => match kept.get(i) {
                    Some(&t) => (t, kept.get(i + 1).map_or(self.duration_s, |&n| n) - t),
                    None => {
                        // More key frames than the index has: their times are unknown.
                        self.keys_mismatched = true;
                        continue;
                    }
                },
                Samples::Seeks(times) => (times[i], self.step),
            };
            // A frame FFmpeg gives at the very end stands for no time. Such frames are
            // still read, so that FFmpeg runs to its end and its exit is checked.
            if t < self.duration_s - 1e-9 {
                let seconds = seconds.min(self.duration_s - t);
                self.covered_s = t + seconds;
                let reader = self.reader.as_ref().expect("read above");
                let frame = Frame::new(
                    reader.frame(),
                    self.decode.channels,
                    self.decode.width,
                    self.decode.height,
                )?;
                return Ok(Some((frame, t, seconds)));
            }
            self.overran |= t >= self.duration_s + self.step - 1e-9;
        }
    }

    fn source(&self) -> &str {
        &self.source
    }

    fn duration_s(&self) -> f64 {
        if self.truncated() {
            self.covered_s
        } else {
            self.duration_s
        }
    }

    fn sampling(&self) -> super::sampling::SampleMode {
        use super::sampling::SampleMode;
        match self.samples {
            Samples::Steps => SampleMode::Dense,
            Samples::Keys(_) => SampleMode::Keys,
            Samples::Seeks(_) => SampleMode::Seek,
        }
    }

    fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.truncated() {
            warnings.push(format!(
                "{}: the frames end at {:.1} s, before the {:.1} s its header states (a truncated \
                 or damaged file?): the palette and the scenes cover the frames there are",
                self.source, self.covered_s, self.duration_s
            ));
        }
        if self.overran {
            warnings.push(format!(
                "{}: its frames run on past the {:.1} s its header states (timestamps that \
                 jump ahead?): the palette and the scenes cover those {:.1} s",
                self.source, self.duration_s, self.duration_s
            ));
        }
        if self.keys_mismatched {
            warnings.push(format!(
                "{}: ffmpeg gave another number of key frames than the file's index lists: \
                 their times, and the weights of their colours, are approximate (sampling \
                 dense reads every frame)",
                self.source
            ));
        }
        if let (Some(asked), Samples::Keys(kept)) = (self.sparse_keys, &self.samples) {
            warnings.push(format!(
                "{}: sampling keys read {} key frames where {asked} samples were asked for: \
                 its key frames lie further apart than the samples (sampling dense or seek \
                 reads them all)",
                self.source,
                kept.len()
            ));
        }
        if let Some(reported) = &self.reported {
            warnings.push(format!(
                "{}: ffmpeg reported damage it decoded past: {reported}",
                self.source
            ));
        }
        warnings
    }

    fn crop(&self) -> Option<Crop> {
        self.crop
    }

    fn frame_number(&self, t: f64) -> Option<usize> {
        let index = self.index.as_ref()?;
        Some(if t >= self.duration_s() - 1e-9 {
            index.frames()
        } else {
            index.frame_at(t)
        })
    }

    fn locate_cut(&mut self, before: f64, after: f64) -> Result<Option<(f64, usize)>> {
        use super::scenes::Signature;
        use super::video::{Decode, Reader};
        /// The stretch is looked at this many pixels a side at most: enough for the
        /// signature's blocks.
        const CUT_SIDE: u32 = 160;
        let Some(index) = &self.index else {
            return Ok(None);
        };
        // From the frame sampled before the cut to the one just after the frame sampled
        // after it. FFmpeg's `fps` filter gives for the step from `t` the last frame
        // before `t` + half a step (it rounds each frame's time to the nearest step): the
        // frame in the middle of the time it stands for.
        let shown = |t: f64| match self.samples {
            Samples::Steps => index.frame_at(t + 0.5 * self.step - 1e-4),
            _ => index.frame_at(t),
        };
        let first = shown(before);
        let last = (shown(after) + 1).min(index.frames() - 1);
        if last <= first {
            return Ok(None);
        }
        let picture = self.crop.unwrap_or(Crop {
            x: 0,
            y: 0,
            width: self.decode.width,
            height: self.decode.height,
        });
        let (w, h) = fit_within(self.decode.width, self.decode.height, CUT_SIDE);
        // The analysed frames are already cropped and scaled: the stretch is cut from the
        // source's frames the same way, then scaled smaller.
        let filter = format!("null{}", picture_filter(self.crop, picture, (w, h)));
        let start = index.time(first);
        let decode = Decode {
            filter,
            width: w,
            height: h,
            key_frames_only: false,
            channels: self.decode.channels,
            threads: self.decode.threads,
            // Half a millisecond early, so that the first frame is not lost to rounding;
            // a frame's length past the last.
            start_s: Some(index.seek_time(start) - 0.0005),
            until_s: index.time(last) - start + 0.0005,
            frames: Some(last - first + 1),
        };
        let mut reader = Reader::start(&self.source, &decode, &self.budget)?;
        let (mut best, mut previous, mut n) = (None::<(f64, usize)>, None::<Signature>, 0);
        while reader.read()? {
            let frame = Frame::new(reader.frame(), decode.channels, w, h)?;
            let signature = Signature::of(&frame);
            if let Some(p) = &previous {
                let change = p.distance(&signature);
                if best.is_none_or(|(c, _)| change > c) {
                    best = Some((change, first + n));
                }
            }
            previous = Some(signature);
            n += 1;
        }
        Ok(best.map(|(_, frame)| (index.time(frame), frame)))
    }
}

#[cfg(feature = "video")]
impl VideoFrames {
    /// Whether, once read to its end, the film gave frames for less than its header's length
    /// by more than one sample (a last sample may fall just past a rounded length).
    fn truncated(&self) -> bool {
        self.ended && self.covered_s < self.duration_s - self.step - 1e-6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_names() {
        let m = |p: &str, n: &str| {
            matches(
                &p.chars().collect::<Vec<_>>(),
                &n.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("*.png", "a.png") && m("f??.jpg", "f01.jpg") && m("*", ""));
        assert!(!m("*.png", "a.jpg") && !m("f?.jpg", "f01.jpg"));
        assert_eq!(spread(100, 4), vec![0, 25, 50, 75]);
        assert_eq!(spread(2, 40), vec![0, 1]);
        assert_eq!(fit_within(1920, 800, 640), (640, 267));
        assert_eq!(fit_within(320, 200, 640), (320, 200));
    }

    #[test]
    fn arguments_name_a_video_or_stills() {
        assert_eq!(
            FilmInput::from_args(&["no-such-film.mp4"]).unwrap(),
            FilmInput::Video("no-such-film.mp4".into())
        );
        let dir = std::env::temp_dir().join(format!("film-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["b.png", "a.png", "notes.txt"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let folder = FilmInput::from_args(&[dir.to_str().unwrap()]).unwrap();
        let FilmInput::Stills { paths, .. } = folder else {
            panic!("stills")
        };
        assert_eq!(paths, vec![dir.join("a.png"), dir.join("b.png")]);
        let pattern = format!("{}/b*", dir.display());
        assert!(
            matches!(FilmInput::from_args(&[pattern]).unwrap(), FilmInput::Stills { paths, .. } if paths == vec![dir.join("b.png")])
        );
        let err = FilmInput::from_args(
            &[dir.join("a.png"), dir.join("notes.txt")].map(|p| p.display().to_string()),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("notes.txt is not a still"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
