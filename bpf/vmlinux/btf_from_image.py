#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""btf_from_image.py IMAGE OUT: the kernel's BTF (.BTF section) out of a
kernel image as a Debian package ships it, written raw to OUT for
`bpftool btf dump file OUT format c`.

An arm64 Image holds the kernel's sections as they are loaded, .BTF among
them; an x86 bzImage (and a compressed arm64 one) holds them compressed:
each xz, gzip or zstd stream found in it is tried in turn. The BTF blob is
found by its header: magic 0xeB9F, version 1, a 24-byte header, the type
section first and the string section right after it; the largest such blob
is the kernel's.
"""
import gzip
import lzma
import struct
import subprocess
import sys
import zlib

BTF_MAGIC = b"\x9f\xeb\x01"  # 0xeB9F little-endian, then version 1


def find_btf(data):
    """The largest well-formed BTF blob in data, or None."""
    best = None
    pos = data.find(BTF_MAGIC)
    while pos >= 0:
        if pos + 24 <= len(data):
            _, _, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
                "<HBBIIIII", data, pos)
            total = hdr_len + str_off + str_len
            if (flags == 0 and hdr_len == 24 and type_off == 0 and str_off == type_len and
                    type_len > 0 and str_len > 0 and pos + total <= len(data) and
                    data[pos + hdr_len + str_off] == 0 and  # the string section starts with ""
                    (best is None or total > len(best))):
                best = data[pos:pos + total]
        pos = data.find(BTF_MAGIC, pos + 1)
    return best


def streams(data):
    """Each compressed stream's decompressed bytes (as much as decodes)."""
    for magic, kind in ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08", "gzip"),
                        (b"\x28\xb5\x2f\xfd", "zstd")):
        pos = data.find(magic)
        while pos >= 0:
            out = None
            try:
                if kind == "xz":
                    out = lzma.LZMADecompressor().decompress(data[pos:])
                elif kind == "gzip":
                    out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[pos:])
                else:
                    out = subprocess.run(["zstd", "-dcq"], input=data[pos:],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            except (lzma.LZMAError, zlib.error, gzip.BadGzipFile, OSError):
                out = None
            if out and len(out) > (1 << 20):
                yield out
            pos = data.find(magic, pos + 1)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: btf_from_image.py IMAGE OUT")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    btf = find_btf(data)
    if btf is None:
        for out in streams(data):
            btf = find_btf(out)
            if btf is not None:
                break
    if btf is None:
        sys.exit("btf_from_image.py: %s: no BTF found (a kernel built without CONFIG_DEBUG_INFO_BTF?)"
                 % sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(btf)


if __name__ == "__main__":
    main()
