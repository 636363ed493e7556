//! What a film gives: [`Film`], its [`Scene`]s, and its JSON.

use serde_json::Value;

use crate::letterbox::Crop;
use crate::palette::Palette;

use super::barcode::Barcode;
use super::sampling::SampleMode;

/// One scene: where it starts and ends, in seconds, and its palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Start, in seconds from the start of the film.
    pub start_s: f64,
    /// End, in seconds: the next scene's start, or the film's end.
    pub end_s: f64,
    /// The number of its first frame (0 for the film's first), where known: a video whose
    /// frames carry times, or stills (one frame each).
    pub start_frame: Option<usize>,
    /// The number of the frame after its last (the next scene's first; at the end, the
    /// film's frame count), where known.
    pub end_frame: Option<usize>,
    /// The palette of the scene's sampled frames (no colours if the brightness filter left
    /// none of its pixels).
    pub palette: Palette,
}

/// A film's palettes.
#[derive(Debug, Clone, PartialEq)]
pub struct Film {
    /// What was read: the video, or the folder or first still.
    pub source: String,
    /// Length in seconds (a still counts one second).
    pub duration_s: f64,
    /// Frames sampled (stills read).
    pub frames_sampled: usize,
    /// The picture inside the bars that were cut away, in the source's pixels; `None` when
    /// nothing was cut (no bars, bars kept, or stills of different sizes, each cut alone).
    pub crop: Option<Crop>,
    /// The palette of the whole film, each frame weighted by the time it stands for.
    pub palette: Palette,
    /// The scenes, when asked for.
    pub scenes: Option<Vec<Scene>>,
    /// The barcode, when asked for.
    pub barcode: Option<Barcode>,
    /// How the frames were read: `dense` (every frame decoded; stills), `keys` (key frames
    /// only) or `seek` (a seek to each sample).
    pub sampling: SampleMode,
    /// What went wrong without stopping the reading, one sentence each (a truncated film:
    /// its frames end before its header says, and `duration_s` is where they end).
    pub warnings: Vec<String>,
}

/// Seconds rounded to the millisecond, for the JSON.
fn ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

impl Film {
    /// The scene boundaries (the starts of every scene but the first), in seconds.
    #[must_use]
    pub fn cuts(&self) -> Vec<f64> {
        self.scenes
            .iter()
            .flatten()
            .skip(1)
            .map(|s| s.start_s)
            .collect()
    }

    /// The film as JSON, keys in the documented order: source, duration, frames sampled,
    /// sampling, crop, palette (as `extract` prints it), with scenes the scenes with their palettes,
    /// and `warnings` when there are any.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = format!(
            r#"{{"source":{},"duration_s":{},"frames_sampled":{},"sampling":"{}","crop":{},"palette":{}"#,
            json_text(&self.source),
            ms(self.duration_s),
            self.frames_sampled,
            self.sampling.name(),
            json_text(&self.crop),
            self.palette.to_json()
        );
        if let Some(scenes) = &self.scenes {
            let scenes: Vec<String> = scenes
                .iter()
                .map(|s| {
                    format!(
                        r#"{{"start_s":{},"end_s":{},"start_frame":{},"end_frame":{},"palette":{}}}"#,
                        ms(s.start_s),
                        ms(s.end_s),
                        json_text(&s.start_frame),
                        json_text(&s.end_frame),
                        s.palette.to_json()
                    )
                })
                .collect();
            out.push_str(&format!(r#","scenes":[{}]"#, scenes.join(",")));
        }
        // Only when there are any: a sound film's JSON is as it always was.
        if !self.warnings.is_empty() {
            out.push_str(&format!(r#","warnings":{}"#, json_text(&self.warnings)));
        }
        out.push('}');
        out
    }

    /// [`Film::to_json`] as a JSON value.
    #[must_use]
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.to_json()).unwrap_or(Value::Null)
    }
}

/// A field of [`Film::to_json`] as JSON text.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
