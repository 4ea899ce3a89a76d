//! The content hash that tells a repeated event from a forked one.

use sha2::{Digest, Sha256};

use crate::push::WireEvent;

/// SHA-256 over the event's content (not its key), each field length-prefixed so that no two
/// different events share an encoding. Hex, lower case.
pub fn event_hash(event: &WireEvent) -> String {
    let mut hasher = Sha256::new();
    for field in [event.kind.as_bytes(), event.entity_id.as_bytes(), event.payload.as_bytes(), event.recorded_at.as_bytes()] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, entity: &str, payload: &str) -> WireEvent {
        WireEvent {
            epoch: 1,
            seq: 1,
            kind: kind.into(),
            entity_id: entity.into(),
            payload: payload.into(),
            recorded_at: "2026-12-01T01:00:00Z".into(),
            records: Vec::new(),
        }
    }

    #[test]
    fn the_key_is_not_hashed_and_field_boundaries_are() {
        let a = event("customer.updated", "ab", "{}");
        let mut moved = a.clone();
        moved.seq = 9;
        assert_eq!(event_hash(&a), event_hash(&moved));
        // Moving a byte across a field boundary changes the hash.
        assert_ne!(event_hash(&event("customer.updated", "ab", "{}")), event_hash(&event("customer.updatedа", "b", "{}")));
        assert_ne!(event_hash(&event("k", "ab", "c")), event_hash(&event("k", "a", "bc")));
    }
}
