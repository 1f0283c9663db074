#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TLS front for a TLS-less sipp (-t t1): accepts TLS on 127.0.0.1:LPORT, relays the clear
bytes to 127.0.0.1:RPORT over TCP. Prints one line per accepted connection (TLS version).
   tls_relay.py LPORT RPORT cert.pem key.pem [ADDR]   (ADDR instead of 127.0.0.1 for both)
"""
import socket
import ssl
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    lport, rport, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    addr = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, lport))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        try:
            c = ctx.wrap_socket(c, server_side=True)
            r = socket.create_connection((addr, rport))
            print("accepted", c.version(), flush=True)
        except (OSError, ssl.SSLError) as e:
            print("relay setup failed:", e, flush=True)
            c.close()
            continue
        threading.Thread(target=pump, args=(c, r), daemon=True).start()
        threading.Thread(target=pump, args=(r, c), daemon=True).start()


if __name__ == "__main__":
    main()
