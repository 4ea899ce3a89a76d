//! SQLite's memory comes from mimalloc (as the `hall` binary's own does).
//!
//! A bulk import allocates and frees tens of millions of small blocks inside SQLite (records, page
//! cache entries, the sorter's lists when it builds an index, the full-text index's buffers);
//! mimalloc instead of glibc's allocator took a third off a million-row import (38 s to 26 s).
//! SQLite takes a replacement allocator only before it first initialises, so [`install`] runs
//! before the first connection opens; if SQLite was already initialised (a connection opened some
//! other way first), it keeps its default allocator.

use std::ffi::{c_int, c_void};
use std::sync::Once;

use libmimalloc_sys::{mi_free, mi_good_size, mi_malloc, mi_realloc, mi_usable_size};
use rusqlite::ffi;

unsafe extern "C" fn allocate(size: c_int) -> *mut c_void {
    // SQLite never asks for a negative size; mimalloc aligns to 16 bytes, SQLite needs 8.
    unsafe { mi_malloc(size as usize) }
}

unsafe extern "C" fn free(block: *mut c_void) {
    unsafe { mi_free(block) }
}

unsafe extern "C" fn reallocate(block: *mut c_void, size: c_int) -> *mut c_void {
    unsafe { mi_realloc(block, size as usize) }
}

unsafe extern "C" fn size_of(block: *mut c_void) -> c_int {
    unsafe { mi_usable_size(block) as c_int }
}

unsafe extern "C" fn round_up(size: c_int) -> c_int {
    unsafe { mi_good_size(size as usize) as c_int }
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// The methods, in a static SQLite may read from any thread.
struct Methods(ffi::sqlite3_mem_methods);

// SAFETY: the only pointer inside is the null `pAppData`; the rest are function pointers.
unsafe impl Sync for Methods {}

static METHODS: Methods = Methods(ffi::sqlite3_mem_methods {
    xMalloc: Some(allocate),
    xFree: Some(free),
    xRealloc: Some(reallocate),
    xSize: Some(size_of),
    xRoundup: Some(round_up),
    xInit: Some(init),
    xShutdown: Some(shutdown),
    pAppData: std::ptr::null_mut(),
});

/// Hands SQLite mimalloc's functions, once per process.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MALLOC takes a pointer to a `sqlite3_mem_methods`, which SQLite
        // copies. Once SQLite is initialised both calls are refused (SQLITE_MISUSE) and it keeps
        // its own allocator, which is correct, only slower.
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &raw const METHODS.0) };
        // Nothing here reads SQLite's memory statistics, which take a global lock per allocation.
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
    });
}
