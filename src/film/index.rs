//! A video's frame index: when each frame is shown and which are key frames, read from its
//! packets by `ffprobe` (the container's index: nothing is decoded). It lets a skim pick
//! the key frames and seek to samples, and gives cuts as frame numbers.

use std::io::{BufRead, BufReader};

use super::budget::Budget;
use super::video::{input_args, last_line, read_within, spawn, without_prefix};
use crate::error::{Error, Result};

/// The most frames an index holds (about 18 hours at 60 frames a second): 8 bytes each.
/// A longer film is read densely, without an index.
pub const MAX_INDEXED_FRAMES: usize = 4_000_000;

/// When each frame of a video is shown, in seconds from its first frame, in order, and
/// which of them are key frames.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FrameIndex {
    times: Vec<f64>,
    /// Indices into `times` of the key frames, in order.
    keys: Vec<usize>,
    /// The first frame's time on the file's clock, from the file's start (what `-ss` seeks
    /// from).
    offset_s: f64,
}

impl FrameIndex {
    /// The index of the first video stream of `source`, within `budget`; `None` when its
    /// packets do not all carry a time (a raw H.264 stream), it has none, or it has more
    /// than [`MAX_INDEXED_FRAMES`].
    pub(crate) fn probe(source: &str, budget: &Budget) -> Result<Option<FrameIndex>> {
        budget.check(source)?;
        let mut args: Vec<String> = [
            "-v",
            "error",
            "-select_streams",
            "V:0",
            "-show_entries",
            "packet=pts_time,flags:format=start_time",
            "-of",
            "csv=p=0",
        ]
        .map(String::from)
        .to_vec();
        args.extend(input_args(source)?);
        let (parsed, status, stderr) =
            read_within(spawn("ffprobe", &args)?, source, budget, |out| {
                Some(parse(BufReader::new(out)))
            })?;
        // A film too long to index stops the reading: ffprobe then fails on its next write.
        if !status.success() && !matches!(parsed, Some(Parsed::TooLong)) {
            return Err(Error::Video(format!(
                "not a readable video: {source}: {}",
                without_prefix(&last_line(&String::from_utf8_lossy(&stderr)), source)
            )));
        }
        Ok(match parsed {
            Some(Parsed::Index(index)) => Some(index),
            _ => None,
        })
    }

    /// An index of frames shown at `times` (seconds on the file's clock, in any order),
    /// those at positions `keys` of that list being key frames.
    fn new(mut packets: Vec<(f64, bool)>, start_s: f64) -> Option<FrameIndex> {
        packets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let first = packets.first()?.0;
        let times = packets.iter().map(|p| p.0 - first).collect();
        let keys = (0..packets.len()).filter(|&i| packets[i].1).collect();
        Some(FrameIndex {
            times,
            keys,
            offset_s: (first - start_s).max(0.0),
        })
    }

    /// How many frames the video has.
    pub(crate) fn frames(&self) -> usize {
        self.times.len()
    }

    /// How many of them are key frames.
    pub(crate) fn key_frames(&self) -> usize {
        self.keys.len()
    }

    /// When frame `n` is shown.
    pub(crate) fn time(&self, n: usize) -> f64 {
        self.times[n.min(self.times.len() - 1)]
    }

    /// The key frames' times, in order.
    pub(crate) fn key_times(&self) -> impl Iterator<Item = f64> + '_ {
        self.keys.iter().map(|&i| self.times[i])
    }

    /// The frame shown at `t` seconds: the last that starts at or before it (within a
    /// microsecond).
    pub(crate) fn frame_at(&self, t: f64) -> usize {
        self.times
            .partition_point(|&s| s <= t + 1e-6)
            .saturating_sub(1)
    }

    /// `t` seconds from the first frame, on the clock `-ss` seeks by.
    pub(crate) fn seek_time(&self, t: f64) -> f64 {
        t + self.offset_s
    }
}

/// What `ffprobe`'s packet list gave.
enum Parsed {
    Index(FrameIndex),
    /// Some packet had no time: no index.
    Untimed,
    /// Over [`MAX_INDEXED_FRAMES`].
    TooLong,
}

/// Reads `ffprobe -of csv=p=0`'s lines: `pts_time,flags` for each packet (`K` in the flags
/// for a key frame, `D` for one to discard), then the format's `start_time`.
fn parse(lines: impl BufRead) -> Parsed {
    let mut packets = Vec::new();
    let mut start_s = 0.0;
    for line in lines.lines() {
        let Ok(line) = line else {
            return Parsed::Untimed;
        };
        let line = line.trim();
        match line.split_once(',') {
            Some((time, flags)) => {
                if flags.contains('D') {
                    continue;
                }
                let Some(t) = time.parse::<f64>().ok().filter(|t| t.is_finite()) else {
                    return Parsed::Untimed;
                };
                if packets.len() == MAX_INDEXED_FRAMES {
                    return Parsed::TooLong;
                }
                packets.push((t, flags.contains('K')));
            }
            None if !line.is_empty() => {
                start_s = line
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite())
                    .unwrap_or(0.0);
            }
            None => {}
        }
    }
    match FrameIndex::new(packets, start_s) {
        Some(index) => Parsed::Index(index),
        None => Parsed::Untimed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(text: &str) -> Option<FrameIndex> {
        match parse(text.as_bytes()) {
            Parsed::Index(index) => Some(index),
            _ => None,
        }
    }

    #[test]
    fn packets_give_frames_in_display_order_and_their_key_frames() {
        // B-frames come out of display order; the first frame starts late on the file's clock.
        let index = index_of("0.5,K_\n0.6,__\n0.55,__\n0.7,K_\n0.65,_D\n0.4\n").unwrap();
        assert_eq!(index.frames(), 4);
        assert_eq!(index.key_frames(), 2);
        let times: Vec<f64> = (0..4).map(|n| (index.time(n) * 100.0).round()).collect();
        assert_eq!(times, [0.0, 5.0, 10.0, 20.0]);
        assert_eq!(index.key_times().count(), 2);
        assert_eq!(index.frame_at(0.07), 1);
        assert_eq!(index.frame_at(0.05), 1);
        assert!((index.seek_time(0.0) - 0.1).abs() < 1e-9);
    }

    #[test]
    fn untimed_packets_give_no_index() {
        assert!(index_of("N/A,K_\nN/A,__\n").is_none());
        assert!(index_of("").is_none());
        assert!(index_of("0.0\n").is_none());
    }
}
