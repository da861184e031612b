//! `gridatlas import households|workers` (issue #12): rosters from .xlsx and from a GBK CSV
//! with CRLF, typing normalised, every fault named by file, sheet, row and column, all rows or
//! none, and the document byte-identical after every refusal.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::Path;

use common::{document, gridatlas};
use gridatlas::model::Level;
use rust_xlsxwriter::Workbook;

enum C<'a> {
    T(&'a str),
    N(f64),
}

/// A workbook with a title row above the header, as centres keep them.
fn workbook(path: &Path, sheet: &str, header: &[&str], rows: &[Vec<C>]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    ws.write_string(0, 0, "浏阳市住户登记表（2026年11月）")
        .unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match cell {
                C::T("") => {}
                C::T(t) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                C::N(x) => {
                    ws.write_number(r, c, *x).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

const HEADER: [&str; 9] = [
    "户编号",
    "地址",
    "户主姓名",
    "联系电话",
    "家庭人数",
    "标签",
    "经度",
    "纬度",
    "所属微网格编码",
];

#[test]
fn a_good_workbook_imports_normalised_and_every_bad_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    let d = gridatlas::store::load(&doc).unwrap();
    let micro = d.units_of_level(Level::MicroGrid).next().unwrap();
    let other = d.units_of_level(Level::MicroGrid).nth(5).unwrap();
    let inside = d
        .households
        .iter()
        .find(|h| h.unit == Some(micro.id))
        .unwrap();
    let (x, y) = (inside.location.x(), inside.location.y());
    let good = dir.path().join("good.xlsx");
    workbook(
        &good,
        "住户",
        &HEADER,
        &[
            vec![
                C::T("NEW-001"),
                C::T("福山村1组3号"),
                C::T(" 张三 "),
                C::T("１３８-0013 8000"),
                C::N(3.0),
                C::T("低保户、五保户"),
                C::N(x),
                C::N(y),
                C::T(&micro.code),
            ],
            vec![],
            vec![
                C::T("NEW-002"),
                C::T(""),
                C::T("李四"),
                C::T(""),
                C::T("２"),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
        ],
    );
    let file = doc.to_str().unwrap();
    let (code, out, err) = gridatlas(&[
        "import",
        "households",
        file,
        "--from",
        good.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["added"], 2);
    let after = gridatlas::store::load(&doc).unwrap();
    let h = after
        .households
        .iter()
        .find(|h| h.code == "NEW-001")
        .unwrap();
    assert_eq!(
        (h.head_name.as_str(), h.phone.as_str(), h.members),
        ("张三", "13800138000", 3)
    );
    assert_eq!(h.tags.encode(), "low_income,extreme_poverty");
    assert_eq!(h.unit, Some(micro.id));
    let (code, out, _) = gridatlas(&["check", file]);
    assert_eq!(code, 0, "{out}");

    // Every fault of the issue, each on its own row, named as Excel shows it.
    let bad = dir.path().join("bad.xlsx");
    let (ox, oy) = {
        let h = d
            .households
            .iter()
            .find(|h| h.unit == Some(other.id))
            .unwrap();
        (h.location.x(), h.location.y())
    };
    workbook(
        &bad,
        "住户",
        &HEADER,
        &[
            vec![
                C::T("B-1"),
                C::T(""),
                C::T("甲"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(x),
                C::N(y),
                C::N(430181101001001001.0),
            ],
            vec![
                C::T("B-2"),
                C::T(""),
                C::T("乙"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
            vec![
                C::T("B-2"),
                C::T(""),
                C::T("丙"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
            vec![
                C::T("B-4"),
                C::T(""),
                C::T("丁"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(y),
                C::N(x),
                C::T(""),
            ],
            vec![
                C::T("B-5"),
                C::T(""),
                C::T("戊"),
                C::T(""),
                C::T("三"),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
            vec![
                C::T("B-6"),
                C::T(""),
                C::T("己"),
                C::T(""),
                C::N(2.0),
                C::T("外星人"),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
            vec![
                C::T("B-7"),
                C::T(""),
                C::T(""),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
            vec![
                C::T("B-8"),
                C::T(""),
                C::T("庚"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(ox),
                C::N(oy),
                C::T(&micro.code),
            ],
            vec![
                C::T("B-9"),
                C::T(""),
                C::T("辛"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(120.0),
                C::N(40.0),
                C::T(""),
            ],
            vec![
                C::T("NEW-001"),
                C::T(""),
                C::T("壬"),
                C::T(""),
                C::N(2.0),
                C::T(""),
                C::N(x),
                C::N(y),
                C::T(""),
            ],
        ],
    );
    let before = std::fs::read(&doc).unwrap();
    let (code, _, err) = gridatlas(&[
        "import",
        "households",
        file,
        "--from",
        bad.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 1, "{err}");
    let expect = [
        "bad.xlsx 住户 row 3: 所属微网格编码 430181101001001024 is stored as a number",
        "bad.xlsx 住户 row 5: 户编号 B-2 is also on row 4",
        "bad.xlsx 住户 row 6: 经度 ",
        "look swapped",
        "bad.xlsx 住户 row 7: 家庭人数 '三' is not a number",
        "bad.xlsx 住户 row 8: 标签 '外星人' is not a known tag",
        "bad.xlsx 住户 row 9: 户主姓名 is empty",
        &format!(
            "bad.xlsx 住户 row 10: 所属微网格编码 {} disagrees with where the point lies: micro-grid {}",
            micro.code, other.code
        ),
        "bad.xlsx 住户 row 11: 经度 120, 纬度 40 (WGS84) lies outside every micro-grid",
        "bad.xlsx 住户 row 12: 户编号 NEW-001 already exists in this document",
    ];
    for e in expect {
        assert!(err.contains(e), "missing «{e}» in:\n{err}");
    }
    assert_eq!(std::fs::read(&doc).unwrap(), before, "all rows or none");

    // --mode update changes the records it names and says how many.
    let update = dir.path().join("update.xlsx");
    workbook(
        &update,
        "住户",
        &HEADER,
        &[vec![
            C::T("NEW-001"),
            C::T("福山村1组3号"),
            C::T("张三"),
            C::T("13800138000"),
            C::N(4.0),
            C::T("低保户"),
            C::N(x),
            C::N(y),
            C::T(""),
        ]],
    );
    let (code, out, err) = gridatlas(&[
        "import",
        "households",
        file,
        "--from",
        update.to_str().unwrap(),
        "--datum",
        "wgs84",
        "--mode",
        "update",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (out["changed"].as_u64(), out["added"].as_u64()),
        (Some(1), Some(0))
    );
    let after = gridatlas::store::load(&doc).unwrap();
    assert_eq!(
        after
            .households
            .iter()
            .find(|h| h.code == "NEW-001")
            .unwrap()
            .members,
        4
    );

    // --by-location: a stale 所属微网格编码 gives way to where the point lies, and the row
    // is named in the report; the household lands in the point's micro-grid.
    let stale = dir.path().join("stale.xlsx");
    workbook(
        &stale,
        "住户",
        &HEADER,
        &[vec![
            C::T("MOVED-1"),
            C::T(""),
            C::T("癸"),
            C::T(""),
            C::N(2.0),
            C::T(""),
            C::N(ox),
            C::N(oy),
            C::T(&micro.code),
        ]],
    );
    let (code, out, err) = gridatlas(&[
        "import",
        "households",
        file,
        "--from",
        stale.to_str().unwrap(),
        "--datum",
        "wgs84",
        "--by-location",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["added"], 1);
    let relocated = out["relocated"][0].as_str().unwrap();
    assert!(
        relocated.starts_with("stale.xlsx 住户 row 3: 所属微网格编码")
            && relocated.contains(&format!("micro-grid {}", other.code)),
        "{relocated}"
    );
    let after = gridatlas::store::load(&doc).unwrap();
    let moved = after
        .households
        .iter()
        .find(|h| h.code == "MOVED-1")
        .unwrap();
    assert_eq!(moved.unit, Some(other.id));
}

#[test]
fn a_gbk_csv_with_crlf_and_a_worker_roster_import() {
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    let d = gridatlas::store::load(&doc).unwrap();
    let h = &d.households[0];
    let micro = d.units.iter().find(|u| Some(u.id) == h.unit).unwrap();
    let text = format!(
        "户编号,地址,户主姓名,联系电话,家庭人数,标签,经度,纬度\r\nCSV-1,某村,王五,13900000000,2,独居老人,{},{}\r\n",
        h.location.x(),
        h.location.y()
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let csv = dir.path().join("roster.csv");
    std::fs::write(&csv, &gbk).unwrap();
    let file = doc.to_str().unwrap();
    let (code, out, err) = gridatlas(&[
        "import",
        "households",
        file,
        "--from",
        csv.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["added"], 1);
    let after = gridatlas::store::load(&doc).unwrap();
    assert_eq!(
        after
            .households
            .iter()
            .find(|h| h.code == "CSV-1")
            .unwrap()
            .head_name,
        "王五"
    );

    let workers = dir.path().join("workers.xlsx");
    workbook(
        &workers,
        "网格员",
        &["姓名", "联系电话", "岗位", "所属单元编码", "是否党员"],
        &[
            vec![
                C::T("赵六"),
                C::T("137 0000 0000"),
                C::T("微网格长"),
                C::T(&micro.code),
                C::T("是"),
            ],
            vec![
                C::T("钱七"),
                C::T("13600000000"),
                C::T("队长"),
                C::T(&micro.code),
                C::T("否"),
            ],
        ],
    );
    let before = std::fs::read(&doc).unwrap();
    let (code, _, err) = gridatlas(&[
        "import",
        "workers",
        file,
        "--from",
        workers.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("workers.xlsx 网格员 row 4: 岗位 '队长' is not a role"),
        "{err}"
    );
    assert_eq!(std::fs::read(&doc).unwrap(), before);
}

#[test]
fn templates_have_the_chinese_headers_and_read_back_as_an_empty_roster() {
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    for (kind, first) in [("households", "户编号"), ("workers", "姓名")] {
        let out = dir.path().join(format!("{kind}.xlsx"));
        let (code, _, err) = gridatlas(&["template", kind, "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto(&out).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).unwrap();
        assert_eq!(range.get((0, 0)).unwrap().to_string(), first);
        // The empty template imports as zero rows (the header is found, nothing written).
        let (code, out, err) = gridatlas(&[
            "import",
            kind,
            doc.to_str().unwrap(),
            "--from",
            out.to_str().unwrap(),
            "--dry-run",
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out["added"], 0);
    }
}

#[test]
fn a_roster_update_never_overwrites_or_brings_back_another_programs_change() {
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    let d = gridatlas::store::load(&doc).unwrap();
    let (a, b) = (d.households[0].clone(), d.households[1].clone());
    // What `import households --mode update` read, and what it would write.
    let mut a2 = a.clone();
    a2.members += 1;
    let mut b2 = b.clone();
    b2.members += 1;
    // Meanwhile QGIS changes one of them and deletes the other.
    let other = common::other_writer(&doc);
    other
        .execute(
            "UPDATE households SET head_name = 'QGIS' WHERE id = ?1",
            [a.id.0],
        )
        .unwrap();
    other
        .execute("DELETE FROM households WHERE id = ?1", [b.id.0])
        .unwrap();
    drop(other);
    for changed in [vec![(a.clone(), a2)], vec![(b.clone(), b2)]] {
        let before = std::fs::read(&doc).unwrap();
        let e = gridatlas::store::write_households(&doc, Vec::new(), &changed, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("another program"), "{e}");
        assert_eq!(std::fs::read(&doc).unwrap(), before);
    }
    let after = gridatlas::store::load(&doc).unwrap();
    assert_eq!(
        after
            .households
            .iter()
            .find(|h| h.id == a.id)
            .unwrap()
            .head_name,
        "QGIS"
    );
    assert!(
        after.households.iter().all(|h| h.id != b.id),
        "not resurrected"
    );
    // New rows never take an id another program used meanwhile.
    let mut n = a.clone();
    n.code = "NEW-X".into();
    let (written, _) = gridatlas::store::write_households(&doc, vec![n], &[], None, None).unwrap();
    assert!(written[0].id.0 > b.id.0 && written[0].id != a.id);
    let again = gridatlas::store::load(&doc).unwrap();
    assert_eq!(again.households.len(), after.households.len() + 1);
    // The spatial index followed both programs: the deleted household's box is gone, the new
    // one's is there, one box per household.
    let conn = common::other_writer(&doc);
    let boxes = |id: i64| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM rtree_households_geom WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!((boxes(b.id.0), boxes(written[0].id.0)), (0, 1));
    let all: i64 = conn
        .query_row("SELECT count(*) FROM rtree_households_geom", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(all as usize, again.households.len());
}
