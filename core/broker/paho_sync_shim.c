/* Stand-ins for two debugging aids of Paho C's synchronous client in the private copy iotctl
 * links (core/broker/CMakeLists.txt): heap tracking (every allocation filed in a tree under a
 * mutex, with its file name copied) and the per-thread stack of function entries. Paho's own
 * high-performance build (PAHO_HIGH_PERFORMANCE) compiles both out; Debian's archive has them
 * in, and they cost about a third of the CPU of each publish. Plain malloc/free and no stack. */
#include <stdlib.h>

/** Paho's allocation entry point: plain malloc. */
void* mymalloc(char* file, int line, size_t size) {
    (void)file;
    (void)line;
    return malloc(size);
}

/** Paho's reallocation entry point: plain realloc. */
void* myrealloc(char* file, int line, void* p, size_t size) {
    (void)file;
    (void)line;
    return realloc(p, size);
}

/** Paho's free entry point: plain free. */
void myfree(char* file, int line, void* p) {
    (void)file;
    (void)line;
    free(p);
}

/** Nothing to set up without heap tracking. */
int Heap_initialize(void) {
    return 0;
}

/** Nothing to tear down without heap tracking. */
void Heap_terminate(void) {}

/** No stack of function entries is kept. */
void StackTrace_entry(const char* name, int line, int trace) {
    (void)name;
    (void)line;
    (void)trace;
}

/** No stack of function entries is kept. */
void StackTrace_exit(const char* name, int line, void* return_value, int trace) {
    (void)name;
    (void)line;
    (void)return_value;
    (void)trace;
}
