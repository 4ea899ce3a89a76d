//! Small SQL helpers shared by the console's queries.

/// `expr` (a `timestamptz`) as RFC 3339 UTC text, NULL staying NULL.
pub fn utc(expr: &str) -> String {
    format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
}
