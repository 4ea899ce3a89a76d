//! The hybrid logical clock that orders customer edits made at different places.
//!
//! A stamp is (physical milliseconds, a counter, the workstation id); stamps compare in that order,
//! so two places never tie and a wall clock that runs backwards never reorders one place's edits. A
//! remote stamp more than [`MAX_AHEAD_MS`] ahead of the receiver's wall clock (a workstation whose
//! clock is a day fast) is clamped to the receiver's clock plus that bound, and the caller is told,
//! so the skew is flagged instead of letting that machine win every merge for a day.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How far ahead of the receiver a remote stamp may be before it is clamped.
pub const MAX_AHEAD_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub millis: i64,
    pub counter: u32,
    pub node: String,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.millis, self.counter, &self.node).cmp(&(other.millis, other.counter, &other.node))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hlc {
    /// The smallest stamp of a node: what a field never edited there compares as.
    pub fn zero(node: &str) -> Hlc {
        Hlc { millis: 0, counter: 0, node: node.to_owned() }
    }
}

/// Text form `MMMMMMMMMMMMM-CCCCCC-node`: fixed-width decimal, so text order is stamp order.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:06}-{}", self.millis, self.counter, self.node)
    }
}

impl std::str::FromStr for Hlc {
    type Err = String;

    fn from_str(s: &str) -> Result<Hlc, String> {
        let mut parts = s.splitn(3, '-');
        let (Some(millis), Some(counter), Some(node)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("not a clock stamp: {s:?}"));
        };
        let millis: i64 = millis.parse().map_err(|_| format!("not a clock stamp: {s:?}"))?;
        let counter: u32 = counter.parse().map_err(|_| format!("not a clock stamp: {s:?}"))?;
        if millis < 0 || node.is_empty() {
            return Err(format!("not a clock stamp: {s:?}"));
        }
        Ok(Hlc { millis, counter, node: node.to_owned() })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Hlc, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Hlc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("hybrid logical clock stamp: 13-digit milliseconds, 6-digit counter, workstation id"))
            .examples([serde_json::json!("1764550800000-000000-0193a2c4-7a4e-7c1d-9a57-3f0e1b2c3d4e")])
            .into()
    }
}

impl utoipa::ToSchema for Hlc {}

/// One place's clock. `last` is persisted with the data it stamped, so a restart never goes back.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
}

/// What [`HlcClock::observe`] did with a remote stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The stamp to keep: the remote one, or its clamped form.
    pub stamp: Hlc,
    /// The remote stamp was too far ahead and was clamped.
    pub clamped: bool,
}

impl HlcClock {
    pub fn new(last: Hlc) -> HlcClock {
        HlcClock { last }
    }

    pub fn last(&self) -> &Hlc {
        &self.last
    }

    /// A stamp for a local edit at wall time `wall_ms`: later than every stamp seen before.
    pub fn tick(&mut self, wall_ms: i64) -> Hlc {
        let next = if wall_ms > self.last.millis {
            Hlc { millis: wall_ms, counter: 0, node: self.last.node.clone() }
        } else {
            Hlc { millis: self.last.millis, counter: self.last.counter + 1, node: self.last.node.clone() }
        };
        self.last = next.clone();
        next
    }

    /// Takes in a stamp from an authority that has already clamped it (head office, for a
    /// workstation): later local stamps sort after it, however far the local wall clock is behind.
    pub fn witness(&mut self, remote: &Hlc) {
        if remote.millis > self.last.millis || (remote.millis == self.last.millis && remote.counter >= self.last.counter) {
            self.last = Hlc { millis: remote.millis, counter: remote.counter, node: self.last.node.clone() };
        }
    }

    /// Takes in a stamp from elsewhere, so that later local stamps sort after it; a stamp more than
    /// [`MAX_AHEAD_MS`] ahead of `wall_ms` is clamped to that bound first, and after every stamp
    /// this clock has seen: a fast machine's successive edits, all beyond the bound, keep their
    /// order instead of collapsing onto one stamp.
    pub fn observe(&mut self, remote: &Hlc, wall_ms: i64) -> Observed {
        let bound = wall_ms.saturating_add(MAX_AHEAD_MS);
        if remote.millis <= bound {
            self.witness(remote);
            return Observed { stamp: remote.clone(), clamped: false };
        }
        let mut stamp = Hlc { millis: bound, counter: remote.counter, node: remote.node.clone() };
        if stamp <= self.last {
            stamp = Hlc { millis: self.last.millis, counter: self.last.counter + 1, node: remote.node.clone() };
        }
        self.witness(&stamp);
        Observed { stamp, clamped: true }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn text_form_sorts_as_stamps_and_round_trips() {
        let a = Hlc { millis: 999, counter: 12, node: "b".into() };
        let b = Hlc { millis: 1000, counter: 0, node: "a".into() };
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string(), "0000000000999-000012-b");
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        // A node id may itself contain dashes (a UUID).
        let uuid = Hlc { millis: 1, counter: 0, node: "0193a2c4-7a4e".into() };
        assert_eq!(uuid.to_string().parse::<Hlc>().unwrap(), uuid);
        assert!("12-x".parse::<Hlc>().is_err());
        assert!("-5-000000-n".parse::<Hlc>().is_err());
    }

    #[test]
    fn a_wall_clock_going_back_does_not_reorder_local_stamps() {
        let mut clock = HlcClock::new(Hlc::zero("w"));
        let first = clock.tick(10_000);
        let second = clock.tick(4_000);
        assert!(second > first);
        assert_eq!((second.millis, second.counter), (10_000, 1));
    }

    #[test]
    fn a_remote_stamp_a_day_ahead_is_clamped_and_flagged() {
        let mut clock = HlcClock::new(Hlc::zero("hq"));
        let day = 86_400_000;
        let seen = clock.observe(&Hlc { millis: 1_000 + day, counter: 3, node: "fast".into() }, 1_000);
        assert!(seen.clamped);
        assert_eq!(seen.stamp.millis, 1_000 + MAX_AHEAD_MS);
        let near = clock.observe(&Hlc { millis: 2_000, counter: 0, node: "ok".into() }, 1_000);
        assert!(!near.clamped);
        // Later local stamps sort after what was observed.
        assert!(clock.tick(1_000) > seen.stamp);
    }

    #[test]
    fn successive_clamped_stamps_of_a_fast_machine_keep_their_order() {
        let mut clock = HlcClock::new(Hlc::zero("hq"));
        let day = 86_400_000;
        // Two edits a second apart on a machine a day fast, taken in in one batch at wall 1,000:
        // both beyond the bound (1,000 + 300,000), so both clamp to 301,000; the second is
        // stamped after the first (counter 0, then 1), not on it.
        let first = clock.observe(&Hlc { millis: 1_000 + day, counter: 0, node: "fast".into() }, 1_000).stamp;
        let second = clock.observe(&Hlc { millis: 2_000 + day, counter: 0, node: "fast".into() }, 1_000).stamp;
        assert_eq!((first.millis, first.counter), (301_000, 0));
        assert_eq!((second.millis, second.counter), (301_000, 1));
        assert!(second > first);
    }

    proptest! {
        #[test]
        fn stamps_only_grow(walls in proptest::collection::vec(0i64..1_000_000, 1..50), remote in 0i64..2_000_000) {
            let mut clock = HlcClock::new(Hlc::zero("n"));
            let mut previous = clock.last().clone();
            for (i, wall) in walls.iter().enumerate() {
                let stamp = if i % 3 == 2 {
                    clock.observe(&Hlc { millis: remote, counter: 0, node: "r".into() }, *wall);
                    clock.tick(*wall)
                } else {
                    clock.tick(*wall)
                };
                prop_assert!(stamp > previous);
                previous = stamp;
            }
        }
    }
}
