/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_conn.c - the PostgreSQL backend: connecting (a libpq URI without a
 * password, connect_timeout 5 s and gssencmode=disable unless the URI
 * sets them), telling a
 * connection that failmode=safe may let through from one it must not,
 * the key check, and the statement helpers of pg_*.c. */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pg_internal.h"
#include "secret.h"

#define PG_CONNECT_TIMEOUT "5"   /* seconds, unless the URI says otherwise */

/* ---- parameters ---- */

static int p_room(tfa_pg_params *p)
{
	return p->n < TFA_PG_PARAMS_MAX;
}

void tfa_pg_p_text(tfa_pg_params *p, const char *s)
{
	if (!p_room(p))
		return;
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void tfa_pg_p_int(tfa_pg_params *p, int64_t v)
{
	if (!p_room(p))
		return;
	(void)snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)v);
	tfa_pg_p_text(p, p->num[p->n]);
}

void tfa_pg_p_bin(tfa_pg_params *p, const void *data, size_t len)
{
	if (!p_room(p))
		return;
	p->v[p->n] = data != NULL ? data : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n] = 1;
	p->n++;
}

/* ---- statements ---- */

/* libpq's message on one line (it spans several, with tabs) */
static void one_line(const char *in, char *out, size_t size)
{
	size_t i = 0;

	for (; in != NULL && *in != '\0' && i + 1 < size; in++)
		out[i++] = (*in == '\n' || *in == '\t' || *in == '\r') ? ' ' : *in;
	while (i > 0 && out[i - 1] == ' ')
		i--;
	out[i] = '\0';
}

/* the result @r of a statement: TFA_OK (*@res gets it, or it is cleared)
 * or TFA_ESTORE naming @what with the server's message */
static tfa_rc take_result(tfa_pg *pg, PGresult *r, PGresult **res, const char *what,
			  tfa_err *err)
{
	ExecStatusType s;
	char msg[400];
	tfa_rc rc = TFA_OK;

	s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		one_line(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(pg->conn), msg,
			 sizeof(msg));
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: %s: %s%s", pg->uri, what,
				 msg[0] != '\0' ? msg : "no answer from the server",
				 PQstatus(pg->conn) == CONNECTION_BAD ? " (connection lost)" : "");
		PQclear(r);
		return rc;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return rc;
}

tfa_rc tfa_pg_exec(tfa_pg *pg, const char *sql, const tfa_pg_params *p, PGresult **res,
		   const char *what, tfa_err *err)
{
	PGresult *r;

	if (res != NULL)
		*res = NULL;
	r = PQexecParams(pg->conn, sql, p != NULL ? p->n : 0, NULL,
			 p != NULL ? p->v : NULL, p != NULL ? p->len : NULL,
			 p != NULL ? p->fmt : NULL, 0);
	return take_result(pg, r, res, what, err);
}

tfa_rc tfa_pg_prepare(tfa_pg *pg, const char *name, const char *sql, int nparams,
		      const char *what, tfa_err *err)
{
	return take_result(pg, PQprepare(pg->conn, name, sql, nparams, NULL), NULL, what, err);
}

tfa_rc tfa_pg_exec_prepared(tfa_pg *pg, const char *name, const tfa_pg_params *p,
			    PGresult **res, const char *what, tfa_err *err)
{
	PGresult *r;

	if (res != NULL)
		*res = NULL;
	r = PQexecPrepared(pg->conn, name, p != NULL ? p->n : 0, p != NULL ? p->v : NULL,
			   p != NULL ? p->len : NULL, p != NULL ? p->fmt : NULL, 0);
	return take_result(pg, r, res, what, err);
}

tfa_rc tfa_pg_exec_n(tfa_pg *pg, const char *sql, const tfa_pg_params *p, unsigned *changes,
		     const char *what, tfa_err *err)
{
	PGresult *r = NULL;
	tfa_rc rc = tfa_pg_exec(pg, sql, p, &r, what, err);

	if (rc == TFA_OK && changes != NULL)
		*changes = (unsigned)strtoul(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_begin(tfa_pg *pg, tfa_err *err)
{
	if (pg->readonly)
		return tfa_err_set(err, TFA_ESTORE, "store %s is open read-only", pg->uri);
	return tfa_pg_exec(pg, "BEGIN", NULL, NULL, "starting a transaction", err);
}

tfa_rc tfa_pg_end(tfa_pg *pg, tfa_rc rc, tfa_err *err)
{
	PGresult *r;

	if (rc == TFA_OK)
		return tfa_pg_exec(pg, "COMMIT", NULL, NULL, "committing", err);
	r = PQexec(pg->conn, "ROLLBACK");
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_lock_user(tfa_pg *pg, const char *user, int create, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	tfa_rc rc;

	tfa_pg_p_text(&p, user);
	/* one lock per name, also for a user who has no row yet */
	rc = tfa_pg_exec(pg, "SELECT pg_advisory_xact_lock(7305, hashtext($1))", &p, NULL,
			 "locking the user", err);
	if (rc == TFA_OK && create)
		rc = tfa_pg_exec(pg, "INSERT INTO users(name) VALUES($1) ON CONFLICT (name)"
				 " DO NOTHING", &p, NULL, "adding user", err);
	if (rc != TFA_OK)
		return rc;
	/* and the row, for a writer that does not take the lock above */
	return tfa_pg_exec(pg, "SELECT 1 FROM users WHERE name=$1 FOR UPDATE", &p, NULL,
			   "locking the user", err);
}

tfa_rc tfa_pg_audit_insert(tfa_pg *pg, const char *user, const char *event,
			   const char *detail, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_int(&p, (int64_t)time(NULL));
	tfa_pg_p_text(&p, user);
	tfa_pg_p_text(&p, event);
	tfa_pg_p_text(&p, detail != NULL ? detail : "");
	tfa_pg_p_text(&p, pg->host);
	return tfa_pg_exec(pg, "INSERT INTO audit(time, \"user\", event, detail, host)"
			   " VALUES($1,$2,$3,$4,$5)", &p, NULL, "writing the audit trail", err);
}

tfa_rc tfa_pg_audit_rec(tfa_pg *pg, const char *user, const tfa_audit_rec *audit,
			tfa_err *err)
{
	if (audit == NULL || audit->event[0] == '\0')
		return TFA_OK;
	return tfa_pg_audit_insert(pg, user, audit->event, audit->detail, err);
}

int64_t tfa_pg_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int tfa_pg_blob(const PGresult *res, int row, int col, uint8_t *dst, size_t len)
{
	size_t n = 0;
	unsigned char *b;
	int rc = -1;

	b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
	if (b == NULL)
		return -1;
	if (n == len) {
		memcpy(dst, b, len);
		rc = 0;
	}
	tfa_wipe(b, n);
	PQfreemem(b);
	return rc;
}

void tfa_pg_str(const PGresult *res, int row, int col, char *dst, size_t size)
{
	(void)snprintf(dst, size, "%s", PQgetisnull(res, row, col) ? "" :
		       PQgetvalue(res, row, col));
}

/* ---- connecting ---- */

/* A URI holding a password (user:pass@ or password=) is refused: the
 * password belongs in a root-only libpq password or service file, never in
 * /etc/pam.d or a command line. The message never repeats the URI. */
static tfa_rc uri_parse(const char *uri, tfa_err *err)
{
	PQconninfoOption *opts, *o;
	char *perr = NULL;
	tfa_rc rc = TFA_OK;

	opts = PQconninfoParse(uri, &perr);
	if (opts == NULL) {
		char msg[200];

		one_line(perr, msg, sizeof(msg));
		PQfreemem(perr);
		return tfa_err_set(err, TFA_ESTORE, "store URI is not a valid PostgreSQL "
				   "connection URI: %s", msg[0] != '\0' ? msg : "out of memory");
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL) {
			rc = tfa_err_set(err, TFA_ESTORE, "store URI holds a password: refused (put "
					 "the password in a root-only libpq password file or "
					 "service file, never in the store setting)");
			break;
		}
	}
	PQconninfoFree(opts);
	return rc;
}

tfa_rc tfa_pg_uri_check(const char *uri, tfa_err *err)
{
	void *libpq = NULL;
	tfa_rc rc;

	rc = tfa_pq_load(&libpq, err);
	if (rc != TFA_OK)
		return rc;
	rc = uri_parse(uri, err);
	tfa_pq_unload(libpq);
	return rc;
}

/* failmode=safe covers a server that cannot be reached at all: refused,
 * unreachable, timed out (or no socket there). An authentication, TLS,
 * "too many clients" or any server error (FATAL) is never one of them. */
static int unreachable(const char *msg)
{
	static const char *const down[] = {
		"Connection refused", "No route to host", "Network is unreachable",
		"Host is unreachable", "timeout expired", "Connection timed out",
		"No such file or directory",
	};
	static const char *const other[] = {
		"FATAL", "SSL", "certificate", "authentication", "password", "too many",
		"pg_hba", "GSS", "SCRAM",
	};
	size_t i;
	int hit = 0;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (strstr(msg, other[i]) != NULL)
			return 0;
	for (i = 0; i < sizeof(down) / sizeof(down[0]); i++)
		if (strstr(msg, down[i]) != NULL)
			hit = 1;
	return hit;
}

/* A login runs in the caller's process: under su the environment is the
 * caller's, and libpq takes every setting the URI leaves out from PG*
 * variables (PGHOST, PGSERVICEFILE, PGSYSCONFDIR, PGSSLROOTCERT, ...) and
 * reads ~/.pg_service.conf, ~/.pgpass and ~/.postgresql/ under $HOME. A
 * caller could point the module at a database of their own (policy
 * enabled=no) or at their own CA. So a login connection refuses any PG*
 * variable, and a $HOME other than the effective user's that holds such
 * files; the message names the variable, never its value. */
static tfa_rc caller_env_ok(tfa_err *err)
{
	static const char *const files[] = { ".pg_service.conf", ".pgpass", ".postgresql" };
	extern char **environ;
	char **e, buf[4096], path[4200];
	struct passwd pw, *res = NULL;
	struct stat sb;
	const char *home;
	size_t i, n;

	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "PG", 2) != 0)
			continue;
		n = strcspn(*e, "=");
		return tfa_err_set(err, TFA_ESTORE, "the environment sets %.*s: a login does not"
				   " connect to PostgreSQL with settings its caller chose (put them"
				   " in the store URI or a root-only service file)",
				   (int)(n < 64 ? n : 64), *e);
	}
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return TFA_OK;
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
	    strcmp(res->pw_dir, home) == 0)
		return TFA_OK;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", home, files[i]);
		if (lstat(path, &sb) == 0)
			return tfa_err_set(err, TFA_ESTORE, "$HOME is not the home of the effective"
					   " user and holds %s: a login does not read libpq files of"
					   " its caller", files[i]);
	}
	return TFA_OK;
}

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static tfa_rc connect_db(tfa_pg *pg, int *absent, tfa_err *err)
{
	/* later values win: the URI's own connect_timeout overrides ours, and
	 * so does its gssencmode. GSSAPI encryption is off by default: the
	 * probe looks for a Kerberos credential cache on every connection,
	 * and libkrb5 keeps per-thread data that is lost each time libpq is
	 * unloaded (pg_api.c), which valgrind counts as a leak per login. */
	const char *const keys[] = { "connect_timeout", "gssencmode", "application_name", "dbname",
				     NULL };
	const char *const vals[] = { PG_CONNECT_TIMEOUT, "disable", "twofactor", pg->uri, NULL };
	tfa_pg_params p = { 0 };
	char msg[400];
	tfa_rc rc;

	pg->conn = PQconnectdbParams(keys, vals, 1);
	if (pg->conn == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		one_line(PQerrorMessage(pg->conn), msg, sizeof(msg));
		*absent = unreachable(msg);
		return tfa_err_set(err, TFA_ESTORE, "store %s: cannot connect: %s", pg->uri, msg);
	}
	(void)PQsetNoticeProcessor(pg->conn, no_notices, NULL);
	/* a login waits for another host's transaction on the same user, not forever */
	tfa_pg_p_text(&p, pg->readonly ? "on" : "off");
	rc = tfa_pg_exec(pg, "SELECT set_config('lock_timeout', '30s', false),"
			 " set_config('statement_timeout', '60s', false),"
			 " set_config('default_transaction_read_only', $1, false)",
			 &p, NULL, "setting up the session", err);
	return rc;
}

/* Load the key and compare it with the key check in meta (store_key.c). */
static tfa_rc open_key(tfa_pg *pg, const char *keyfile, const char *next, int create,
		       int *absent, tfa_err *err)
{
	char have[33];
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	int found;
	tfa_rc rc;

	rc = tfa_pg_exec(pg, "SELECT value FROM meta WHERE key='key_check'", NULL, &r,
			 "reading store metadata", err);
	if (rc != TFA_OK)
		return rc;
	found = PQntuples(r) > 0;
	if (!found && !create) {
		rc = tfa_err_set(err, TFA_ESTORE, "store %s is not initialised (it has no key "
				 "check); run \"tfa-admin init\" to initialise it", pg->uri);
		goto out;
	}
	if (found) {
		if (strlen(PQgetvalue(r, 0, 0)) != 32) {
			rc = tfa_err_set(err, TFA_ESTORE, "store %s: its key check is malformed",
					 pg->uri);
			goto out;
		}
		rc = tfa_key_pick(keyfile, next, PQgetvalue(r, 0, 0), pg->uri, &pg->key, absent,
				  err);
		if (rc == TFA_OK)
			memcpy(pg->key_check, PQgetvalue(r, 0, 0), 33);
		goto out;
	}
	rc = tfa_key_load(keyfile, 1, &pg->key, absent, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_key_check_value(&pg->key, have);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot check key file %s", keyfile);
		goto out;
	}
	if (!found) {
		PQclear(r);
		r = NULL;
		tfa_pg_p_text(&p, have);
		rc = tfa_pg_exec(pg, "INSERT INTO meta(key, value) VALUES('key_check', $1)"
				 " ON CONFLICT (key) DO NOTHING", &p, NULL,
				 "recording the key check", err);
		if (rc == TFA_OK)   /* a racing init may have won with another key */
			rc = tfa_pg_exec(pg, "SELECT value FROM meta WHERE key='key_check'", NULL,
					 &r, "reading store metadata", err);
		if (rc != TFA_OK)
			goto out;
	}
	if (PQntuples(r) < 1 || strlen(PQgetvalue(r, 0, 0)) != 32 ||
	    CRYPTO_memcmp(PQgetvalue(r, 0, 0), have, 32) != 0)
		rc = tfa_err_set(err, TFA_EKEY, "key file %s is not the key of store %s "
				 "(wrong key file?)", keyfile, pg->uri);
	else
		memcpy(pg->key_check, have, sizeof(pg->key_check));
out:
	PQclear(r);
	return rc;
}

/* the pepper sealed under the key by tfa-admin rekey, else derived */
static tfa_rc load_pepper(tfa_pg *pg, tfa_err *err)
{
	PGresult *r = NULL;
	tfa_rc rc;

	rc = tfa_pg_exec(pg, "SELECT value FROM meta WHERE key='pepper'", NULL, &r,
			 "reading store metadata", err);
	if (rc != TFA_OK)
		return rc;
	if (PQntuples(r) > 0)
		rc = tfa_pepper_unseal(&pg->key, PQgetvalue(r, 0, 0), pg->uri, pg->pepper, err);
	else
		rc = tfa_pepper_derive(&pg->key, pg->pepper, err);
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_key_changed(tfa_store *st, int *changed, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	PGresult *r = NULL;
	tfa_rc rc;

	*changed = 0;
	rc = tfa_pg_exec(pg, "SELECT value FROM meta WHERE key='key_check'", NULL, &r,
			 "reading store metadata", err);
	if (rc == TFA_OK && (PQntuples(r) < 1 || strlen(PQgetvalue(r, 0, 0)) != 32 ||
			     CRYPTO_memcmp(PQgetvalue(r, 0, 0), pg->key_check, 32) != 0))
		*changed = 1;
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_open_ex(const char *path, const char *keyfile, const char *keyfile_next,
		      unsigned flags, tfa_store **out, int *absent, tfa_err *err)
{
	tfa_pg *pg = NULL;
	int gone = 0;
	tfa_rc rc;

	*out = NULL;
	if (absent != NULL)
		*absent = 0;
	if (keyfile == NULL || *keyfile == '\0')
		return tfa_err_set(err, TFA_EINVAL, "the key file path must not be empty");
	rc = tfa_pg_uri_check(path, err);
	if (rc != TFA_OK)
		return rc;
	pg = calloc(1, sizeof(*pg));
	if (pg == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	pg->kind = TFA_BACKEND_PG;
	pg->readonly = (flags & TFA_STORE_READONLY) != 0;
	rc = tfa_pq_load(&pg->libpq, err);
	if (rc != TFA_OK)
		goto out;
	if (gethostname(pg->host, sizeof(pg->host) - 1) != 0)
		(void)snprintf(pg->host, sizeof(pg->host), "unknown");
	pg->uri = strdup(path);
	if (pg->uri == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	if ((flags & TFA_STORE_LOGIN) != 0) {
		rc = caller_env_ok(err);
		if (rc != TFA_OK)
			goto out;
	}
	rc = connect_db(pg, &gone, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_pg_schema(pg, pg->readonly ? 0 : flags & (TFA_STORE_CREATE | TFA_STORE_UPGRADE),
			   err);
	if (rc != TFA_OK)
		goto out;
	if ((flags & TFA_STORE_NOKEY) == 0 || !pg->readonly) {
		rc = open_key(pg, keyfile, keyfile_next, (flags & TFA_STORE_CREATE) != 0, &gone,
			      err);
		if (rc == TFA_OK)
			rc = load_pepper(pg, err);
		if (rc != TFA_OK)
			goto out;
	}
	*out = (tfa_store *)(void *)pg;
	pg = NULL;
out:
	if (absent != NULL && rc != TFA_OK)
		*absent = gone;
	tfa_pg_close((tfa_store *)(void *)pg);
	return rc;
}

void tfa_pg_close(tfa_store *st)
{
	tfa_pg *pg = tfa_pg_of(st);

	if (pg == NULL)
		return;
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	tfa_pq_unload(pg->libpq);
	tfa_key_wipe(&pg->key);
	tfa_wipe(pg->pepper, sizeof(pg->pepper));
	free(pg->uri);
	free(pg);
}

const char *tfa_pg_path(const tfa_store *st)
{
	return ((const tfa_pg *)(const void *)st)->uri;
}

tfa_rc tfa_pg_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN])
{
	memcpy(out, ((const tfa_pg *)(const void *)st)->pepper, TFA_PEPPER_LEN);
	return TFA_OK;
}

/* the version found at open (before an upgrade) and this program's */
void tfa_pg_schema_versions(const tfa_store *st, int *found, int *current)
{
	*found = ((const tfa_pg *)(const void *)st)->schema_found;
	*current = TFA_PG_SCHEMA_VERSION;
}
