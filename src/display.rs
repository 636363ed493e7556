//! Inline display in the evcxr Jupyter kernel.
//!
//! evcxr calls an inherent `evcxr_display` method on the value that ends a cell; printing an
//! `EVCXR_BEGIN_CONTENT <mime>` block shows it as that MIME type. Pictures are PNG, so they
//! also show on GitHub and nbviewer.

use base64::Engine as _;

use crate::load::Still;
use crate::palette::Palette;
use crate::render::Figure;

/// Largest still shown inline (keeps notebooks small).
const STILL_WIDTH: u32 = 720;
const STILL_HEIGHT: u32 = 480;

fn show_png(png: crate::Result<Vec<u8>>) {
    match png {
        Ok(bytes) => println!(
            "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        Err(e) => println!("EVCXR_BEGIN_CONTENT text/plain\n{e}\nEVCXR_END_CONTENT"),
    }
}

impl Still {
    /// Shows the still (scaled down to fit 720x480) in an evcxr notebook.
    pub fn evcxr_display(&self) {
        show_png(self.thumbnail(STILL_WIDTH, STILL_HEIGHT).to_png());
    }
}

impl Palette {
    /// Shows the palette as a grid of swatches with hex codes and shares.
    pub fn evcxr_display(&self) {
        show_png(Figure::swatch_grid(self, 8).to_png());
    }
}

impl Figure {
    /// Shows the figure in an evcxr notebook.
    pub fn evcxr_display(&self) {
        show_png(self.to_png());
    }
}
