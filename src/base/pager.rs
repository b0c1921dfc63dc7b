//! One page of a long list that is already in memory (a kept view): which
//! rows a page shows, and where the links before and after it lead. A long
//! staff list (hundreds of waiting proposals, a body's thousand mandates)
//! is read and kept whole, but rendered a page at a time: writing every
//! row on every request was most of what such a page cost.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    /// 1-based; always a page that exists (1 for an empty list).
    pub page: usize,
    pub per_page: usize,
    pub total: usize,
}

impl Pager {
    /// The page `asked` for (the `pagina` parameter as given): anything
    /// that is not a page of this list is its first or last page, never an
    /// error.
    pub fn new(asked: Option<&str>, per_page: usize, total: usize) -> Pager {
        Pager::at(Pager::asked(asked), per_page, total)
    }

    /// The number `asked` names, 1 when it names none: which page to keep
    /// on its own, before the list's length is known.
    pub fn asked(asked: Option<&str>) -> usize {
        asked
            .and_then(|a| a.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1)
    }

    /// Page `page` of the list, or its last.
    pub fn at(page: usize, per_page: usize, total: usize) -> Pager {
        let per_page = per_page.max(1);
        let last = total.div_ceil(per_page).max(1);
        let page = page.clamp(1, last);
        Pager {
            page,
            per_page,
            total,
        }
    }

    /// The rows of this page.
    pub fn range(&self) -> Range<usize> {
        let start = (self.page - 1) * self.per_page;
        start.min(self.total)..(start + self.per_page).min(self.total)
    }

    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    /// Is there more than one page?
    pub fn is_paged(&self) -> bool {
        self.total > self.per_page
    }

    /// "51–100 van 453"
    pub fn shown(&self) -> String {
        let r = self.range();
        format!("{}–{} van {}", r.start + 1, r.end, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp_to_the_list() {
        let p = Pager::new(Some("2"), 50, 453);
        assert_eq!(
            (p.range(), p.pages(), p.shown()),
            (50..100, 10, "51–100 van 453".into())
        );
        assert!(p.has_previous() && p.has_next() && p.is_paged());
        let last = Pager::new(Some("999"), 50, 453);
        assert_eq!((last.page, last.range()), (10, 450..453));
        assert!(!last.has_next());
        for asked in [None, Some("0"), Some("-3"), Some("twee"), Some("")] {
            assert_eq!(Pager::new(asked, 50, 453).page, 1, "{asked:?}");
        }
        let empty = Pager::new(Some("4"), 50, 0);
        assert_eq!(
            (empty.page, empty.range(), empty.is_paged()),
            (1, 0..0, false)
        );
        assert!(!empty.has_next() && !empty.has_previous());
    }
}
