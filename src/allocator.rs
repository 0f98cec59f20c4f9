//! Easel's two calls into glibc's allocator, kept together: the policy for
//! returning memory to the kernel (docs/PERFORMANCE.md, issue 18). Other
//! platforms' allocators need neither, so there both do nothing.

/// Blocks of 1 MiB and more come straight from the kernel and go back to
/// it when freed. glibc's default threshold rises after a large block is
/// freed (an argon2id check frees 19 MiB), and from then on such blocks stay
/// in its arenas: 32 sign-ins left the server holding 220 MB idle, against
/// 48 MB with the threshold fixed (docs/PERFORMANCE.md, issue 18). mimalloc
/// was measured too: 80 MB idle, 53 MB before the first request.
///
/// The threshold was 128 KiB at first, but a month grid's page (200 KB of
/// HTML, a 140 KB vector of rows) then took fresh pages from the kernel and
/// handed them back on every request: mmap, page faults, munmap and its TLB
/// flush were 12% of the month's profile. Below 1 MiB blocks now stay in
/// the arenas, and up to 4 MiB free at an arena's top is kept for the next
/// request rather than trimmed at once; the idle trim (`return_freed_memory`)
/// gives all of it back when requests stop.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_large_blocks_to_the_kernel() {
    const M_TRIM_THRESHOLD: std::ffi::c_int = -1;
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: mallopt only sets an allocator parameter, under glibc's own
    // lock; `main` calls it once, before any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_large_blocks_to_the_kernel() {}

/// Gives the pages freed since the last trim back to the kernel; the
/// server calls it once after each burst of requests (`serve`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_freed_memory() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes the allocator's own locks; it only returns
    // free pages to the kernel and never moves or frees memory in use.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_freed_memory() {}
