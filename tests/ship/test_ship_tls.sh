#!/usr/bin/env bash
# Shipping over TLS: a nats-server with a certificate of a CA made here;
# aa-capture --ship-tls-ca trusts it and ships, aa-replay reads with
# $AA_NATS_TLS_CA; without the CA the handshake fails and chunks are not
# acknowledged (said, exit 3), never sent in the clear.
source tests/ship/ship_lib.sh
nats_setup 1
make_certs
nats-server -a 127.0.0.1 -p "${CPORT[1]}" -m "${MPORT[1]}" -js -sd "$T/n1" \
	--tls --tlscert "$T/srv.pem" --tlskey "$T/srv.key" >>"$T/n1.log" 2>&1 &
NPID[1]=$!
nats_wait_ready
raw_fixture "$T/live.raw"
URL=tls://127.0.0.1:${CPORT[1]}/AATLS
mkdir -m 0700 "$T/out"

"$build/aa-capture" -q -r "$T/live.raw" -w "$T/out/t.pcapng" --ship "$URL" --ship-tls-ca "$T/ca.pem"
[[ $(AA_NATS_TLS_CA=$T/ca.pem digest_of "$URL") == $(digest_of "$T/out/t.pcapng") ]]
AA_NATS_TLS_CA=$T/ca.pem "$build/aa-replay" verify "$URL" | grep -F "intact: 708 records"
# without the CA: refused, said, nothing acknowledged
rc=0
"$build/aa-capture" -q -r "$T/live.raw" --ship "$URL" --ship-wait 1 2>"$T/err" || rc=$?
cat "$T/err"
[[ $rc == 3 ]] && grep -F "chunks not acknowledged: lost" "$T/err"
rc=0; "$build/aa-replay" info "$URL" 2>"$T/err" || rc=$?
[[ $rc == 2 ]] && grep -F "cannot connect" "$T/err"
echo "tls: ok"
