#ifndef MLOPSD_CPOSIX_SHIM_H
#define MLOPSD_CPOSIX_SHIM_H
// Linux calls that Swift's Glibc module does not expose (they are variadic or need
// _GNU_SOURCE). Header-only: each is a thin static inline wrapper.
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

/// renameat2(RENAME_NOREPLACE): fails with EEXIST instead of replacing the target.
static inline int mlopsd_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, 1 /* RENAME_NOREPLACE */);
}

/// fcntl(F_SETLEASE): a read lease can only be taken while no process has the file open
/// for writing, which is how we tell a half-written file from a finished one.
static inline int mlopsd_set_lease(int fd, int type) {
#ifndef F_SETLEASE
#define F_SETLEASE 1024
#endif
    return fcntl(fd, F_SETLEASE, type);
}

/// close_range(first, ~0U, 0): closes every descriptor from `first` on. A daemon keeps no
/// descriptor it inherited (one open for writing on a job file would make that file look
/// half-written forever).
static inline int mlopsd_close_from(unsigned int first) {
#ifdef SYS_close_range
    return (int)syscall(SYS_close_range, first, ~0U, 0);
#else
    return -1;
#endif
}
#endif
