//! A small drawing surface over printpdf: text in the embedded CJK font placed in millimetres from
//! the top-left corner, rules, filled boxes and QR codes. Receipts and slips are laid out with it.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect,
    Rgb, TextItem,
};

/// Noto Sans SC cut to GB 2312 (see `assets/fonts/OFL.txt`); printpdf embeds only the glyphs a
/// document uses, so a receipt stays a few tens of kilobytes.
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-GB2312.otf");

fn font() -> &'static ParsedFont {
    static FONT: OnceLock<ParsedFont> = OnceLock::new();
    FONT.get_or_init(|| ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()).expect("the embedded font parses"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Centre,
}

pub struct Sheet {
    doc: PdfDocument,
    font_id: FontId,
    width: f32,
    height: f32,
    ops: Vec<Op>,
    pages: Vec<PdfPage>,
}

fn black() -> Color {
    Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None })
}

fn grey(level: f32) -> Color {
    Color::Rgb(Rgb { r: level, g: level, b: level, icc_profile: None })
}

impl Sheet {
    /// A document whose pages are `width` × `height` mm.
    pub fn new(title: &str, width: f32, height: f32) -> Sheet {
        let mut doc = PdfDocument::new(title);
        let font_id = doc.add_font(font());
        Sheet { doc, font_id, width, height, ops: Vec::new(), pages: Vec::new() }
    }

    pub fn width(&self) -> f32 {
        self.width
    }

    /// The width of `text` at `size` pt, in mm.
    pub fn text_width(text: &str, size: f32) -> f32 {
        let font = font();
        let units = font.pdf_font_metrics.units_per_em.max(1) as f32;
        let advance: u32 = text
            .chars()
            .map(|c| font.lookup_glyph_index(c as u32).map_or(units as u32 / 2, |g| font.get_horizontal_advance(g) as u32))
            .sum();
        advance as f32 / units * size * 25.4 / 72.0
    }

    /// Writes `text` with its baseline `y` mm from the top.
    pub fn text(&mut self, x: f32, y: f32, size: f32, align: Align, text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - Self::text_width(text, size),
            Align::Centre => x - Self::text_width(text, size) / 2.0,
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: black() },
            Op::SetTextCursor { pos: Point::new(Mm(x), Mm(self.height - y)) },
            Op::SetFont { font: PdfFontHandle::External(self.font_id.clone()), size: Pt(size) },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
    }

    /// A horizontal rule at `y` from `x1` to `x2`.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness_pt: f32) {
        let point = |x: f32| LinePoint { p: Point::new(Mm(x), Mm(self.height - y)), bezier: false };
        self.ops.extend([
            Op::SetOutlineColor { col: black() },
            Op::SetOutlineThickness { pt: Pt(thickness_pt) },
            Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } },
        ]);
    }

    /// A filled box, `level` 0 (black) to 1 (white), with its top-left corner at (`x`, `y`).
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, level: f32) {
        let mut rect = Rect::from_xywh(Mm(x).into(), Mm(self.height - y - h).into(), Mm(w).into(), Mm(h).into());
        rect.mode = Some(PaintMode::Fill);
        self.ops.extend([Op::SetFillColor { col: grey(level) }, Op::DrawRectangle { rectangle: rect }]);
    }

    /// A QR code of `text`, `size` mm square, top-left at (`x`, `y`). Dark modules of a row are
    /// drawn as one box per run, which keeps the page small.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let code =
            qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).expect("receipt codes fit in a QR code");
        let n = code.width();
        let colors = code.to_colors();
        let module = size / n as f32;
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colors[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    self.fill(x + start as f32 * module, y + row as f32 * module, (col - start) as f32 * module, module, 0.0);
                } else {
                    col += 1;
                }
            }
        }
    }

    /// Ends the current page and starts another of the same size.
    pub fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages.push(PdfPage::new(Mm(self.width), Mm(self.height), ops));
    }

    /// The finished PDF: compressed, with the font subset to the glyphs used.
    pub fn finish(mut self) -> Vec<u8> {
        self.new_page();
        let options = PdfSaveOptions { subset_fonts: true, optimize: true, ..Default::default() };
        self.doc.with_pages(self.pages).save(&options, &mut Vec::new())
    }
}
