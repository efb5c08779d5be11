//! Giving memory back after a load. Loading a large scenario builds every
//! click and transaction as it is written before indexing them; once the
//! index is built those are freed, but glibc keeps freed small blocks for
//! reuse, so the process would go on holding gigabytes it no longer uses.

/// Returns memory freed by a load to the operating system, where the C
/// library holds on to it (glibc); elsewhere this does nothing.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no
    // pointer from us and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
