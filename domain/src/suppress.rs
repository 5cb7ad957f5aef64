//! The n<5 rule: no published figure may rest on fewer than [`MIN_ANSWERS`] answers, and
//! no published total minus the published cells may reveal a suppressed cell (differencing).
//!
//! Used at the service layer by every read model that says what people answered, so no view,
//! export or API can bypass it.

/// The fewest answers a published figure may rest on.
pub const MIN_ANSWERS: i64 = 5;

/// How an export labels a suppressed figure (the pages use the catalogue's `figures.hidden`):
/// it may rest on fewer than five answers, or be hidden so that another hidden figure cannot be
/// worked out from the totals, so it does not say "< 5".
pub fn hidden_label(lang: crate::Lang) -> &'static str {
    match lang {
        crate::Lang::Sv => "dolt",
        _ => "hidden",
    }
}

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

/// Every figure published together for one dialogue, linked by the sums that hold between
/// them, suppressed as one whole (*röjandekontroll över alla vyer*).
///
/// A table by itself is not enough: the total of all respondents minus the visible cells of
/// the table by area gives those who left the area out, and a group's count shown in one
/// view is a row total in another. Here every figure is a cell, and every sum the reader
/// knows to hold between cells is a [`Linked::line`] (`total = parts…`, any cell may be the
/// total of one line and a part of others). Three kinds of cell:
/// - [`Linked::cell`]: a figure to publish when the rule allows;
/// - [`Linked::known`]: a figure the reader has anyway (published exactly elsewhere, such as
///   staff's exact counts): never hidden, and never a complement;
/// - [`Linked::unpublished`]: a count never shown but still a count of people (those who
///   did not tick an option, the hours of a day before the series window): protected like a
///   hidden cell.
///
/// The rule, to a fixed point:
/// 1. a cell of 1–4 is hidden;
/// 2. a hidden cell that the lines determine (some line's other cells are all known, directly
///    or by the same step; or the known parts of a line already make up its known total, so
///    the rest are 0) counts as known;
/// 3. in every line, the hidden cells that are not known hold 0 or at least [`MIN_ANSWERS`]
///    answers (every total is taken as known, whether shown or not: the reader may get it
///    from another view); otherwise the smallest visible non-zero part of that line is
///    hidden too;
/// 4. a hidden cell of 1–4 that step 2 determines makes its line hide one more part (a shown
///    0 too, when no other part is left to hide);
/// 5. a hidden cell that the lines bound inside 1–4 (counts are never negative, so a total
///    bounds its parts) makes one of its lines hide one more cell.
#[derive(Clone, Debug, Default)]
pub struct Linked {
    values: Vec<i64>,
    kind: Vec<CellKind>,
    lines: Vec<(usize, Vec<usize>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CellKind {
    Cell,
    Known,
    Unpublished,
}

impl Linked {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, n: i64, kind: CellKind) -> usize {
        self.values.push(n.max(0));
        self.kind.push(kind);
        self.values.len() - 1
    }

    /// A figure to publish under the rule; returns its id.
    pub fn cell(&mut self, n: i64) -> usize {
        self.push(n, CellKind::Cell)
    }

    /// A figure the reader knows exactly anyway.
    pub fn known(&mut self, n: i64) -> usize {
        self.push(n, CellKind::Known)
    }

    /// A count that is never shown.
    pub fn unpublished(&mut self, n: i64) -> usize {
        self.push(n, CellKind::Unpublished)
    }

    /// `total` is the sum of `parts`.
    pub fn line(&mut self, total: usize, parts: Vec<usize>) {
        self.lines.push((total, parts));
    }

    pub fn value(&self, id: usize) -> i64 {
        self.values.get(id).copied().unwrap_or(0)
    }

    /// How many cells there are (the next cell's id).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Settles cell `id` as decided elsewhere: shown (the reader knows it) or hidden (never
    /// shown). Used to suppress in two steps, against two readers.
    pub fn settle(&mut self, id: usize, shown: bool) {
        if let Some(k) = self.kind.get_mut(id) {
            *k = if shown {
                CellKind::Known
            } else {
                CellKind::Unpublished
            };
        }
    }

    /// Which cells may be shown (indexed by cell id). Unpublished cells are never shown.
    pub fn solve(&self) -> Vec<bool> {
        let n = self.values.len();
        let small = |i: usize| self.values[i] > 0 && self.values[i] < MIN_ANSWERS;
        let mut hidden: Vec<bool> = (0..n)
            .map(|i| match self.kind[i] {
                CellKind::Known => false,
                CellKind::Unpublished => true,
                CellKind::Cell => small(i),
            })
            .collect();
        let mut lines_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (line, (total, parts)) in self.lines.iter().enumerate() {
            for c in std::iter::once(total).chain(parts.iter()) {
                if !lines_of[*c].contains(&line) {
                    lines_of[*c].push(line);
                }
            }
        }
        // Each pass hides at least one more cell or stops, so this ends.
        loop {
            let (known, derived_by) = self.derivable(&hidden);
            let hideable =
                |c: usize| !hidden[c] && self.kind[c] == CellKind::Cell && self.values[c] > 0;
            let smallest_in = |cells: &mut dyn Iterator<Item = usize>| {
                cells
                    .filter(|c| hideable(*c))
                    .min_by_key(|c| self.values[*c])
            };
            // A shown 0 beside a known total can give a small cell away (a group of 3 in
            // which nobody ticked an option: all 3 did not): then the 0 is hidden too.
            let a_zero_in = |cells: &mut dyn Iterator<Item = usize>| {
                cells
                    .filter(|c| {
                        !hidden[*c] && self.kind[*c] == CellKind::Cell && self.values[*c] == 0
                    })
                    .min()
            };
            // Hiding a cell that another line determines does not help: break that line (or,
            // when it has nothing left to hide, the lines that determine its cells in turn).
            let break_derivation = |line: usize| {
                let mut seen = vec![line];
                let mut next = vec![line];
                while !next.is_empty() {
                    let mut found: Option<usize> = None;
                    let mut further = Vec::new();
                    for l in next {
                        let (total, parts) = &self.lines[l];
                        let others = std::iter::once(*total)
                            .chain(parts.iter().copied())
                            .filter(|c| hidden[*c] && known[*c])
                            .filter_map(|c| derived_by[c].filter(|d| *d != l));
                        for d in others {
                            if seen.contains(&d) {
                                continue;
                            }
                            seen.push(d);
                            let (t, ps) = &self.lines[d];
                            let cells = || std::iter::once(*t).chain(ps.iter().copied());
                            // A part rather than the total, when there is one.
                            let pick = smallest_in(&mut ps.iter().copied())
                                .or_else(|| smallest_in(&mut std::iter::once(*t)))
                                .or_else(|| a_zero_in(&mut cells()));
                            match pick {
                                Some(c) => {
                                    if found.is_none_or(|f| self.values[c] < self.values[f]) {
                                        found = Some(c);
                                    }
                                }
                                None => further.push(d),
                            }
                        }
                    }
                    if found.is_some() {
                        return found;
                    }
                    next = further;
                }
                None
            };
            let mut to_hide: Vec<usize> = Vec::new();
            for (line, (total, parts)) in self.lines.iter().enumerate() {
                let unknown: i64 = parts
                    .iter()
                    .filter(|p| !known[**p])
                    .map(|p| self.values[*p])
                    .sum();
                // The total (taken as known) less the known parts gives the rest.
                let leaks = unknown > 0 && unknown < MIN_ANSWERS;
                // A small hidden cell that this line determines: one more unknown breaks it.
                let determines_small = std::iter::once(total)
                    .chain(parts.iter())
                    .any(|c| derived_by[*c] == Some(line) && small(*c));
                if !(leaks || determines_small) {
                    continue;
                }
                let next = smallest_in(&mut parts.iter().copied())
                    .or_else(|| Some(*total).filter(|t| determines_small && hideable(*t)))
                    .or_else(|| break_derivation(line))
                    .or_else(|| {
                        determines_small
                            .then(|| a_zero_in(&mut parts.iter().copied()))
                            .flatten()
                    });
                to_hide.extend(next);
            }
            // The reader's interval bounds, for steps 5 and 6 (only once nothing else is left).
            let bounds = if to_hide.is_empty() {
                self.bounds(&known)
            } else {
                Vec::new()
            };
            if to_hide.is_empty() {
                // 5. No hidden cell may be bounded inside 1–4 either (a range is a leak too):
                // widen it by hiding one more cell of a line it is in, or of a line beside.
                for (c, &(lo, hi)) in bounds.iter().enumerate() {
                    if !hidden[c] || known[c] || lo < 1 || hi >= MIN_ANSWERS {
                        continue;
                    }
                    let in_lines = |cell: usize| lines_of[cell].iter().copied();
                    let pick = |line: usize| {
                        let (t, ps) = &self.lines[line];
                        let cells = || std::iter::once(*t).chain(ps.iter().copied());
                        smallest_in(&mut cells()).or_else(|| a_zero_in(&mut cells()))
                    };
                    let near = in_lines(c).find_map(pick).or_else(|| {
                        in_lines(c)
                            .flat_map(|l| {
                                let (t, ps) = &self.lines[l];
                                std::iter::once(*t)
                                    .chain(ps.iter().copied())
                                    .collect::<Vec<_>>()
                            })
                            .filter(|m| *m != c)
                            .flat_map(|m| in_lines(m).collect::<Vec<_>>())
                            .find_map(pick)
                    });
                    to_hide.extend(near);
                }
            }
            if to_hide.is_empty() {
                // 6. What interval bounds miss: a bound that takes several lines at once (a
                // group's share of an option no larger than the areas allow). Linear
                // programming finds it; the nearest shown cell that undoes it is hidden.
                to_hide.extend(self.widen_lp_bound(&hidden, &known, &bounds, &lines_of));
            }
            to_hide.retain(|p| !hidden[*p]);
            if to_hide.is_empty() {
                break;
            }
            for p in to_hide {
                hidden[p] = true;
            }
        }
        hidden.iter().map(|h| !h).collect()
    }

    /// Whether a reader who knows the cells in `known` can bound cell `c` inside 1–4: by
    /// interval bounds `(lo, hi)`, or else by linear programming over all the lines.
    fn bounded_small(&self, known: &[bool], c: usize, (lo, hi): (i64, i64)) -> bool {
        if known[c] || lo >= MIN_ANSWERS || hi < 1 {
            return false;
        }
        let hi_small = hi < MIN_ANSWERS
            || self
                .optimum(known, c, true)
                .is_some_and(|m| (m + 1e-6).floor() < MIN_ANSWERS as f64);
        hi_small
            && (lo >= 1
                || self
                    .optimum(known, c, false)
                    .is_some_and(|m| (m - 1e-6).ceil() >= 1.0))
    }

    /// The highest (or lowest) value of cell `target` that the lines allow, every cell in
    /// `known` at its value and every other count at least 0; `None` when unbounded.
    #[cfg(not(target_arch = "wasm32"))]
    fn optimum(&self, known: &[bool], target: usize, maximize: bool) -> Option<f64> {
        use microlp::{ComparisonOp, OptimizationDirection, Problem};
        let mut p = Problem::new(if maximize {
            OptimizationDirection::Maximize
        } else {
            OptimizationDirection::Minimize
        });
        let vars: Vec<Option<microlp::Variable>> = (0..self.values.len())
            .map(|c| {
                (!known[c])
                    .then(|| p.add_var(if c == target { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)))
            })
            .collect();
        for (total, parts) in &self.lines {
            let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
            let mut rest = 0.0;
            let signed = std::iter::once((*total, -1.0)).chain(parts.iter().map(|p| (*p, 1.0)));
            for (c, coeff) in signed {
                match vars[c] {
                    Some(v) => match terms.iter_mut().find(|(w, _)| *w == v) {
                        Some(t) => t.1 += coeff,
                        None => terms.push((v, coeff)),
                    },
                    None => rest += self.values[c] as f64 * coeff,
                }
            }
            terms.retain(|(_, k)| *k != 0.0);
            if !terms.is_empty() {
                p.add_constraint(&terms[..], ComparisonOp::Eq, -rest);
            }
        }
        let outcome = p.solve().ok()?;
        outcome.solution().map(|s| s.objective())
    }

    /// The server alone suppresses; in the browser no linear program is built.
    #[cfg(target_arch = "wasm32")]
    fn optimum(&self, _known: &[bool], _target: usize, _maximize: bool) -> Option<f64> {
        None
    }

    /// Step 6 of [`Linked::solve`]: the first hidden small cell that linear programming bounds
    /// inside 1–4, and the cell to hide for it: the nearest shown one (by the lines between
    /// them) whose hiding lets the bound out; failing that, every shown cell at that distance.
    fn widen_lp_bound(
        &self,
        hidden: &[bool],
        known: &[bool],
        bounds: &[(i64, i64)],
        lines_of: &[Vec<usize>],
    ) -> Vec<usize> {
        /// How many single cells are tried before a whole ring is hidden.
        const TRIES: usize = 24;
        let small = |i: usize| self.values[i] > 0 && self.values[i] < MIN_ANSWERS;
        let Some(c) = (0..self.values.len())
            .filter(|c| hidden[*c] && !known[*c] && small(*c))
            .find(|c| self.bounded_small(known, *c, bounds[*c]))
        else {
            return Vec::new();
        };
        let hideable = |m: usize| !hidden[m] && self.kind[m] == CellKind::Cell;
        let mut seen = vec![false; self.values.len()];
        seen[c] = true;
        let mut ring = vec![c];
        let mut tried = 0;
        while !ring.is_empty() {
            let mut next: Vec<usize> = Vec::new();
            for cell in &ring {
                for line in &lines_of[*cell] {
                    let (t, ps) = &self.lines[*line];
                    for m in std::iter::once(*t).chain(ps.iter().copied()) {
                        if !seen[m] {
                            seen[m] = true;
                            next.push(m);
                        }
                    }
                }
            }
            let mut candidates: Vec<usize> =
                next.iter().copied().filter(|m| hideable(*m)).collect();
            candidates.sort_by_key(|m| self.values[*m]);
            for m in &candidates {
                if tried == TRIES {
                    break;
                }
                tried += 1;
                let mut more = hidden.to_vec();
                more[*m] = true;
                let (k, _) = self.derivable(&more);
                let b = self.bounds(&k);
                if !self.bounded_small(&k, c, b[c]) {
                    return vec![*m];
                }
            }
            if !candidates.is_empty() && tried == TRIES {
                return candidates;
            }
            ring = next;
        }
        Vec::new()
    }

    /// What the reader can bound every cell to, from the known ones and the lines (every count
    /// is at least 0; a total is the sum of its parts): `(min, max)`, propagated to a fixed
    /// point (or a bounded number of rounds).
    fn bounds(&self, known: &[bool]) -> Vec<(i64, i64)> {
        const OPEN: i64 = i64::MAX / 4;
        let mut b: Vec<(i64, i64)> = (0..self.values.len())
            .map(|i| {
                if known[i] {
                    (self.values[i], self.values[i])
                } else {
                    (0, OPEN)
                }
            })
            .collect();
        for _ in 0..64 {
            let mut changed = false;
            for (total, parts) in &self.lines {
                let lo_sum: i64 = parts.iter().map(|p| b[*p].0).sum();
                let open_parts = parts.iter().filter(|p| b[**p].1 >= OPEN).count();
                let hi_sum: i64 = parts.iter().map(|p| b[*p].1).filter(|h| *h < OPEN).sum();
                let (tlo, thi) = b[*total];
                let new_t = (
                    tlo.max(lo_sum),
                    if open_parts == 0 {
                        thi.min(hi_sum)
                    } else {
                        thi
                    },
                );
                if new_t != b[*total] {
                    b[*total] = new_t;
                    changed = true;
                }
                let (tlo, thi) = b[*total];
                for p in parts {
                    let (plo, phi) = b[*p];
                    let others_lo = lo_sum - plo;
                    let others_open = open_parts - usize::from(phi >= OPEN);
                    let hi = if thi < OPEN {
                        phi.min(thi - others_lo)
                    } else {
                        phi
                    };
                    let lo = if others_open == 0 {
                        let others_hi = hi_sum - if phi < OPEN { phi } else { 0 };
                        plo.max(tlo - others_hi)
                    } else {
                        plo
                    };
                    if (lo, hi) != (plo, phi) {
                        b[*p] = (lo, hi);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        b
    }

    /// The cells the reader knows: the shown ones and those the lines determine from them,
    /// with the line that determined each hidden one.
    fn derivable(&self, hidden: &[bool]) -> (Vec<bool>, Vec<Option<usize>>) {
        let mut known: Vec<bool> = hidden.iter().map(|h| !h).collect();
        let mut derived_by: Vec<Option<usize>> = vec![None; known.len()];
        loop {
            let mut changed = false;
            for (line, (total, parts)) in self.lines.iter().enumerate() {
                let mut unknown = std::iter::once(total)
                    .chain(parts.iter())
                    .filter(|c| !known[**c]);
                if let (Some(only), None) = (unknown.next(), unknown.next()) {
                    known[*only] = true;
                    derived_by[*only] = Some(line);
                    changed = true;
                    continue;
                }
                // No count is negative: when the known parts already make up the known total,
                // every other part is 0.
                if known[*total] {
                    let shown: i64 = parts
                        .iter()
                        .filter(|c| known[**c])
                        .map(|c| self.values[*c])
                        .sum();
                    if shown == self.values[*total] {
                        for c in parts {
                            if !known[*c] {
                                known[*c] = true;
                                derived_by[*c] = Some(line);
                                changed = true;
                            }
                        }
                    }
                }
            }
            if !changed {
                return (known, derived_by);
            }
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

    /// A small reproducible random source: `next(m)` is in `0..m`.
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |m| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        }
    }

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
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
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

    /// Whether any line of `p`, with the cells `shown`, lets a reader work out a hidden count
    /// of 1–4 by the derivation steps the rule knows (a line with one unknown cell).
    fn leaks(p: &Linked, shown: &[bool]) -> Option<usize> {
        let hidden: Vec<bool> = shown.iter().map(|s| !s).collect();
        let (known, _) = p.derivable(&hidden);
        (0..shown.len())
            .find(|i| !shown[*i] && known[*i] && (1..MIN_ANSWERS).contains(&p.value(*i)))
    }

    #[test]
    fn the_total_less_the_areas_does_not_reveal_those_without_an_area() {
        // The regression of issue #14: 6 respondents, 5 in the first area, 1 gave no area.
        let mut p = Linked::new();
        let total = p.cell(6);
        let areas: Vec<usize> = [5, 0, 0, 0].iter().map(|n| p.cell(*n)).collect();
        let no_area = p.cell(1);
        let mut parts = areas.clone();
        parts.push(no_area);
        p.line(total, parts);
        let shown = p.solve();
        assert!(shown[total], "the total of 6 is shown");
        assert!(!shown[no_area], "the 1 without an area is hidden");
        assert!(
            !shown[areas[0]],
            "and so is the 5 that 6 - 5 would give it away by"
        );
        assert!(
            shown[areas[1]] && shown[areas[2]] && shown[areas[3]],
            "zeros stay"
        );
        assert_eq!(leaks(&p, &shown), None);
    }

    #[test]
    fn a_hidden_group_count_is_not_rebuilt_from_its_channels() {
        // Groups 3, 10, 10 of a total 23; each group's channels are one cell of 10 or 3.
        let mut p = Linked::new();
        let total = p.cell(23);
        let groups: Vec<usize> = [3, 10, 10].iter().map(|n| p.cell(*n)).collect();
        p.line(total, groups.clone());
        let mut channels = Vec::new();
        for (g, n) in groups.iter().zip([3, 10, 10]) {
            let cells = vec![p.cell(n), p.cell(0)];
            p.line(*g, cells.clone());
            channels.push(cells);
        }
        let shown = p.solve();
        assert!(!shown[groups[0]], "the 3 is hidden");
        assert_eq!(leaks(&p, &shown), None, "shown: {shown:?}");
        // The total less whatever the reader can work out must not leave the 3 alone.
        let hidden: Vec<bool> = shown.iter().map(|s| !s).collect();
        let (known, _) = p.derivable(&hidden);
        let unknown_groups: i64 = groups
            .iter()
            .filter(|g| !known[**g])
            .map(|g| p.value(*g))
            .sum();
        assert!(
            unknown_groups >= MIN_ANSWERS,
            "{unknown_groups} unknown in {shown:?}"
        );
    }

    #[test]
    fn a_day_less_its_shown_hours_does_not_reveal_an_hour() {
        // Daily 7 (one day), hours 5 and 2: the 2 is hidden, and so is the 5, since the day
        // is shown; a second day before the window stays linked through the total.
        let mut p = Linked::new();
        let total = p.cell(19);
        let days = vec![p.cell(12), p.cell(7)];
        p.line(total, days.clone());
        let before = p.unpublished(12);
        p.line(days[0], vec![before]);
        let hours = vec![p.cell(5), p.cell(2), p.cell(0)];
        p.line(days[1], hours.clone());
        let shown = p.solve();
        assert!(shown[total] && shown[days[1]]);
        assert!(!shown[hours[1]] && !shown[hours[0]], "{shown:?}");
        assert_eq!(leaks(&p, &shown), None);
    }

    #[test]
    fn those_who_did_not_tick_an_option_are_a_count_too() {
        // A group of 7, 5 of whom ticked an option: 2 did not. The 5 cannot be shown beside
        // the group's count.
        let mut p = Linked::new();
        let group = p.known(7);
        let ticked = p.cell(5);
        let not_ticked = p.unpublished(2);
        p.line(group, vec![ticked, not_ticked]);
        let shown = p.solve();
        assert!(!shown[ticked] && !shown[not_ticked]);
        assert!(shown[group], "a known figure is never hidden");
    }

    #[test]
    fn random_surveys_leave_no_count_bounded_inside_one_to_four_by_any_lines() {
        // Respondents with a known group (staff see group counts), an area never shown, one
        // multiple-choice option (with its "did not tick" counts) and one single-choice
        // question, by group and by area: what a reader solving all the lines at once (linear
        // programming) can bound, not only what one line gives away.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            let people: Vec<[usize; 4]> = (0..1 + next(12))
                .map(|_| [next(2), next(3), next(2), next(3)].map(|x| x as usize))
                .collect();
            let count = |f: &dyn Fn(&[usize; 4]) -> bool| people.iter().filter(|r| f(r)).count();
            let mut p = Linked::new();
            let total = p.known(people.len() as i64);
            let groups: Vec<usize> = (0..2)
                .map(|g| p.known(count(&|r| r[0] == g) as i64))
                .collect();
            let areas: Vec<usize> = (0..3)
                .map(|a| p.unpublished(count(&|r| r[1] == a) as i64))
                .collect();
            p.line(total, groups.clone());
            p.line(total, areas.clone());
            // Rows: everyone, by group (field 0), by area (field 1).
            // A row's people: everyone, or those with `field` = `value`.
            let rows: Vec<(usize, Option<(usize, usize)>)> = std::iter::once((total, None))
                .chain(groups.iter().enumerate().map(|(g, id)| (*id, Some((0, g)))))
                .chain(areas.iter().enumerate().map(|(a, id)| (*id, Some((1, a)))))
                .collect();
            // Per row: ticked, not ticked, and the single choice's three slots.
            let mut cells: Vec<[usize; 5]> = Vec::new();
            for (row, sel) in &rows {
                let of = |r: &[usize; 4]| sel.is_none_or(|(f, v)| r[f] == v);
                let ticked = p.cell(count(&|r| of(r) && r[2] == 1) as i64);
                let not = p.unpublished(count(&|r| of(r) && r[2] == 0) as i64);
                p.line(*row, vec![ticked, not]);
                let slots: Vec<usize> = (0..3)
                    .map(|v| p.cell(count(&|r| of(r) && r[3] == v) as i64))
                    .collect();
                p.line(*row, slots.clone());
                cells.push([ticked, not, slots[0], slots[1], slots[2]]);
            }
            for k in 0..5 {
                p.line(cells[0][k], vec![cells[1][k], cells[2][k]]);
                p.line(cells[0][k], cells[3..].iter().map(|c| c[k]).collect());
            }
            let shown = p.solve();
            for (i, s) in shown.iter().enumerate() {
                if *s && p.kind[i] == CellKind::Cell {
                    assert!(publishable(p.value(i)), "{people:?}");
                }
            }
            let hidden: Vec<bool> = shown.iter().map(|s| !s).collect();
            let (known, _) = p.derivable(&hidden);
            let bounds = p.bounds(&known);
            for (i, h) in hidden.iter().enumerate() {
                let small = (1..MIN_ANSWERS).contains(&p.value(i));
                assert!(
                    !(*h && small && p.bounded_small(&known, i, bounds[i])),
                    "cell {i} of {people:?} is bounded inside 1–4 ({shown:?})"
                );
            }
        }
    }

    #[test]
    fn random_linked_tables_reveal_nothing_by_a_single_line() {
        // Two tables sharing their row totals and their grand total (by group and by area
        // over the same respondents), with a "did not answer" row in each.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let rows = 1 + next(4) as usize;
            let cols = 1 + next(4) as usize;
            let a: Vec<Vec<i64>> = (0..rows)
                .map(|_| (0..cols).map(|_| next(9) as i64).collect())
                .collect();
            let mut p = Linked::new();
            let col_sums: Vec<i64> = (0..cols).map(|c| a.iter().map(|r| r[c]).sum()).collect();
            let total = p.cell(col_sums.iter().sum());
            let cols_ids: Vec<usize> = col_sums.iter().map(|n| p.cell(*n)).collect();
            p.line(total, cols_ids.clone());
            let cells: Vec<Vec<usize>> = a
                .iter()
                .map(|r| r.iter().map(|n| p.cell(*n)).collect())
                .collect();
            for r in &cells {
                let rt = p.cell(r.iter().map(|c| p.value(*c)).sum());
                p.line(rt, r.clone());
            }
            for (c, ct) in cols_ids.iter().enumerate() {
                p.line(*ct, cells.iter().map(|r| r[c]).collect());
            }
            let shown = p.solve();
            for (i, s) in shown.iter().enumerate() {
                if *s {
                    assert!(publishable(p.value(i)), "{a:?}");
                }
            }
            assert_eq!(leaks(&p, &shown), None, "{a:?} -> {shown:?}");
        }
    }
}
