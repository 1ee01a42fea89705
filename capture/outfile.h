/* SPDX-License-Identifier: MIT */
/*
 * Creating an output file safely, since capture files hold TLS plaintext:
 * mode 0600 whatever the umask, never through a symbolic link, and never
 * over a file that is not a regular file of this user. A new name is created
 * with O_EXCL|O_NOFOLLOW; an existing file of ours is replaced by creating a
 * fresh temporary file beside it (O_EXCL, so no link is followed) and
 * renaming it over the old one, which replaces the name, never writes
 * through it. In a sticky directory such as /tmp the kernel also refuses to
 * rename over another user's file.
 */
#ifndef AA_CAP_OUTFILE_H
#define AA_CAP_OUTFILE_H

/*
 * Returns a descriptor open for writing, or -1 after printing one line
 * naming the file and the reason (errno is set). "-" is standard output
 * (refused when it is a terminal).
 */
int outfile_create(const char *path);

#endif /* AA_CAP_OUTFILE_H */
