/*
 * Converts or acknowledges files through the C ABI and prints, per file and in order, either
 *
 *   ok LEN\n  followed by the LEN bytes of the result and \n
 *   error JSON\n  (the error object)
 *
 *   convert_files convert [FORMAT] < paths.txt     (medcom_convert; no FORMAT: NULL)
 *   convert_files ack [CODE] < paths.txt           (medcom_ack; no CODE: NULL)
 *
 * Before that it checks the boundary: NULL input, unknown formats and codes, a NULL error
 * out-parameter, the error out-parameter cleared on success, and threads converting at once.
 * Exits 1 on any failure, 0 otherwise.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "medcom.h"
#include "support.h"

typedef char *(*call_fn)(const uint8_t *, size_t, const char *, char **);

/* Whether `error` is an error object of this kind. */
static int is_error(const char *error, const char *kind) {
    char wanted[64];
    snprintf(wanted, sizeof wanted, "{\"kind\":\"%s\"", kind);
    return error != NULL && strncmp(error, wanted, strlen(wanted)) == 0;
}

/* Calls `f` and checks that it fails with an error of `kind`. */
static void check_fails(call_fn f, const char *data, size_t len, const char *arg,
                        const char *kind) {
    char *error = NULL;
    char *out = f((const uint8_t *)data, len, arg, &error);
    CHECK(out == NULL);
    CHECK(is_error(error, kind));
    if (!is_error(error, kind)) fprintf(stderr, "  wanted %s, got %s\n", kind, error);
    medcom_string_free(out);
    medcom_string_free(error);
}

struct job {
    const unsigned char *data;
    size_t len;
    const char *expected;
    int mismatches;
};

static void *convert_many(void *arg) {
    struct job *job = arg;
    for (int i = 0; i < 25; i++) {
        char *error = NULL;
        char *out = medcom_convert(job->data, job->len, NULL, &error);
        if (!out || error || strcmp(out, job->expected) != 0) job->mismatches++;
        medcom_string_free(out);
        medcom_string_free(error);
    }
    return NULL;
}

static void check_boundary(void) {
    static const char basic[] = "{\"resourceType\":\"Basic\",\"code\":{\"text\":\"x\"}}";
    static const char cut[] = "{\"resourceType\":";
    /* NULL with a length is refused; NULL with 0 is the empty input (not a message). */
    check_fails(medcom_convert, NULL, 10, NULL, "usage");
    check_fails(medcom_ack, NULL, 10, NULL, "usage");
    check_fails(medcom_convert, NULL, 0, NULL, "read");
    /* Arguments. */
    check_fails(medcom_convert, basic, strlen(basic), "pdf", "usage");
    check_fails(medcom_convert, basic, strlen(basic), "edifact", "unsupported");
    check_fails(medcom_ack, basic, strlen(basic), "maybe", "usage");
    check_fails(medcom_ack, basic, strlen(basic), "ok", "acknowledge");
    /* A cut message: a read error that says where. */
    char *error = NULL;
    CHECK(medcom_convert((const uint8_t *)cut, strlen(cut), NULL, &error) == NULL);
    CHECK(is_error(error, "read") && strstr(error, "\"line\":1,") != NULL);
    medcom_string_free(error);
    /* No error wanted: NULL and nothing leaks or crashes. */
    CHECK(medcom_convert((const uint8_t *)cut, strlen(cut), NULL, NULL) == NULL);
    /* Success clears the error out-parameter. */
    static char sentinel = 'x';
    error = &sentinel;
    char *xml = medcom_convert((const uint8_t *)basic, strlen(basic), "xml", &error);
    CHECK(error == NULL);
    CHECK(xml != NULL && strstr(xml, "?><Basic xmlns=\"http://hl7.org/fhir\">") != NULL);

    /* Four threads at once get what one thread gets. */
    if (xml) {
        struct job jobs[4];
        pthread_t threads[4];
        for (int i = 0; i < 4; i++) {
            jobs[i] = (struct job){(const unsigned char *)xml, strlen(xml), basic, 0};
            CHECK(pthread_create(&threads[i], NULL, convert_many, &jobs[i]) == 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(threads[i], NULL);
            CHECK(jobs[i].mismatches == 0);
        }
        /* Back again: the XML converts to the JSON it came from. */
        char *json = medcom_convert((const uint8_t *)xml, strlen(xml), NULL, &error);
        CHECK(json != NULL && strcmp(json, basic) == 0);
        medcom_string_free(json);
    }
    medcom_string_free(xml);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (strcmp(argv[1], "convert") != 0 && strcmp(argv[1], "ack") != 0)) {
        fprintf(stderr, "usage: convert_files convert|ack [FORMAT|CODE] < paths\n");
        return 2;
    }
    call_fn f = strcmp(argv[1], "convert") == 0 ? medcom_convert : medcom_ack;
    const char *arg = argc == 3 ? argv[2] : NULL;
    check_boundary();
    size_t len = 0;
    unsigned char *data;
    while ((data = next_file(&len)) != NULL) {
        char *error = NULL;
        char *out = f(data, len, arg, &error);
        CHECK((out == NULL) != (error == NULL));
        if (out) {
            printf("ok %zu\n%s\n", strlen(out), out);
        } else {
            printf("error %s\n", error ? error : "null");
        }
        medcom_string_free(out);
        medcom_string_free(error);
        free(data);
    }
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    return 0;
}
