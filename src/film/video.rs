//! Video through the system `ffmpeg` and `ffprobe` programs (Debian's `ffmpeg` package),
//! driven with `std::process`: `ffprobe` reads the stream's size and length, `ffmpeg`
//! samples, crops and scales the frames with its own filters (`select` or `fps`, `crop`,
//! `scale`) and writes them as raw RGB on its standard output, so no full-size frame that
//! is not used is ever copied, and only one frame is in memory at a time.

use std::io::{ErrorKind, Read};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::budget::{Budget, TIME_LIMIT_BASE_S};
use crate::error::{Error, Result};

/// The largest frame side accepted from a video, in pixels.
pub const MAX_VIDEO_SIDE: u32 = 16_384;

/// What `ffprobe` says about a video's first video stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoInfo {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Length in seconds.
    pub duration_s: f64,
    /// Whether its pixels have an alpha channel (then transparent pixels take no part, as
    /// in a still).
    pub alpha: bool,
}

/// How to install FFmpeg, for the error when it is missing.
const INSTALL: &str = "install FFmpeg: `apt-get install ffmpeg` (Debian, Ubuntu), `brew install ffmpeg` (macOS), or see https://ffmpeg.org/download.html";

pub(super) fn spawn(program: &str, args: &[String]) -> Result<Child> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                Error::MissingTool(format!(
                    "ffmpeg is not installed (no `{program}` on the PATH); {INSTALL}"
                ))
            } else {
                Error::MissingTool(format!("cannot run `{program}`: {e}"))
            }
        })
}

/// Kills a child process once a [`Budget`] is spent, unless disarmed first. The child is
/// shared behind a lock, so it is never killed once waited for (its process id may then
/// be another's).
struct Watchdog {
    /// Dropped to disarm.
    disarm: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    fn arm(child: &Arc<Mutex<Child>>, budget: &Budget) -> Self {
        let (disarm, armed) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let thread = {
            let child = Arc::clone(child);
            let fired = Arc::clone(&fired);
            let wait = budget.remaining();
            std::thread::spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = armed.recv_timeout(wait) {
                    fired.store(true, Ordering::SeqCst);
                    let _ = lock(&child).kill();
                }
            })
        };
        Self {
            disarm: Some(disarm),
            thread: Some(thread),
            fired,
        }
    }

    /// Stops watching: whether the child was killed for running out of time.
    fn disarm(&mut self) -> bool {
        self.disarm = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.fired.load(Ordering::SeqCst)
    }
}

fn lock(child: &Mutex<Child>) -> std::sync::MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything `child` writes, and how it ended; killed (an error) once `budget` is spent.
fn output_within(child: Child, source: &str, budget: &Budget) -> Result<Output> {
    let (stdout, status, stderr) = read_within(child, source, budget, |mut from| {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        bytes
    })?;
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// What `read` makes of `child`'s standard output, how it ended and what it wrote on
/// stderr; killed (an error) once `budget` is spent. A `read` that stops early closes the
/// pipe, and the program ends on its next write.
pub(super) fn read_within<T: Default>(
    mut child: Child,
    source: &str,
    budget: &Budget,
    read: impl FnOnce(ChildStdout) -> T,
) -> Result<(T, ExitStatus, Vec<u8>)> {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let child = Arc::new(Mutex::new(child));
    let mut watchdog = Watchdog::arm(&child, budget);
    let errors = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut from) = stderr {
            let _ = from.read_to_end(&mut bytes);
        }
        bytes
    });
    // Both pipes close when the program ends, or is killed.
    let stdout = stdout.map(read).unwrap_or_default();
    let stderr = errors.join().unwrap_or_default();
    let fired = watchdog.disarm();
    let status = lock(&child).wait();
    if fired {
        return Err(budget.exceeded(source));
    }
    let status = status.map_err(|e| Error::MissingTool(format!("cannot run `ffprobe`: {e}")))?;
    Ok((stdout, status, stderr))
}

/// The last non-empty line a program wrote on stderr, for an error message, without the
/// `[decoder @ 0x55bf...] ` context FFmpeg starts it with (an address is no help to anyone).
pub(super) fn last_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    match context(line) {
        Some((component, message)) => format!("{component}: {message}"),
        None => line.to_string(),
    }
}

/// A line FFmpeg starts with its `[component @ 0x55bf...] ` context, split into the
/// component (`ffv1`, `hls`) and the message.
fn context(line: &str) -> Option<(&str, &str)> {
    let (inside, message) = line.trim().strip_prefix('[')?.split_once("] ")?;
    let (component, address) = inside.split_once(" @ ")?;
    address.starts_with("0x").then_some((component, message))
}

/// The demuxer FFmpeg found but [`CONTAINERS`] left out, from its
/// `[hls @ 0x...] Format not on whitelist '...'` line.
fn refused_container(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        let (component, message) = context(line)?;
        message
            .starts_with("Format not on whitelist")
            .then(|| component.to_string())
    })
}

/// FFmpeg's message without the `SOURCE: ` it starts with.
pub(super) fn without_prefix(line: &str, source: &str) -> String {
    line.strip_prefix("file:")
        .unwrap_or(line)
        .strip_prefix(source)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(line)
        .to_string()
}

/// Whether FFmpeg fetches `source` itself: an http(s) URL (a URL is what
/// [`crate::source::is_url`] says; FFmpeg's other protocols, `file:` to `rtmp:`, are refused
/// rather than handed to it).
fn fetched_by_ffmpeg(source: &str) -> Result<bool> {
    if !crate::source::is_url(source) {
        return Ok(false);
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        Ok(true)
    } else {
        Err(Error::InvalidUrl(format!(
            "{source:?}: only http and https are supported"
        )))
    }
}

/// Whether the stream's display rotation (its display matrix, or the older `rotate` tag)
/// is a quarter or three-quarter turn, which swaps the frames' width and height.
fn quarter_turn(stream: &serde_json::Value) -> bool {
    let matrix = stream["side_data_list"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|d| d["rotation"].as_f64());
    let tag = stream["tags"]["rotate"]
        .as_str()
        .and_then(|r| r.trim().parse::<f64>().ok());
    matrix
        .or(tag)
        .is_some_and(|degrees| (degrees.round().rem_euclid(180.0) - 90.0).abs() < 1.0)
}

/// The containers FFmpeg may open (its demuxers' names; `mov` is also MP4, M4V, M4A and 3GP,
/// `matroska` also WebM): files that hold their own frames, and the common audio files (so
/// that one is refused for having no video stream). Playlists and lists of parts (HLS,
/// DASH, concat) are not among them: a text file named `.mp4` that is an HLS playlist would
/// have FFmpeg read whatever other file, local or remote, it names.
const CONTAINERS: &str = "mov,matroska,avi,mpegts,mpeg,mpegvideo,flv,ogg,asf,mxf,nut,\
                          yuv4mpegpipe,gif,apng,h264,hevc,m4v,ivf,obu,dv,mjpeg,rm,wtv,\
                          mp3,wav,aac,flac";

/// How `source` is named to FFmpeg, after the options that confine it: only the
/// [`CONTAINERS`]; a local file through the `file:` protocol alone, so that a name such as
/// `-report` is not taken for an option; a URL as it is.
pub(super) fn input_args(source: &str) -> Result<Vec<String>> {
    let mut args = vec!["-format_whitelist".to_string(), CONTAINERS.into()];
    if fetched_by_ffmpeg(source)? {
        args.extend(["-i".into(), source.into()]);
    } else {
        args.extend([
            "-protocol_whitelist".into(),
            "file".into(),
            "-i".into(),
            format!("file:{source}"),
        ]);
    }
    Ok(args)
}

/// Reads the size and length of the first video stream of `source` (a file or an http(s)
/// URL), with clear errors for a missing file, an unreadable one, one with no video stream,
/// one of zero length and an HDR one (PQ or HLG). `ffprobe` is given
/// [`TIME_LIMIT_BASE_S`] to answer.
pub fn probe(source: &str) -> Result<VideoInfo> {
    probe_within(source, &Budget::start(TIME_LIMIT_BASE_S))
}

/// [`probe`], `ffprobe` killed (an error) once `budget` is spent.
pub(crate) fn probe_within(source: &str, budget: &Budget) -> Result<VideoInfo> {
    if !fetched_by_ffmpeg(source)? {
        let io = |e| Error::Io {
            path: source.into(),
            source: e,
        };
        // Only a regular file is opened here: opening a named pipe waits for a writer, for
        // ever. Anything else goes to `ffprobe`, within the budget.
        if std::fs::metadata(source).map_err(io)?.is_file() {
            std::fs::File::open(source).map_err(io)?;
        }
    }
    let mut args: Vec<String> = [
        "-v",
        "error",
        "-select_streams",
        // `V`: a video stream that is not an attached picture (an MP3's cover art).
        "V:0",
        "-show_entries",
        "stream=width,height,duration,pix_fmt,color_transfer:stream_side_data=rotation:stream_tags=rotate:format=duration",
        "-of",
        "json",
    ]
    .map(String::from)
    .to_vec();
    args.extend(input_args(source)?);
    let output = output_within(spawn("ffprobe", &args)?, source, budget)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(format) = refused_container(&stderr) {
            return Err(Error::Video(format!(
                "not a video file: {source} is {format}, not a container color-palettes \
                 reads (playlists and lists of parts, which name other files, are refused): \
                 give the video itself"
            )));
        }
        return Err(Error::Video(format!(
            "not a readable video: {source}: {}",
            without_prefix(&last_line(&stderr), source)
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::Video(format!("{source}: unexpected answer from ffprobe: {e}")))?;
    let seconds = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<f64>().ok());
    let Some(stream) = json["streams"].as_array().and_then(|s| s.first()) else {
        // A container of no length whose video track had no frame keeps no track at all.
        if seconds(&json["format"]["duration"]) == Some(0.0) {
            return Err(Error::Video(format!(
                "{source} has zero length (no frames)"
            )));
        }
        return Err(Error::Video(format!("no video stream in {source}")));
    };
    if let Some(hdr) = stream["color_transfer"].as_str().and_then(hdr_transfer) {
        return Err(Error::Video(format!(
            "{source} is HDR ({hdr}); color-palettes reads SDR video only: tone-map it to SDR \
             first (FFmpeg's zscale and tonemap filters), or give its SDR version"
        )));
    }
    let side = |key: &str| {
        stream[key]
            .as_u64()
            .filter(|&n| n > 0 && n <= u64::from(MAX_VIDEO_SIDE))
            .map(|n| n as u32)
    };
    let (Some(stored_width), Some(stored_height)) = (side("width"), side("height")) else {
        return Err(Error::Video(format!(
            "{source}: the video stream's frame size is missing or over {MAX_VIDEO_SIDE} pixels a side"
        )));
    };
    // FFmpeg turns each frame upright as its header says (a phone's portrait clip is stored
    // on its side): the frames it delivers, and everything found on them, are that shape.
    let (width, height) = if quarter_turn(stream) {
        (stored_height, stored_width)
    } else {
        (stored_width, stored_height)
    };
    let duration_s = seconds(&stream["duration"])
        .or_else(|| seconds(&json["format"]["duration"]))
        .or_else(|| stated_by_frames(source))
        .filter(|d| d.is_finite() && *d > 0.0);
    let Some(duration_s) = duration_s else {
        return Err(Error::Video(format!(
            "{source} has zero length (no duration)"
        )));
    };
    Ok(VideoInfo {
        width,
        height,
        duration_s,
        alpha: stream["pix_fmt"].as_str().is_some_and(has_alpha),
    })
}

/// The name of the HDR transfer function FFmpeg calls `color_transfer` (PQ or HLG), or
/// `None` for an SDR one. An HDR stream's code values mean light levels far past SDR's,
/// so read as SDR its colours would come out dull and wrong; they are refused instead of
/// tone-mapped, since a tone-mapped palette would be the operator's colours, not the film's.
fn hdr_transfer(color_transfer: &str) -> Option<&'static str> {
    match color_transfer {
        "smpte2084" => Some("PQ, SMPTE ST 2084"),
        "arib-std-b67" => Some("HLG, ARIB STD-B67"),
        _ => None,
    }
}

/// The length a local animation states frame by frame (an APNG's frame delays), for the
/// formats whose length FFmpeg does not report.
fn stated_by_frames(source: &str) -> Option<f64> {
    if fetched_by_ffmpeg(source).unwrap_or(true) {
        return None;
    }
    let path = std::path::Path::new(source);
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().map_or(0, |m| m.len());
    let bytes = crate::load::LoadLimits::default()
        .read_within(file, path, size)
        .ok()?;
    super::animation::animation(&bytes)?.duration_s
}

/// Whether FFmpeg's pixel format `name` carries alpha (`rgba`, `yuva420p`, `gbrap10le`,
/// `ya8`, ...), or a palette that may hold transparent entries (`pal8`, a GIF's).
fn has_alpha(name: &str) -> bool {
    const WITH_ALPHA: [&str; 10] = [
        "rgba", "bgra", "argb", "abgr", "yuva", "gbrap", "ya", "ayuv", "vuya", "pal8",
    ];
    WITH_ALPHA.iter().any(|prefix| name.starts_with(prefix))
}

/// How `ffmpeg` should decode and filter: the filter chain, the size of the frames it
/// yields, and whether to decode key frames only.
#[derive(Debug, Clone)]
pub(crate) struct Decode {
    pub filter: String,
    pub width: u32,
    pub height: u32,
    pub key_frames_only: bool,
    /// Bytes a pixel of the frames: 3 (RGB) or 4 (RGBA, for a video with alpha).
    pub channels: usize,
    /// Decoder threads (0: FFmpeg's choice).
    pub threads: usize,
    /// Where FFmpeg stops, in seconds: a little past the film's length as its header states
    /// it, so that a file whose timestamps run on far past its header cannot keep frames
    /// coming for hours. Both its output (`-t`) and its filters (`trim`, after the others)
    /// stop there: `-t` alone lets the `fps` filter make, and FFmpeg convert and drop, a
    /// duplicate for every step up to a frame hours later.
    pub until_s: f64,
    /// Where FFmpeg starts, in seconds on the file's clock: it seeks to the key frame
    /// before and decodes from there, giving the first frame shown from then on. `until_s`
    /// then counts from here.
    pub start_s: Option<f64>,
    /// At most this many frames are given.
    pub frames: Option<usize>,
}

/// `ffmpeg` running on a source with a [`Decode`], its frames (raw RGB, row by row) read
/// one at a time into one buffer. Dropped before the end, it kills `ffmpeg`; so does its
/// watchdog, once the film's [`Budget`] is spent.
pub(crate) struct Reader {
    source: String,
    /// `None` once `ffmpeg` has been waited for.
    child: Option<Arc<Mutex<Child>>>,
    watchdog: Watchdog,
    budget: Budget,
    stdout: Option<ChildStdout>,
    /// The thread draining stderr; it gives the tail of what `ffmpeg` wrote.
    errors: Option<JoinHandle<String>>,
    /// The last error `ffmpeg` reported in a run that still ended well (damaged frames it
    /// decoded past), once it has ended.
    reported: Option<String>,
    buffer: Vec<u8>,
}

impl Reader {
    /// Starts `ffmpeg` on `source` with `decode`, to be killed once `budget` is spent.
    pub(crate) fn start(source: &str, decode: &Decode, budget: &Budget) -> Result<Self> {
        budget.check(source)?;
        let mut args: Vec<String> = ["-nostdin", "-hide_banner", "-v", "error"]
            .map(String::from)
            .to_vec();
        if decode.threads > 0 {
            args.extend(["-threads".into(), decode.threads.to_string()]);
        }
        if decode.key_frames_only {
            args.extend(["-skip_frame".into(), "nokey".into()]);
        }
        if let Some(start) = decode.start_s {
            args.extend(["-ss".into(), format!("{:.6}", start.max(0.0))]);
        }
        args.extend(input_args(source)?);
        args.extend(
            [
                "-map",
                "0:V:0",
                "-an",
                "-sn",
                "-dn",
                "-fps_mode",
                "passthrough",
                "-vf",
            ]
            .map(String::from),
        );
        args.push(format!("{},trim=end={:.6}", decode.filter, decode.until_s));
        args.extend(["-t".into(), format!("{:.6}", decode.until_s)]);
        if let Some(n) = decode.frames {
            args.extend(["-frames:v".into(), n.to_string()]);
        }
        let pix_fmt = if decode.channels == 4 {
            "rgba"
        } else {
            "rgb24"
        };
        args.extend(["-f", "rawvideo", "-pix_fmt", pix_fmt, "-"].map(String::from));
        let mut child = spawn("ffmpeg", &args)?;
        // Drain stderr on a thread, keeping its tail, so a chatty ffmpeg never blocks.
        let stderr = child.stderr.take();
        let errors = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut s) = stderr {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    text.extend_from_slice(&buf[..n]);
                    if text.len() > 16_384 {
                        text.drain(..text.len() - 8_192);
                    }
                }
            }
            String::from_utf8_lossy(&text).into_owned()
        });
        let stdout = child.stdout.take();
        let child = Arc::new(Mutex::new(child));
        Ok(Self {
            source: source.to_string(),
            stdout,
            watchdog: Watchdog::arm(&child, budget),
            budget: *budget,
            child: Some(child),
            errors: Some(errors),
            reported: None,
            buffer: vec![0u8; decode.width as usize * decode.height as usize * decode.channels],
        })
    }

    /// Reads the next frame into [`Reader::frame`]: `Ok(false)` once `ffmpeg` has ended
    /// well; an error if it failed, if its output broke off (then it is killed), or if the
    /// budget ran out (its watchdog killed it).
    pub(crate) fn read(&mut self) -> Result<bool> {
        let Some(stdout) = self.stdout.as_mut() else {
            return self.end().map(|()| false);
        };
        match read_frame(stdout, &mut self.buffer) {
            Ok(true) => Ok(true),
            Ok(false) => self.end().map(|()| false),
            Err(e) => {
                if self.stop() {
                    return Err(self.budget.exceeded(&self.source));
                }
                Err(Error::Video(format!(
                    "{}: reading ffmpeg's frames: {e}",
                    self.source
                )))
            }
        }
    }

    /// The frame [`Reader::read`] read last.
    pub(crate) fn frame(&self) -> &[u8] {
        &self.buffer
    }

    /// The last error `ffmpeg` reported though it ended well, once [`Reader::read`] has
    /// returned `Ok(false)`.
    pub(crate) fn reported(&self) -> Option<&str> {
        self.reported.as_deref()
    }

    /// Waits for `ffmpeg`, once its output is read: whether it ended well (and in time).
    fn end(&mut self) -> Result<()> {
        self.stdout = None;
        let Some(child) = self.child.take() else {
            return Ok(());
        };
        let fired = self.watchdog.disarm();
        let status = lock(&child).wait();
        let stderr = self
            .errors
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        if fired {
            return Err(self.budget.exceeded(&self.source));
        }
        match status {
            Ok(s) if s.success() => {
                if !stderr.trim().is_empty() {
                    self.reported = Some(without_prefix(&last_line(&stderr), &self.source));
                }
                Ok(())
            }
            Ok(_) => Err(Error::Video(format!(
                "not a readable video: {}: {}",
                self.source,
                without_prefix(&last_line(&stderr), &self.source)
            ))),
            Err(e) => Err(Error::Video(format!("{}: ffmpeg: {e}", self.source))),
        }
    }

    /// Kills `ffmpeg`, whose frames are no longer wanted, and waits for it: whether its
    /// watchdog had killed it already, the budget spent.
    fn stop(&mut self) -> bool {
        self.stdout = None;
        let fired = self.watchdog.disarm();
        if let Some(child) = self.child.take() {
            let mut child = lock(&child);
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(errors) = self.errors.take() {
            let _ = errors.join();
        }
        fired
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Fills `buffer` with the next frame: `Ok(false)` at the end of the stream (a frame cut
/// short is an error).
fn read_frame(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => {
                return Err(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "the last frame is cut short",
                ))
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// `ffmpeg`'s `select` filter keeping one frame every `step` seconds at most.
pub(crate) fn select_every(step: f64) -> String {
    format!("select='isnan(prev_selected_t)+gte(t-prev_selected_t,{step:.6})'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_formats_with_alpha_are_known() {
        for name in [
            "rgba",
            "bgra",
            "yuva420p",
            "gbrap10le",
            "ya8",
            "pal8",
            "argb",
        ] {
            assert!(has_alpha(name), "{name}");
        }
        for name in ["rgb24", "yuv420p", "yuv444p10le", "gbrp", "gray", "nv12"] {
            assert!(!has_alpha(name), "{name}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_reader_past_its_budget_kills_ffmpeg_and_says_so() {
        if Command::new("ffmpeg").arg("-version").output().is_err() {
            return; // FFmpeg is not installed: the integration tests say so.
        }
        // A named pipe no one writes to: `ffmpeg` waits on it for ever, and gives nothing.
        let dir = std::env::temp_dir().join(format!("cp-reader-budget-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let stalled = dir.join("stalled.mkv");
        let _ = std::fs::remove_file(&stalled);
        assert!(Command::new("mkfifo")
            .arg(&stalled)
            .status()
            .unwrap()
            .success());
        let decode = Decode {
            filter: "null".into(),
            width: 2,
            height: 2,
            key_frames_only: false,
            channels: 3,
            threads: 1,
            until_s: 1.0,
            start_s: None,
            frames: None,
        };
        let start = std::time::Instant::now();
        let mut reader =
            Reader::start(stalled.to_str().unwrap(), &decode, &Budget::start(0.5)).unwrap();
        let err = reader.read().unwrap_err().to_string();
        assert!(
            err.ends_with("stalled.mkv: took longer than the time limit of 0.5 s"),
            "{err}"
        );
        assert!(start.elapsed().as_secs_f64() < 5.0, "{:?}", start.elapsed());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hdr_transfers_are_known() {
        assert_eq!(hdr_transfer("smpte2084"), Some("PQ, SMPTE ST 2084"));
        assert_eq!(hdr_transfer("arib-std-b67"), Some("HLG, ARIB STD-B67"));
        for sdr in ["bt709", "bt2020-10", "smpte170m", "iec61966-2-1", "unknown"] {
            assert_eq!(hdr_transfer(sdr), None, "{sdr}");
        }
    }

    #[test]
    fn quarter_turns_swap_the_frame_size() {
        let turned = |json: &str| quarter_turn(&serde_json::from_str(json).unwrap());
        assert!(turned(r#"{"side_data_list": [{"rotation": 90}]}"#));
        assert!(turned(r#"{"side_data_list": [{"rotation": -90}]}"#));
        assert!(turned(r#"{"side_data_list": [{"rotation": 270}]}"#));
        assert!(turned(r#"{"tags": {"rotate": "90"}}"#));
        assert!(!turned(r#"{"side_data_list": [{"rotation": 180}]}"#));
        assert!(!turned(r#"{"side_data_list": [{"rotation": 0}]}"#));
        assert!(!turned(r#"{"tags": {}}"#));
    }

    #[test]
    fn frames_are_read_whole_or_refused() {
        let mut buffer = [0u8; 4];
        let mut whole: &[u8] = &[1, 2, 3, 4];
        assert!(read_frame(&mut whole, &mut buffer).unwrap());
        assert!(!read_frame(&mut whole, &mut buffer).unwrap());
        let mut short: &[u8] = &[1, 2];
        assert!(read_frame(&mut short, &mut buffer).is_err());
        assert_eq!(last_line("a\nlast one\n\n"), "last one");
        assert_eq!(
            last_line("[ffv1 @ 0x55bf0c1d2e40] read_quant_table error\n"),
            "ffv1: read_quant_table error"
        );
        assert_eq!(last_line("[not context] x"), "[not context] x");
        assert!(fetched_by_ffmpeg("https://example.com/f.mp4").unwrap());
        assert!(!fetched_by_ffmpeg("f.mp4").unwrap());
        assert!(fetched_by_ffmpeg("ftp://example.com/f.mp4").is_err());
    }
}
