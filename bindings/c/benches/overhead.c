/*
 * The C side of the bindings' overhead benchmark (benches/bindings.py): the median time of one
 * medcom_validate call (and the medcom_string_free of its report), and of one medcom_convert
 * call (to the other format, freeing the result or the error), per file, called from C through
 * the shared library.
 *
 *   overhead MIN_CALLS FILE...    prints "c\tFILE\tMEDIAN_NS\tCALLS" and
 *                                 "c-convert\tFILE\tMEDIAN_NS\tCALLS" per file
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
        for (int mode = 0; mode < 2; mode++) {
            for (int w = 0; w < 20; w++) {
                char *error = NULL;
                medcom_string_free(mode == 0 ? medcom_validate(data, (size_t)len)
                                             : medcom_convert(data, (size_t)len, NULL, &error));
                medcom_string_free(error);
            }
            size_t cap = min_calls, n = 0;
            long long *times = malloc(cap * sizeof *times);
            long long started = now_ns();
            while (n < min_calls || now_ns() - started < 500000000LL) {
                if (n == cap) times = realloc(times, (cap *= 2) * sizeof *times);
                if (!times) return 1;
                long long t = now_ns();
                if (mode == 0) {
                    char *report = medcom_validate(data, (size_t)len);
                    if (!report) return 1;
                    medcom_string_free(report);
                } else {
                    /* An input that does not convert gives its error object: freed as well. */
                    char *error = NULL;
                    char *out = medcom_convert(data, (size_t)len, NULL, &error);
                    if (!out && !error) return 1;
                    medcom_string_free(out);
                    medcom_string_free(error);
                }
                times[n++] = now_ns() - t;
            }
            qsort(times, n, sizeof *times, by_value);
            printf("%s\t%s\t%lld\t%zu\n", mode == 0 ? "c" : "c-convert", argv[i], times[n / 2], n);
            free(times);
        }
        free(data);
    }
    return 0;
}
