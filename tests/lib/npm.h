/* SPDX-License-Identifier: MIT */
/*
 * Packages from the npm registry for tests that check our output in real
 * consumers (speedscope, Chrome DevTools' trace engine): installed once,
 * pinned to a version, into $AA_BUILD/npm, with npm when it is there.
 */
#ifndef AAT_NPM_H
#define AAT_NPM_H

/*
 * The absolute path of file (e.g. "node_modules/speedscope/package.json")
 * under $AA_BUILD/npm, running `npm install SPEC` there first when the file
 * is missing (SPEC pinned: "speedscope@1.25.0"); malloc'd, or NULL when it
 * is still missing (no npm, no registry, the directory not writable: npm's
 * message is on stderr).
 */
char *aat_npm_file(const char *spec, const char *file);

#endif
