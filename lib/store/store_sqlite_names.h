/* SPDX-License-Identifier: BSD-2-Clause */
/* store_sqlite_names.h - included by store_internal.h before store.h: the
 * SQLite backend's files define the store functions under tfa_sqlite_*
 * names; store.c defines the public tfa_store_* ones and dispatches to the
 * backend the store was opened with (store_backend.h). */
#ifndef TFA_STORE_SQLITE_NAMES_H
#define TFA_STORE_SQLITE_NAMES_H

#define tfa_store_open tfa_sqlite_open
#define tfa_store_open_ex tfa_sqlite_open_ex
#define tfa_store_close tfa_sqlite_close
#define tfa_store_path tfa_sqlite_path
#define tfa_store_pepper tfa_sqlite_pepper
#define tfa_store_user_get tfa_sqlite_user_get
#define tfa_store_user_set_required tfa_sqlite_user_set_required
#define tfa_store_user_unlock tfa_sqlite_user_unlock
#define tfa_store_user_list tfa_sqlite_user_list
#define tfa_store_token_add tfa_sqlite_token_add
#define tfa_store_token_list tfa_sqlite_token_list
#define tfa_store_user_reset tfa_sqlite_user_reset
#define tfa_store_recovery_replace tfa_sqlite_recovery_replace
#define tfa_store_recovery_add tfa_sqlite_recovery_add
#define tfa_store_recovery_count tfa_sqlite_recovery_count
#define tfa_store_challenge_put tfa_sqlite_challenge_put
#define tfa_store_challenge_clear tfa_sqlite_challenge_clear
#define tfa_store_user_txn_ex tfa_sqlite_user_txn_ex
#define tfa_store_delivery_reserve tfa_sqlite_delivery_reserve
#define tfa_store_cards_add tfa_sqlite_cards_add
#define tfa_store_card_list tfa_sqlite_card_list
#define tfa_store_card_assign tfa_sqlite_card_assign
#define tfa_store_card_unassign tfa_sqlite_card_unassign
#define tfa_store_policy_get tfa_sqlite_policy_get
#define tfa_store_policy_set tfa_sqlite_policy_set
#define tfa_store_audit_add tfa_sqlite_audit_add
#define tfa_store_audit_list tfa_sqlite_audit_list
#define tfa_store_audit_prune tfa_sqlite_audit_prune
#define tfa_store_integrity tfa_sqlite_integrity
#define tfa_store_import_begin tfa_sqlite_import_begin
#define tfa_store_import_token tfa_sqlite_import_token
#define tfa_store_import_recovery tfa_sqlite_import_recovery
#define tfa_store_import_commit tfa_sqlite_import_commit
#define tfa_store_import_abort tfa_sqlite_import_abort
#define tfa_store_replaced tfa_sqlite_replaced
#define tfa_store_schema tfa_sqlite_schema
#define tfa_store_data_version tfa_sqlite_data_version
#define tfa_store_policy_all tfa_sqlite_policy_all
#define tfa_store_backup tfa_sqlite_backup
#define tfa_store_restore tfa_sqlite_restore
#define tfa_store_rekey tfa_sqlite_rekey

#endif
