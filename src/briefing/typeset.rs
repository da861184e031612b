//! Typesetting a briefing: typst as a library, compiled in memory and exported to PDF with
//! its fonts embedded and subset, so that a printed page never depends on the reader's fonts.
//!
//! Typst asks its host for a `World`: the template (`/main.typ`), the files it reads (the
//! briefing's figures as `/data.json`, its map as `/map.svg`) and the fonts. Ours holds
//! exactly those, in memory: nothing is read from the network or from a package registry (the
//! machines are offline), and the date is fixed by the caller, so the same data gives the
//! same page.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// A template and the files it reads, ready to compile.
pub struct Typeset {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    source: Source,
    files: HashMap<String, Bytes>,
    today: Datetime,
}

fn file_id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("{path}: {e:?}"))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

/// The fonts a briefing is set in: the system's CJK font (the one the window uses), with its
/// bold face when it sits beside it, and every face of those collections; and the family to
/// set the text in (the face the window uses: in the Noto/Source Han collections the
/// Simplified Chinese one, whose glyphs follow the mainland standard).
pub fn briefing_fonts() -> Result<(Vec<Font>, String), String> {
    // Read once per process: the collections are some 40 MB, and a font does not change
    // while the program runs (typst's `Font` shares its bytes when cloned).
    static FONTS: std::sync::OnceLock<Result<(Vec<Font>, String), String>> =
        std::sync::OnceLock::new();
    FONTS.get_or_init(read_fonts).clone()
}

fn read_fonts() -> Result<(Vec<Font>, String), String> {
    let (path, face) = crate::ui::fonts::find_cjk_font().ok_or(
        "no CJK font found (install fonts-noto-cjk, or set GRIDATLAS_CJK_FONT to a .ttf/.ttc)",
    )?;
    let mut fonts = Vec::new();
    let bold = path
        .to_str()
        .filter(|p| p.contains("Regular"))
        .map(|p| std::path::PathBuf::from(p.replace("Regular", "Bold")))
        .filter(|p| p.is_file());
    for p in std::iter::once(path.clone()).chain(bold) {
        let data = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    let family = fonts
        .get(face as usize)
        .or(fonts.first())
        .map(|f| f.info().family.clone())
        .ok_or_else(|| format!("{}: not a font typst can read", path.display()))?;
    Ok((fonts, family))
}

impl Typeset {
    /// `template` is typst markup; `files` are the paths it may read (`/data.json`, …).
    pub fn new(
        template: &str,
        files: Vec<(&str, Vec<u8>)>,
        fonts: Vec<Font>,
        today: (i32, u8, u8),
    ) -> Result<Self, String> {
        let main = file_id("/main.typ")?;
        Ok(Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            source: Source::new(main, template.to_owned()),
            files: files
                .into_iter()
                .map(|(p, b)| (p.to_owned(), Bytes::new(b)))
                .collect(),
            today: Datetime::from_ymd(today.0, today.1, today.2)
                .ok_or("the date of the briefing is not a date")?,
        })
    }

    fn document(&self) -> Result<PagedDocument, String> {
        typst::compile::<PagedDocument>(self)
            .output
            .map_err(|errors| self.describe(errors.as_slice()))
    }

    /// Compiles and exports the PDF; a template error names its line.
    pub fn pdf(&self) -> Result<Vec<u8>, String> {
        typst_pdf::pdf(&self.document()?, &typst_pdf::PdfOptions::default())
            .map_err(|errors| self.describe(errors.as_slice()))
    }

    /// Compiles and renders the first page as a PNG at `pixel_per_pt`.
    pub fn png(&self, pixel_per_pt: f64) -> Result<Vec<u8>, String> {
        let document = self.document()?;
        let page = document.pages().first().ok_or("the page is empty")?;
        let options = typst_render::RenderOptions {
            pixel_per_pt: pixel_per_pt.into(),
            render_bleed: false,
        };
        typst_render::render(page, &options)
            .encode_png()
            .map_err(|e| e.to_string())
    }

    /// The first error, with the template line it comes from.
    fn describe(&self, errors: &[SourceDiagnostic]) -> String {
        let Some(e) = errors.first() else {
            return "typst failed without saying why".into();
        };
        let line = WorldExt::range(self, e.span)
            .and_then(|r| self.source.lines().byte_to_line(r.start))
            .map(|l| format!("template line {}: ", l + 1))
            .unwrap_or_default();
        format!("{line}{}", e.message)
    }
}

impl World for Typeset {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.get().vpath().get_with_slash();
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| FileError::NotFound(path.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
