//! Giving back the memory of a big syntax tree. glibc keeps what a worker thread freed in that
//! thread's arena for its next allocations; after the tree of a big file (a hundred times its
//! source) each arena would hold its largest tree for the rest of the run, so the peak grows
//! with the threads, not with the files in flight.

/// Source files at least this big are followed by a trim. Smaller ones are not worth it: the
/// pages given back are faulted in again by the next tree (at 256 KiB the trims and faults cost
/// the corpus a second of system time, 8% of a run).
const TRIM_AFTER_BYTES: usize = 1 << 20;

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
