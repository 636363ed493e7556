//! The one analysis loop: frames from any [`FrameSource`] (a video's, or stills taken as
//! frames), one at a time and never kept, each pooled into time-weighted cells, compared
//! with the previous one for cuts, and reduced to a barcode column; the palettes once the
//! last is in.

use crate::error::{Error, Result};
use crate::letterbox::Crop;
use crate::palette::Palette;
use crate::pipeline::ValidOptions;

use super::barcode::{Barcode, Column};
use super::budget::Budget;
use super::frame::Frame;
use super::options::ValidFilmOptions;
use super::output::{Film, Scene};
use super::pool::TimeCells;
use super::sampling::SampleMode;
use super::scenes::{CutDetector, Signature};

/// A film's frames in order, each with the time it starts and the seconds it stands for.
///
/// A lending iterator (each frame borrows the source's buffer until the next is asked
/// for), so a source keeps one frame in memory at a time.
pub(crate) trait FrameSource {
    /// The next frame, the time it starts and the seconds it stands for; `None` after the
    /// last (a source that failed part way says so here, not with `None`).
    fn next_frame(&mut self) -> Result<Option<(Frame<'_>, f64, f64)>>;

    /// What was read, as the film's JSON names it.
    fn source(&self) -> &str;

    /// The film's length in seconds: once every frame is read, the length its frames
    /// stand for.
    fn duration_s(&self) -> f64;

    /// What went wrong without stopping the reading (a film shorter than its header says),
    /// once every frame is read; one sentence each.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    /// The picture inside the bars cut away from every frame, in the source's pixels.
    fn crop(&self) -> Option<Crop>;

    /// How the frames were read (stills: each one, as densely as can be).
    fn sampling(&self) -> SampleMode {
        SampleMode::Dense
    }

    /// The number of the frame shown at `t` seconds (0 for the first; at the film's end,
    /// the number of frames), where the source knows it.
    fn frame_number(&self, _t: f64) -> Option<usize> {
        None
    }

    /// The cut between the frames sampled at `before` and `after` seconds, to the frame:
    /// when the new scene's first frame is shown, and its number, from the frames between
    /// (the pair of consecutive frames that differ most); `None` where the source cannot
    /// look between its samples (stills have nothing between them).
    fn locate_cut(&mut self, _before: f64, _after: f64) -> Result<Option<(f64, usize)>> {
        Ok(None)
    }
}

/// Reads every frame of `frames` into the analysis, then makes the film's palettes; an
/// error once `budget` is spent.
pub(crate) fn analyse(
    frames: &mut impl FrameSource,
    options: &ValidFilmOptions,
    budget: &Budget,
) -> Result<Film> {
    let mut analysis = Analysis::new(options);
    while let Some((frame, t, seconds)) = frames.next_frame()? {
        analysis.add(&frame, t, seconds)?;
        budget.check(frames.source())?;
    }
    let sampled_before = std::mem::take(&mut analysis.sampled_before);
    let mut film = analysis.finish(
        frames.source().to_string(),
        frames.duration_s(),
        frames.crop(),
    )?;
    if let Some(scenes) = &mut film.scenes {
        locate_cuts(frames, scenes, &sampled_before, budget)?;
    }
    film.sampling = frames.sampling();
    film.warnings = frames.warnings();
    Ok(film)
}

/// Moves each cut between `scenes` to its exact frame (where `frames` can look between its
/// samples), and numbers every scene's first and last frame. `before[i]` is when the frame
/// sampled before the cut that starts scene `i + 1` is shown.
fn locate_cuts(
    frames: &mut impl FrameSource,
    scenes: &mut [Scene],
    before: &[f64],
    budget: &Budget,
) -> Result<()> {
    for (i, &sampled_before) in before.iter().enumerate() {
        let after = scenes[i + 1].start_s;
        let exact = frames.locate_cut(sampled_before, after)?;
        budget.check(frames.source())?;
        let (t, n) = match exact {
            Some(found) => (found.0, Some(found.1)),
            None => (after, frames.frame_number(after)),
        };
        scenes[i].end_s = t;
        scenes[i + 1].start_s = t;
        scenes[i + 1].start_frame = n;
    }
    if let Some(first) = scenes.first_mut() {
        first.start_frame = frames.frame_number(first.start_s);
    }
    let count = scenes.len();
    for i in 0..count {
        scenes[i].end_frame = match scenes.get(i + 1) {
            Some(next) => next.start_frame,
            None => frames.frame_number(scenes[i].end_s),
        };
    }
    Ok(())
}

/// The work on sampled frames, one at a time: pooling, cuts, barcode columns.
struct Analysis {
    options: ValidOptions,
    film: TimeCells,
    /// With scenes: the current scene's cells, the detector, and where the scene started.
    scene: Option<(TimeCells, CutDetector)>,
    scene_start: f64,
    /// For each cut so far, when the frame sampled before it is shown.
    sampled_before: Vec<f64>,
    scenes: Vec<Scene>,
    barcode: Option<Barcode>,
    frames: usize,
    /// When the last frame added is shown.
    last_t: f64,
}

impl Analysis {
    fn new(options: &ValidFilmOptions) -> Self {
        Self {
            options: *options.palette(),
            film: TimeCells::new(),
            scene: options.scenes().then(|| {
                (
                    TimeCells::new(),
                    CutDetector::new(options.cut_threshold(), options.min_scene_s()),
                )
            }),
            scene_start: 0.0,
            sampled_before: Vec::new(),
            scenes: Vec::new(),
            barcode: options.barcode().map(Barcode::new),
            frames: 0,
            last_t: 0.0,
        }
    }

    /// Adds the frame shown from `t` for `seconds`.
    fn add(&mut self, frame: &Frame<'_>, t: f64, seconds: f64) -> Result<()> {
        let brightness = self.options.options().brightness;
        if let Some(barcode) = &mut self.barcode {
            let column = Column::of(frame, barcode.style, &self.options)?;
            barcode.columns.push((t, seconds, column));
        }
        let cut = match &mut self.scene {
            Some((_, detector)) => detector.is_cut(t, Signature::of(frame)),
            None => false,
        };
        if cut {
            self.sampled_before.push(self.last_t);
            self.close_scene(t)?;
        }
        match &mut self.scene {
            Some((cells, _)) => cells.add(frame, brightness, seconds),
            None => self.film.add(frame, brightness, seconds),
        }
        self.frames += 1;
        self.last_t = t;
        Ok(())
    }

    /// Ends the current scene at `end`: its palette, then its cells join the film's.
    fn close_scene(&mut self, end: f64) -> Result<()> {
        let Some((cells, _)) = &mut self.scene else {
            return Ok(());
        };
        let o = self.options.options();
        let palette = if cells.is_empty() {
            Palette::from_weights(o.k, o.method, o.space, [])
        } else {
            cells.palette(&self.options)?
        };
        cells.drain_into(&mut self.film);
        self.scenes.push(Scene {
            start_s: self.scene_start,
            end_s: end,
            start_frame: None,
            end_frame: None,
            palette,
        });
        self.scene_start = end;
        Ok(())
    }

    /// The film's palettes, once every frame is in.
    fn finish(mut self, source: String, duration_s: f64, crop: Option<Crop>) -> Result<Film> {
        if self.frames == 0 {
            return Err(Error::Video(format!(
                "{source} gave no frames (zero length)"
            )));
        }
        self.close_scene(duration_s)?;
        let palette = self.film.palette(&self.options)?;
        if let Some(barcode) = &mut self.barcode {
            barcode.duration_s = duration_s;
        }
        Ok(Film {
            source,
            duration_s,
            frames_sampled: self.frames,
            crop,
            palette,
            scenes: self.scene.is_some().then_some(self.scenes),
            barcode: self.barcode,
            sampling: SampleMode::Dense,
            warnings: Vec::new(),
        })
    }
}
