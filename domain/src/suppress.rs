//! The n<5 rule: no published figure may rest on fewer than [`MIN_ANSWERS`] answers, and
//! no published total minus the published cells may reveal a suppressed cell (differencing).
//!
//! Used at the service layer by every read model that says what people answered, so no view,
//! export or API can bypass it.

/// The fewest answers a published figure may rest on.
pub const MIN_ANSWERS: i64 = 5;

/// Whether a count may be shown on its own: 0 (nobody) or at least [`MIN_ANSWERS`].
pub fn publishable(n: i64) -> bool {
    n == 0 || n >= MIN_ANSWERS
}

/// Suppresses a table of counts (rows × columns) whose row totals and column totals are
/// published beside it. `None` marks a suppressed cell.
///
/// A cell of 1–4 is suppressed. Then, in every row and every column, the suppressed cells
/// must together hold 0 or at least [`MIN_ANSWERS`] answers: otherwise the total minus the
/// visible cells would reveal them, so the smallest visible non-zero cell of that line is
/// suppressed too, until the rule holds everywhere. A row or column whose total is itself
/// unpublishable has all its cells suppressed.
pub fn suppress_table(cells: &[Vec<i64>]) -> Vec<Vec<Option<i64>>> {
    let rows = cells.len();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let at = |r: usize, c: usize| cells[r].get(c).copied().unwrap_or(0);
    let row_total = |r: usize| (0..cols).map(|c| at(r, c)).sum::<i64>();
    let col_total = |c: usize| (0..rows).map(|r| at(r, c)).sum::<i64>();
    let mut hidden: Vec<Vec<bool>> = (0..rows)
        .map(|r| {
            let whole_row = !publishable(row_total(r));
            (0..cols)
                .map(|c| whole_row || !publishable(at(r, c)))
                .collect()
        })
        .collect();
    for c in 0..cols {
        if !publishable(col_total(c)) {
            for row in hidden.iter_mut() {
                row[c] = true;
            }
        }
    }
    // Complementary suppression, to a fixed point (each pass hides at least one more cell
    // or stops, so it ends).
    loop {
        let mut changed = false;
        for r in 0..rows {
            let line: Vec<(usize, usize)> = (0..cols).map(|c| (r, c)).collect();
            changed |= protect_line(&line, &at, &mut hidden);
        }
        for c in 0..cols {
            let line: Vec<(usize, usize)> = (0..rows).map(|r| (r, c)).collect();
            changed |= protect_line(&line, &at, &mut hidden);
        }
        if !changed {
            break;
        }
    }
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| (!hidden[r][c]).then(|| at(r, c)))
                .collect()
        })
        .collect()
}

/// Hides the smallest visible non-zero cells of one line until its hidden cells hold 0 or
/// at least [`MIN_ANSWERS`]. Returns whether anything changed.
fn protect_line(
    line: &[(usize, usize)],
    at: &impl Fn(usize, usize) -> i64,
    hidden: &mut [Vec<bool>],
) -> bool {
    let mut changed = false;
    loop {
        let hidden_sum: i64 = line
            .iter()
            .filter(|(r, c)| hidden[*r][*c])
            .map(|(r, c)| at(*r, *c))
            .sum();
        if hidden_sum == 0 || hidden_sum >= MIN_ANSWERS {
            return changed;
        }
        let next = line
            .iter()
            .filter(|(r, c)| !hidden[*r][*c] && at(*r, *c) > 0)
            .min_by_key(|(r, c)| at(*r, *c));
        match next {
            Some((r, c)) => {
                hidden[*r][*c] = true;
                changed = true;
            }
            // Everything non-zero is hidden already: the line's total is the hidden sum,
            // under the threshold, and is itself unpublishable.
            None => return changed,
        }
    }
}

/// A share or mean is published only when it rests on enough answers.
pub fn gate<T>(n: i64, value: T) -> Option<T> {
    (n >= MIN_ANSWERS).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_invariants(cells: &[Vec<i64>], out: &[Vec<Option<i64>>]) {
        let rows = cells.len();
        let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
        let at = |r: usize, c: usize| cells[r].get(c).copied().unwrap_or(0);
        for (r, row) in out.iter().enumerate() {
            for (c, shown) in row.iter().enumerate() {
                if let Some(v) = *shown {
                    assert!(publishable(v), "shown cell {v} at ({r},{c}) in {cells:?}");
                    assert_eq!(v, at(r, c));
                }
            }
        }
        // Differencing: per line, published total minus shown cells is 0 or >= 5.
        let lines: Vec<Vec<(usize, usize)>> = (0..rows)
            .map(|r| (0..cols).map(|c| (r, c)).collect())
            .chain((0..cols).map(|c| (0..rows).map(|r| (r, c)).collect()))
            .collect();
        for line in lines {
            let total: i64 = line.iter().map(|(r, c)| at(*r, *c)).sum();
            if !publishable(total) {
                continue;
            }
            let shown: i64 = line.iter().filter_map(|(r, c)| out[*r][*c]).sum();
            let revealed = total - shown;
            assert!(
                revealed == 0 || revealed >= MIN_ANSWERS,
                "total {total} minus shown {shown} reveals {revealed} in {cells:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn small_cells_and_their_complements_are_hidden() {
        let cells = vec![vec![12, 3, 9]];
        let out = suppress_table(&cells);
        // 3 is hidden, and 9 with it: 24 - 12 would otherwise reveal the 3.
        assert_eq!(out, vec![vec![Some(12), None, None]]);
        check_invariants(&cells, &out);
    }

    #[test]
    fn a_small_total_hides_the_whole_line() {
        let cells = vec![vec![2, 1, 0]];
        assert_eq!(suppress_table(&cells), vec![vec![None, None, None]]);
    }

    #[test]
    fn random_tables_never_publish_or_reveal_a_small_figure() {
        // A small xorshift: deterministic, no dependency.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..5_000 {
            let rows = 1 + next(5) as usize;
            let cols = 1 + next(6) as usize;
            let cells: Vec<Vec<i64>> = (0..rows)
                .map(|_| (0..cols).map(|_| next(12) as i64).collect())
                .collect();
            let out = suppress_table(&cells);
            check_invariants(&cells, &out);
        }
    }
}
