//! Customer search (SPEC §2): by account, meter, ID number, phone and its last four digits, name
//! (exact, prefix, any fragment, pinyin initials, full pinyin) and address fragment.
//!
//! A query is read as every kind it could be; each kind is one indexed lookup returning at most
//! `offset + limit + 1` rows in index order. Results are merged by the kind's rank (an exact
//! account beats a name fragment), de-duplicated and cut to the page. Fetching that many from
//! each kind is enough: a row a lower kind needs past its cut-off would already sit above it.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::customer::{CustomerClass, CustomerStatus};
use crate::model::ids::phone_key;
use crate::model::name_keys::{keyboard_form, text_tokens};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SearchQuery {
    pub text: String,
    #[serde(default)]
    pub offset: u32,
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    20
}

pub const MAX_LIMIT: u32 = 100;

/// Why a row matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Account,
    Meter,
    IdNumber,
    Phone,
    Name,
    PhoneTail,
    NamePrefix,
    Initials,
    Pinyin,
    NameFragment,
    AccountPrefix,
    Address,
}

impl MatchKind {
    pub const ALL: [MatchKind; 12] = [
        MatchKind::Account,
        MatchKind::Meter,
        MatchKind::IdNumber,
        MatchKind::Phone,
        MatchKind::Name,
        MatchKind::PhoneTail,
        MatchKind::NamePrefix,
        MatchKind::Initials,
        MatchKind::Pinyin,
        MatchKind::NameFragment,
        MatchKind::AccountPrefix,
        MatchKind::Address,
    ];
}

/// A search result row: enough to pick the right customer at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub id: String,
    pub account: String,
    pub name: String,
    pub class: CustomerClass,
    pub status: CustomerStatus,
    pub address: String,
    /// The first contact phone, unmasked here; the command layer masks it by role.
    pub phone: String,
    pub matched_by: MatchKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub has_more: bool,
    /// The application (业扩) whose number the text is, found by the command layer
    /// (`customer.search` looks a `YK…` text up as an application number too).
    #[serde(default)]
    pub application: Option<super::applications::ApplicationHit>,
}

/// The lookups a query text stands for, each with the value to look up.
pub fn plan(text: &str) -> Vec<(MatchKind, String)> {
    let text = text.trim();
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let mut lookups = Vec::new();
    if compact.is_empty() {
        return lookups;
    }
    let all_digits = compact.bytes().all(|b| b.is_ascii_digit());
    let ascii_alnum = compact.bytes().all(|b| b.is_ascii_alphanumeric());
    if all_digits {
        let n = compact.len();
        if n == 10 {
            lookups.push((MatchKind::Account, compact.clone()));
        }
        if (4..10).contains(&n) {
            lookups.push((MatchKind::AccountPrefix, compact.clone()));
        }
        if n == 4 {
            lookups.push((MatchKind::PhoneTail, compact.clone()));
        }
        if (7..=12).contains(&n) {
            lookups.push((MatchKind::Phone, compact.clone()));
        }
    }
    let upper = compact.to_ascii_uppercase();
    let id_like = upper.len() == 18 && upper[..17].bytes().all(|b| b.is_ascii_digit());
    if id_like || (ascii_alnum && upper.len() == 18) {
        lookups.push((MatchKind::IdNumber, upper.clone()));
    }
    if ascii_alnum && upper.len() >= 4 {
        lookups.push((MatchKind::Meter, upper.clone()));
    }
    if ascii_alnum && compact.bytes().all(|b| b.is_ascii_alphabetic()) {
        let lower = keyboard_form(&compact.to_ascii_lowercase());
        lookups.push((MatchKind::Initials, lower.clone()));
        if lower.len() >= 2 {
            lookups.push((MatchKind::Pinyin, lower));
        }
    }
    if !ascii_alnum {
        let has_letter = !compact.is_ascii();
        if has_letter {
            lookups.push((MatchKind::Name, text.to_owned()));
            lookups.push((MatchKind::NamePrefix, text.to_owned()));
            lookups.push((MatchKind::NameFragment, text.to_owned()));
        }
        lookups.push((MatchKind::Address, text.to_owned()));
    }
    lookups
}

/// Runs a search and returns one page of ranked hits.
pub fn search(conn: &Connection, query: &SearchQuery) -> Result<SearchPage> {
    let limit = query.limit.clamp(1, MAX_LIMIT) as usize;
    let want = query.offset as usize + limit + 1;
    // (kind, position within that kind's lookup, row key)
    let mut ranked: Vec<(MatchKind, usize, i64)> = Vec::new();
    for (kind, value) in plan(&query.text) {
        for (position, pk) in lookup(conn, kind, &value, want)?.into_iter().enumerate() {
            ranked.push((kind, position, pk));
        }
    }
    ranked.sort_unstable();
    let mut seen = std::collections::HashSet::new();
    ranked.retain(|(_, _, pk)| seen.insert(*pk));
    let has_more = ranked.len() > query.offset as usize + limit;
    let page = ranked.into_iter().skip(query.offset as usize).take(limit);
    let mut stmt = conn.prepare_cached(
        "SELECT id, account, name, class, status, address,
                coalesce((SELECT phone FROM customer_phones WHERE customer_pk = c.pk ORDER BY position LIMIT 1), '')
         FROM customers c WHERE pk = ?1",
    )?;
    let hits = page
        .map(|(kind, _, pk)| {
            stmt.query_row([pk], |r| {
                Ok(SearchHit {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    name: r.get(2)?,
                    class: CustomerClass::from_code(&r.get::<_, String>(3)?).unwrap_or(CustomerClass::Residential),
                    status: CustomerStatus::from_code(&r.get::<_, String>(4)?).unwrap_or(CustomerStatus::Active),
                    address: r.get(5)?,
                    phone: r.get(6)?,
                    matched_by: kind,
                })
            })
            .map_err(Into::into)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchPage { hits, has_more, application: None })
}

/// One indexed lookup: row keys in index order, at most `limit`.
pub fn lookup(conn: &Connection, kind: MatchKind, value: &str, limit: usize) -> Result<Vec<i64>> {
    let limit = limit as i64;
    let upper_bound = format!("{value}\u{10FFFF}");
    let (sql, args): (&str, Vec<String>) = match kind {
        MatchKind::Account => ("SELECT pk FROM customers WHERE account = ?1 LIMIT ?3", vec![value.into()]),
        MatchKind::Meter => ("SELECT customer_pk FROM meters WHERE number = ?1 LIMIT ?3", vec![value.into()]),
        MatchKind::IdNumber => ("SELECT pk FROM customers WHERE id_number = ?1 LIMIT ?3", vec![value.into()]),
        MatchKind::Phone => {
            ("SELECT DISTINCT customer_pk FROM customer_phones WHERE digits_reversed = ?1 LIMIT ?3", vec![phone_key(value)])
        }
        MatchKind::PhoneTail => {
            let tail = phone_key(value);
            let after_tail = format!("{tail}\u{10FFFF}");
            (
                "SELECT DISTINCT customer_pk FROM customer_phones WHERE digits_reversed >= ?1 AND digits_reversed < ?2
                 ORDER BY customer_pk LIMIT ?3",
                vec![tail, after_tail],
            )
        }
        MatchKind::Name => ("SELECT pk FROM customers WHERE name = ?1 LIMIT ?3", vec![value.into()]),
        MatchKind::NamePrefix => {
            ("SELECT pk FROM customers WHERE name >= ?1 AND name < ?2 ORDER BY name LIMIT ?3", vec![value.into(), upper_bound])
        }
        MatchKind::Initials => (
            "SELECT pk FROM customers WHERE name_initials >= ?1 AND name_initials < ?2 ORDER BY name_initials LIMIT ?3",
            vec![value.into(), upper_bound],
        ),
        MatchKind::Pinyin => (
            "SELECT pk FROM customers WHERE name_pinyin >= ?1 AND name_pinyin < ?2 ORDER BY name_pinyin LIMIT ?3",
            vec![value.into(), upper_bound],
        ),
        MatchKind::AccountPrefix => {
            ("SELECT pk FROM customers WHERE account >= ?1 AND account < ?2 ORDER BY account LIMIT ?3", vec![value.into(), upper_bound])
        }
        MatchKind::NameFragment | MatchKind::Address => {
            let Some(phrase) = fts_phrase(value) else { return Ok(Vec::new()) };
            let sql = if kind == MatchKind::Address {
                "SELECT rowid FROM customer_address_text WHERE customer_address_text MATCH ?1 ORDER BY rowid LIMIT ?3"
            } else {
                "SELECT rowid FROM customer_name_text WHERE customer_name_text MATCH ?1 ORDER BY rowid LIMIT ?3"
            };
            (sql, vec![phrase])
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = match args.as_slice() {
        [a] => stmt.query_map(params![a, None::<String>, limit], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>(),
        [a, b] => stmt.query_map(params![a, b, limit], |r| r.get(0))?.collect(),
        _ => unreachable!("every lookup binds one or two values"),
    };
    Ok(rows?)
}

/// The FTS5 phrase for a fragment of at least two characters: its character pairs as consecutive
/// tokens, quoted. A single character is left to the name-prefix lookup.
fn fts_phrase(text: &str) -> Option<String> {
    let tokens = text_tokens(text);
    (tokens.chars().count() >= 2).then(|| format!("\"{}\"", tokens.replace('"', "\"\"")))
}
