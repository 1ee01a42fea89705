#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The BPF programs build for every architecture bpf/vmlinux/ has a header
# for (make bpf-x86, make bpf-arm64), on any build host and loading
# nothing: the object compiles with that architecture's syscall numbers
# and registers (bpf/sysarch.bpf.h), and bpftool makes its skeleton with
# every program in it. Each object's types are its architecture's (the
# pt_regs its syscall exit reads the number from), no other's.
# Skipped (77) without clang or bpftool.
set -u
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang} BPFTOOL=${BPFTOOL:-bpftool}
command -v "$CLANG" >/dev/null || { echo "no $CLANG"; exit 77; }
command -v "$BPFTOOL" >/dev/null || command -v /usr/sbin/bpftool >/dev/null || { echo "no bpftool"; exit 77; }
command -v "$BPFTOOL" >/dev/null || BPFTOOL=/usr/sbin/bpftool

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aa-bpf-arches.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# arch, a pt_regs field only its syscall exit reads, one only the other's does
check() {
	local arch=$1 own=$2 other=$3 o=$tmp/bpf-$1/aa.bpf.o s=$tmp/bpf-$1/aa.skel.h prog
	make -s --no-print-directory BUILD="$tmp" BPFTOOL="$BPFTOOL" "bpf-$arch" >"$tmp/make.out" 2>&1 ||
		fail "make bpf-$arch: $(head -n 5 "$tmp/make.out")"
	[ -s "$o" ] && [ -s "$s" ] || fail "make bpf-$arch made no object or skeleton"
	[ "$(od -An -tx1 -j18 -N2 "$o" | tr -d ' ')" = f700 ] || fail "$o: not an eBPF ELF object (e_machine)"
	"$BPFTOOL" btf dump file "$o" >"$tmp/btf" 2>&1 || fail "$o: no BTF: $(head -n 1 "$tmp/btf")"
	grep -q "'$own' type_id=" "$tmp/btf" || fail "$arch: no pt_regs field $own: not its types"
	! grep -q "'$other' type_id=" "$tmp/btf" || fail "$arch: pt_regs has $other: another architecture's types"
	for prog in aa_sys_enter aa_sys_exit aa_exec aa_fork aa_exit_group aa_ssl_write aa_nss_write; do
		grep -q "struct bpf_program \*$prog;" "$s" || fail "$arch: skeleton without program $prog"
	done
	echo "bpf-$arch: $(stat -c %s "$o") bytes, skeleton ok"
}

check x86 orig_ax syscallno
check arm64 syscallno orig_ax
