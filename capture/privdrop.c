/* SPDX-License-Identifier: MIT */
/* -Z USER, -u USER (privdrop.h). */
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "privdrop.h"

static int regained(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return 1;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return 1;
	/* Both must fail now, unless the target is root itself. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return 1;
	if (gid != 0 && uid != 0 && (setgid(0) == 0 || setegid(0) == 0))
		return 1;
	return 0;
}

static int drop(const char *opt, const char *user, uid_t uid, gid_t gid, int all_groups)
{
	int r = all_groups ? initgroups(user, gid) : setgroups(1, &gid);

	if (r != 0 && !(errno == EPERM && getgid() == gid && getuid() == uid)) {
		warn("%s %s: %s", opt, user, all_groups ? "initgroups" : "setgroups");
		return -1;
	}
	if (setresgid(gid, gid, gid) != 0) {
		warn("%s %s: setresgid", opt, user);
		return -1;
	}
	if (setresuid(uid, uid, uid) != 0) {
		warn("%s %s: setresuid", opt, user);
		return -1;
	}
	if (regained(uid, gid)) {
		warnx("%s %s: the old privileges could still be regained: stopping", opt, user);
		return -1;
	}
	return 0;
}

int privdrop(const char *user, uid_t uid, gid_t gid)
{
	return drop("-Z", user, uid, gid, 0);
}

int privdrop_groups(const char *what, const char *user, uid_t uid, gid_t gid)
{
	return drop(what, user, uid, gid, 1);
}
