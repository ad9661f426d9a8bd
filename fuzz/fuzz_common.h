/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_common.h - helpers shared by the libFuzzer targets (header only). */
#ifndef TFA_FUZZ_COMMON_H
#define TFA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_strdup: a NUL-terminated heap copy of @n bytes at @p, allocated to
 * exactly n + 1 bytes so that AddressSanitizer catches a read past the NUL.
 * An embedded NUL simply ends the string early. */
static inline char *fuzz_strdup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* fuzz_fail: a property did not hold; say which and crash so that libFuzzer
 * saves the input. */
#define fuzz_fail(...) do { \
	fprintf(stderr, "PROPERTY FAILED at %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

#define fuzz_check(cond, ...) do { if (!(cond)) fuzz_fail(__VA_ARGS__); } while (0)

#endif
