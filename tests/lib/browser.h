/* SPDX-License-Identifier: MIT */
/*
 * A real browser for tests of HTML output: headless Chromium loads a page
 * from disk, with no way to the network (every host name resolves to
 * nothing), in a profile of its own in a temporary directory (so it runs
 * unprivileged too), and gives the DOM its scripts built, or a screenshot.
 */
#ifndef AAT_BROWSER_H
#define AAT_BROWSER_H

#include <stddef.h>

/* The Chromium program ($AA_CHROMIUM, else chromium on PATH), or NULL when none. */
const char *aat_browser(void);

/*
 * Loads html_path and returns the DOM after its scripts ran (malloc'd,
 * NUL-terminated; *len its length, which a NUL in the DOM makes longer
 * than strlen), or NULL when the browser failed (its stderr is shown).
 */
char *aat_browser_dom(const char *html_path, size_t *len);
/* The same with a fragment on the page's URL ("search=x" for page.html#search=x). */
char *aat_browser_dom_at(const char *html_path, const char *fragment, size_t *len);

/* Loads html_path in a width x height window and writes a PNG of it; 0 or -1. */
int aat_browser_screenshot(const char *html_path, const char *png_path, int width, int height);

/*
 * Where a test keeps a file for people to look at: $AA_BUILD/artifacts/name
 * (created), else, when that is not writable (an unprivileged run), a kept
 * directory of the user's, $TMPDIR/aa-artifacts-UID. Malloc'd; NULL on failure.
 */
char *aat_artifact_path(const char *name);

#endif
