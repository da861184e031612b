//! Every user command with its label, tooltip and shortcuts in one exhaustive match, feeding
//! the menus, the keyboard and the command palette (Ctrl+K / Ctrl+P) (the pattern of rerun's
//! `UICommand`); the workspace queues them as `app::Action`s.

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::ui::Lang;

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
    WallDisplay,
    PushToWall,
    WallTourPause,
    WallNext,
    About,
}

impl Command {
    /// What an account's role must allow for the command (none for looking around).
    pub fn needs(self) -> Option<crate::model::Permission> {
        use crate::model::Permission as P;
        match self {
            Command::HazardPolygon | Command::HazardCircle => Some(P::HazardLists),
            Command::ReportCase => Some(P::CaseSteps),
            Command::Planning | Command::Undo | Command::Redo => Some(P::Plan),
            _ => None,
        }
    }

    pub const ALL: [Command; 25] = [
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
        Command::WallDisplay,
        Command::PushToWall,
        Command::WallTourPause,
        Command::WallNext,
        Command::About,
    ];

    /// Everything about a command in one exhaustive match: its label (Chinese, English), what
    /// it does (the tooltip), and every shortcut, the one menus show first. A new command that
    /// is not described here does not compile.
    fn describe(self) -> Description {
        let key = |k| KeyboardShortcut::new(Modifiers::NONE, k);
        let cmd = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
        let d = |zh, en, tip_zh, tip_en, keys: &[KeyboardShortcut]| Description {
            label: [zh, en],
            tooltip: [tip_zh, tip_en],
            shortcuts: keys.to_vec(),
        };
        match self {
            Command::ZoomIn => d(
                "放大",
                "Zoom in",
                "地图放大一级",
                "One zoom level closer",
                &[key(Key::Plus), key(Key::Equals)],
            ),
            Command::ZoomOut => d(
                "缩小",
                "Zoom out",
                "地图缩小一级",
                "One zoom level out",
                &[key(Key::Minus)],
            ),
            Command::PanLeft => d(
                "向左平移",
                "Pan left",
                "地图向左移动",
                "Move the map left",
                &[key(Key::ArrowLeft)],
            ),
            Command::PanRight => d(
                "向右平移",
                "Pan right",
                "地图向右移动",
                "Move the map right",
                &[key(Key::ArrowRight)],
            ),
            Command::PanUp => d(
                "向上平移",
                "Pan up",
                "地图向上移动",
                "Move the map up",
                &[key(Key::ArrowUp)],
            ),
            Command::PanDown => d(
                "向下平移",
                "Pan down",
                "地图向下移动",
                "Move the map down",
                &[key(Key::ArrowDown)],
            ),
            Command::FitCounty => d(
                "全县视图",
                "Whole county",
                "显示整个县域",
                "Show the whole county",
                &[key(Key::Home)],
            ),
            Command::ClearSelection => d(
                "清除选择",
                "Clear selection",
                "取消正在进行的操作或选择",
                "Cancel what is in progress, else the selection",
                &[key(Key::Escape)],
            ),
            Command::CommandPalette => d(
                "命令面板",
                "Command palette",
                "按名称查找并执行命令",
                "Find and run a command by name",
                &[cmd(Key::K), cmd(Key::P)],
            ),
            Command::FocusSearch => d(
                "搜索",
                "Search",
                "按名称、编码搜索单元、住户和事件",
                "Find units, households and cases by name or code",
                &[cmd(Key::F)],
            ),
            Command::ToggleLanguage => d(
                "切换语言 (English)",
                "Switch language (中文)",
                "中文/英文界面",
                "Chinese or English interface",
                &[cmd(Key::L)],
            ),
            Command::HazardPolygon => d(
                "画危险区域（多边形）",
                "Draw hazard zone (polygon)",
                "在地图上画多边形，统计其中的住户和人员",
                "Draw a polygon on the map and count the households and people inside",
                &[],
            ),
            Command::HazardCircle => d(
                "画危险区域（圆形）",
                "Draw hazard zone (circle)",
                "在地图上画圆，统计其中的住户和人员",
                "Draw a circle on the map and count the households and people inside",
                &[],
            ),
            Command::ReportCase => d(
                "上报事件（点击地图）",
                "Report a case (click the map)",
                "点击地图上事件发生的位置",
                "Click the map where the case is",
                &[cmd(Key::N)],
            ),
            Command::CaseList => d(
                "事件列表",
                "Case list",
                "筛选、排序、导入和导出事件",
                "Filter, sort, import and export cases",
                &[cmd(Key::E)],
            ),
            Command::TimeSlider => d(
                "时间轴",
                "Time slider",
                "查看任一天结束时的事件状态",
                "The cases as they were at the end of any day",
                &[cmd(Key::T)],
            ),
            Command::Charts => d(
                "事件统计图表",
                "Case charts",
                "每日事件数和处置时长分布",
                "Cases per day and handling times",
                &[],
            ),
            Command::Planning => d(
                "边界编辑",
                "Boundary editing",
                "在方案中调整网格边界",
                "Redraw boundaries inside a plan",
                &[cmd(Key::B)],
            ),
            Command::Undo => d(
                "撤销",
                "Undo",
                "撤销方案的上一步编辑",
                "Undo the plan's last edit",
                &[cmd(Key::Z)],
            ),
            Command::Redo => d(
                "重做",
                "Redo",
                "重做撤销的编辑",
                "Redo the undone edit",
                &[
                    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z),
                    cmd(Key::Y),
                ],
            ),
            Command::WallDisplay => d(
                "大屏模式",
                "Wall display",
                "在第二个窗口（指挥中心大屏）显示全域态势与轮播",
                "The county's picture and its tour in a second window, for the wall screen",
                &[key(Key::F11)],
            ),
            Command::PushToWall => d(
                "推送到大屏",
                "Push to the wall",
                "把当前选中的单元、事件或危险区域统计推送到大屏",
                "Show the selected unit, case or hazard zone's totals on the wall",
                &[key(Key::F9)],
            ),
            Command::WallTourPause => d(
                "暂停/继续巡览",
                "Pause/resume the tour",
                "大屏轮播暂停或继续",
                "Stop or go on with the wall's township tour",
                &[key(Key::F10)],
            ),
            Command::WallNext => d(
                "大屏下一站",
                "Wall: next stop",
                "大屏立即切到下一个乡镇",
                "Move the wall to the next township now",
                &[],
            ),
            Command::About => d(
                "关于",
                "About",
                "数据来源：哪些是真实的，哪些是虚构的",
                "Where the data comes from: what is real and what is synthetic",
                &[key(Key::F1)],
            ),
        }
    }

    /// The label in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        self.describe().label[lang_index(lang)]
    }

    /// What the command does, for tooltips.
    pub fn tooltip(self, lang: Lang) -> &'static str {
        self.describe().tooltip[lang_index(lang)]
    }

    /// The shortcut menus and the palette show, if any.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        self.describe().shortcuts.first().copied()
    }

    /// Every shortcut that runs the command.
    pub fn shortcuts(self) -> Vec<KeyboardShortcut> {
        self.describe().shortcuts
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
            .flat_map(|c| c.shortcuts().into_iter().map(move |sc| (c, sc)))
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
            if ctx.input_mut(|i| i.consume_shortcut(&sc)) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// A command's label, tooltip and shortcuts.
struct Description {
    label: [&'static str; 2],
    tooltip: [&'static str; 2],
    shortcuts: Vec<KeyboardShortcut>,
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_listed_once_with_labels_and_tooltips() {
        let mut seen = Vec::new();
        for c in Command::ALL {
            assert!(!seen.contains(&c), "{c:?} twice in ALL");
            seen.push(c);
            for lang in [Lang::Zh, Lang::En] {
                assert!(!c.label(lang).is_empty(), "{c:?}");
                assert!(!c.tooltip(lang).is_empty(), "{c:?}");
            }
        }
    }

    #[test]
    fn no_two_commands_share_a_shortcut() {
        let mut keys = Vec::new();
        for c in Command::ALL {
            for sc in c.shortcuts() {
                assert!(!keys.contains(&sc), "{c:?} reuses {sc:?}");
                keys.push(sc);
            }
        }
    }
}
