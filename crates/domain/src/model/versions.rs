//! Rules published as dated versions (application time limits, service deadlines): the version in
//! force on a date, and the version a record was made under, which it is always read back against.

use chrono::NaiveDate;

use crate::error::{Error, Result, UserMessage};

/// A version of some rules, known by the date it takes effect.
pub trait Versioned {
    fn effective(&self) -> NaiveDate;

    /// The text stored on each record made under this version.
    fn version(&self) -> String {
        self.effective().to_string()
    }
}

/// The versions of one set of rules, oldest first, no two on the same date.
#[derive(Debug)]
pub struct Book<T> {
    versions: Vec<T>,
    /// What the rules are called in messages: `(code prefix, 中文名, English name)`.
    name: (&'static str, &'static str, &'static str),
}

impl<T: Versioned> Book<T> {
    pub fn new(mut versions: Vec<T>, name: (&'static str, &'static str, &'static str)) -> Result<Book<T>> {
        versions.sort_by_key(|r| r.effective());
        if let Some(w) = versions.windows(2).find(|w| w[0].effective() == w[1].effective()) {
            return Err(Error::invalid(UserMessage::new(
                &format!("{}.file", name.0),
                format!("{}：两个版本生效日期相同（{}）", name.1, w[0].effective()),
                format!("{}: two versions take effect on {}", name.2, w[0].effective()),
            )));
        }
        Ok(Book { versions, name })
    }

    /// The version in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> Result<&T> {
        self.versions.iter().rev().find(|r| r.effective() <= date).ok_or_else(|| {
            Error::invalid(UserMessage::new(
                &format!("{}.none", self.name.0),
                format!("{date}没有生效的{}", self.name.1),
                format!("No {} are in force on {date}", self.name.2),
            ))
        })
    }

    /// The version a record was made under.
    pub fn version(&self, version: &str) -> Result<&T> {
        self.versions
            .iter()
            .find(|r| r.version() == version)
            .ok_or_else(|| Error::Internal(format!("{} version {version} is not known", self.name.2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct V(NaiveDate);
    impl Versioned for V {
        fn effective(&self) -> NaiveDate {
            self.0
        }
    }

    #[test]
    fn the_version_in_force_is_the_latest_that_has_begun() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let book = Book::new(vec![V(d(6, 1)), V(d(1, 1))], ("x", "规则", "rules")).unwrap();
        assert_eq!(book.in_force(d(5, 31)).unwrap().0, d(1, 1));
        assert_eq!(book.in_force(d(6, 1)).unwrap().0, d(6, 1));
        assert_eq!(book.in_force(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()).unwrap_err().code(), "x.none");
        assert_eq!(book.version("2026-06-01").unwrap().0, d(6, 1));
        assert!(Book::new(vec![V(d(1, 1)), V(d(1, 1))], ("x", "规则", "rules")).is_err());
    }
}
