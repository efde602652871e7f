/* digest.c - see digest.h. */
#include "digest.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static void digest_hex(const EVP_MD *md, const void *data, size_t len,
                       char out[DIGEST_HEX_LEN])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md == NULL || !EVP_Digest(data, len, d, &n, md, NULL) || n != 32) {
        fputs("digest: openssl digest failed\n", stderr);
        abort();
    }
    to_hex(d, n, out);
}

void digest_sm3_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN])
{
    digest_hex(EVP_sm3(), data, len, out);
}

void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN])
{
    digest_hex(EVP_sha256(), data, len, out);
}

void digest_random(void *buf, size_t n)
{
    if (sodium_init() < 0) {
        fputs("digest: libsodium init failed\n", stderr);
        abort();
    }
    randombytes_buf(buf, n);
}

void digest_random_hex(char *out, size_t n)
{
    unsigned char tmp[256];
    while (n > 0) {
        size_t k = n > sizeof(tmp) ? sizeof(tmp) : n;
        digest_random(tmp, k);
        to_hex(tmp, k, out);
        out += 2 * k;
        n -= k;
    }
}
