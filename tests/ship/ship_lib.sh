# Shared by tests/ship/test_*.sh (sourced): real nats-server processes on
# 127.0.0.1 with JetStream, one node or a 3-node cluster, stores in a
# private temporary directory; all stopped when the test exits.
set -euo pipefail
build=${AA_BUILD:-build}
command -v nats-server >/dev/null || { echo "nats-server not installed (make deps)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/aa-ship.XXXXXX")
chmod 0755 "$T"
NATSCTL="python3 tests/ship/natsctl.py"
declare -a CPORT RPORT MPORT NPID
NODES=0

cleanup() {
	local rc=$? i p
	# a failed test shows what the servers said
	((rc == 0 || rc == 77)) || tail -n 5 "$T"/n*.log >&2 2>/dev/null || true
	# what a failed test left running (a capture, a feeder), by its pid
	for p in $(jobs -p); do
		kill -9 "$p" 2>/dev/null || true
	done
	for i in $(seq 1 "$NODES"); do
		if [[ -n ${NPID[$i]:-} ]]; then
			kill -9 "${NPID[$i]}" 2>/dev/null || true
			wait "${NPID[$i]}" 2>/dev/null || true
		fi
	done
	rm -rf "$T"
}
trap cleanup EXIT
# a test stopped (timeout, ^C) still stops its servers
trap 'exit 143' TERM INT

# nats_setup N: ports for N nodes (client, route, monitor each).
nats_setup() {
	NODES=$1
	local p=($($NATSCTL free-ports $((3 * NODES)))) i
	for i in $(seq 1 "$NODES"); do
		CPORT[$i]=${p[$((3 * i - 3))]} RPORT[$i]=${p[$((3 * i - 2))]} MPORT[$i]=${p[$((3 * i - 1))]}
	done
}

# nats_start I: node I (of a cluster when there are 3), its store in $T/nI.
nats_start() {
	local i=$1 routes="" j
	local args=(-a 127.0.0.1 -p "${CPORT[$i]}" -m "${MPORT[$i]}" -js -sd "$T/n$i" -n "n$i")
	if ((NODES > 1)); then
		for j in $(seq 1 "$NODES"); do
			((j == i)) || routes+=${routes:+,}nats://127.0.0.1:${RPORT[$j]}
		done
		args+=(--cluster_name aa --cluster "nats://127.0.0.1:${RPORT[$i]}" --routes "$routes")
	fi
	nats-server "${args[@]}" >>"$T/n$i.log" 2>&1 &
	NPID[$i]=$!
}

nats_start_all() {
	local i
	for i in $(seq 1 "$NODES"); do nats_start "$i"; done
	nats_wait_ready
}

# SIGTERM (clean stop) or SIGKILL a node, and wait for it to be gone.
nats_stop() { kill -TERM "${NPID[$1]}"; wait "${NPID[$1]}" 2>/dev/null || true; NPID[$1]=; }
nats_kill() { kill -KILL "${NPID[$1]}"; wait "${NPID[$1]}" 2>/dev/null || true; NPID[$1]=; }

# Until every running node says JetStream is ready (meta leader, streams current).
nats_wait_ready() {
	local i n
	for n in $(seq 1 400); do
		local ok=1
		for i in $(seq 1 "$NODES"); do
			[[ -z ${NPID[$i]:-} ]] && continue
			curl -sf -m 2 "http://127.0.0.1:${MPORT[$i]}/healthz" >/dev/null || ok=0
		done
		((ok)) && return 0
		sleep 0.1
	done
	echo "nats-server not ready in 40 s" >&2
	tail -5 "$T"/n*.log >&2
	return 1
}

# make_certs: $T/ca.pem (a CA made here) and $T/srv.pem, $T/srv.key (its
# certificate for 127.0.0.1), for a nats-server with TLS.
make_certs() {
	command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }
	(
		cd "$T"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=aa-test-ca \
			-keyout ca.key -out ca.pem 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1\n' >ext
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext -out srv.pem 2>/dev/null
	)
}

# URL of the cluster's stream S: every node, in order.
nats_url() {
	local i hosts=""
	for i in $(seq 1 "$NODES"); do hosts+=${hosts:+,}127.0.0.1:${CPORT[$i]}; done
	echo "nats://$hosts/$1"
}

# A raw record stream (aa-capture -r) from the committed recording.
raw_fixture() { "$build/aa-replay" export --raw tests/fixtures/live.pcapng "$1"; }

# slow_raw FILE GROUP DELAY: FILE's records on stdout, GROUP at a time,
# DELAY seconds apart: a workload that runs while the test does things.
slow_raw() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, time
data = open(sys.argv[1], "rb").read()
group, delay, at, n = int(sys.argv[2]), float(sys.argv[3]), 0, 0
out = sys.stdout.buffer
while at < len(data):
    ln = struct.unpack_from("<I", data, at)[0]
    out.write(data[at:at + 4 + ln])
    at += 4 + ln
    n += 1
    if n % group == 0:
        out.flush()
        time.sleep(delay)
out.flush()
PY
}

# The export digest of an input (file or stream URL).
digest_of() { "$build/aa-replay" export --raw "$@" - | xxhsum -H64 | cut -d' ' -f1; }

# Every subject of stream S and its message count ("SUBJECT COUNT" lines).
stream_subjects() { $NATSCTL subjects "${CPORT[${2:-1}]}" "$1"; }

# Chunks in a capture file: the EPBs.
file_chunks() {
	python3 - "$1" <<'PY'
import struct, sys
d, at, n = open(sys.argv[1], "rb").read(), 0, 0
while at + 8 <= len(d):
    t, l = struct.unpack_from("<II", d, at)
    n += t == 6
    at += l
print(n)
PY
}
