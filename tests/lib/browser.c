/* SPDX-License-Identifier: MIT */
#include "browser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

const char *aat_browser(void)
{
	static char found[4096];
	const char *env = getenv("AA_CHROMIUM");

	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	if (!found[0] && aat_run("command -v chromium", found, sizeof(found)) == 0)
		found[strcspn(found, "\n")] = 0;
	return found[0] ? found : NULL;
}

/* Runs the browser on html_path with extra arguments; stdout into out (malloc'd). */
static int run_browser(const char *html_path, const char *fragment, const char *args, char **out,
		       size_t *len)
{
	const char *exe = aat_browser();
	char *dir = aat_tmpdir(), *abs = realpath(html_path, NULL);
	size_t cmdlen = 4096 + 3 * (dir ? strlen(dir) : 0) + (abs ? strlen(abs) : 0) + strlen(args) +
			(fragment ? strlen(fragment) : 0);
	char *cmd = malloc(cmdlen), *outpath = dir ? aat_path(dir, "stdout") : NULL;
	int rc = -1;

	if (exe && dir && abs && cmd && outpath) {
		/* A profile and HOME of its own: an unprivileged user's HOME may
		 * not be writable. --no-sandbox: root cannot run it otherwise. */
		snprintf(cmd, cmdlen,
			 "HOME='%s' XDG_CONFIG_HOME='%s' XDG_CACHE_HOME='%s' '%s' --headless=new "
			 "--no-sandbox --disable-gpu --no-first-run --disable-extensions "
			 "--disable-background-networking --disable-component-update --disable-sync "
			 "--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir='%s/profile' "
			 "--virtual-time-budget=5000 %s 'file://%s%s%s' >'%s' 2>'%s/stderr' </dev/null "
			 "|| { cat '%s/stderr' >&2; exit 1; }",
			 dir, dir, dir, exe, dir, args, abs, fragment ? "#" : "", fragment ? fragment : "",
			 outpath, dir, dir);
		rc = aat_run(cmd, NULL, 0);
		if (rc == 0 && out) {
			uint8_t *data;
			size_t n;
			rc = -1;
			if (aat_read_file(outpath, &data, &n) == 0) {
				char *s = realloc(data, n + 1);
				if (s) {
					s[n] = 0;
					*out = s;
					*len = n;
					rc = 0;
				} else {
					free(data);
				}
			}
		}
	}
	free(outpath);
	free(cmd);
	free(abs);
	if (dir)
		aat_tmpdir_remove(dir);
	return rc == 0 ? 0 : -1;
}

char *aat_browser_dom_at(const char *html_path, const char *fragment, size_t *len)
{
	char *dom = NULL;

	return run_browser(html_path, fragment, "--dump-dom", &dom, len) == 0 ? dom : NULL;
}

char *aat_browser_dom(const char *html_path, size_t *len)
{
	return aat_browser_dom_at(html_path, NULL, len);
}

int aat_browser_screenshot(const char *html_path, const char *png_path, int width, int height)
{
	char args[4200];
	struct stat st;

	if (snprintf(args, sizeof(args), "--hide-scrollbars --window-size=%d,%d --screenshot='%s'",
		     width, height, png_path) >= (int)sizeof(args))
		return -1;
	if (run_browser(html_path, NULL, args, NULL, NULL) < 0)
		return -1;
	return stat(png_path, &st) == 0 && st.st_size > 0 ? 0 : -1;
}

char *aat_artifact_path(const char *name)
{
	char *build = aat_build_path("artifacts");
	char *path = NULL;

	if (build && (mkdir(build, 0755) == 0 || access(build, W_OK) == 0))
		path = aat_path(build, name);
	free(build);
	if (!path) {
		/* kept: aat_tmpdir's directories are the test's to remove */
		const char *tmp = getenv("TMPDIR");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/aa-artifacts-%u", tmp && *tmp ? tmp : "/tmp", (unsigned)getuid());
		if (mkdir(dir, 0700) == 0 || access(dir, W_OK) == 0)
			path = aat_path(dir, name);
	}
	if (path)
		unlink(path); /* the last run's */
	return path;
}
