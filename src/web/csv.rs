//! CSV cells for spreadsheets: quoted, with formula-looking text defused.

/// Quotes a cell, and defuses text a spreadsheet would run as a formula.
pub fn cell(value: &str) -> String {
    let defused =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// One CSV line (with its CRLF) of quoted cells.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}
