/*
 * What the test programs share: a CHECK that counts failures instead of stopping, and reading
 * the files named on stdin. Included by one .c file per program.
 */
#ifndef MEDCOM_TEST_SUPPORT_H
#define MEDCOM_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                    \
            failures++;                                                  \
        }                                                                \
    } while (0)

/* The bytes of the file at `path` (free them), their count in `len`; NULL if unreadable. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The file at the next path on stdin (one a line, blank lines skipped), read whole; NULL at
 * the end. A file that cannot be read ends the program with 1. */
static unsigned char *next_file(size_t *len) {
    char path[4096];
    while (fgets(path, sizeof path, stdin)) {
        path[strcspn(path, "\r\n")] = '\0';
        if (!*path) continue;
        unsigned char *data = read_file(path, len);
        if (!data) {
            fprintf(stderr, "cannot read %s\n", path);
            exit(1);
        }
        return data;
    }
    return NULL;
}

#endif
