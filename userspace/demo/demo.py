# SPDX-License-Identifier: Apache-2.0
# Helpers of userspace/demo/demo.sh (python3 standard library only):
#   boot CLI PIN RUN CONFIG TIMEOUT   print each boot step from `phonesec status --json` as it
#                                     happens, with its time since phonesecd started
#   param CONFIG NAME                 print a parameter of a flat profile
#   resync CLI PIN RUN TIMEOUT        ask for a resync, print what changed and what did not
#   listen LOG SECONDS PORT/PROTO...  (phone side) answer every datagram / accept every connection,
#                                     note each in LOG ("ready" once bound)
#   knock LOG IP PORT/PROTO:LABEL...  (network side) PASS if it reached the phone, DROP if not
import json
import os
import select
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

STEPS = {
    "enforcing": "firewall enforcing on psd-ph (last good or factory profile, before any parsing)",
    "dot1x_authenticated": "802.1X EAP-TLS with hostapd: Authenticated",
    "network": "the network is open to the other workers",
    "provisioned": "profile fetched over HTTPS and applied",
    "vpn_up": "VPN up",
}


def status(cli, pin, run):
    out = subprocess.run([cli, "status", "--json", "--pin-dir", pin, "--run-dir", run],
                         capture_output=True, text=True).stdout
    try:
        return json.loads(out)
    except ValueError:
        return {}


def at(j, *path):
    for k in path:
        if not isinstance(j, dict) or k not in j:
            return None
        j = j[k]
    return j


def param(config, name):
    """A parameter of a flat profile (any nesting, attributes ignored), or ''."""
    try:
        for e in ET.parse(config).iter(name):
            return (e.text or "").strip()
    except (ET.ParseError, OSError):
        pass
    return ""


def line(ms, text):
    print(f"  {ms / 1000:6.2f} s  {text}", flush=True)


def boot(cli, pin, run, config, timeout):
    # What this device profile should reach: 802.1X if it enables it, a provisioned profile
    # (which turns the VPN on) if it names a rule.
    expect = ["enforcing", "network"]
    if param(config, "Enable_802.1X_Authentication").lower() == "yes":
        expect.append("dot1x_authenticated")
    if param(config, "Profile_Rule"):
        expect += ["provisioned", "vpn_up"]
    lease = os.path.join(run, "dhcp", "psd-ph.v4")
    seen, start_unix, lease_seen = set(), None, False
    end = time.time() + timeout
    while time.time() < end:
        s = status(cli, pin, run)
        steps = at(s, "boot") or {}
        if start_unix is None and "enforcing" in steps:
            start_unix = steps["enforcing"]["unix_ms"] - steps["enforcing"]["ms"]
        events = []  # (ms since phonesecd started, text), printed in the order they happened
        if start_unix is not None and not lease_seen and os.path.exists(lease):
            lease_seen = True
            events.append((os.stat(lease).st_mtime * 1000 - start_unix,
                           f"{'':20} DHCP lease (busybox udhcpc, phonesec hook): option 160 names the server"))
        for name, v in steps.items():
            if name in seen:
                continue
            seen.add(name)
            text = STEPS.get(name, name)
            if name == "provisioned":
                src = at(s, "parts", "prov", "status", "source") or ""
                text += f" (server from {src.split(' on ')[0]})" if src else ""
            if name == "vpn_up":
                tun = [a.get("name") for a in at(s, "attached") or [] if a.get("variant") == "l3"]
                text = f"VPN tunnel {' '.join(tun)} up, firewall (L3 programs) on it"
            events.append((v.get("ms", 0), f"{name:20} {text}"))
        for ms, text in sorted(events):
            line(ms, text)
        vpn = at(s, "parts", "vpn", "status") or {}
        if start_unix is not None and "vpn_up" in seen and "connected" not in seen and vpn.get("state") == "connected":
            seen.add("connected")
            line(time.time() * 1000 - start_unix, f"{'':20} VPN to ocserv connected ({vpn.get('transport', '?')}):"
                 f" {vpn.get('address', '?')} on {vpn.get('ifname', '?')}")
        if all(e in seen for e in expect) and ("vpn_up" not in expect or "connected" in seen):
            break
        time.sleep(0.1)
    missing = [e for e in expect if e not in seen]
    for m in missing:
        print(f"  {'':8}  {m:20} not reached in {timeout} s", flush=True)
    result = at(status(cli, pin, run), "parts", "prov", "status", "result")
    if "provisioned" in expect and result not in (None, "ok"):
        print(f"  {'':8}  provisioning: {result}", flush=True)
    return 0 if not missing else 1


def resync(cli, pin, run, timeout):
    before = status(cli, pin, run)
    gen = at(before, "daemon_status", "profile_generation") or 0
    d1_pid = at(before, "parts", "dot1x", "pid")
    t0 = time.time()
    subprocess.run([cli, "resync", "--run-dir", run], capture_output=True)
    ms = lambda: (time.time() - t0) * 1000
    done = set()
    end = time.time() + timeout
    while time.time() < end and len(done) < 2:
        s = status(cli, pin, run)
        if "gen" not in done and (at(s, "daemon_status", "profile_generation") or 0) > gen:
            done.add("gen")
            line(ms(), f"new profile applied (generation {gen} -> {at(s, 'daemon_status', 'profile_generation')})")
        if "vpn" not in done and at(s, "parts", "vpn", "status", "state") == "disconnected":
            done.add("vpn")
            line(ms(), "VPN disconnected (Enable_VPN_Connection: No)")
        time.sleep(0.1)
    s = status(cli, pin, run)
    same = at(s, "parts", "dot1x", "pid") == d1_pid
    line(ms(), f"802.1X {at(s, 'parts', 'dot1x', 'last_apply', 'outcome') or '?'}"
               f" ({at(s, 'parts', 'dot1x', 'status', 'transaction') or '?'}, same process: {'yes' if same else 'no'},"
               f" authentications: {at(s, 'parts', 'dot1x', 'status', 'counters', 'auth_success')})")
    return 0 if len(done) == 2 else 1


def ports(specs):
    for spec in specs:
        p, _, label = spec.partition(":")
        port, proto = p.split("/")
        yield int(port), proto, label


def listen(log, seconds, specs):
    socks, busy = [], []
    for port, proto, _ in ports(specs):
        try:
            if proto == "udp":
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            else:
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            if proto == "tcp":
                s.listen()
            socks.append(s)
        except OSError:
            busy.append(f"busy:{port}/{proto}")  # in use on the phone: whatever answers, answers
    with open(log, "a", buffering=1) as f:
        f.write("".join(b + "\n" for b in busy) + "ready\n")
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select(socks, [], [], 0.2)
            for s in r:
                if s.type == socket.SOCK_DGRAM:
                    _, a = s.recvfrom(100)
                    s.sendto(b"ok", a)
                    f.write(f"{s.getsockname()[1]}/udp\n")
                else:
                    c, _ = s.accept()
                    c.close()
                    f.write(f"{s.getsockname()[1]}/tcp\n")


def arrived(log, key):
    try:
        with open(log) as f:
            return key in f.read().split()
    except OSError:
        return False


def knock(log, ip, specs):
    end = time.time() + 5
    while not arrived(log, "ready") and time.time() < end:
        time.sleep(0.05)
    for port, proto, label in ports(specs):
        key = f"{port}/{proto}"
        if proto == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(0.4)
            verdict = "DROP"
            for _ in range(2):
                s.sendto(b"hi", (ip, port))
                try:
                    s.recv(10)
                    verdict = "PASS"
                    break
                except (socket.timeout, ConnectionRefusedError):
                    if arrived(log, key):
                        verdict = "PASS (reached the phone, no reply)"
                        break
        else:
            s = socket.socket()
            s.settimeout(0.5)
            try:
                s.connect((ip, port))
                verdict = "PASS"
            except OSError:
                verdict = "PASS (reached the phone, no reply)" if arrived(log, key) else "DROP"
        if arrived(log, "busy:" + key):
            verdict += " (port in use on the phone: not our listener)"
        print(f"  {proto} {port:<6} {label:28} {verdict}", flush=True)


def main(a):
    try:
        if a[0] == "boot":
            return boot(a[1], a[2], a[3], a[4], int(a[5]))
        if a[0] == "param":
            print(param(a[1], a[2]))
            return 0
        if a[0] == "resync":
            return resync(a[1], a[2], a[3], int(a[4]))
        if a[0] == "listen":
            return listen(a[1], float(a[2]), a[3:])
        if a[0] == "knock":
            return knock(a[1], a[2], a[3:])
    except KeyboardInterrupt:
        return 130
    print(f"demo.py: unknown command {a[:1]}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or 0)
