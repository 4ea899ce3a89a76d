//! Nothing here: this crate exists for its tests (`tests/`), which drive real workstations
//! (`hall`) against a real head office (`head_office::testing`) over HTTPS.
