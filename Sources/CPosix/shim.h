#ifndef MLOPSD_CPOSIX_SHIM_H
#define MLOPSD_CPOSIX_SHIM_H
// Linux calls that Swift's Glibc module does not expose (they are variadic or need
// _GNU_SOURCE). Header-only: each is a thin static inline wrapper.
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/syscall.h>

// Declared by glibc only under _GNU_SOURCE, which Swift's Glibc module is built without.
// These prototypes match glibc's (2.29+, 2.34+ and 2.9+; Debian 12 ships 2.36).
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions, const char *__restrict path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int pipe2(int fds[2], int flags);

/// posix_spawn_file_actions_addchdir_np: the child starts in `path`.
static inline int mlopsd_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` on.
static inline int mlopsd_spawn_add_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/// pipe2(O_CLOEXEC): both ends close-on-exec from the start, with no window for another
/// thread's child to inherit them.
static inline int mlopsd_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/// renameat2(RENAME_NOREPLACE): fails with EEXIST instead of replacing the target.
static inline int mlopsd_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, 1 /* RENAME_NOREPLACE */);
}

// SQLite's own declaration (sqlite3.h), for the errno behind a failed store write: SQLite
// reports an ENOSPC during fsync as SQLITE_IOERR, the journal must say ENOSPC. libsqlite3
// is linked through GRDB.
struct sqlite3;
extern int sqlite3_system_errno(struct sqlite3 *db);

/// sqlite3_system_errno: the errno of the connection's last failed system call (0: none).
static inline int mlopsd_sqlite_system_errno(struct sqlite3 *db) {
    return sqlite3_system_errno(db);
}

/// fcntl(F_SETLEASE): a read lease can only be taken while no process has the file open
/// for writing, which is how we tell a half-written file from a finished one.
static inline int mlopsd_set_lease(int fd, int type) {
#ifndef F_SETLEASE
#define F_SETLEASE 1024
#endif
    return fcntl(fd, F_SETLEASE, type);
}

/// openat2(2) with RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: opens `path` only if no
/// component of it is a symbolic link. A path that was resolved (realpath) and checked
/// against the data roots is opened with this, so a link planted afterwards in one of its
/// directories cannot lead the open elsewhere. Returns -1 with errno ELOOP for a link,
/// ENOSYS (old kernel) or EPERM (seccomp) when openat2 itself is unavailable.
static inline int mlopsd_open_no_symlinks(const char *path, int flags) {
#ifdef SYS_openat2
    struct { unsigned long long flags, mode, resolve; } how = {
        (unsigned long long)(unsigned int)flags, 0, 0x04 /* RESOLVE_NO_SYMLINKS */ | 0x02 /* RESOLVE_NO_MAGICLINKS */
    };
    return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
#else
    errno = ENOSYS;
    return -1;
#endif
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
