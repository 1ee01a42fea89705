/* SPDX-License-Identifier: MIT */
#include "aa_version.h"

#define AA_STR_(x) #x
#define AA_STR(x) AA_STR_(x)

unsigned aa_version(void)
{
	return AA_VERSION_NUMBER;
}

const char *aa_version_string(void)
{
	return AA_STR(AA_VERSION_MAJOR) "." AA_STR(AA_VERSION_MINOR) "." AA_STR(AA_VERSION_PATCH);
}
