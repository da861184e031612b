//! The roster templates users fill in (`gridatlas template households|workers`): Chinese
//! headers, code columns formatted as text before anything is typed (so that Excel cannot
//! turn an 18-digit code into a number), drop-downs for 岗位 and 是否党员, and for 标签 a list
//! that suggests the tags while still accepting several separated by 、.

use std::path::Path;

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Workbook, XlsxError};

use crate::import::roster::{Column, HOUSEHOLD_COLUMNS, WORKER_COLUMNS};
use crate::model::{Tag, WorkerRole};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateKind {
    Households,
    Workers,
}

/// Rows prepared with validation and text format (a roster longer than this still imports;
/// the drop-downs just stop there).
const PREPARED_ROWS: u32 = 5000;

fn column_index(columns: &[Column], name: &str) -> Option<u16> {
    columns
        .iter()
        .position(|c| c.name == name)
        .and_then(|i| u16::try_from(i).ok())
}

fn build(kind: TemplateKind) -> Result<Workbook, XlsxError> {
    let (columns, sheet, text_columns): (&[Column], &str, &[&str]) = match kind {
        TemplateKind::Households => (
            &HOUSEHOLD_COLUMNS,
            "住户",
            &["户编号", "联系电话", "所属微网格编码"],
        ),
        TemplateKind::Workers => (&WORKER_COLUMNS, "网格员", &["联系电话", "所属单元编码"]),
    };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let header = Format::new().set_bold();
    let required = Format::new().set_bold().set_font_color("#C00000");
    let text = Format::new().set_num_format("@");
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, c.name, if c.required { &required } else { &header })?;
        ws.set_column_width(col, if c.name.len() > 12 { 22 } else { 14 })?;
        if text_columns.contains(&c.name) {
            ws.set_column_format(col, &text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    match kind {
        TemplateKind::Households => {
            if let Some(col) = column_index(columns, "标签") {
                let names: Vec<&str> = Tag::ALL.iter().map(|t| t.name_zh()).collect();
                let v = DataValidation::new()
                    .allow_list_strings(&names)?
                    .set_error_style(DataValidationErrorStyle::Information)
                    .set_input_title("标签")?
                    .set_input_message("可多选，用、分隔，例如：低保户、独居老人")?;
                ws.add_data_validation(1, col, PREPARED_ROWS, col, &v)?;
            }
        }
        TemplateKind::Workers => {
            if let Some(col) = column_index(columns, "岗位") {
                let roles: Vec<&str> = WorkerRole::ALL.iter().map(|r| r.name_zh()).collect();
                let v = DataValidation::new().allow_list_strings(&roles)?;
                ws.add_data_validation(1, col, PREPARED_ROWS, col, &v)?;
            }
            if let Some(col) = column_index(columns, "是否党员") {
                let v = DataValidation::new().allow_list_strings(&["是", "否"])?;
                ws.add_data_validation(1, col, PREPARED_ROWS, col, &v)?;
            }
        }
    }
    Ok(book)
}

/// Writes the template for `kind` to `path` (an .xlsx file; an existing file is replaced only
/// through a complete new one).
pub fn write_template(path: &Path, kind: TemplateKind) -> Result<(), String> {
    let name = path.display();
    let bytes = build(kind)
        .and_then(|mut b| b.save_to_buffer())
        .map_err(|e| format!("{name}: {e}"))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{name}: {e}"))
}
