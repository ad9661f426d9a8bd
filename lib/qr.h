/* SPDX-License-Identifier: BSD-2-Clause */
/* qr.h - QR codes for enrolment, through libqrencode, which is loaded
 * (dlopen "libqrencode.so.4") only while a code is drawn: when it cannot be
 * loaded, both calls fail with TFA_EIO and a message naming it, and the
 * caller shows the otpauth URI and key instead. */
#ifndef TFA_QR_H
#define TFA_QR_H

#include "tfa.h"

/** tfa_qr_utf8: draw @text as a QR code (error correction level L, 8-bit
 * mode) with Unicode blocks, two modules a character row, with a 2-module
 * quiet zone, as `qrencode -t UTF8 -m 2` draws: a light module is ink
 * (U+2588 full, U+2580 upper half, U+2584 lower half) and a dark module is
 * a space, so it scans from a terminal with light text on a dark
 * background. New string in *@out, lines ending in '\n'. @err (may be
 * NULL) gets the reason of a failure. */
tfa_rc tfa_qr_utf8(const char *text, char **out, tfa_err *err);

/** tfa_qr_png: write @text as a QR PNG (1-bit greyscale, written without
 * libpng) to @path, created 0600 and not following symlinks; 8 pixels a
 * module, 4-module quiet zone. */
tfa_rc tfa_qr_png(const char *text, const char *path, tfa_err *err);

#endif
