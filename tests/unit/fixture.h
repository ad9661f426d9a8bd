/* SPDX-License-Identifier: BSD-2-Clause */
/* fixture.h - the one cmocka fixture of the unit tests: a scratch directory
 * per test, the paths of a store and its key inside it, and a fresh store or
 * context at those paths. Include it after <cmocka.h>.
 *
 *   FX_TEST(test_fn)   a test table entry that runs test_fn with *state an
 *                      fx: fx_setup before, fx_teardown after
 *   fx_mkdtemp(dir)    make /tmp/tfa-unit-PROGRAM.XXXXXX into dir[FX_DIR]
 *   fx_rmrf(dir)       remove it with everything in it (rm -rf)
 *   fx_path(p, rel)    DIR/rel, into a buffer of the caller
 *
 * and, with FX_STORE defined before the include (the programs that link the
 * store):
 *
 *   fx_ctx(p)          a context on a new store at p->db, key at p->key
 *   fx_ctx_at(db, key) the same at other paths (a second store)
 *   fx_store_init(p)   create the store and key files, open nothing
 *
 * The layout under DIR; only DIR exists before the test creates the rest
 * (the library makes sub/ and etc/ as it makes the files):
 *
 *   DIR/sub/tfa.db     p->db (p->sub its directory)
 *   DIR/etc/tfa.key    p->key
 *
 * The library calls that create a store stand here once each, so that a
 * change to them changes one line for every test program. Header-only
 * (static inline): each test program has its own copy. */
#ifndef TFA_TEST_FIXTURE_H
#define TFA_TEST_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef cmocka_unit_test
#error "include <cmocka.h> before fixture.h"
#endif

#define FX_DIR 64
#define FX_PATH 128

typedef struct {
	char dir[FX_DIR];      /* the scratch directory, removed afterwards */
	char sub[FX_PATH];     /* DIR/sub: the store's directory */
	char db[FX_PATH];      /* DIR/sub/tfa.db */
	char key[FX_PATH];     /* DIR/etc/tfa.key */
} fx;

/* a test table entry: @f runs with *state a fresh fx */
#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* Make a new directory /tmp/tfa-unit-PROGRAM.XXXXXX (mode 0700) into
 * @dir; fails the test if it cannot. */
static inline void fx_mkdtemp(char dir[FX_DIR])
{
	int n = snprintf(dir, FX_DIR, "/tmp/tfa-unit-%.24s.XXXXXX",
			 program_invocation_short_name);

	assert_true(n > 0 && n < FX_DIR);
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
}

/* Remove @dir and everything below it; fails the test if it cannot. */
static inline void fx_rmrf(const char *dir)
{
	char cmd[FX_DIR + 16];

	assert_non_null(strstr(dir, "/tmp/tfa-unit-"));
	assert_true((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

/* @p's directory joined with @rel into @out (@size bytes) */
static inline void fx_path(const fx *p, const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", p->dir, rel);

	assert_true(n > 0 && (size_t)n < size);
}

/* cmocka setup: *@state a new fx, its directory made, its paths set */
static inline int fx_setup(void **state)
{
	fx *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	fx_mkdtemp(p->dir);
	fx_path(p, "sub", p->sub, sizeof(p->sub));
	fx_path(p, "sub/tfa.db", p->db, sizeof(p->db));
	fx_path(p, "etc/tfa.key", p->key, sizeof(p->key));
	*state = p;
	return 0;
}

/* cmocka teardown: the directory of the fx in *@state removed, the fx freed */
static inline int fx_teardown(void **state)
{
	fx *p = *state;

	fx_rmrf(p->dir);
	free(p);
	return 0;
}

#ifdef FX_STORE
#include "auth.h"
#include "store.h"

/* A context on the store @db with key file @key, both created if missing
 * (TFA_STORE_CREATE, as tfa-admin init does); fails the test otherwise.
 * The caller closes it with tfa_ctx_close. */
static inline tfa_ctx *fx_ctx_at(const char *db, const char *key)
{
	tfa_ctx *c = NULL;
	tfa_err err = { "" };

	assert_int_equal(tfa_ctx_open(db, key, TFA_STORE_CREATE, "test", &c, &err), TFA_OK);
	return c;
}

/* fx_ctx_at on @p's store and key */
static inline tfa_ctx *fx_ctx(const fx *p)
{
	return fx_ctx_at(p->db, p->key);
}

/* Create @p's store and key files (TFA_STORE_CREATE) and close them again:
 * files for a test of what opening them does. */
static inline void fx_store_init(const fx *p)
{
	tfa_store *st = NULL;
	tfa_err err = { "" };

	assert_int_equal(tfa_store_open(p->db, p->key, TFA_STORE_CREATE, &st, &err), TFA_OK);
	tfa_store_close(st);
}
#endif

#endif
