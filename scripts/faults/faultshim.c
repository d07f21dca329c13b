// faultshim: an LD_PRELOAD library that makes one chosen write-side system call of the
// real mlopsd binary fail with a chosen errno (ENOSPC, EIO, ...). Test-only: it is built
// by the fault-injection tests (Tests/MLOpsDaemonTests/FaultInjectionTests.swift) into
// their temporary directory and never installed; the daemon itself has no fault switch.
//
// Why a preload library and not `strace -e inject=`: strace counts `when=N` per thread
// and per system call, so in a multi-threaded daemon "the Nth write" is not one call; and
// it cannot choose a call by the file it touches. Here one shared counter spans every
// thread, and a call is chosen by (function, fnmatch(3) pattern over the file's path).
//
// Control: a 1024-byte file mapped shared (FAULTSHIM_CONTROL), written by the test:
//   0   int32  armed        1: fail the next matching call (after `skip` matches), then 0
//   4   int32  error        the errno to inject
//   8   int32  record       1: append "function<TAB>path" of every call to FAULTSHIM_LOG
//   12  int32  skip         matching calls to let through before the one that fails
//   16  uint64 calls        calls seen under FAULTSHIM_PREFIX (all functions)
//   24  uint64 injected     faults injected so far
//   32  char[32]  function  e.g. "pwrite64", "renameat2", "fsync"
//   64  char[448] pattern   fnmatch pattern over the absolute path
//   512 char[512] hit       "function path" of the last injected fault
// Only processes whose name is FAULTSHIM_COMM (default "mlopsd") are affected, and only
// calls on paths starting with FAULTSHIM_PREFIX.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

struct control {
    int32_t armed;
    int32_t error;
    int32_t record;
    int32_t skip;
    uint64_t calls;
    uint64_t injected;
    char function[32];
    char pattern[448];
    char hit[512];
};

static struct control *ctl;
static char prefix[512];
static size_t prefix_len;
// Opened for each record: mlopsd closes every inherited descriptor at start.
static char log_path[512];
static int active;

static ssize_t (*real_write)(int, const void *, size_t);

__attribute__((constructor)) static void faultshim_init(void) {
    const char *comm = getenv("FAULTSHIM_COMM");
    if (!comm) comm = "mlopsd";
    if (strcmp(program_invocation_short_name, comm) != 0) return;
    const char *control = getenv("FAULTSHIM_CONTROL");
    const char *pre = getenv("FAULTSHIM_PREFIX");
    if (!control || !pre || strlen(pre) >= sizeof prefix) return;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    void *map = mmap(NULL, sizeof(struct control), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return;
    ctl = map;
    strcpy(prefix, pre);
    prefix_len = strlen(prefix);
    const char *log = getenv("FAULTSHIM_LOG");
    if (log && strlen(log) < sizeof log_path) strcpy(log_path, log);
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    active = 1;
}

static void fd_path(int fd, char *out, size_t size) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    out[n > 0 ? n : 0] = 0;
}

static void at_path(int dirfd, const char *name, char *out, size_t size) {
    out[0] = 0;
    if (!name) return;
    if (name[0] == '/') {
        snprintf(out, size, "%s", name);
        return;
    }
    char dir[512];
    if (dirfd == AT_FDCWD) {
        if (!getcwd(dir, sizeof dir)) dir[0] = 0;
    } else {
        fd_path(dirfd, dir, sizeof dir);
    }
    snprintf(out, size, "%s/%s", dir, name);
}

// 0, or the errno this call must fail with.
static int decide(const char *function, const char *path) {
    if (!active || strncmp(path, prefix, prefix_len) != 0) return 0;
    int saved = errno;
    __atomic_add_fetch(&ctl->calls, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ctl->record, __ATOMIC_SEQ_CST) && log_path[0] && real_write) {
        char line[640];
        int n = snprintf(line, sizeof line, "%s\t%s\n", function, path);
        int fd = (int)syscall(SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (n > 0 && fd >= 0) real_write(fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
        if (fd >= 0) syscall(SYS_close, fd);
    }
    int result = 0;
    if (__atomic_load_n(&ctl->armed, __ATOMIC_SEQ_CST) && strncmp(ctl->function, function, sizeof ctl->function) == 0
        && fnmatch(ctl->pattern, path, 0) == 0) {
        if (__atomic_load_n(&ctl->skip, __ATOMIC_SEQ_CST) > 0) {
            __atomic_sub_fetch(&ctl->skip, 1, __ATOMIC_SEQ_CST);
        } else {
            int32_t expected = 1;
            if (__atomic_compare_exchange_n(&ctl->armed, &expected, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                snprintf(ctl->hit, sizeof ctl->hit, "%s %s", function, path);
                __atomic_add_fetch(&ctl->injected, 1, __ATOMIC_SEQ_CST);
                result = ctl->error;
            }
        }
    }
    errno = saved;
    return result;
}

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)
#define FAIL_FD(function, fd) do { if (active) { char p_[512]; fd_path(fd, p_, sizeof p_); int e_ = decide(function, p_); if (e_) { errno = e_; return -1; } } } while (0)
#define FAIL_AT(function, dirfd, name) do { if (active) { char p_[1024]; at_path(dirfd, name, p_, sizeof p_); int e_ = decide(function, p_); if (e_) { errno = e_; return -1; } } } while (0)

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(write);
    FAIL_FD("write", fd);
    return real_write(fd, buf, count);
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
    REAL(writev);
    FAIL_FD("writev", fd);
    return real_writev(fd, iov, n);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite);
    FAIL_FD("pwrite64", fd);
    return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
    REAL(pwrite64);
    FAIL_FD("pwrite64", fd);
    return real_pwrite64(fd, buf, count, offset);
}

int fsync(int fd) {
    REAL(fsync);
    FAIL_FD("fsync", fd);
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    FAIL_FD("fdatasync", fd);
    return real_fdatasync(fd);
}

int ftruncate(int fd, off_t length) {
    REAL(ftruncate);
    FAIL_FD("ftruncate", fd);
    return real_ftruncate(fd, length);
}

int ftruncate64(int fd, off64_t length) {
    REAL(ftruncate64);
    FAIL_FD("ftruncate", fd);
    return real_ftruncate64(fd, length);
}

int rename(const char *old, const char *new) {
    REAL(rename);
    FAIL_AT("renameat", AT_FDCWD, new);
    return real_rename(old, new);
}

int renameat(int olddirfd, const char *old, int newdirfd, const char *new) {
    REAL(renameat);
    FAIL_AT("renameat", newdirfd, new);
    return real_renameat(olddirfd, old, newdirfd, new);
}

int renameat2(int olddirfd, const char *old, int newdirfd, const char *new, unsigned int flags) {
    REAL(renameat2);
    FAIL_AT("renameat2", newdirfd, new);
    return real_renameat2(olddirfd, old, newdirfd, new, flags);
}

// mlopsd calls renameat2(RENAME_NOREPLACE) through syscall(2) (CPosix/shim.h).
long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    REAL(syscall);
    if (number == SYS_renameat2) FAIL_AT("renameat2", (int)a[2], (const char *)a[3]);
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int open_mode(int flags, va_list ap) {
    return (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    int mode = open_mode(flags, ap);
    va_end(ap);
    REAL(open);
    if (flags & O_CREAT) FAIL_AT("openat", AT_FDCWD, path);
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    int mode = open_mode(flags, ap);
    va_end(ap);
    REAL(open64);
    if (flags & O_CREAT) FAIL_AT("openat", AT_FDCWD, path);
    return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    int mode = open_mode(flags, ap);
    va_end(ap);
    REAL(openat);
    if (flags & O_CREAT) FAIL_AT("openat", dirfd, path);
    return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    int mode = open_mode(flags, ap);
    va_end(ap);
    REAL(openat64);
    if (flags & O_CREAT) FAIL_AT("openat", dirfd, path);
    return real_openat64(dirfd, path, flags, mode);
}

int mkdir(const char *path, mode_t mode) {
    REAL(mkdir);
    FAIL_AT("mkdirat", AT_FDCWD, path);
    return real_mkdir(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode) {
    REAL(mkdirat);
    FAIL_AT("mkdirat", dirfd, path);
    return real_mkdirat(dirfd, path, mode);
}

int symlink(const char *target, const char *path) {
    REAL(symlink);
    FAIL_AT("symlinkat", AT_FDCWD, path);
    return real_symlink(target, path);
}

int symlinkat(const char *target, int dirfd, const char *path) {
    REAL(symlinkat);
    FAIL_AT("symlinkat", dirfd, path);
    return real_symlinkat(target, dirfd, path);
}

int link(const char *old, const char *new) {
    REAL(link);
    FAIL_AT("linkat", AT_FDCWD, new);
    return real_link(old, new);
}

int linkat(int olddirfd, const char *old, int newdirfd, const char *new, int flags) {
    REAL(linkat);
    FAIL_AT("linkat", newdirfd, new);
    return real_linkat(olddirfd, old, newdirfd, new, flags);
}
