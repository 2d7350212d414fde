//! Giving back the memory of a big syntax tree. glibc keeps what a worker thread freed in that
//! thread's arena for its next allocations; after the tree of a big file (a hundred times its
//! source) each arena would hold its largest tree for the rest of the run, so the peak grows
//! with the threads, not with the files in flight.

/// Source files at least this big are followed by a trim (a few hundred in a big tree of
/// dependencies; a trim costs about a millisecond).
const TRIM_AFTER_BYTES: usize = 256 << 10;

/// After a file of `bytes` bytes was analysed and its tree dropped.
pub fn after_file(bytes: usize) {
    if bytes >= TRIM_AFTER_BYTES {
        trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only returns free pages of the allocator's arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
