/*
 * Validates files through the C ABI and prints one JSON report per line, in order.
 *
 *   validate_files < paths.txt        (one path a line)
 *
 * Before that it checks the boundary: NULL input, unknown flags, the version, and that threads
 * validating at once get the reports one thread gets. Exits 1 on any failure, 0 otherwise.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "medcom.h"
#include "support.h"

struct job {
    const unsigned char *data;
    size_t len;
    const char *expected;
    int mismatches;
};

static void *validate_many(void *arg) {
    struct job *job = arg;
    for (int i = 0; i < 25; i++) {
        char *report = medcom_validate(job->data, job->len);
        if (!report || strcmp(report, job->expected) != 0) job->mismatches++;
        medcom_string_free(report);
    }
    return NULL;
}

static void check_boundary(const unsigned char *sample, size_t sample_len) {
    /* NULL with a length is refused; NULL with 0 is the empty input. */
    CHECK(medcom_validate(NULL, 10) == NULL);
    char *empty = medcom_validate(NULL, 0);
    CHECK(empty != NULL && strstr(empty, "\"valid\":false") != NULL);
    medcom_string_free(empty);
    /* Not a message: a report that says so, never a crash. */
    const unsigned char junk[] = {0x00, 0xff, '<', '{', 0x80, '\n'};
    char *report = medcom_validate(junk, sizeof junk);
    CHECK(report != NULL && strstr(report, "\"valid\":false") != NULL);
    medcom_string_free(report);
    /* Flags. */
    CHECK(medcom_validate_with(junk, sizeof junk, 1u << 7) == NULL);
    report = medcom_validate_with(junk, sizeof junk, MEDCOM_UNMASK | MEDCOM_NO_PROFILES);
    CHECK(report != NULL);
    medcom_string_free(report);
    medcom_string_free(NULL);
    CHECK(strlen(medcom_version()) > 0);

    /* Four threads at once get what one thread gets. */
    if (sample) {
        char *expected = medcom_validate(sample, sample_len);
        CHECK(expected != NULL);
        struct job jobs[4];
        pthread_t threads[4];
        for (int i = 0; i < 4; i++) {
            jobs[i] = (struct job){sample, sample_len, expected, 0};
            CHECK(pthread_create(&threads[i], NULL, validate_many, &jobs[i]) == 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(threads[i], NULL);
            CHECK(jobs[i].mismatches == 0);
        }
        medcom_string_free(expected);
    }
}

int main(void) {
    int first = 1;
    size_t len = 0;
    unsigned char *data;
    while ((data = next_file(&len)) != NULL) {
        if (first) {
            check_boundary(data, len);
            first = 0;
        }
        char *report = medcom_validate(data, len);
        CHECK(report != NULL);
        printf("%s\n", report ? report : "null");
        medcom_string_free(report);
        free(data);
    }
    if (first) check_boundary(NULL, 0);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    return 0;
}
