#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# phonesec demo: the firewall with the factory profile (or --config FILE) on a veth pair
# between two network namespaces it creates — "phone" runs phonesecd, "peer" knocks on ports.
# Shows what passes and what drops, the counters and the flow table, then cleans up.
set -euo pipefail
BUILD=${1:-build}; shift || true
CONFIG_ARGS=()
if [ "${1:-}" = "--config" ]; then CONFIG_ARGS=(--config "$(realpath "$2")"); fi
D=$(realpath "$BUILD")
PIN=/sys/fs/bpf/phonesec-demo
RUN=$(mktemp -d /tmp/phonesec-demo.XXXX)
cleanup() {
  [ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
  "$D/userspace/apps/phonesec/phonesec" unload --pin-dir "$PIN" >/dev/null 2>&1 || true
  ip netns del psdemo-phone 2>/dev/null || true
  ip netns del psdemo-peer 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
cleanup; RUN=$(mktemp -d /tmp/phonesec-demo.XXXX)
ip netns add psdemo-phone; ip netns add psdemo-peer
ip link add psd-ph netns psdemo-phone type veth peer name psd-pe netns psdemo-peer
ip -n psdemo-phone link set lo up; ip -n psdemo-phone link set psd-ph up; ip -n psdemo-phone addr add 10.99.0.2/24 dev psd-ph
ip -n psdemo-peer link set lo up; ip -n psdemo-peer link set psd-pe up; ip -n psdemo-peer addr add 10.99.0.1/24 dev psd-pe

echo "== phonesecd in namespace psdemo-phone on psd-ph (${CONFIG_ARGS[*]:-factory profile})"
nsenter --net=/run/netns/psdemo-phone "$D/userspace/apps/phonesecd/phonesecd" "${CONFIG_ARGS[@]}" --iface psd-ph \
  --pin-dir "$PIN" --run-dir "$RUN" --state-dir "$RUN/state" 2>"$RUN/daemon.log" &
DPID=$!
for _ in $(seq 100); do [ -f "$RUN/phonesecd.pid" ] && break; sleep 0.05; done
cat "$RUN/daemon.log"

# Listeners on the phone for every port we knock on, so "no answer" means "dropped".
nsenter --net=/run/netns/psdemo-phone python3 - <<'PY' &
import socket, select, time
socks = []
for p in (5060, 5059, 16400, 9999):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p)); socks.append(s)
for p in (80, 22):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", p)); s.listen(); socks.append(s)
end = time.time() + 6
while time.time() < end:
    r, _, _ = select.select(socks, [], [], 0.2)
    for s in r:
        if s.type == socket.SOCK_DGRAM: d, a = s.recvfrom(100); s.sendto(b"ok", a)
        else: c, _ = s.accept(); c.close()
PY
LPID=$!
sleep 0.5
echo
echo "== from the peer (10.99.0.1) to the phone (10.99.0.2)"
nsenter --net=/run/netns/psdemo-peer python3 - <<'PY'
import socket
def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
    s.sendto(b"hi", ("10.99.0.2", p))
    try: s.recv(10); return "PASS (answered)"
    except socket.timeout: return "DROP (no answer)"
def tcp(p):
    s = socket.socket(); s.settimeout(0.5)
    try: s.connect(("10.99.0.2", p)); return "PASS (connected)"
    except OSError: return "DROP (no answer)"
print(f"  udp 5060  SIP line 1          {udp(5060)}")
print(f"  udp 16400 RTP range           {udp(16400)}")
print(f"  udp 5059  closed              {udp(5059)}")
print(f"  udp 9999  closed              {udp(9999)}")
print(f"  tcp 80    web server          {tcp(80)}")
print(f"  tcp 22    closed              {tcp(22)}")
PY
if nsenter --net=/run/netns/psdemo-peer ping -c1 -W1 -q 10.99.0.2 >/dev/null 2>&1; then echo "  icmp echo                     PASS"; else echo "  icmp echo                     DROP"; fi
echo
echo "== the phone's own traffic is answered (connection tracking)"
nsenter --net=/run/netns/psdemo-peer python3 -c '
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.99.0.1", 7000)); s.settimeout(2)
d,a=s.recvfrom(10); s.sendto(b"reply", a)' &
sleep 0.3
nsenter --net=/run/netns/psdemo-phone python3 -c '
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); s.sendto(b"q", ("10.99.0.1", 7000))
print("  phone -> peer udp 7000, reply:", "PASS" if s.recv(10) else "DROP")'
wait $LPID 2>/dev/null || true
echo
echo "== phonesec stats"
"$D/userspace/apps/phonesec/phonesec" stats --pin-dir "$PIN"
echo
echo "== phonesec flows"
"$D/userspace/apps/phonesec/phonesec" flows --pin-dir "$PIN"
echo
echo "== phonesec status"
"$D/userspace/apps/phonesec/phonesec" status --pin-dir "$PIN" --run-dir "$RUN"
