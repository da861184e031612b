//! What the window says when something is done, refused or fails — in both languages, from
//! this table. The lead is always a sentence of ours (per rule, per error kind); what only the
//! data can say (a unit's code and name, a file's path, SQLite's own words, an importer's line
//! and column) follows it as 详情 / details.
//!
//! Messages are made in both languages when they arise, so that whatever raised them needs no
//! language, and switching the language switches them too.

use crate::cases::{CaseError, WorkflowError};
use crate::check::Rule;
use crate::edit::{EditError, Refusal};
use crate::ledger::LedgerError;
use crate::model::Dataset;
use crate::store::StoreError;
use crate::ui::{Lang, Strings};

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    zh: String,
    en: String,
}

impl Message {
    /// Built from the string tables, once per language.
    pub fn new(f: impl Fn(&Strings) -> String) -> Message {
        Message {
            zh: f(Strings::get(Lang::Zh)),
            en: f(Strings::get(Lang::En)),
        }
    }

    /// One of our sentences in each language.
    pub fn of(zh: &str, en: &str) -> Message {
        Message {
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }

    /// Data that reads the same in both languages: a case code, a file's path.
    pub fn data(text: impl Into<String>) -> Message {
        let text = text.into();
        Message {
            zh: text.clone(),
            en: text,
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Our sentence, then what only the data can say.
    fn with_detail(mut self, detail: &str) -> Message {
        if !detail.is_empty() {
            self.zh = format!("{}（详情：{detail}）", self.zh);
            self.en = format!("{} (details: {detail})", self.en);
        }
        self
    }
}

/// What a rule asks, as a refusal says it.
pub fn rule_text(rule: Rule) -> Message {
    let (zh, en) = match rule {
        Rule::SqliteIntegrity => ("SQLite 报告文件已损坏", "SQLite reports the file damaged"),
        Rule::OneCounty => (
            "文档至少有一个县级单元，且县级单元互不重叠",
            "a document has at least one county, and counties do not overlap",
        ),
        Rule::UniqueCode => ("编码重复", "a code is used twice"),
        Rule::CodeFormat => (
            "编码格式不符合规则",
            "a code does not follow the coding rule",
        ),
        Rule::CodePrefix => (
            "编码不以上级单元编码开头",
            "a code does not start with its parent's",
        ),
        Rule::ParentExists => ("上级单元不存在", "the parent unit does not exist"),
        Rule::ParentLevel => ("上级单元层级不对", "the parent is not one level up"),
        Rule::ValidPolygon => (
            "边界无效（自相交、环未闭合或面积为零）",
            "the outline is not a valid polygon (self-intersecting, open or empty)",
        ),
        Rule::InsideParent => (
            "单元超出了上级单元的范围",
            "the unit reaches outside its parent",
        ),
        Rule::NoOverlap => ("同级单元相互重叠", "sibling units overlap"),
        Rule::NoGap => ("同级单元之间留有空隙", "sibling units leave a gap"),
        Rule::OneMicroGrid => (
            "住户或事件不在唯一的微网格中",
            "a household or case is not in exactly one micro-grid",
        ),
        Rule::InMicroGrid => (
            "住户或事件不在任何微网格内",
            "a household or case lies in no micro-grid",
        ),
        Rule::UnitId => (
            "所属单元与位置不符",
            "the stored unit does not match the location",
        ),
        Rule::HouseholdInOneMicroGrid => (
            "每户必须恰好属于一个微网格",
            "every household must be in exactly one micro-grid",
        ),
        Rule::KnownTags => ("住户标签无法识别", "a household tag is not known"),
        Rule::CaseWorkflow => ("事件流程记录不一致", "a case's history breaks the workflow"),
        Rule::Split => (
            "无法切分：请画一条完整穿过所编辑层级某个单元的线",
            "cannot split: draw a line right across one unit of the edited level",
        ),
        Rule::Merge => (
            "无法合并：请选择同一上级下相邻的两个单元",
            "cannot merge: pick two neighbouring units with the same parent",
        ),
        Rule::Paint => (
            "无法划转：请选择住户和同一网格内的目标微网格",
            "cannot hand over: pick households and a target micro-grid",
        ),
        Rule::Carve => (
            "无法划出新单元：请在一个单元内画一个闭合区域",
            "cannot carve: draw a closed outline inside one unit",
        ),
        Rule::InsertVertex => ("无法在此处插入顶点", "cannot insert a vertex here"),
        Rule::DeleteVertex => (
            "无法删除该顶点（边界至少需要三个顶点）",
            "cannot delete this vertex (an outline needs three)",
        ),
        Rule::Propose => (
            "无法生成方案：请给出村（社区）或网格的编码、每单元户数和容差",
            "cannot make a proposal: give a village's or a grid's code, households per unit and a tolerance",
        ),
        Rule::Write => (
            "文件无法写入，未做任何修改",
            "the file could not be written; nothing changed",
        ),
    };
    Message::of(zh, en)
}

/// An edit the editor refused: the rule, and the unit it concerns by level, code and name.
pub fn refusal(r: &Refusal, d: &Dataset) -> Message {
    let unit = r.unit.and_then(|id| {
        d.units
            .binary_search_by_key(&id, |u| u.id)
            .ok()
            .map(|i| &d.units[i])
    });
    let lead = rule_text(r.rule);
    let lead = match unit {
        Some(u) => Message::new(|s| {
            let rule = match s.lang() {
                Lang::Zh => &lead.zh,
                Lang::En => &lead.en,
            };
            format!("{} {} {}：{rule}", s.level(u.level), u.code, u.name)
        }),
        None => lead,
    };
    // The editor's own words say exactly where, in English: kept for the English desk only.
    Message {
        en: format!("{} ({})", lead.en, r.message),
        zh: lead.zh,
    }
}

/// An edit that failed: refused by a rule, or not written.
pub fn edit_error(e: &EditError, d: &Dataset) -> Message {
    match e {
        EditError::Refused(r) => refusal(r, d),
        EditError::Grab(crate::edit::GrabError::OnParentBoundary(_)) => Message::of(
            "该顶点位于上级单元的边界上：请切换到上级层级编辑",
            "this vertex is on a parent's boundary: edit that level to move it",
        ),
        EditError::Grab(_) | EditError::NoDrag => {
            Message::of("这里没有可拖动的顶点", "there is no vertex to drag here")
        }
    }
}

/// A case step the workflow refused.
pub fn case_error(e: &CaseError) -> Message {
    match e {
        CaseError::Workflow(WorkflowError::Transition {
            from_zh,
            to_zh,
            from,
            to,
            allowed,
        }) => Message {
            zh: format!("事件不能从“{from_zh}”转为“{to_zh}”"),
            en: format!("a case cannot go from {from} to {to}; allowed next: {allowed}"),
        },
        CaseError::Workflow(WorkflowError::AlreadyAtCounty(_)) => Message::of(
            "事件已在县级处理，不能再上报",
            "the case is handled at the county already and cannot be escalated",
        ),
        CaseError::Workflow(WorkflowError::NotOpen) => Message::of(
            "已结案或已驳回的事件不能上报",
            "a closed or rejected case cannot be escalated",
        ),
        CaseError::NoteRequired(_) => Message::of(
            "这一步需要填写理由（备注）",
            "this step needs a reason (note)",
        ),
        CaseError::HandlerRequired => {
            Message::of("派遣需要选择处置人", "dispatching needs a handler")
        }
        CaseError::HandlerNotEligible(_) => Message::of(
            "该网格员不属于负责此事件的单元",
            "this worker does not belong to the unit handling the case",
        ),
        CaseError::BeforeLastEvent { at, last } => Message::of(
            "这一步的时间早于事件的上一条记录",
            "the step is earlier than the case's last event",
        )
        .with_detail(&format!("{at} < {last}")),
        CaseError::TitleRequired => Message::of("事件需要标题", "a case needs a title"),
        CaseError::UnknownCategory(c) => {
            Message::of("事件类别无法识别", "the category is not known").with_detail(c)
        }
    }
}

/// The signed-in account's role does not allow what was asked.
pub fn not_permitted() -> Message {
    let t = crate::ui::AccessStrings::get;
    Message::of(t(Lang::Zh).not_permitted, t(Lang::En).not_permitted)
}

/// The worker form names a unit code the document does not have.
pub fn no_unit_with_code(code: &str) -> Message {
    Message::of(
        "没有这个编码的单元，未写入任何内容",
        "no unit has this code; nothing was written",
    )
    .with_detail(code)
}

/// The worker form's phone is not a phone number.
pub fn bad_phone(text: &str) -> Message {
    Message::of(
        "联系电话无法识别（只允许数字、空格、横线和括号），未写入任何内容",
        "the phone is not a number (digits, spaces, dashes and brackets only); nothing was written",
    )
    .with_detail(text)
}

/// A reveal was asked without a reason.
pub fn reveal_needs_reason() -> Message {
    let t = crate::ui::AccessStrings::get;
    Message::of(
        t(Lang::Zh).reveal_needs_reason,
        t(Lang::En).reveal_needs_reason,
    )
}

/// A problem with the document's file.
pub fn store_error(e: &StoreError) -> Message {
    let detail = e.to_string();
    let lead = match e {
        StoreError::ReadOnly { .. } => Message::of(
            "文件为只读，未写入任何内容（请改为可写，或在副本上工作）",
            "the file is read-only; nothing was written (make it writable, or work on a copy)",
        ),
        StoreError::ReadOnlyFolder { .. } => Message::of(
            "文件所在文件夹为只读，未写入任何内容（请在可写的文件夹中使用副本）",
            "the file's folder is read-only; nothing was written (work on a copy elsewhere)",
        ),
        StoreError::Stale { case, by, at, .. } => Message {
            zh: format!("案件 {case} 已被 {by} 于 {at} 修改，未写入任何内容（已显示最新状态）"),
            en: format!(
                "case {case} was changed by {by} at {at}; nothing was written (the fresh state is shown)"
            ),
        },
        StoreError::Unreachable { .. } => server_away(),
        StoreError::InDoubt { .. } => Message::of(
            "提交时与服务器的连接中断：是否已写入将在服务器恢复后确认并告知",
            "the connection broke while committing: whether it was written is checked and shown once the server is back",
        ),
        StoreError::Conflict { .. } => Message::of(
            "其他程序已修改了相同的数据，未写入任何内容（已显示最新状态）",
            "another program changed the same data; nothing was written (the fresh state is shown)",
        ),
        StoreError::Corrupt { .. } => Message::of(
            "SQLite 报告文件已损坏，未写入任何内容（请恢复备份或运行 gridatlas check）",
            "SQLite reports the file damaged; nothing was written (restore a backup or run gridatlas check)",
        ),
        StoreError::Exists { .. } => {
            Message::of("文件已存在，未覆盖", "the file exists; not replaced")
        }
        StoreError::Refused { .. } => {
            Message::of("操作被拒绝，未改动任何内容", "refused; nothing was changed")
        }
        _ => Message::of("文件读写失败", "the file could not be read or written"),
    };
    lead.with_detail(&detail)
}

/// Anything the ledger refused or failed to write.
pub fn ledger_error(e: &LedgerError) -> Message {
    match e {
        LedgerError::Rule(e) => case_error(e),
        LedgerError::Store(e) => store_error(e),
        LedgerError::Import(e) => Message::of(
            "导入被拒绝，未导入任何内容",
            "the import was refused; nothing was imported",
        )
        .with_detail(&e.problems.join("; ")),
        LedgerError::Plan(what) => {
            Message::of("方案无法执行", "the plan could not be carried out").with_detail(what)
        }
    }
}

/// Why the window does not write: a broken outline, named, and what to do.
pub fn writes_disabled(v: &crate::check::Violation, d: &Dataset) -> Message {
    let unit = d
        .units
        .iter()
        .find(|u| u.id.0 == v.id && v.table == "units");
    let rule = rule_text(v.rule);
    let named = |s: &Strings, rule: &str| match unit {
        Some(u) => format!("{} {} {}：{rule}", s.level(u.level), u.code, u.name),
        None => rule.to_owned(),
    };
    Message {
        zh: format!(
            "文档有无效的边界，已停止写入——{}。请在 QGIS 中修正，保存后本窗口自动恢复。",
            named(Strings::get(Lang::Zh), &rule.zh)
        ),
        en: format!(
            "The document has a broken outline, so nothing is written — {}. Fix it in QGIS; once saved, this window recovers by itself.",
            named(Strings::get(Lang::En), &rule.en)
        ),
    }
}

/// A case step for a case that another program deleted meanwhile.
pub fn case_gone() -> Message {
    Message::of(
        "该事件已不在文档中（可能已被其他程序删除）",
        "the case is no longer in the document (another program may have deleted it)",
    )
}

/// The server of a server document is away: the window is read-only until it is back.
pub fn server_away() -> Message {
    Message::of(
        "与服务器的连接已中断：当前为只读，正在自动重连，恢复后补齐期间的变更；未写入任何内容",
        "the connection to the server is lost: read-only while it reconnects by itself and catches up; nothing was written",
    )
}

/// The heading of a document of several counties that has no title.
pub fn counties(first: &str, n: usize) -> Message {
    Message {
        zh: format!("{first}等 {n} 个县市区"),
        en: match n - 1 {
            1 => format!("{first} and 1 more county"),
            more => format!("{first} and {more} more counties"),
        },
    }
}

/// The banner of a file SQLite reports damaged (found after the open): shown, never written.
pub fn file_damaged(what: &str) -> Message {
    Message {
        zh: format!(
            "SQLite 报告文件已损坏（{what}）：可以查看，但不会写入任何内容。请恢复备份或运行 gridatlas check"
        ),
        en: format!(
            "SQLite reports the file damaged ({what}): it can be viewed, but nothing will be written. Restore a backup or run gridatlas check"
        ),
    }
}

/// How long the server has been away, for the banner.
pub fn server_away_for(seconds: u64) -> Message {
    Message {
        zh: format!(
            "与服务器的连接已中断 {seconds} 秒：显示的是中断前的数据（只读），正在自动重连……"
        ),
        en: format!(
            "Lost the connection to the server {seconds} s ago: showing the data as it was (read-only); reconnecting…"
        ),
    }
}

/// What became of a step that was being committed when the connection broke.
pub fn in_doubt_resolved(case: &str, written: bool) -> Message {
    if written {
        Message {
            zh: format!("服务器已恢复：连接中断时提交的 {case} 操作已写入"),
            en: format!(
                "The server is back: the step on {case} that was being committed when the connection broke was written"
            ),
        }
    } else {
        Message {
            zh: format!("服务器已恢复：连接中断时提交的 {case} 操作未写入，请重新操作"),
            en: format!(
                "The server is back: the step on {case} that was being committed when the connection broke was not written; take it again"
            ),
        }
    }
}

/// The background reload stopped without an answer.
pub fn reload_failed() -> Message {
    Message::of("重新读取文档失败", "reading the document again failed")
}

/// Errors the window explains in the user's language.
pub trait Explain {
    fn explain(&self) -> Message;
}

impl Explain for StoreError {
    fn explain(&self) -> Message {
        store_error(self)
    }
}

impl Explain for LedgerError {
    fn explain(&self) -> Message {
        ledger_error(self)
    }
}

impl Explain for CaseError {
    fn explain(&self) -> Message {
        case_error(self)
    }
}

impl Explain for crate::model::TimestampError {
    fn explain(&self) -> Message {
        Message::of(
            "日期无法识别（格式如 2026-05-03）",
            "not a date (write it like 2026-05-03)",
        )
        .with_detail(&self.text)
    }
}

/// 推送到大屏 with nothing selected and no hazard zone drawn.
pub fn nothing_to_push() -> Message {
    Message::of(
        "未推送：请先选中一个单元、事件，或画出危险区域",
        "nothing pushed: select a unit or a case, or draw a hazard zone, first",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_escalation_is_chinese_in_the_chinese_desk() {
        let m = case_error(&CaseError::NoteRequired("escalation"));
        assert_eq!(m.text(Lang::Zh), "这一步需要填写理由（备注）");
        assert!(!m.text(Lang::Zh).is_ascii());
        assert!(m.text(Lang::En).contains("needs a reason"));
    }
}
