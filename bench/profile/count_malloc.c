// A counting allocator for LD_PRELOAD: every malloc, calloc, realloc, aligned allocation and
// operator new (which call malloc in libstdc++) adds one to a counter kept in a file that any
// process can read while the counted one runs (bench/profile/allocs.sh reads it before and
// after a window of bench traffic). The counter file is $COUNT_MALLOC_FILE (default
// /tmp/count_malloc.<pid>): 8 bytes, the number of allocations so far, little-endian.
//
//   cc -O2 -shared -fPIC -o count_malloc.so count_malloc.c -ldl
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static uint64_t fallback;
static uint64_t volatile* counter = &fallback;

__attribute__((constructor)) static void count_malloc_init(void) {
    char path[256];
    char const* env = getenv("COUNT_MALLOC_FILE");
    if (env && *env)
        snprintf(path, sizeof path, "%s", env);
    else
        snprintf(path, sizeof path, "/tmp/count_malloc.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 8) != 0) return;
    void* p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p != MAP_FAILED) counter = (uint64_t volatile*)p;
}

void* malloc(size_t n) {
    ++*counter;
    return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
    ++*counter;
    return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
    ++*counter;
    return __libc_realloc(p, n);
}
void* memalign(size_t a, size_t n) {
    ++*counter;
    return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
    ++*counter;
    return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
    ++*counter;
    void* p = __libc_memalign(a, n);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}
