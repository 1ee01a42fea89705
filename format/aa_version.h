/* SPDX-License-Identifier: MIT */
/*
 * The library's version: the macros say which headers a program was built
 * with, aa_version() which library it runs with. The Makefile reads its
 * VERSION from here, so this is the one place a release changes it.
 */
#ifndef AA_VERSION_H
#define AA_VERSION_H

#define AA_VERSION_MAJOR 0
#define AA_VERSION_MINOR 5
#define AA_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH, as aa_version() returns it */
#define AA_VERSION_NUMBER (AA_VERSION_MAJOR * 10000 + AA_VERSION_MINOR * 100 + AA_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The running library's AA_VERSION_NUMBER. */
unsigned aa_version(void);
/* The running library's "MAJOR.MINOR.PATCH", a static string. */
const char *aa_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* AA_VERSION_H */
