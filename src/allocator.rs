//! Easel's two calls into glibc's allocator, kept together: the policy for
//! returning memory to the kernel (docs/PERFORMANCE.md, issue 18). Other
//! platforms' allocators need neither, so there both do nothing.

/// Blocks of 128 KiB and more come straight from the kernel and go back to
/// it when freed. glibc's default threshold rises after a large block is
/// freed (an argon2id check frees 19 MiB), and from then on such blocks stay
/// in its arenas: 32 sign-ins left the server holding 220 MB idle, against
/// 48 MB with the threshold fixed (docs/PERFORMANCE.md, issue 18). mimalloc
/// was measured too: 80 MB idle, 53 MB before the first request.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_large_blocks_to_the_kernel() {
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: mallopt only sets an allocator parameter, under glibc's own
    // lock; `main` calls it once, before any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
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
