//! Exports of a compilation: CSV, XLSX and JSON, all from the same suppressed figures.
//! XLSX text is written as strings (never formulas); CSV text cells are neutralised.

use domain::Lang;
use domain::compilation::Compilation;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The compilation as an XLSX workbook: one sheet per table.
pub fn to_xlsx(c: &Compilation, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let num = |ws: &mut Worksheet, row: u32, col: u16, n: Option<i64>| match n {
        Some(n) => ws.write_number(row, col, n as f64).map(|_| ()),
        None => ws
            .write_string(row, col, domain::suppress::hidden_label(lang))
            .map(|_| ()),
    };

    let ws = wb
        .add_worksheet()
        .set_name(sheet(lang, "Räckvidd", "Reach"))?;
    ws.write_string_with_format(0, 0, c.title.get(lang), &bold)?;
    ws.write_string(1, 0, &c.lpo_name)?;
    ws.write_string(2, 0, if lang == Lang::Sv { "Svar" } else { "Answers" })?;
    num(ws, 2, 1, c.total)?;
    for (i, h) in ["Målgrupp", "Mål", "Svar", "%"].iter().enumerate() {
        ws.write_string_with_format(4, i as u16, *h, &bold)?;
    }
    for (r, reach) in c.reach.iter().enumerate() {
        let row = 5 + r as u32;
        ws.write_string(row, 0, reach.group_name.get(lang))?;
        ws.write_number(row, 1, reach.target as f64)?;
        num(ws, row, 2, reach.count)?;
        num(ws, row, 3, reach.percent)?;
    }

    let ws = wb
        .add_worksheet()
        .set_name(sheet(lang, "Teman", "Themes"))?;
    ws.write_string_with_format(0, 0, if lang == Lang::Sv { "Tema" } else { "Theme" }, &bold)?;
    ws.write_string_with_format(0, 1, if lang == Lang::Sv { "Alla" } else { "All" }, &bold)?;
    for (i, g) in c.groups.iter().enumerate() {
        ws.write_string_with_format(0, 2 + i as u16, g.get(lang), &bold)?;
    }
    for (r, t) in c.themes.iter().enumerate() {
        let row = 1 + r as u32;
        ws.write_string(row, 0, t.name.get(lang))?;
        num(ws, row, 1, t.overall)?;
        for (i, n) in t.by_group.iter().enumerate() {
            num(ws, row, 2 + i as u16, *n)?;
        }
    }

    let ws = wb
        .add_worksheet()
        .set_name(sheet(lang, "Svar", "Answers"))?;
    let mut row = 0u32;
    for d in &c.distributions {
        ws.write_string_with_format(row, 0, d.text.get(lang), &bold)?;
        for (i, v) in d.values.iter().enumerate() {
            ws.write_string_with_format(row, 1 + i as u16, v.label.get(lang), &bold)?;
        }
        row += 1;
        let lines = std::iter::once((
            if lang == Lang::Sv { "Alla" } else { "All" }.to_owned(),
            &d.overall,
        ))
        .chain(
            d.by_group
                .iter()
                .map(|(g, cells)| (g.get(lang).to_owned(), cells)),
        )
        .chain(d.by_area.iter().map(|(a, cells)| {
            // The row of those who gave no area.
            let name = match (a.is_empty(), lang) {
                (false, _) => a.clone(),
                (true, Lang::Sv) => "Inget svar".to_owned(),
                (true, _) => "No answer".to_owned(),
            };
            (name, cells)
        }));
        for (name, cells) in lines {
            ws.write_string(row, 0, &name)?;
            for (i, n) in cells.iter().enumerate() {
                num(ws, row, 1 + i as u16, *n)?;
            }
            row += 1;
        }
        row += 1;
    }

    let ws = wb
        .add_worksheet()
        .set_name(sheet(lang, "Citat", "Quotes"))?;
    for (r, q) in c.quotes.iter().enumerate() {
        // A string cell: "=…" stays text, never a formula.
        ws.write_string(r as u32, 0, &q.text)?;
    }
    wb.save_to_buffer()
}

fn sheet(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Sv { sv } else { en }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::LocalizedText;
    use domain::compilation::{Quote, ThemeCount};
    use std::io::Read;

    fn sample() -> Compilation {
        Compilation {
            dialogue_id: 1,
            title: LocalizedText::new("Dialog", "Dialogue"),
            lpo_name: "LPO".to_owned(),
            opens_at: chrono::Utc::now(),
            closes_at: chrono::Utc::now(),
            version: Some(1),
            approved_at: None,
            approved_by: None,
            total: Some(12),
            groups: vec![LocalizedText::new("Invånare", "Residents")],
            reach: Vec::new(),
            distributions: Vec::new(),
            themes: vec![ThemeCount {
                theme_id: 1,
                code: "x".to_owned(),
                name: LocalizedText::new("+Tema", "+Theme"),
                overall: None,
                by_group: vec![None],
            }],
            quotes: vec![Quote {
                answer_id: 1,
                text: "=HYPERLINK(\"http://x\";\"klicka\")".to_owned(),
            }],
        }
    }

    fn sheets(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut all = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("entry");
            let name = f.name().to_owned();
            if name.starts_with("xl/worksheets/") || name == "xl/sharedStrings.xml" {
                let mut s = String::new();
                f.read_to_string(&mut s).expect("xml");
                all.push_str(&s);
            }
        }
        all
    }

    #[test]
    fn xlsx_writes_formula_like_text_as_strings_and_keeps_suppression() {
        let bytes = to_xlsx(&sample(), Lang::Sv).expect("xlsx");
        let xml = sheets(&bytes);
        assert!(!xml.contains("<f>"), "no formula cell: {xml}");
        assert!(xml.contains("=HYPERLINK"), "the text is kept, as a string");
        assert!(xml.contains("+Tema"));
        assert!(xml.contains(">dolt<"), "suppressed cells read dolt: {xml}");
    }
}
