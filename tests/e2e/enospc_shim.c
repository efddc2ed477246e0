/* LD_PRELOAD shim for tests/e2e/test_ingest_disk_full.py, for where a tmpfs cannot be mounted:
 * while the file $IOTCTL_TEST_FULL_FLAG exists, write(2) to a file under $IOTCTL_TEST_FULL_DIR
 * behaves as on a disk that just filled up: the first such write stores half of its bytes, every
 * later one fails with ENOSPC. Other writes (the log on stderr, the SQLite sink) are untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int cut_short;

static int on_full_disk(int fd) {
    const char* flag = getenv("IOTCTL_TEST_FULL_FLAG");
    const char* dir = getenv("IOTCTL_TEST_FULL_DIR");
    if (!flag || !dir) return 0;
    if (access(flag, F_OK) != 0) {
        atomic_store(&cut_short, 0);
        return 0;
    }
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, path, sizeof path - 1);
    if (len <= 0) return 0;
    path[len] = '\0';
    return strncmp(path, dir, strlen(dir)) == 0;
}

ssize_t write(int fd, const void* data, size_t size) {
    static ssize_t (*real_write)(int, const void*, size_t);
    if (!real_write) real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
    if (size > 1 && on_full_disk(fd)) {
        if (atomic_exchange(&cut_short, 1) == 0) return real_write(fd, data, size / 2);
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, data, size);
}
