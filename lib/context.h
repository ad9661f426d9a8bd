/* SPDX-License-Identifier: BSD-2-Clause */
/* context.h - the inside of a tfa_ctx, private to the library: front ends
 * see the opaque type and its accessors (auth.h). */
#ifndef TFA_CONTEXT_H
#define TFA_CONTEXT_H

#include "auth.h"
#include "store.h"

struct tfa_ctx {
	tfa_store *store;
	tfa_policy policy;
	int policy_from_store;  /* loaded from the store (not TFA_OPEN_NOPOLICY) */
	int64_t data_version;   /* the store's data version when it was loaded */
	char source[64];   /* who acts, for the audit trail ("pam:sshd", "tfa-admin") */
};

#endif
