//! `roller.layout.needles_csv`: an explicit roller layout read from a CSV file.

use super::*;

impl Ctx<'_> {
    /// Reads `roller.layout.needles_csv`: a regular file the read policy allows, resolved
    /// against the design's folder. Errors quote the path, the CSV line and at most the
    /// offending field (clipped), never the rest of the file.
    pub(crate) fn needles_csv(&self, c: &S<String>, length_mm: f64) -> R<Vec<RawNeedle>> {
        let key = "roller.layout.needles_csv";
        let written = format!("{:?}", crate::base::input::clip(c.get_ref()));
        let fail = |problem: String| self.err(c.span(), key, &written, problem);
        let csv_path = self.policy.resolve(self.path, c.get_ref()).map_err(fail)?;
        let at = |line: u64| format!("{}:{line}", csv_path.display());
        let bytes = self
            .policy
            .read(&csv_path)
            .map_err(|e| fail(format!("cannot read {}: {e}", csv_path.display())))?;
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(&bytes[..]);
        let headers = rdr
            .headers()
            .map_err(|e| fail(format!("{}: {}", at(1), csv_problem(&e))))?
            .clone();
        for (i, h) in headers.iter().enumerate() {
            if let Some(j) = headers.iter().skip(i + 1).position(|g| g == h) {
                return Err(fail(format!(
                    "{}: the header names column {:?} twice (columns {} and {}); each column once",
                    at(1),
                    crate::base::input::clip(h),
                    i + 1,
                    i + j + 2
                )));
            }
        }
        // a column it does not know is a typo (`lenght_mm`) whose values would be ignored
        const KNOWN: [&str; 3] = ["axial_mm", "angle_deg", "length_mm"];
        if let Some((i, h)) = headers.iter().enumerate().find(|(_, h)| !KNOWN.contains(h)) {
            return Err(fail(format!(
                "{}: the header's column {} is {:?}, which is not a needle column; the columns \
                 are axial_mm,angle_deg[,length_mm]",
                at(1),
                i + 1,
                crate::base::input::clip(h)
            )));
        }
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(ia), Some(ip)) = (col("axial_mm"), col("angle_deg")) else {
            return Err(fail(format!(
                "{}: the header has no column {}; needs columns axial_mm,angle_deg[,length_mm]",
                at(1),
                if col("axial_mm").is_none() {
                    "axial_mm"
                } else {
                    "angle_deg"
                }
            )));
        };
        let il = col("length_mm");
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        let mut lines = LineCounter::default();
        loop {
            let more = rdr.read_record(&mut rec).map_err(|e| {
                let line = e.position().map_or(0, |p| line_of(&bytes, p.byte()));
                fail(format!("{}: {}", at(line), csv_problem(&e)))
            })?;
            if !more {
                break;
            }
            // The csv crate's own line count skips blank lines; count newlines instead (as
            // the file is read, not from its start for every row).
            let line = rec
                .position()
                .map_or(0, |p| lines.line_at(&bytes, p.byte()));
            // The count is checked while reading: a million-row file is refused at its
            // 20 001st row, not after all of it is parsed.
            if out.len() == MAX_NEEDLES {
                return Err(fail(format!(
                    "{}: more than {MAX_NEEDLES} needles (rows); at most {MAX_NEEDLES} are supported",
                    at(line)
                )));
            }
            // every column through the range table, named with its CSV line
            let num = |idx: usize, name: &str| -> R<f64> {
                let s = rec.get(idx).unwrap_or("");
                let x = s.parse::<f64>().map_err(|_| {
                    fail(format!(
                        "{}: {name} = {:?} must be a number",
                        at(line),
                        crate::base::input::clip(s)
                    ))
                })?;
                super::super::ranges::check(&format!("roller.layout.needles.{name}"), x).map_err(
                    |p| {
                        fail(format!(
                            "{}: {name} = {}: {p}",
                            at(line),
                            crate::base::input::clip(s)
                        ))
                    },
                )
            };
            let a = num(ia, "axial_mm")?;
            let p = num(ip, "angle_deg")?;
            let h = match il {
                Some(il) => num(il, "length_mm")?,
                None => length_mm,
            };
            out.push((a, p, h, c.span(), format!("{key} ({})", at(line))));
        }
        Ok(out)
    }
}

/// 1-based line of the record starting at byte `offset` in `bytes` (the csv crate starts a
/// record at the blank lines it skips before it).
fn line_of(bytes: &[u8], offset: u64) -> u64 {
    LineCounter::default().line_at(bytes, offset)
}

/// Lines counted as records come, in order: each row costs its own length, not the file's.
#[derive(Default)]
struct LineCounter {
    /// Bytes counted so far.
    pos: usize,
    /// Newlines in them.
    newlines: u64,
}

impl LineCounter {
    /// [`line_of`] for a record at `offset`, which is at or past the last one asked about.
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> u64 {
        let mut end = (offset as usize).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        if end > self.pos {
            self.newlines += bytes[self.pos..end].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos = end;
        }
        self.newlines + 1
    }
}

/// A CSV reading error in words, without the data it was reading.
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("not UTF-8 text (in field {})", err.field() + 1)
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        _ => "malformed CSV".to_string(),
    }
}
