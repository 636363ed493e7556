//! How `color-palettes film` reads a video's samples (`--sampling dense|keys|seek|auto`)
//! and where it puts the cuts, end to end on films the real FFmpeg makes here: hard cuts on
//! frames that are not key frames, so a cut found to the frame is found between samples.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use color_palettes::space::lab64;
use palette::color_difference::Ciede2000;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_color-palettes");

fn film(args: &[&str]) -> Value {
    let out: Output = Command::new(BIN)
        .arg("film")
        .args(args)
        .output()
        .expect("the binary starts");
    assert!(
        out.status.success(),
        "film {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Frames a second of the test films.
const FPS: u32 = 24;
/// Four sample stills, each held so many frames with a slow zoom: the cuts fall on frames
/// 101, 187 and 307, none of them a key frame (one every 24).
const SHOTS: [(&str, u32); 4] = [
    ("El_Fuente", 101),
    ("Sintel_0016", 86),
    ("Chimera", 120),
    ("Meridian", 77),
];

/// A 16-second film of [`SHOTS`] at [`FPS`], H.264 with a key frame every second (and none
/// put at the cuts), made once per test.
fn film_of_shots(dir: &Path) -> PathBuf {
    let path = dir.join("shots.mp4");
    let mut args: Vec<String> = Vec::new();
    let mut graph = String::new();
    for (i, (name, frames)) in SHOTS.iter().enumerate() {
        let still = common::still_path(name);
        args.extend(["-loop", "1", "-framerate", "24", "-i", s(&still)].map(String::from));
        graph.push_str(&format!(
            "[{i}:v]scale=640:360:force_original_aspect_ratio=increase,crop=640:360,\
             zoompan=z='1+0.002*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=320x180:fps={FPS},\
             trim=end_frame={frames},setsar=1,format=yuv420p[v{i}];"
        ));
    }
    for i in 0..SHOTS.len() {
        graph.push_str(&format!("[v{i}]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0[out]", SHOTS.len()));
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
            "18",
            "-g",
            "24",
            "-x264-params",
            "scenecut=0",
            s(&path),
        ]
        .map(String::from),
    );
    common::ffmpeg(&args);
    path
}

/// Where each shot of [`SHOTS`] starts, in frames, and the film's frame count.
fn true_starts() -> (Vec<u64>, u64) {
    let mut starts = Vec::new();
    let mut at = 0;
    for (_, frames) in SHOTS {
        starts.push(u64::from(at));
        at += frames;
    }
    (starts, u64::from(at))
}

fn swatches(json: &Value) -> Vec<([u8; 3], f64)> {
    json["palette"]["colors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rgb: Vec<u8> = c["rgb"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u8)
                .collect();
            ([rgb[0], rgb[1], rgb[2]], c["proportion"].as_f64().unwrap())
        })
        .collect()
}

/// The share-weighted CIEDE2000 of each colour of `a` to its nearest in `b`, and back.
fn palette_distance(a: &[([u8; 3], f64)], b: &[([u8; 3], f64)]) -> f64 {
    let one_way = |from: &[([u8; 3], f64)], to: &[([u8; 3], f64)]| -> f64 {
        from.iter()
            .map(|(c, share)| {
                share
                    * to.iter()
                        .map(|(d, _)| lab64(*c).difference(lab64(*d)))
                        .fold(f64::INFINITY, f64::min)
            })
            .sum()
    };
    (one_way(a, b) + one_way(b, a)) / 2.0
}

#[test]
fn every_mode_finds_each_cut_to_its_frame_between_samples() {
    let dir = common::temp_dir("skim", "exact");
    let path = film_of_shots(&dir);
    let (starts, frames) = true_starts();
    let mut palettes = Vec::new();
    for mode in ["dense", "keys", "seek"] {
        let json = film(&[
            s(&path),
            "--every",
            "1",
            "--scenes",
            "--sampling",
            mode,
            "-k",
            "5",
        ]);
        assert_eq!(json["sampling"], mode, "{json}");
        assert_eq!(json["frames_sampled"], 16, "{mode}: {json}");
        assert!(json.get("warnings").is_none(), "{mode}: {json}");
        let scenes = json["scenes"].as_array().unwrap();
        let found: Vec<u64> = scenes
            .iter()
            .map(|s| s["start_frame"].as_u64().unwrap())
            .collect();
        assert_eq!(found, starts, "{mode}: the cuts fall on these frames");
        let ends: Vec<u64> = scenes
            .iter()
            .map(|s| s["end_frame"].as_u64().unwrap())
            .collect();
        assert_eq!(ends, [&starts[1..], &[frames]].concat(), "{mode}");
        for (scene, &start) in scenes.iter().zip(&starts) {
            let t = scene["start_s"].as_f64().unwrap();
            assert!(
                (t - start as f64 / f64::from(FPS)).abs() <= 0.001,
                "{mode}: a scene starting at frame {start} starts at {t} s"
            );
        }
        palettes.push(swatches(&json));
    }
    // At a sample a second on a key frame a second, keys and seek read the same frames, so
    // the same palette (the default draws nothing at random); dense's `fps` filter takes the
    // frame about half a step later, so its palette is near, not equal (measured: 1.1).
    assert_eq!(palettes[1], palettes[2], "keys and seek");
    let d = palette_distance(&palettes[0], &palettes[1]);
    assert!(d < 1.5, "keys's palette is {d:.2} from dense's");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn auto_skims_sparse_samples_and_decodes_dense_ones() {
    let dir = common::temp_dir("skim", "auto");
    let path = film_of_shots(&dir);
    // 8 samples over 16 key frames: key frames only.
    let sparse = film(&[s(&path), "--frames", "8"]);
    assert_eq!(sparse["sampling"], "keys", "{sparse}");
    assert_eq!(sparse["frames_sampled"], 8, "{sparse}");
    // The default, 100 samples over 16 s, is denser than the key frames: every frame.
    let dense = film(&[s(&path)]);
    assert_eq!(dense["sampling"], "dense", "{dense}");
    assert_eq!(dense["frames_sampled"], 100, "{dense}");
    let d = palette_distance(&swatches(&sparse), &swatches(&dense));
    assert!(
        d < 3.0,
        "8 key frames give a palette {d:.2} from 100 frames'"
    );
    // Forced onto key frames sparser than its samples, the film says so.
    let forced = film(&[s(&path), "--sampling", "keys"]);
    assert_eq!(forced["frames_sampled"], 16, "{forced}");
    let warning = forced["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.contains("read 16 key frames where 100 samples were asked for"),
        "{forced}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_all_intra_film_sampled_sparsely_is_read_by_seeking() {
    let dir = common::temp_dir("skim", "intra");
    let path = dir.join("intra.mkv");
    // 100 s of MJPEG (every frame a key frame): red, then blue from frame 1203.
    common::ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=0xC81E1E:s=64x48:r=24",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x1E1EC8:s=64x48:r=24",
            "-filter_complex",
            "[0]trim=end_frame=1203[a];[1]trim=end_frame=1197[b];[a][b]concat=n=2:v=1,format=yuvj420p[out]",
            "-map",
            "[out]",
            "-c:v",
            "mjpeg",
            "-q:v",
            "2",
            s(&path),
        ]
        .map(String::from),
    );
    let json = film(&[s(&path), "--frames", "10", "--scenes", "-k", "2"]);
    assert_eq!(json["sampling"], "seek", "{json}");
    assert_eq!(json["frames_sampled"], 10, "{json}");
    let scenes = json["scenes"].as_array().unwrap();
    assert_eq!(scenes.len(), 2, "{json}");
    assert_eq!(scenes[1]["start_frame"], 1203, "{json}");
    assert_eq!(scenes[1]["end_frame"], 2400, "{json}");
    let hexes: Vec<&str> = json["palette"]["colors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["hex"].as_str().unwrap())
        .collect();
    assert_eq!(hexes.len(), 2, "{json}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stills_have_no_sampling_to_choose_and_say_so() {
    let out = Command::new(BIN)
        .args([
            "film",
            s(&common::still_path("Chimera")),
            "--sampling",
            "keys",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("sampling samples a video only"), "{err}");
    // Stills are frames already: each is a frame, numbered in name order.
    let json = film(&[s(&common::still_path("Chimera")), "--scenes"]);
    assert_eq!(json["sampling"], "dense", "{json}");
    assert_eq!(json["scenes"][0]["start_frame"], 0, "{json}");
    assert_eq!(json["scenes"][0]["end_frame"], 1, "{json}");
}
