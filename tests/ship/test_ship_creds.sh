#!/usr/bin/env bash
# Shipping to a server that wants NATS credentials, over TLS: the server
# runs in operator mode (an operator, a system account and an account with
# JetStream, their nkeys and JWTs made here by natsauth.py) with a
# certificate of a CA made here. aa-capture --ship-creds --ship-tls-ca
# ships; aa-replay --creds --tls-ca (or $AA_NATS_CREDS, $AA_NATS_TLS_CA)
# reads and pulls it, byte for byte. Without credentials, or with a user of
# an account the server does not know, the server refuses: said, exit 3
# (capture) or 2 (replay); without the CA the TLS handshake fails.
source tests/ship/ship_lib.sh
python3 -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' 2>/dev/null ||
	{ echo "python3-cryptography not installed (make deps)"; exit 77; }
nats_setup 1
make_certs
python3 tests/ship/natsauth.py "$T"
cat >"$T/server.conf" <<CONF
listen: 127.0.0.1:${CPORT[1]}
http: 127.0.0.1:${MPORT[1]}
jetstream: { store_dir: "$T/n1" }
tls: { cert_file: "$T/srv.pem", key_file: "$T/srv.key" }
include ./auth.conf
CONF
nats-server -c "$T/server.conf" >>"$T/n1.log" 2>&1 &
NPID[1]=$!
nats_wait_ready
raw_fixture "$T/live.raw"
URL=tls://127.0.0.1:${CPORT[1]}/AACREDS
AUTH=(--creds "$T/user.creds" --tls-ca "$T/ca.pem")
mkdir -m 0700 "$T/out"

"$build/aa-capture" -q -r "$T/live.raw" -w "$T/out/c.pcapng" --ship "$URL" --ship-replicas 1 \
	--ship-creds "$T/user.creds" --ship-tls-ca "$T/ca.pem"
"$build/aa-replay" verify "${AUTH[@]}" "$URL" | tee "$T/verify"
grep -F "intact: 708 records" "$T/verify"
[[ $("$build/aa-replay" export --raw "${AUTH[@]}" "$URL" - | xxhsum -H64) == \
	$("$build/aa-replay" export --raw "$T/out/c.pcapng" - | xxhsum -H64) ]]
"$build/aa-replay" pull "${AUTH[@]}" "$URL" "$T/pulled" >/dev/null
cmp "$T/pulled/$(hostname | tr -c 'A-Za-z0-9_\n-' _)"/aa-*-0000.pcapng "$T/out/c.pcapng"
# the same from the environment
AA_NATS_CREDS=$T/user.creds AA_NATS_TLS_CA=$T/ca.pem "$build/aa-replay" info "$URL" | grep -F "708"

refused() { # what, expected exit, expected words, command...
	local what=$1 want=$2 words=$3 rc=0
	shift 3
	"$@" >/dev/null 2>"$T/err" || rc=$?
	echo "$what: exit $rc: $(tail -1 "$T/err")"
	[[ $rc == "$want" ]] && grep -qF "$words" "$T/err"
}
refused "replay without credentials" 2 "Authorization Violation" \
	"$build/aa-replay" verify --tls-ca "$T/ca.pem" "$URL"
refused "replay as a user of an unknown account" 2 "Authorization Violation" \
	"$build/aa-replay" verify --creds "$T/stranger.creds" --tls-ca "$T/ca.pem" "$URL"
refused "replay without the CA" 2 "cannot connect" \
	"$build/aa-replay" verify --creds "$T/user.creds" "$URL"
refused "replay with a credentials file that is not one" 2 "cannot connect" \
	"$build/aa-replay" verify --creds "$T/ca.pem" --tls-ca "$T/ca.pem" "$URL"
refused "capture without credentials" 3 "chunks not acknowledged: lost" \
	"$build/aa-capture" -q -r "$T/live.raw" --ship "$URL" --ship-tls-ca "$T/ca.pem" --ship-wait 1
refused "capture as a user of an unknown account" 3 "chunks not acknowledged: lost" \
	"$build/aa-capture" -q -r "$T/live.raw" --ship "$URL" --ship-tls-ca "$T/ca.pem" \
	--ship-creds "$T/stranger.creds" --ship-wait 1
# nothing more arrived than the first capture's chunks
"$build/aa-replay" info "${AUTH[@]}" "$URL" | tee "$T/info"
grep -E '^Records: +708$' "$T/info"
echo "credentials: ok"
