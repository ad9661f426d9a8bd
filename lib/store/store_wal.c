/* SPDX-License-Identifier: BSD-2-Clause */
/* store_wal.c - what keeps a login to one fsync: the WAL kept between
 * processes, a checkpoint every TFA_WAL_CKPT_FRAMES frames, an existing WAL
 * opened without the directory fsync; and the header check of tfa.db that
 * keeps refusing a damaged store although pages may still be in the WAL.
 *
 * Why (docs/PERFORMANCE.md): a connection that is the last one on the store
 * checkpoints at close (fsync of the WAL and of tfa.db) and deletes the WAL,
 * and the next one creates it again, which SQLite follows with an fsync of
 * the directory: 5 fsyncs per login where the commit needs one. Login
 * connections (TFA_STORE_LOGIN) keep the WAL (SQLITE_FCNTL_PERSIST_WAL,
 * SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE); a WAL hook checkpoints (TRUNCATE,
 * without waiting) once the WAL holds TFA_WAL_CKPT_FRAMES frames, so the
 * WAL stays small and tfa.db is at most that many frames behind. Admin
 * connections keep SQLite's default: checkpoint on close, WAL deleted when
 * they are the last connection. synchronous=FULL is unchanged: every commit
 * is fsynced before the login returns. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define DB_HDR 100          /* bytes of a database header */

/* SQLite's unix VFS opens a WAL always with SQLITE_OPEN_CREATE and then
 * fsyncs the directory at the first sync of the file, even when the WAL
 * already existed: one more fsync per login. An existing WAL is opened
 * without SQLITE_OPEN_CREATE (no directory fsync); a missing one is created
 * and its directory synced as before. The directory entry of an existing
 * WAL was synced by the connection that created it if that one committed;
 * if it only read (created it empty and closed), the first commit's
 * fdatasync of the new file also commits its directory entry on the
 * journalling file systems of Linux (ext4, XFS, btrfs). */
/* One shim per connection, registered under its own name while the
 * connection is open and unregistered when it closes: no state outside the
 * store handle, and nothing of ours left in SQLite's VFS list when the
 * module is unloaded (pam_end dlcloses it while the host may keep
 * libsqlite3). */
struct tfa_vfs {
	sqlite3_vfs vfs;        /* first: SQLite hands this pointer back */
	sqlite3_vfs *real;
	char name[48];
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
		     int *outflags)
{
	sqlite3_vfs *real = ((struct tfa_vfs *)(void *)vfs)->real;
	struct stat sb;
	int r;

	if ((flags & SQLITE_OPEN_WAL) != 0 && (flags & SQLITE_OPEN_CREATE) != 0 &&
	    name != NULL && stat(name, &sb) == 0 && S_ISREG(sb.st_mode)) {
		r = real->xOpen(real, name, f, flags & ~SQLITE_OPEN_CREATE, outflags);
		if (r != SQLITE_CANTOPEN)
			return r;
		/* deleted in between (an admin connection's close): create it */
	}
	return real->xOpen(real, name, f, flags, outflags);
}

const char *tfa_db_vfs_open(tfa_store *st)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	struct tfa_vfs *v;

	if (real == NULL || strcmp(real->zName, "unix") != 0)
		return NULL;            /* another default VFS: leave it alone */
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;            /* the default VFS then: one more fsync */
	v->vfs = *real;
	v->real = real;
	(void)snprintf(v->name, sizeof(v->name), "tfa-unix-%p", (void *)st);
	v->vfs.zName = v->name;
	v->vfs.pNext = NULL;
	v->vfs.xOpen = shim_open;
	if (sqlite3_vfs_register(&v->vfs, 0) != SQLITE_OK) {
		free(v);
		return NULL;
	}
	st->vfs = v;
	return v->name;
}

void tfa_db_vfs_close(tfa_store *st)
{
	if (st->vfs == NULL)
		return;
	(void)sqlite3_vfs_unregister(&st->vfs->vfs);
	free(st->vfs);
	st->vfs = NULL;
}

/* The header of tfa.db itself, read through our descriptor: with the WAL
 * kept, SQLite could take every page it needs from the WAL and never look
 * at a tfa.db overwritten with garbage. Only bytes that never change are
 * checked: not the database size at offset 28, since a checkpoint in
 * another process writes page 1 before it extends the file (a check of the
 * size against the file refused concurrent logins). */
tfa_rc tfa_db_check_header(tfa_store *st, tfa_err *err)
{
	static const char magic[16] = "SQLite format 3";
	uint8_t h[DB_HDR];
	struct stat sb;
	uint32_t pgsz;
	ssize_t got;

	if (fstat(st->fd, &sb) != 0)
		return tfa_err_set(err, TFA_ESTORE, "cannot stat store %s: %s", st->path,
				   strerror(errno));
	if (sb.st_size == 0)
		return TFA_OK;          /* only reached when creating (tfa-admin init) */
	got = pread(st->fd, h, sizeof(h), 0);
	if (got < 0)
		return tfa_err_set(err, TFA_ESTORE, "cannot read store %s: %s", st->path,
				   strerror(errno));
	pgsz = got == (ssize_t)sizeof(h) ? ((uint32_t)h[16] << 8 | h[17]) : 0;
	if (pgsz == 1)
		pgsz = 65536;
	if (got != (ssize_t)sizeof(h) || memcmp(h, magic, sizeof(magic)) != 0 ||
	    pgsz < 512 || (pgsz & (pgsz - 1)) != 0 || h[18] < 1 || h[18] > 2 ||
	    h[19] < 1 || h[19] > 2 || h[21] != 64 || h[22] != 32 || h[23] != 32)
		return tfa_err_set(err, TFA_ESTORE, "store %s is not a usable database: its "
				   "header is damaged (restore it from a backup)", st->path);
	return TFA_OK;
}

/* After a commit (already fsynced): once the WAL holds
 * TFA_WAL_CKPT_FRAMES frames, copy them into tfa.db and truncate the WAL.
 * TRUNCATE, not PASSIVE: the next process rebuilds its WAL index from the
 * WAL file and counts every frame there as not yet copied, so a WAL that
 * is only backfilled would be copied again at every login. Without waiting
 * (busy timeout 0 for the checkpoint): a reader or writer in the way
 * (another login, a long tfa-admin read) makes it fail, and a later commit
 * tries again. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	tfa_store *st = arg;

	if (frames >= TFA_WAL_CKPT_FRAMES) {
		tfa_db_busy_wait(st, 0);
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		tfa_db_busy_wait(st, 1);
	}
	return SQLITE_OK;
}

void tfa_db_login_mode(tfa_store *st)
{
	int on = 1;

	(void)sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	(void)sqlite3_wal_hook(st->db, wal_hook, st);
}
