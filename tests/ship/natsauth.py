#!/usr/bin/env python3
"""NATS decentralized auth for the shipping tests, made here (no nsc in
Debian): an operator, a system account and an account with JetStream, each
an ed25519 nkey (base32 of a type prefix, the key and a CRC-16) and a JWT
the key above it signs, and a user of the account as a .creds file (its
JWT and its nkey seed), the form NATS clients read.

  natsauth.py DIR    writes DIR/auth.conf (operator, resolver, preloaded
                     accounts: include it in a server's config),
                     DIR/user.creds, and DIR/stranger.creds (a user signed
                     by an account the server does not know)
"""
import base64
import hashlib
import json
import os
import struct
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

PREFIX = {"operator": 14 << 3, "account": 0, "user": 20 << 3}
SEED = 18 << 3


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def b32(raw):
    return base64.b32encode(raw + struct.pack("<H", crc16(raw))).decode().rstrip("=")


class Key:
    def __init__(self, kind):
        self.priv = Ed25519PrivateKey.generate()
        p = PREFIX[kind]
        raw_seed = self.priv.private_bytes(serialization.Encoding.Raw,
                                           serialization.PrivateFormat.Raw,
                                           serialization.NoEncryption())
        raw_pub = self.priv.public_key().public_bytes(serialization.Encoding.Raw,
                                                      serialization.PublicFormat.Raw)
        self.public = b32(bytes([p]) + raw_pub)
        self.seed = b32(bytes([SEED | (p >> 5), (p & 31) << 3]) + raw_seed)


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(issuer, subject, name, nats):
    claims = {"jti": "", "iat": int(time.time()), "iss": issuer.public, "name": name,
              "sub": subject.public, "nats": dict(nats, version=2)}
    h = hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest()
    claims["jti"] = base64.b32encode(h).decode().rstrip("=")
    head = b64url(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = issuer.priv.sign((head + "." + body).encode())
    return head + "." + body + "." + b64url(sig)


UNLIMITED = {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
             "wildcards": True, "conn": -1, "leaf": -1}
JETSTREAM = {"mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1}


def creds(path, account):
    user = Key("user")
    token = jwt(account, user, "aa-test-user",
                {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1, "type": "user"})
    with open(path, "w") as f:
        f.write("-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n\n"
                "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n"
                % (token, user.seed))
    os.chmod(path, 0o600)


def main(out):
    op, sys_acct, acct, stranger = Key("operator"), Key("account"), Key("account"), Key("account")
    op_jwt = jwt(op, op, "aa-test-operator", {"type": "operator"})
    sys_jwt = jwt(op, sys_acct, "SYS", {"limits": UNLIMITED, "type": "account"})
    acct_jwt = jwt(op, acct, "AA", {"limits": dict(UNLIMITED, **JETSTREAM), "type": "account"})
    with open(os.path.join(out, "auth.conf"), "w") as f:
        f.write("operator: %s\nsystem_account: %s\nresolver: MEMORY\n"
                "resolver_preload: {\n  %s: %s\n  %s: %s\n}\n"
                % (op_jwt, sys_acct.public, sys_acct.public, sys_jwt, acct.public, acct_jwt))
    creds(os.path.join(out, "user.creds"), acct)
    creds(os.path.join(out, "stranger.creds"), stranger)


if __name__ == "__main__":
    main(sys.argv[1])
