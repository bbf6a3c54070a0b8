//! Words and numbers as needlemap writes them: fixed decimals, CSV files in memory, escaped
//! markup and plain-text tables. Serializers above build bytes from these; writing them is
//! [`super::outdir`]'s.

/// A CSV file being written to memory the way every CSV of the tool is written: comma
/// separated, quoted where needed, rows ended by `\n`.
///
/// # Examples
/// ```
/// let mut w = needlemap::base::fmt::CsvBytes::new();
/// w.row(["a", "b"]);
/// w.row(["1", "x,y"]);
/// assert_eq!(w.into_bytes(), b"a,b\n1,\"x,y\"\n");
/// ```
pub struct CsvBytes(csv::Writer<Vec<u8>>);

impl Default for CsvBytes {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvBytes {
    /// An empty file.
    pub fn new() -> CsvBytes {
        CsvBytes(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
        )
    }

    /// Appends one row. Writing to memory cannot fail for I/O; a row whose length differs from
    /// the first row's is a bug in the caller, and panics here rather than being dropped.
    pub fn row<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if let Err(e) = self.0.write_record(cells) {
            panic!("a CSV row could not be written: {e}");
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        match self.0.into_inner() {
            Ok(v) => v,
            Err(e) => panic!("a CSV file could not be finished: {}", e.error()),
        }
    }
}

/// Escapes text for XML and HTML attributes and content (JUnit XML, the review page).
/// Control characters other than tab and newline, not allowed in XML 1.0, become `?`.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::base::fmt::escape_markup("a<b & 'c'"), "a&lt;b &amp; &apos;c&apos;");
/// ```
pub fn escape_markup(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => o.push('?'),
            c => o.push(c),
        }
    }
    o
}

/// A number for CSV and tables: fixed decimals, "" for an undefined metric.
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(String::new, |x| fmt_num(x, decimals))
}

/// Largest magnitude written in fixed notation; beyond it (a time of 1e300 s from a press
/// rate of 1e-300/s) [`fmt_num`] writes e-notation, so no cell or table column is hundreds of
/// digits wide.
pub const MAX_FIXED: f64 = 1e15;

/// Fixed decimals, with −0 written as 0; e-notation with the same decimals beyond
/// [`MAX_FIXED`] or for a non-finite value.
///
/// # Examples
/// ```
/// use needlemap::base::fmt::fmt_num;
/// assert_eq!(fmt_num(40.0, 1), "40.0");
/// assert_eq!(fmt_num(1e300, 4), "1.0000e300");
/// ```
pub fn fmt_num(x: f64, decimals: usize) -> String {
    if !x.is_finite() || x.abs() >= MAX_FIXED {
        return format!("{x:.decimals$e}");
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A number without trailing zeros, at most 4 decimals: 5 → "5", 2.5 → "2.5", 0.125 → "0.125".
pub fn fmt_tick(x: f64) -> String {
    let s = fmt_num(x, 4);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A JSON document as every JSON file and `--format json` of needlemap is written: pretty,
/// ended by a newline.
pub fn json_bytes<T: serde::Serialize>(doc: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(doc).expect("serializing plain data cannot fail");
    v.push(b'\n');
    v
}

/// Lays out rows of cells with aligned columns (first column left, the rest right).
pub fn render(rows: &[Vec<String>]) -> String {
    render_with(rows, |i, _| i == 0)
}

/// Lays out rows of cells with aligned columns; `left(i, ncol)` says which columns are
/// left-aligned (text), the others are right-aligned (numbers). The first row is a header,
/// underlined.
pub fn render_with(rows: &[Vec<String>], left: impl Fn(usize, usize) -> bool) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut width = vec![0usize; ncol];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for (ri, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = " ".repeat(width[i] - c.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if left(i, ncol) {
                line.push_str(c);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if ri == 0 {
            let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
            out.push_str(&"─".repeat(total));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_is_written_as_zero() {
        assert_eq!(fmt_num(-0.00001, 3), "0.000");
        assert_eq!(fmt_num(-1.5, 1), "-1.5");
        assert_eq!(fmt_opt(None, 2), "");
    }
}
