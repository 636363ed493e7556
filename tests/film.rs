//! `color-palettes film` and `films` end to end, on films made here with the real FFmpeg
//! from the sample stills and from flat colours, so every cut, bar and share has an exact
//! ground truth; and on the Big Buck Bunny clip, one shot.
#![cfg(feature = "cli")]

mod common;

use common::ffmpeg;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use color_palettes::letterbox::{find_bars, Crop};
use color_palettes::space::lab64;
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use palette::color_difference::Ciede2000;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_color-palettes");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary starts")
}

fn json_of(out: &Output) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "film failed: {err}");
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A failure is one clear line on stderr, exit status 1, no panic.
#[track_caller]
fn assert_clean_failure(out: &Output, expected: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    for word in expected {
        assert!(err.contains(word), "{err:?} should say {word:?}");
    }
    assert!(out.stdout.is_empty());
}

fn temp_dir(name: &str) -> PathBuf {
    common::temp_dir("film", name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The picture of the test films and their bars: a 320x180 picture at (8, 24) in a
/// 336x244 frame (bars: 24 top, 40 bottom, 8 left and right).
const PICTURE: Crop = Crop {
    x: 8,
    y: 24,
    width: 320,
    height: 180,
};
const FRAME: (u32, u32) = (336, 244);

fn pad() -> String {
    format!(
        "pad={}:{}:{}:{}:black,setsar=1,format=yuv420p",
        FRAME.0, FRAME.1, PICTURE.x, PICTURE.y
    )
}

/// Encodes H.264 at 25 fps, one key frame a second, from `inputs` and a filter graph whose
/// output is `[out]`.
fn encode(inputs: Vec<String>, graph: String, path: &Path) {
    let mut args = inputs;
    args.extend(
        [
            "-filter_complex",
            &graph,
            "-map",
            "[out]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "16",
            "-g",
            "25",
            "-r",
            "25",
            s(path),
        ]
        .map(String::from),
    );
    ffmpeg(&args);
}

/// The palette of the sample still `name` with `options`, as (colour, share) pairs.
fn still_palette(name: &str, options: PaletteOptions) -> Vec<([u8; 3], f64)> {
    let still = Still::open(common::still_path(name)).unwrap();
    options
        .extract(&still)
        .unwrap()
        .colors
        .iter()
        .map(|c| (c.rgb, c.proportion))
        .collect()
}

/// Every order of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// The mean CIEDE2000 between two palettes' swatches matched one to one (the best
/// matching), every swatch counting the same: how far a palette moved (bench/steadiness.py).
fn moved_de00(a: &[([u8; 3], f64)], b: &[([u8; 3], f64)]) -> f64 {
    assert_eq!(a.len(), b.len());
    permutations(a.len())
        .into_iter()
        .map(|perm| {
            let sum: f64 = perm
                .iter()
                .enumerate()
                .map(|(i, &j)| de00(a[i].0, b[j].0))
                .sum();
            sum / a.len() as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// A film of sample stills, each held `seconds` with a slow zoom, letterboxed and
/// pillarboxed by known bars, with hard cuts between them.
fn film_of_stills(stills: &[(&str, f64)], path: &Path) {
    let mut inputs = Vec::new();
    let mut graph = String::new();
    for (i, (name, seconds)) in stills.iter().enumerate() {
        let still = common::still_path(name);
        inputs.extend(
            [
                "-loop",
                "1",
                "-framerate",
                "25",
                "-t",
                &seconds.to_string(),
                "-i",
                s(&still),
            ]
            .map(String::from),
        );
        graph.push_str(&format!(
            "[{i}:v]scale=640:360:force_original_aspect_ratio=increase,crop=640:360,\
             zoompan=z='1+0.002*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=320x180:fps=25,{}[v{i}];",
            pad()
        ));
    }
    for i in 0..stills.len() {
        graph.push_str(&format!("[v{i}]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0[out]", stills.len()));
    encode(inputs, graph, path);
}

/// A film of flat colours, each held `seconds`, in the same bars.
fn film_of_colours(colours: &[(&str, f64)], path: &Path) {
    let mut inputs = Vec::new();
    let mut graph = String::new();
    for (i, (colour, seconds)) in colours.iter().enumerate() {
        inputs.extend(
            [
                "-f",
                "lavfi",
                "-i",
                &format!("color=c={colour}:s=320x180:r=25:d={seconds}"),
            ]
            .map(String::from),
        );
        graph.push_str(&format!("[{i}:v]{}[v{i}];", pad()));
    }
    for i in 0..colours.len() {
        graph.push_str(&format!("[v{i}]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0[out]", colours.len()));
    encode(inputs, graph, path);
}

fn crop_of(json: &Value) -> Option<Crop> {
    let c = &json["crop"];
    c.is_object().then(|| Crop {
        x: c["x"].as_u64().unwrap() as u32,
        y: c["y"].as_u64().unwrap() as u32,
        width: c["width"].as_u64().unwrap() as u32,
        height: c["height"].as_u64().unwrap() as u32,
    })
}

#[track_caller]
fn assert_bars_within_2px(crop: Crop, truth: Crop) {
    let edges = |c: Crop| [c.x, c.y, c.x + c.width, c.y + c.height];
    for (found, want) in edges(crop).into_iter().zip(edges(truth)) {
        assert!(found.abs_diff(want) <= 2, "bars {crop:?}, truth {truth:?}");
    }
}

fn swatches(palette: &Value) -> Vec<([u8; 3], f64)> {
    palette["colors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rgb = c["rgb"].as_array().unwrap();
            (
                [0, 1, 2].map(|i| rgb[i].as_u64().unwrap() as u8),
                c["proportion"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn de00(a: [u8; 3], b: [u8; 3]) -> f64 {
    lab64(a).difference(lab64(b))
}

/// The share-weighted CIEDE2000 between two palettes after the best one-to-one matching
/// of their colours (every permutation: palettes here have at most 5 colours).
fn matched_de00(a: &[([u8; 3], f64)], b: &[([u8; 3], f64)]) -> f64 {
    assert_eq!(a.len(), b.len());
    permutations(a.len())
        .into_iter()
        .map(|perm| {
            perm.iter()
                .enumerate()
                .map(|(i, &j)| de00(a[i].0, b[j].0) * (a[i].1 + b[j].1) / 2.0)
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
}

const STILLS: [(&str, f64); 5] = [
    ("El_Fuente", 2.0),
    ("Sintel_0016", 3.0),
    ("Chimera", 1.5),
    ("Meridian", 2.5),
    ("Sparks", 3.0),
];
const STEP: f64 = 0.25;

#[test]
fn cuts_bars_and_scene_palettes_match_the_film_they_were_built_from() {
    if common::skipped("samples", "cuts_bars_and_scene_palettes") {
        return;
    }
    let dir = temp_dir("stills-film");
    let film = dir.join("five.mp4");
    film_of_stills(&STILLS, &film);
    let out = run(&[
        "film",
        s(&film),
        "--every",
        "0.25",
        "--scenes",
        "-k",
        "4",
        // The threshold below was set for k-means in RGB: pinned, so that a change of the
        // default method does not move it.
        "--method",
        "kmeans",
        "--space",
        "rgb",
        "--barcode",
        s(&dir.join("barcode.png")),
    ]);
    let json = json_of(&out);
    let duration = json["duration_s"].as_f64().unwrap();
    assert!((duration - 12.0).abs() < 0.1, "{duration}");
    // A frame every step, the last one standing for what is left.
    assert_eq!(
        json["frames_sampled"].as_f64(),
        Some((duration / STEP).ceil())
    );
    assert_bars_within_2px(crop_of(&json).expect("bars found"), PICTURE);
    // Every cut within one sampling step, and no other.
    let scenes = json["scenes"].as_array().unwrap();
    let starts: Vec<f64> = scenes
        .iter()
        .map(|s| s["start_s"].as_f64().unwrap())
        .collect();
    let mut truth = vec![0.0];
    for (_, seconds) in &STILLS[..STILLS.len() - 1] {
        truth.push(truth.last().unwrap() + seconds);
    }
    assert_eq!(
        starts.len(),
        truth.len(),
        "scenes start at {starts:?}, cuts at {truth:?}"
    );
    for (found, cut) in starts.iter().zip(&truth) {
        assert!(
            (found - cut).abs() <= STEP,
            "scenes start at {starts:?}, cuts at {truth:?}"
        );
    }
    assert_eq!(scenes.last().unwrap()["end_s"].as_f64(), Some(duration));
    // Each scene's palette is its own still's, and nearer to it than to any other still's.
    let options = PaletteOptions::new()
        .k(4)
        .method(Method::Kmeans)
        .space(ColorSpace::Rgb);
    let own: Vec<Vec<([u8; 3], f64)>> = STILLS
        .iter()
        .map(|(name, _)| still_palette(name, options))
        .collect();
    for (i, scene) in scenes.iter().enumerate() {
        let found = swatches(&scene["palette"]);
        let distances: Vec<f64> = own.iter().map(|p| matched_de00(&found, p)).collect();
        assert!(
            distances[i] < 6.0,
            "scene {i} ({}): {distances:?}",
            STILLS[i].0
        );
        let nearest = (0..own.len())
            .min_by(|&a, &b| distances[a].total_cmp(&distances[b]))
            .unwrap();
        assert_eq!(nearest, i, "scene {i}: {distances:?}");
    }
    let barcode = image::open(dir.join("barcode.png")).unwrap().to_rgb8();
    assert!(barcode.width() >= 1000);
}

/// The default palette holds still (issue 20): each scene of a film of sample stills (scaled
/// down, zoomed slowly, encoded, in bars) gets nearly the palette of its still itself.
#[test]
fn the_default_palette_of_each_scene_is_its_stills_own() {
    if common::skipped("samples", "the_default_palette_of_each_scene") {
        return;
    }
    let dir = temp_dir("stills-film-default");
    let film = dir.join("five.mp4");
    film_of_stills(&STILLS, &film);
    let json = json_of(&run(&["film", s(&film), "--every", "0.25", "--scenes"]));
    let scenes = json["scenes"].as_array().unwrap();
    assert_eq!(scenes.len(), STILLS.len(), "{json}");
    let mut moved = Vec::new();
    for ((name, _), scene) in STILLS.iter().zip(scenes) {
        let own = still_palette(name, PaletteOptions::new());
        moved.push(moved_de00(&swatches(&scene["palette"]), &own));
    }
    // Measured: at most 5.7 (Sparks) for the default; the k-medians from random seeds that
    // was the default before it moved up to 7.6 (Meridian).
    assert!(moved.iter().all(|&d| d < 6.0), "{moved:?}");
}

#[test]
fn the_film_palette_follows_screen_time_and_the_bars_are_cut() {
    let dir = temp_dir("colours");
    let film = dir.join("colours.mp4");
    // Red 3 s, blue 1 s, green 2.2 s: sampled every second, the last frame stands for 0.2 s.
    film_of_colours(
        &[("0xC83232", 3.0), ("0x3232C8", 1.0), ("0x32A050", 2.2)],
        &film,
    );
    let json = json_of(&run(&["film", s(&film), "-k", "3", "--every", "1"]));
    assert_eq!(json["frames_sampled"].as_u64(), Some(7));
    assert_bars_within_2px(crop_of(&json).expect("bars found"), PICTURE);
    let found = swatches(&json["palette"]);
    let want = [
        ([200, 50, 50], 3.0 / 6.2),
        ([50, 160, 80], 2.2 / 6.2),
        ([50, 50, 200], 1.0 / 6.2),
    ];
    assert_eq!(found.len(), 3, "{found:?}");
    for ((rgb, share), (want_rgb, want_share)) in found.iter().zip(want) {
        assert!(de00(*rgb, want_rgb) < 3.0, "{rgb:?} vs {want_rgb:?}");
        assert!((share - want_share).abs() < 0.01, "{found:?}");
    }
    // Keeping the bars: a black swatch with the bars' share of the frame.
    let kept = json_of(&run(&[
        "film",
        s(&film),
        "-k",
        "4",
        "--every",
        "0.5",
        "--no-crop",
    ]));
    assert!(kept["crop"].is_null());
    let bars = 1.0 - (320.0 * 180.0) / f64::from(FRAME.0 * FRAME.1);
    let black = swatches(&kept["palette"])
        .into_iter()
        .find(|(rgb, _)| rgb.iter().all(|&c| c < 20))
        .expect("a black swatch");
    assert!((black.1 - bars).abs() < 0.01, "{black:?} vs {bars}");
}

#[test]
fn a_film_stored_on_its_side_is_read_upright() {
    // A phone's portrait clip: frames stored on their side, the header saying to turn them
    // a quarter. FFmpeg delivers them upright, so the bars are found where they show.
    let dir = temp_dir("rotated");
    let film = dir.join("stored.mp4");
    film_of_colours(&[("0xC83232", 1.0), ("0x3232C8", 1.0)], &film);
    let upright = json_of(&run(&["film", s(&film), "-k", "2"]));
    for (degrees, turned) in [("90", true), ("-90", true), ("270", true), ("180", false)] {
        let rotated = dir.join(format!("rotated{degrees}.mp4"));
        ffmpeg(
            &[
                "-i",
                s(&film),
                "-c",
                "copy",
                "-metadata:s:v:0",
                &format!("rotate={degrees}"),
                s(&rotated),
            ]
            .map(String::from),
        );
        let json = json_of(&run(&["film", s(&rotated), "-k", "2"]));
        let crop = crop_of(&json).expect("bars found");
        let (w, h) = FRAME;
        // Where the picture shows once the frame is turned: a quarter turn one way or the
        // other (which way a tag means is FFmpeg's business; the shape is the point), or a
        // half turn.
        let clockwise = Crop {
            x: h - PICTURE.y - PICTURE.height,
            y: PICTURE.x,
            width: PICTURE.height,
            height: PICTURE.width,
        };
        let anticlockwise = Crop {
            x: PICTURE.y,
            y: w - PICTURE.x - PICTURE.width,
            width: PICTURE.height,
            height: PICTURE.width,
        };
        let half = Crop {
            x: w - PICTURE.x - PICTURE.width,
            y: h - PICTURE.y - PICTURE.height,
            ..PICTURE
        };
        let close = |truth: Crop| {
            let edges = |c: Crop| [c.x, c.y, c.x + c.width, c.y + c.height];
            edges(crop)
                .into_iter()
                .zip(edges(truth))
                .all(|(a, b)| a.abs_diff(b) <= 2)
        };
        assert_eq!(crop.width < crop.height, turned, "{degrees}: {crop:?}");
        let truths = if turned {
            vec![clockwise, anticlockwise]
        } else {
            vec![half]
        };
        assert!(truths.into_iter().any(close), "{degrees}: bars {crop:?}");
        let found = swatches(&json["palette"]);
        assert!(
            matched_de00(&found, &swatches(&upright["palette"])) < 1.0,
            "{degrees}: {found:?}"
        );
    }
}

#[test]
fn a_film_named_like_an_option_is_read_as_a_file() {
    // `-report` given to FFmpeg as it is would be its option (writing ffprobe-*.log here);
    // it must be the file of that name.
    let dir = temp_dir("named");
    let made = dir.join("made.mp4");
    film_of_colours(&[("0xC83232", 1.0)], &made);
    std::fs::rename(&made, dir.join("-report")).unwrap();
    let out = Command::new(BIN)
        .args(["film", "-k", "2", "--", "-report"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let json = json_of(&out);
    assert_eq!(json["source"], "-report");
    assert_bars_within_2px(crop_of(&json).expect("bars found"), PICTURE);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["-report"], "FFmpeg wrote beside the film");
}

#[test]
fn a_playlist_named_like_a_film_is_refused_and_reads_nothing_else() {
    // A text file named `.mp4` that is an HLS playlist naming another local video by its
    // absolute path: FFmpeg would follow it and the palette would be that video's.
    let dir = temp_dir("playlist");
    let other = dir.join("other.mp4");
    film_of_colours(&[("0xC83232", 2.0)], &other);
    let playlist = dir.join("playlist.mp4");
    std::fs::write(
        &playlist,
        format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{}\n#EXT-X-ENDLIST\n",
            s(&other)
        ),
    )
    .unwrap();
    assert_clean_failure(
        &run(&["film", s(&playlist)]),
        &[
            "not a video file",
            "playlist.mp4 is hls",
            "give the video itself",
        ],
    );
    // The same for `films`: one error line for it, the other film read.
    let lines = temp_dir("playlist-out").join("films.jsonl");
    run(&["films", s(&dir), "--out", s(&lines)]);
    let text = std::fs::read_to_string(&lines).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("playlist.mp4") && l.contains("not a video file")),
        "{text}"
    );
    // Containers people have still open: Matroska, WebM, AVI, MPEG-TS, GIF.
    for name in ["c.mkv", "c.webm", "c.avi", "c.ts", "c.gif"] {
        let path = dir.join(name);
        ffmpeg(&[
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            "color=0x3264C8:s=64x48:d=1".into(),
            s(&path).into(),
        ]);
        let json = json_of(&run(&["film", "-k", "2", s(&path)]));
        assert_eq!(json["source"], s(&path), "{name}");
    }
}

#[test]
fn a_truncated_film_says_so_and_ends_where_its_frames_end() {
    // MP4 with its index first (faststart), cut to 40% of its bytes: the header still says
    // 10 s, the frames stop near 2.6 s.
    let dir = temp_dir("truncated");
    let whole = dir.join("whole.mp4");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=25",
            "-t",
            "10",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            s(&whole),
        ]
        .map(String::from),
    );
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 4 / 10]).unwrap();
    let full = json_of(&run(&["film", "--scenes", s(&whole)]));
    assert!(full.get("warnings").is_none(), "{full}");
    assert_eq!(full["duration_s"], 10.0);
    let out = run(&["film", "--scenes", s(&cut)]);
    let json = json_of(&out);
    let duration = json["duration_s"].as_f64().unwrap();
    assert!(duration > 1.0 && duration < 5.0, "{json}");
    let last_end = json["scenes"].as_array().unwrap().last().unwrap()["end_s"].as_f64();
    assert_eq!(
        last_end,
        Some(duration),
        "the last scene ends with the frames"
    );
    let warnings = json["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("before the 10.0 s its header states")),
        "{warnings:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("warning: ") && err.contains("cut.mp4"),
        "{err}"
    );
}

#[test]
fn transparent_pixels_of_a_video_take_no_part_as_in_a_still() {
    // A PNG-in-MOV film, RGBA: the left half opaque blue, the right half red at alpha 0.
    let dir = temp_dir("alpha");
    let film = dir.join("alpha.mov");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=red@0.0:s=64x48:d=2:r=5,format=rgba",
            "-f",
            "lavfi",
            "-i",
            "color=c=blue:s=32x48:d=2:r=5,format=rgba",
            "-filter_complex",
            "[0][1]overlay=0:0:format=auto,format=rgba",
            "-c:v",
            "png",
            s(&film),
        ]
        .map(String::from),
    );
    let frame = dir.join("frame.png");
    ffmpeg(&["-i", s(&film), "-frames:v", "1", s(&frame)].map(String::from));
    let json = json_of(&run(&["film", "-k", "4", s(&film)]));
    let still: Value =
        serde_json::from_slice(&run(&["extract", "-k", "4", s(&frame)]).stdout).unwrap();
    assert_eq!(json["palette"]["colors"], still["colors"], "{json}");
    assert_eq!(swatches(&json["palette"]), vec![([0, 0, 255], 1.0)]);
}

#[test]
fn an_animated_gif_or_apng_alone_is_read_as_a_film() {
    // 1 s of red, then 3 s of blue: a film with a cut at 1 s, not a still of its first frame.
    let dir = temp_dir("animations");
    for (name, format) in [("anim.gif", "gif"), ("anim.png", "apng")] {
        let path = dir.join(name);
        ffmpeg(
            &[
                "-f",
                "lavfi",
                "-i",
                "color=red:s=64x48:d=1:r=5",
                "-f",
                "lavfi",
                "-i",
                "color=blue:s=64x48:d=3:r=5",
                "-filter_complex",
                "[0][1]concat=n=2:v=1",
                "-f",
                format,
                s(&path),
            ]
            .map(String::from),
        );
        let json = json_of(&run(&["film", "-k", "3", "--scenes", s(&path)]));
        assert_eq!(json["duration_s"], 4.0, "{name}: {json}");
        let scenes = json["scenes"].as_array().unwrap();
        assert_eq!(scenes.len(), 2, "{name}: {json}");
        assert!(
            (scenes[1]["start_s"].as_f64().unwrap() - 1.0).abs() <= 0.05,
            "{name}"
        );
        let share = |rgb: [u8; 3]| -> f64 {
            swatches(&json["palette"])
                .iter()
                .filter(|(c, _)| de00(*c, rgb) < 10.0)
                .map(|(_, p)| p)
                .sum()
        };
        assert!((share([255, 0, 0]) - 0.25).abs() < 0.03, "{name}: {json}");
        assert!((share([0, 0, 255]) - 0.75).abs() < 0.03, "{name}: {json}");
    }
    // A GIF of one frame is still a still.
    let still = dir.join("one.gif");
    image::RgbImage::from_pixel(20, 20, image::Rgb([0, 160, 0]))
        .save(&still)
        .unwrap();
    let json = json_of(&run(&["film", "-k", "2", s(&still)]));
    assert_eq!(
        (json["duration_s"].as_f64(), json["frames_sampled"].as_u64()),
        (Some(1.0), Some(1))
    );
}

#[test]
fn stills_are_the_frames_of_a_film_in_name_order() {
    let dir = temp_dir("frames");
    // Four stills of 120x80 in 12-pixel bars: red, red, blue, red (named out of order).
    let picture = |rgb: [u8; 3]| {
        image::RgbImage::from_fn(120, 104, |_, y| {
            image::Rgb(if (12..92).contains(&y) {
                rgb
            } else {
                [0, 0, 0]
            })
        })
    };
    for (name, rgb) in [
        ("f2.png", [200, 40, 40]),
        ("f1.png", [200, 40, 40]),
        ("f3.png", [40, 40, 200]),
        ("f4.png", [200, 40, 40]),
    ] {
        picture(rgb).save(dir.join(name)).unwrap();
    }
    let outputs = temp_dir("frames-out");
    let barcode = outputs.join("barcode.svg");
    let pattern = format!("{}/f*.png", dir.display());
    for input in [s(&dir), pattern.as_str()] {
        let json = json_of(&run(&[
            "film",
            input,
            "--scenes",
            "-k",
            "2",
            "--barcode",
            s(&barcode),
        ]));
        assert_eq!(json["duration_s"].as_f64(), Some(4.0));
        assert_eq!(json["frames_sampled"].as_u64(), Some(4));
        assert_eq!(
            crop_of(&json),
            Some(Crop {
                x: 0,
                y: 12,
                width: 120,
                height: 80
            })
        );
        assert_eq!(
            swatches(&json["palette"]),
            vec![([200, 40, 40], 0.75), ([40, 40, 200], 0.25)]
        );
        let scenes: Vec<(f64, f64)> = json["scenes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["start_s"].as_f64().unwrap(), s["end_s"].as_f64().unwrap()))
            .collect();
        assert_eq!(scenes, vec![(0.0, 2.0), (2.0, 3.0), (3.0, 4.0)]);
    }
    assert!(std::fs::read_to_string(&barcode)
        .unwrap()
        .starts_with("<svg"));
    // The PNG barcode: red, red, blue, red columns, in time order.
    let png = outputs.join("barcode.png");
    json_of(&run(&["film", s(&dir), "--barcode", s(&png)]));
    let image = image::open(&png).unwrap().to_rgb8();
    let row: Vec<[u8; 3]> = [0.125, 0.375, 0.625, 0.875]
        .iter()
        .map(|f| image.get_pixel(12 + (f * 1000.0) as u32, 140).0)
        .collect();
    assert_eq!(
        row,
        vec![[200, 40, 40], [200, 40, 40], [40, 40, 200], [200, 40, 40]]
    );
    // Stills of different sizes count one second each, whatever their pixels.
    let sizes = temp_dir("sizes");
    image::RgbImage::from_pixel(40, 40, image::Rgb([200, 40, 40]))
        .save(sizes.join("a.png"))
        .unwrap();
    image::RgbImage::from_pixel(80, 80, image::Rgb([40, 40, 200]))
        .save(sizes.join("b.png"))
        .unwrap();
    let json = json_of(&run(&["film", s(&sizes), "-k", "2"]));
    // With no method named, a film gets the same default as a still.
    assert_eq!(json["palette"]["method"], "accent");
    assert_eq!(json["palette"]["space"], "lab");
    let mut found = swatches(&json["palette"]);
    found.sort_by_key(|(rgb, _)| *rgb);
    assert_eq!(found, vec![([40, 40, 200], 0.5), ([200, 40, 40], 0.5)]);
    // hex and gpl print the film's palette.
    let hex = run(&["film", s(&dir), "-k", "2", "--format", "hex"]);
    assert_eq!(String::from_utf8_lossy(&hex.stdout), "#c82828\n#2828c8\n");
    let gpl = run(&["film", s(&dir), "-k", "2", "--format", "gpl"]);
    assert!(String::from_utf8_lossy(&gpl.stdout).starts_with("GIMP Palette"));
    // --png: the barcode with the film's palette strip under it, both colours drawn.
    let figure = outputs.join("figure.png");
    json_of(&run(&["film", s(&dir), "-k", "2", "--png", s(&figure)]));
    let image = image::open(&figure).unwrap().to_rgb8();
    for colour in [[200, 40, 40], [40, 40, 200]] {
        let n = image.pixels().filter(|p| p.0 == colour).count();
        assert!(n > 5_000, "{colour:?}: {n} pixels");
    }
}

#[test]
fn the_one_shot_big_buck_bunny_clip_is_one_scene() {
    if common::skipped("video", "the_one_shot_big_buck_bunny_clip_is_one_scene") {
        return;
    }
    let clip = color_palettes::film::sample_clip().unwrap_or_else(|e| {
        panic!("{e} (`COLOR_PALETTES_SKIP=video` skips this test, on purpose)")
    });
    for every in ["0.04", "0.5"] {
        let json = json_of(&run(&["film", s(&clip), "--scenes", "--every", every]));
        assert!((json["duration_s"].as_f64().unwrap() - 5.28).abs() < 0.01);
        assert!(json["crop"].is_null(), "the clip has no bars");
        let scenes = json["scenes"].as_array().unwrap();
        assert_eq!(scenes.len(), 1, "every {every}: {scenes:?}");
        assert_eq!(scenes[0]["palette"], json["palette"]);
        assert_eq!(swatches(&json["palette"]).len(), 8);
    }
}

#[test]
fn sintel_stills_have_no_bar_and_letterboxed_ones_lose_theirs() {
    if common::skipped("samples", "sintel_stills_have_no_bar") {
        return;
    }
    let dir = temp_dir("sintel");
    for name in ["Sintel_0016", "Sintel_0025"] {
        let path = common::still_path(name);
        let still = Still::open(&path).unwrap();
        // The catalogue once said these carry a bar; their bottom rows are dark scenery.
        assert_eq!(find_bars(&still), None, "{name}");
        // With 40-pixel bars above and below, `extract` cuts them and gives the same palette.
        let rgb = still.rgb();
        let boxed = image::RgbImage::from_fn(rgb.width(), rgb.height() + 80, |x, y| {
            if (40..rgb.height() + 40).contains(&y) {
                *rgb.get_pixel(x, y - 40)
            } else {
                image::Rgb([0, 0, 0])
            }
        });
        let boxed_path = dir.join(format!("{name}-letterboxed.png"));
        boxed.save(&boxed_path).unwrap();
        let plain = run(&["extract", s(&path)]);
        let cropped = run(&["extract", s(&boxed_path)]);
        assert!(plain.status.success() && cropped.status.success());
        assert_eq!(cropped.stdout, plain.stdout, "{name}");
        let kept: Value =
            serde_json::from_slice(&run(&["extract", s(&boxed_path), "--no-crop"]).stdout).unwrap();
        assert!(
            swatches(&kept)
                .iter()
                .any(|(rgb, share)| rgb.iter().all(|&c| c < 12) && *share > 0.1),
            "{name}: --no-crop keeps the bars: {kept}"
        );
    }
}

#[test]
fn bad_inputs_give_one_clear_line() {
    let dir = temp_dir("bad");
    let missing = dir.join("no-such-film.mp4");
    assert_clean_failure(
        &run(&["film", s(&missing)]),
        &["cannot read", "no-such-film.mp4"],
    );
    let text = dir.join("notes.mp4");
    std::fs::write(&text, "not a film").unwrap();
    assert_clean_failure(
        &run(&["film", s(&text)]),
        &["not a readable video", "notes.mp4"],
    );
    // A URL FFmpeg could read but should not be handed (file:, ftp:, ...) is refused.
    assert_clean_failure(
        &run(&["film", "ftp://127.0.0.1/film.mp4"]),
        &["invalid URL", "only http and https are supported"],
    );
    // FFmpeg missing: the same command with an empty PATH says how to install it.
    let out = Command::new(BIN)
        .args(["film", s(&text)])
        .env("PATH", s(&dir))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["ffmpeg is not installed", "apt-get install ffmpeg"]);
    let audio = dir.join("sound.m4a");
    ffmpeg(&["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", s(&audio)].map(String::from));
    assert_clean_failure(
        &run(&["film", s(&audio)]),
        &["no video stream", "sound.m4a"],
    );
    // Cover art is not a video: an MP3 with a picture attached has no video stream.
    let cover = dir.join("cover.mp3");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=d=1",
            "-f",
            "lavfi",
            "-i",
            "color=red:s=64x64:d=0.04",
            "-map",
            "0",
            "-map",
            "1",
            "-c:a",
            "libmp3lame",
            "-c:v",
            "mjpeg",
            "-disposition:v",
            "attached_pic",
            s(&cover),
        ]
        .map(String::from),
    );
    assert_clean_failure(
        &run(&["film", s(&cover)]),
        &["no video stream", "cover.mp3"],
    );
    // One input that is not a file nor a still is taken as a video, and refused as one.
    assert_clean_failure(
        &run(&["film", "/dev/null"]),
        &["not a readable video", "/dev/null"],
    );
    let empty = dir.join("empty.mp4");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=s=64x64:d=1",
            "-frames:v",
            "0",
            "-c:v",
            "libx264",
            s(&empty),
        ]
        .map(String::from),
    );
    assert_clean_failure(&run(&["film", s(&empty)]), &["zero length", "empty.mp4"]);
    // A bad still among good ones is named.
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for name in ["a.png", "c.png"] {
        image::RgbImage::from_pixel(40, 40, image::Rgb([90, 20, 20]))
            .save(frames.join(name))
            .unwrap();
    }
    std::fs::write(frames.join("b.png"), b"\x89PNG\r\n\x1a\n truncated").unwrap();
    assert_clean_failure(
        &run(&["film", s(&frames)]),
        &["not a readable image", "b.png"],
    );
    // Options out of range, refused before any work.
    let good = frames.join("a.png");
    // The library names the option (`frames`); the CLI says it as its flag.
    assert_clean_failure(
        &run(&["film", s(&text), "--frames", "0"]),
        &["invalid option: --frames must be between 1 and 10000 (got 0)"],
    );
    assert_clean_failure(
        &run(&["film", s(&text), "--every", "0"]),
        &["invalid option: --every must be at least 0.001 seconds (got 0)"],
    );
    assert_clean_failure(
        &run(&["film", s(&text), "--cut-threshold", "0"]),
        &["invalid option: --cut-threshold must be positive (got 0)"],
    );
    assert_clean_failure(
        &run(&["film", s(&text), "--min-scene=-1"]),
        &["invalid option: --min-scene must be 0 seconds or more (got -1)"],
    );
    assert_clean_failure(
        &run(&["film", s(&good), "--every", "2"]),
        &["invalid option: --every samples a video only; each still is one frame"],
    );
    assert_clean_failure(
        &run(&["film", s(&good), "-k", "40"]),
        &["k must be between"],
    );
    assert_clean_failure(
        &run(&["film", s(&good), s(&text)]),
        &["notes.mp4 is not a still"],
    );
}

#[test]
fn a_folder_of_films_gives_one_line_each_and_resumes() {
    let dir = temp_dir("folder");
    let films = dir.join("films");
    std::fs::create_dir_all(&films).unwrap();
    film_of_colours(&[("0xC83232", 1.0)], &films.join("a.mp4"));
    film_of_colours(&[("0x3232C8", 1.0)], &films.join("b.mp4"));
    std::fs::write(films.join("c.mp4"), "not a film").unwrap();
    let out = dir.join("palettes.jsonl");
    let first = run(&["films", s(&films), "--out", s(&out), "-k", "2"]);
    // Exit 3: the run went through, and some film has no palette.
    assert_eq!(
        first.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr)
        .contains("2 done, 0 already done (skipped), 1 failed, 0 failed before"));
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(swatches(&lines[0]["palette"])[0].1, 1.0);
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .contains("not a readable video"));
    // Again: the two done are skipped, and the failed one is not read again nor its line
    // repeated (one line per failed film); it still makes the run exit 3.
    let again = run(&["films", s(&films), "--out", s(&out), "-k", "2"]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr)
        .contains("0 done, 2 already done (skipped), 0 failed, 1 failed before"));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
}

/// Runs the binary with `args`, killed after `seconds` (coreutils' `timeout`), so that a
/// film that hangs fails the test instead of holding it: the output and how long it took.
fn run_within(seconds: u32, args: &[&str]) -> (Output, f64) {
    let start = std::time::Instant::now();
    let out = Command::new("timeout")
        .args(["-s", "KILL", &seconds.to_string(), BIN])
        .args(args)
        .output()
        .expect("coreutils' timeout runs the binary");
    let took = start.elapsed().as_secs_f64();
    assert_ne!(
        out.status.code(),
        None,
        "{args:?} still ran after {seconds} s: killed"
    );
    (out, took)
}

/// The processes (FFmpeg's, left running) whose command line names something in `dir`.
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(dir))
        .collect()
}

#[test]
fn a_film_whose_timestamps_run_far_past_its_header_ends_at_its_stated_length() {
    // Issue 23, finding 2: 10 frames of 320x240 whose timestamps run to 180 000 s (20 000 s
    // apart), in a Matroska file of about 12 kB whose Segment Info says it lasts 2 s. Read
    // to its timestamps, FFmpeg's `fps` filter fills each 20 000 s gap with a duplicate
    // every sample (0.02 s here): 9 million frames, about 1 GB/s into the pipe for hours.
    // With `-t` alone it still makes, converts and drops a million of them (minutes).
    let dir = temp_dir("stretched");
    let stretched = dir.join("stretched.mkv");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=5:d=2",
            "-vf",
            "setpts=PTS*100000",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            s(&stretched),
        ]
        .map(String::from),
    );
    let mut bytes = std::fs::read(&stretched).unwrap();
    // The Duration element (ID 0x4489, an 8-byte float in milliseconds, the default
    // TimestampScale), set to 2 s.
    let at: Vec<usize> = bytes
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == [0x44, 0x89, 0x88])
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "one Duration element");
    let value = at[0] + 3..at[0] + 11;
    let stated = f64::from_be_bytes(bytes[value.clone()].try_into().unwrap());
    assert!(stated > 1.7e8, "the timestamps run to {stated} ms");
    bytes[value].copy_from_slice(&2000.0f64.to_be_bytes());
    let film = dir.join("film.mkv");
    std::fs::write(&film, &bytes).unwrap();
    // The film is what its header states: 2 s, sampled every 0.02 s, its first frame.
    let (out, took) = run_within(120, &["film", "-k", "3", s(&film)]);
    let json = json_of(&out);
    assert!(took < 20.0, "took {took:.1} s");
    assert_eq!(json["duration_s"], 2.0, "{json}");
    let sampled = json["frames_sampled"].as_u64().unwrap();
    assert!((95..=105).contains(&sampled), "{json}");
    assert!(!swatches(&json["palette"]).is_empty());
    // And it says so: the frames ran on past the header, and were not read.
    assert!(
        json["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("its frames run on past the 2.0 s its header states")),
        "{json}"
    );
    assert!(processes_in(&dir).is_empty(), "{:?}", processes_in(&dir));
}

#[test]
fn a_film_past_its_time_limit_fails_with_one_line_and_leaves_no_ffmpeg() {
    let dir = temp_dir("time-limit");
    // 8 s of 1080p: decoded whole in well over half a second.
    let big = dir.join("films").join("big.mp4");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=1920x1080:rate=25",
            "-t",
            "8",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            s(&big),
        ]
        .map(String::from),
    );
    let (out, took) = run_within(60, &["film", "--time-limit", "0.5", s(&big)]);
    assert_clean_failure(&out, &["big.mp4: took longer than the time limit of 0.5 s"]);
    assert!(took < 5.0, "took {took:.1} s");
    assert!(processes_in(&dir).is_empty(), "{:?}", processes_in(&dir));
    // Given room, the same film is read.
    let (out, _) = run_within(120, &["film", "--time-limit", "120", s(&big)]);
    assert_eq!(json_of(&out)["duration_s"], 8.0);

    // A probe that hangs: a named pipe no one writes to, which `ffprobe` waits on for ever.
    let stalled = dir.join("stalled.mkv");
    let made = Command::new("mkfifo").arg(&stalled).status().unwrap();
    assert!(made.success());
    let (out, took) = run_within(60, &["film", "--time-limit", "1", s(&stalled)]);
    assert_clean_failure(
        &out,
        &["stalled.mkv: took longer than the time limit of 1 s"],
    );
    assert!(took < 6.0, "took {took:.1} s");
    assert!(processes_in(&dir).is_empty(), "{:?}", processes_in(&dir));

    // In a batch, it is that film's error line, and the batch goes on.
    film_of_colours(&[("0xC83232", 1.0)], &dir.join("films").join("small.mp4"));
    let lines = dir.join("palettes.jsonl");
    let (out, _) = run_within(
        120,
        &[
            "films",
            s(&dir.join("films")),
            "--out",
            s(&lines),
            "--time-limit",
            "0.5",
        ],
    );
    // Exit 3: the batch went through, and one film has no palette.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&lines)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .ends_with("big.mp4: took longer than the time limit of 0.5 s"),
        "{lines:?}"
    );
    assert!(lines[1]["source"].as_str().unwrap().ends_with("small.mp4"));
    assert!(processes_in(&dir).is_empty(), "{:?}", processes_in(&dir));

    let (out, _) = run_within(60, &["film", "--time-limit", "0", s(&big)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "invalid option: --time-limit must be more than 0 and at most 86400 seconds (got 0)"
    ));
}

/// The palette of `film` at `k` colours: its swatches.
fn palette_of(film: &Path, k: &str) -> Vec<([u8; 3], f64)> {
    swatches(&json_of(&run(&["film", s(film), "-k", k]))["palette"])
}

/// Every swatch of `found` over 1% of the film is within `tolerance` (CIEDE2000) of one of
/// `truth`, and each colour of `truth` gets its share of the film within `share_within`.
#[track_caller]
fn assert_palette(
    case: &str,
    found: &[([u8; 3], f64)],
    truth: &[([u8; 3], f64)],
    tolerance: f64,
    share_within: f64,
) {
    let mut shares = vec![0.0; truth.len()];
    for &(rgb, share) in found {
        let (nearest, distance) = truth
            .iter()
            .enumerate()
            .map(|(i, t)| (i, de00(rgb, t.0)))
            .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        assert!(
            share < 0.01 || distance < tolerance,
            "{case}: spurious colour {rgb:?} ({share:.3}, ΔE {distance:.1}) in {found:?}"
        );
        shares[nearest] += share;
    }
    for (t, share) in truth.iter().zip(shares) {
        assert!(
            (share - t.1).abs() <= share_within,
            "{case}: {:?} has {share:.3} of the film, not {:.3}: {found:?}",
            t.0,
            t.1
        );
    }
}

const RED: [u8; 3] = [0xC8, 0x32, 0x32];
const BLUE: [u8; 3] = [0x32, 0x32, 0xC8];

/// A flat-colour lavfi source `colour` of `size` for `seconds` at `rate` fps.
fn flat(colour: [u8; 3], size: &str, seconds: f64, rate: u32) -> Vec<String> {
    let [r, g, b] = colour;
    [
        "-f".to_string(),
        "lavfi".into(),
        "-i".into(),
        format!("color=c=0x{r:02X}{g:02X}{b:02X}:s={size}:r={rate}:d={seconds}"),
    ]
    .to_vec()
}

/// `ffmpeg` with `inputs`, then `rest`.
fn make(inputs: &[Vec<String>], rest: &[&str]) {
    let mut args: Vec<String> = inputs.concat();
    args.extend(rest.iter().map(|a| a.to_string()));
    ffmpeg(&args);
}

/// The frames `ffprobe` counts in the first video stream of `film`.
fn frames_in(film: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "V:0",
            "-count_frames",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            s(film),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn a_variable_frame_rate_film_is_shared_by_screen_time_not_frames() {
    // Red for 1 s at 25 fps, then blue for 3 s at 5 fps, kept at their own rates: 25 red
    // frames and 15 blue ones (62% red by frames), but red is on screen a quarter of the time.
    let dir = temp_dir("vfr");
    for name in ["vfr.mkv", "vfr.mp4"] {
        let film = dir.join(name);
        make(
            &[flat(RED, "320x180", 1.0, 25), flat(BLUE, "320x180", 3.0, 5)],
            &[
                "-filter_complex",
                "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[out]",
                "-map",
                "[out]",
                "-fps_mode",
                "vfr",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                s(&film),
            ],
        );
        // 40 frames (an MP4 may drop one): 60% of them red.
        let frames = frames_in(&film);
        assert!((38..=40).contains(&frames), "{name}: {frames} frames");
        let found = palette_of(&film, "2");
        assert_palette(name, &found, &[(RED, 0.25), (BLUE, 0.75)], 3.0, 0.03);
    }
}

#[test]
fn ten_bit_films_give_their_colour() {
    let dir = temp_dir("ten-bit");
    for (name, codec) in [("h264.mkv", "libx264"), ("hevc.mkv", "libx265")] {
        let film = dir.join(name);
        make(
            &[
                flat(RED, "320x180", 1.0, 25),
                flat(BLUE, "320x180", 3.0, 25),
            ],
            &[
                "-filter_complex",
                // Converted with BT.709's matrix, as it is tagged.
                "[0:v][1:v]concat=n=2:v=1:a=0,scale=out_color_matrix=bt709:out_range=tv,\
                 format=yuv420p10le[out]",
                "-map",
                "[out]",
                "-c:v",
                codec,
                "-preset",
                "ultrafast",
                "-x265-params",
                "log-level=error",
                "-color_primaries",
                "bt709",
                "-color_trc",
                "bt709",
                "-colorspace",
                "bt709",
                s(&film),
            ],
        );
        let found = palette_of(&film, "2");
        assert_palette(name, &found, &[(RED, 0.25), (BLUE, 0.75)], 3.0, 0.03);
    }
}

#[test]
fn an_hdr_film_is_refused_with_one_clear_line() {
    let dir = temp_dir("hdr");
    for (name, trc, said) in [
        ("pq.mkv", "smpte2084", "HDR (PQ"),
        ("hlg.mkv", "arib-std-b67", "HDR (HLG"),
        ("pq.mp4", "smpte2084", "HDR (PQ"),
    ] {
        let film = dir.join(name);
        make(
            &[flat(RED, "320x180", 1.0, 25)],
            &[
                "-vf",
                "format=yuv420p10le",
                "-c:v",
                "libx265",
                "-preset",
                "ultrafast",
                "-x265-params",
                "log-level=error",
                "-color_primaries",
                "bt2020",
                "-color_trc",
                trc,
                "-colorspace",
                "bt2020nc",
                s(&film),
            ],
        );
        assert_clean_failure(
            &run(&["film", s(&film)]),
            &[name, said, "color-palettes reads SDR video only"],
        );
    }
}

#[test]
fn an_interlaced_film_gives_its_colours_and_no_others() {
    let dir = temp_dir("interlaced");
    // Flat red, coded as interlaced fields.
    let film = dir.join("flat.mp4");
    make(
        &[flat(RED, "320x180", 2.0, 25)],
        &[
            "-vf",
            "setfield=tff,format=yuv420p",
            "-flags",
            "+ildct+ilme",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            s(&film),
        ],
    );
    assert_palette("flat", &palette_of(&film, "2"), &[(RED, 1.0)], 3.0, 0.0);
    // Red then blue woven into fields (each frame two pictures, a fiftieth of a second
    // apart): the frame at the cut holds a red field and a blue one.
    let film = dir.join("cut.mp4");
    make(
        &[
            flat(RED, "320x180", 1.02, 50),
            flat(BLUE, "320x180", 3.0, 50),
        ],
        &[
            "-filter_complex",
            "[0:v][1:v]concat=n=2:v=1:a=0,interlace=scan=tff,format=yuv420p[out]",
            "-map",
            "[out]",
            "-flags",
            "+ildct+ilme",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            s(&film),
        ],
    );
    assert_palette(
        "cut",
        &palette_of(&film, "3"),
        &[(RED, 0.25), (BLUE, 0.75)],
        3.0,
        0.03,
    );
}

#[test]
fn films_of_odd_sizes_give_their_colour() {
    let dir = temp_dir("odd-sizes");
    for (size, pix_fmt, codec) in [
        ("1x1", "yuv444p", "libx264"),
        ("3x5", "yuv444p", "libx264"),
        ("641x359", "yuv444p", "libx264"),
        ("1x2000", "yuv444p", "libx264"),
        ("2000x1", "yuv444p", "libx264"),
        // 4:2:0 of an odd size: H.264 cannot hold it, FFV1 can.
        ("3x5", "yuv420p", "ffv1"),
        ("641x359", "yuv420p", "ffv1"),
    ] {
        let name = format!("{size}-{pix_fmt}-{codec}.mkv");
        let film = dir.join(&name);
        // FFmpeg's colour source makes even sizes only: an even one, cropped.
        let (w, h) = size.split_once('x').unwrap();
        let even = |n: &str| n.parse::<u32>().unwrap().div_ceil(2) * 2;
        make(
            &[flat(RED, &format!("{}x{}", even(w), even(h)), 2.0, 25)],
            &[
                "-vf",
                &format!("format={pix_fmt},crop={w}:{h}:0:0"),
                "-c:v",
                codec,
                "-preset",
                "ultrafast",
                s(&film),
            ],
        );
        assert_palette(&name, &palette_of(&film, "2"), &[(RED, 1.0)], 3.0, 0.0);
    }
}

#[test]
fn a_film_of_several_video_streams_is_read_from_its_first_real_one() {
    let dir = temp_dir("streams");
    // Two video streams, red first: the palette is the first's.
    let film = dir.join("two.mkv");
    make(
        &[
            flat(RED, "320x180", 2.0, 25),
            flat(BLUE, "320x180", 2.0, 25),
        ],
        &[
            "-map",
            "0:v",
            "-map",
            "1:v",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            s(&film),
        ],
    );
    assert_palette("two", &palette_of(&film, "2"), &[(RED, 1.0)], 3.0, 0.0);
    // Blue cover art first, then the red film: the film's colour, not the cover's.
    let cover = dir.join("cover.png");
    make(
        &[flat(BLUE, "64x64", 0.04, 25)],
        &["-frames:v", "1", s(&cover)],
    );
    let video = dir.join("video.mp4");
    make(
        &[flat(RED, "320x180", 2.0, 25)],
        &["-c:v", "libx264", "-preset", "ultrafast", s(&video)],
    );
    // MP4: the picture a video stream marked as cover art.
    let covered = dir.join("covered.mp4");
    ffmpeg(
        &[
            "-i",
            s(&cover),
            "-i",
            s(&video),
            "-map",
            "0",
            "-map",
            "1",
            "-c",
            "copy",
            "-disposition:v:0",
            "attached_pic",
            s(&covered),
        ]
        .map(String::from),
    );
    // Matroska: the picture an attachment, which FFmpeg reads back as such a stream.
    let attached = dir.join("covered.mkv");
    ffmpeg(
        &[
            "-i",
            s(&video),
            "-attach",
            s(&cover),
            "-metadata:s:t",
            "mimetype=image/png",
            "-map",
            "0",
            "-c",
            "copy",
            s(&attached),
        ]
        .map(String::from),
    );
    for film in [covered, attached] {
        let found = palette_of(&film, "2");
        assert_palette(s(&film), &found, &[(RED, 1.0)], 3.0, 0.0);
    }
}

#[test]
fn audio_only_files_have_no_video_stream() {
    let dir = temp_dir("audio-only");
    for (name, codec) in [
        ("sound.wav", "pcm_s16le"),
        ("sound.m4a", "aac"),
        ("sound.flac", "flac"),
    ] {
        let audio = dir.join(name);
        ffmpeg(&["-f", "lavfi", "-i", "sine=d=1", "-c:a", codec, s(&audio)].map(String::from));
        assert_clean_failure(&run(&["film", s(&audio)]), &["no video stream", name]);
    }
}
