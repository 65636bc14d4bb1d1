/*
 * The C side of the bindings' overhead benchmark (benches/bindings.py): the median time of one
 * medcom_validate call (and the medcom_string_free of its report) per file, called from C
 * through the shared library.
 *
 *   overhead MIN_CALLS FILE...    prints "c\tFILE\tMEDIAN_NS\tCALLS" per file
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "medcom.h"

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: overhead MIN_CALLS FILE...\n");
        return 2;
    }
    size_t min_calls = (size_t)atol(argv[1]);
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) return 1;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *data = malloc(len > 0 ? (size_t)len : 1);
        if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) return 1;
        fclose(f);
        for (int w = 0; w < 20; w++) medcom_string_free(medcom_validate(data, (size_t)len));
        size_t cap = min_calls, n = 0;
        long long *times = malloc(cap * sizeof *times);
        long long started = now_ns();
        while (n < min_calls || now_ns() - started < 500000000LL) {
            if (n == cap) times = realloc(times, (cap *= 2) * sizeof *times);
            if (!times) return 1;
            long long t = now_ns();
            char *report = medcom_validate(data, (size_t)len);
            if (!report) return 1;
            medcom_string_free(report);
            times[n++] = now_ns() - t;
        }
        qsort(times, n, sizeof *times, by_value);
        printf("c\t%s\t%lld\t%zu\n", argv[i], times[n / 2], n);
        free(times);
        free(data);
    }
    return 0;
}
