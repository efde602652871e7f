/*
 * digest.h - SM3 (GB/T 32905, for the audit chain) and SHA-256 (attachments,
 * session and token hashes), both from OpenSSL, as lowercase hex.
 */
#ifndef SHUNIU_DIGEST_H
#define SHUNIU_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 65 /* 64 hex digits and a NUL */

void digest_sm3_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN]);
void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN]);

/* Fills buf with n cryptographically random bytes (libsodium). */
void digest_random(void *buf, size_t n);
/* n random bytes as 2n lowercase hex digits in out (2n+1 bytes). */
void digest_random_hex(char *out, size_t n);

#endif
