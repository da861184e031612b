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
    Planning,
    Undo,
    Redo,
    About,
}

impl Command {
    pub const ALL: [Command; 21] = [
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
        Command::Planning,
        Command::Undo,
        Command::Redo,
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
            Command::Planning => cmd(Key::B),
            Command::Undo => cmd(Key::Z),
            Command::Redo => Some(KeyboardShortcut::new(
                Modifiers::COMMAND.plus(Modifiers::SHIFT),
                Key::Z,
            )),
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
        // Shortcuts with more modifiers first: egui matches Ctrl+Z on Ctrl+Shift+Z too.
        let mut order: Vec<(Command, KeyboardShortcut)> = Command::ALL
            .into_iter()
            .filter_map(|c| Some((c, c.shortcut()?)))
            .collect();
        let count = |m: Modifiers| {
            [m.shift, m.ctrl || m.command, m.alt]
                .iter()
                .filter(|b| **b)
                .count()
        };
        order.sort_by_key(|(_, sc)| std::cmp::Reverse(count(sc.modifiers)));
        for (c, sc) in order {
            // Undo in a text field is the text's own.
            if typing && (c.is_map_key() || matches!(c, Command::Undo | Command::Redo)) {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&sc)) {
                out.push(c);
            }
        }
        // Ctrl+Y redoes too (Windows habit).
        if ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y)))
        {
            out.push(Command::Redo);
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
