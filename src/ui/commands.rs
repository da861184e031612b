//! Every user action as a command with its label and shortcut, feeding the menus, the keyboard
//! and the command palette (Ctrl+K / Ctrl+P) from one list (the pattern of rerun's
//! `UICommand`). Labels live in `strings`.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    FitCounty,
    ClearSelection,
    CommandPalette,
    FocusSearch,
    ToggleLanguage,
    HazardPolygon,
    HazardCircle,
    ReportCase,
    CaseList,
    TimeSlider,
    Charts,
    About,
}

impl Command {
    pub const ALL: [Command; 18] = [
        Command::ZoomIn,
        Command::ZoomOut,
        Command::PanLeft,
        Command::PanRight,
        Command::PanUp,
        Command::PanDown,
        Command::FitCounty,
        Command::ClearSelection,
        Command::CommandPalette,
        Command::FocusSearch,
        Command::ToggleLanguage,
        Command::HazardPolygon,
        Command::HazardCircle,
        Command::ReportCase,
        Command::CaseList,
        Command::TimeSlider,
        Command::Charts,
        Command::About,
    ];

    /// The shortcut, if any. Map keys (zoom, pan) only act when no text field has focus.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let key = |k| Some(KeyboardShortcut::new(Modifiers::NONE, k));
        let cmd = |k| Some(KeyboardShortcut::new(Modifiers::COMMAND, k));
        match self {
            Command::ZoomIn => key(Key::Plus),
            Command::ZoomOut => key(Key::Minus),
            Command::PanLeft => key(Key::ArrowLeft),
            Command::PanRight => key(Key::ArrowRight),
            Command::PanUp => key(Key::ArrowUp),
            Command::PanDown => key(Key::ArrowDown),
            Command::FitCounty => key(Key::Home),
            Command::ClearSelection => key(Key::Escape),
            Command::CommandPalette => cmd(Key::K),
            Command::FocusSearch => cmd(Key::F),
            Command::ToggleLanguage => cmd(Key::L),
            Command::HazardPolygon | Command::HazardCircle => None,
            Command::ReportCase => cmd(Key::N),
            Command::CaseList => cmd(Key::E),
            Command::TimeSlider => cmd(Key::T),
            Command::Charts => None,
            Command::About => key(Key::F1),
        }
    }

    /// Commands whose keys would clash with typing in a text field.
    pub fn is_map_key(self) -> bool {
        matches!(
            self,
            Command::ZoomIn
                | Command::ZoomOut
                | Command::PanLeft
                | Command::PanRight
                | Command::PanUp
                | Command::PanDown
                | Command::FitCounty
        )
    }

    /// The commands whose shortcut was pressed this frame (consuming the keys).
    pub fn pressed(ctx: &egui::Context) -> Vec<Command> {
        let typing = ctx.egui_wants_keyboard_input();
        let mut out = Vec::new();
        for c in Command::ALL {
            let Some(sc) = c.shortcut() else { continue };
            if typing && c.is_map_key() {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&sc)) {
                out.push(c);
            }
        }
        // Ctrl+P opens the palette too; = is + without Shift on most keyboards.
        if ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::P)))
        {
            out.push(Command::CommandPalette);
        }
        if !typing
            && ctx.input_mut(|i| {
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::Equals))
            })
        {
            out.push(Command::ZoomIn);
        }
        out
    }
}
