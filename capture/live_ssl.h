/* SPDX-License-Identifier: MIT */
/*
 * Where the system's TLS libraries are: the libssl.so.N (OpenSSL),
 * libgnutls.so.N, libssl3.so (NSS) and libnspr4.so (NSPR, whose calls NSS
 * sockets use) entries of the dynamic linker's cache (/etc/ld.so.cache),
 * as `ldconfig -p` lists them, read directly so that no program has to be run.
 */
#ifndef AA_LIVE_SSL_H
#define AA_LIVE_SSL_H

#include <stddef.h>

#define AA_LDCACHE_PATH "/etc/ld.so.cache"

/*
 * Fills paths[0..max) with malloc'd paths of those libraries the cache
 * lists for this machine's ABI. Returns how many, 0 when none or when the
 * cache cannot be read.
 */
size_t aa_tls_system_libs(const char *cache_path, char **paths, size_t max);

#endif /* AA_LIVE_SSL_H */
