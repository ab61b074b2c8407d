//! Plain-text tables (columns padded, numbers right-aligned) and the median.

/// A table: a header, then rows of the same width.
#[derive(Debug)]
pub(crate) struct Table {
    header: Vec<&'static str>,
    /// Which columns hold numbers (right-aligned).
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose columns are `columns`: each a name and whether it holds numbers.
    pub(crate) fn new(columns: &[(&'static str, bool)]) -> Table {
        Table {
            header: columns.iter().map(|c| c.0).collect(),
            numeric: columns.iter().map(|c| c.1).collect(),
            rows: vec![],
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.header.len(), "a row has one cell per column");
        self.rows.push(cells);
    }

    /// The table as lines: the header, a rule, the rows.
    pub(crate) fn render(&self) -> String {
        let mut width: Vec<usize> = self.header.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (w, c) in width.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: &mut dyn Iterator<Item = &str>| {
            let parts: Vec<String> = row
                .zip(&width)
                .zip(&self.numeric)
                .map(|((c, &w), &right)| if right { format!("{c:>w$}") } else { format!("{c:<w$}") })
                .collect();
            parts.join(" | ").trim_end().to_owned()
        };
        let mut out = vec![line(&mut self.header.iter().copied())];
        out.push(width.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("-+-"));
        for row in &self.rows {
            out.push(line(&mut row.iter().map(String::as_str)));
        }
        out.join("\n") + "\n"
    }
}

/// "met" or "NOT met".
pub(crate) fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

pub(crate) fn median(figures: &[f64]) -> f64 {
    let mut sorted = figures.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_and_numbers_right_aligned() {
        let mut t = Table::new(&[("name", false), ("n", true)]);
        t.row(vec!["a".into(), "1".into()]);
        t.row(vec!["long name".into(), "123".into()]);
        assert_eq!(t.render(), "name      |   n\n----------+----\na         |   1\nlong name | 123\n");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
