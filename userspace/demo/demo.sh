#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# phonesec demo: a phone boots under its controller phonesecd. The network's servers (hostapd
# 802.1X, dnsmasq DHCP, nginx HTTPS provisioning, ocserv VPN, syslog) run in namespace
# psdemo-net; the phone (phonesecd and the OS's DHCP client) in psdemo-phone. Shows each boot
# step as it happens, then what passes and drops, the counters and flows, a resync that turns
# the VPN off and moves a port, and cleans up (namespaces, processes, pins, temp files), also on
# Ctrl-C or failure.
#   demo.sh BUILD_DIR [--config DEVICE_PROFILE.xml]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}; shift || true
CONFIG=""
while [ $# -gt 0 ]; do
  case $1 in
    --config) [ $# -ge 2 ] || { echo "demo: --config needs a file" >&2; exit 2; }
              CONFIG=$(realpath "$2"); [ -r "$CONFIG" ] || { echo "demo: cannot read $2" >&2; exit 2; }; shift 2 ;;
    *) echo "usage: demo.sh BUILD_DIR [--config DEVICE_PROFILE.xml]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (network namespaces, BPF)" >&2; exit 1; }
D=$(realpath "$BUILD")
DAEMON=$D/userspace/apps/phonesecd/phonesecd
CLI=$D/userspace/apps/phonesec/phonesec
for b in "$DAEMON" "$CLI"; do [ -x "$b" ] || { echo "demo: $b is not built" >&2; exit 1; }; done
PIN=/sys/fs/bpf/psdemo
TMP=""
BPF_MOUNTED=""
WAITER=""
. "$HERE/lab.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  [ -n "$WAITER" ] && kill "$WAITER" 2>/dev/null
  if [ -n "$TMP" ] && [ -f "$TMP/run/phonesecd.pid" ]; then  # a clean stop first
    kill "$(cat "$TMP/run/phonesecd.pid")" 2>/dev/null
    for _ in $(seq 60); do in_phone true 2>/dev/null && pgrep -f "$DAEMON" >/dev/null || break; sleep 0.05; done
  fi
  lab_cleanup
  [ -n "$BPF_MOUNTED" ] && [ -z "$(ls -A /sys/fs/bpf 2>/dev/null)" ] && umount /sys/fs/bpf
  [ -n "$TMP" ] && [ -z "${PSDEMO_KEEP:-}" ] && rm -rf "$TMP"
  echo
  if [ "$rc" -eq 0 ]; then echo "== cleaned up: namespaces, processes, pins ($PIN), temp files"
  else echo "== stopped ($rc), cleaned up: namespaces, processes, pins ($PIN), temp files"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
T0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

lab_cleanup  # what a run killed with SIGKILL left
TMP=$(mktemp -d /tmp/psdemo.XXXXXX)
chmod 0755 "$TMP"  # the servers' and the workers' unprivileged users read their files here
mountpoint -q /sys/fs/bpf || { mount -t bpf bpf /sys/fs/bpf; BPF_MOUNTED=1; }

# The device profile: the user's, or a phone that does 802.1X and gets the rest from the
# provisioning server DHCP option 160 names.
if [ -z "$CONFIG" ]; then
  CONFIG=$TMP/device.xml
  cat >"$CONFIG" <<'EOF'
<flat-profile>
<Enable_802.1X_Authentication>Yes</Enable_802.1X_Authentication>
<Profile_Rule>/phone.xml</Profile_Rule>
<DHCP_Option_To_Use>160</DHCP_Option_To_Use>
<Resync_Random_Delay>0</Resync_Random_Delay>
</flat-profile>
EOF
fi

echo "== the network (namespace $NS_NET, $SRV): hostapd 802.1X, dnsmasq DHCP+DNS, nginx HTTPS, ocserv VPN, syslog"
lab_namespaces
lab_pki
lab_serve Yes UDP:7000
lab_hostapd
lab_dnsmasq
lab_nginx
lab_ocserv
lab_syslog
lab_dhcp_chain
echo "   served profile https://prov.lab.local:8443/phone.xml: VPN on, Firewall_Config UDP:7000, Syslog_Server $SRV  ($(elapsed))"

echo
echo "== the phone boots (namespace $NS_PHONE, $IF_PHONE): phonesecd --config $(basename "$CONFIG"), then the OS's DHCP client"
RUN=$TMP/run
mkdir -p "$RUN"
# phonesecd sees the phone's /etc/resolv.conf (the one its DHCP script writes) in a mount
# namespace of its own that still sees the host's bpffs.
nsenter --net="/run/netns/$NS_PHONE" unshare --mount --propagation slave \
  sh -c "mount --bind /etc/netns/$NS_PHONE/resolv.conf /etc/resolv.conf && exec \"\$@\"" sh \
  "$DAEMON" --config "$CONFIG" --iface "$IF_PHONE" --pin-dir "$PIN" --run-dir "$RUN" --state-dir "$TMP/state" \
  --ca "$TMP/pki/ca.pem" --device-cert "$TMP/pki/device.pem" --device-key "$TMP/pki/device.key" \
  >"$TMP/phonesecd.log" 2>&1 &
# The OS's DHCP client (busybox udhcpc, phonesec's hook chained to the address script) runs once
# provisioning listens for the lease, as the phone's OS would start it at boot.
(
  prov_running() { "$CLI" status --json --pin-dir "$PIN" --run-dir "$RUN" 2>/dev/null | grep -q '"prov":{[^}]*"running":true'; }
  wait_until 20 prov_running || true
  exec ip netns exec "$NS_PHONE" env PHONESEC_RUN_DIR="$RUN" PHONESEC_UDHCPC_CHAIN="$TMP/chain.sh" \
    busybox udhcpc -f -q -n -t 5 -T 1 -i "$IF_PHONE" -s "$HERE/../prov/hooks/phonesec-udhcpc.script" -O 160 \
    >"$TMP/udhcpc.log" 2>&1
) &
WAITER=$!
BOOT_RC=0
python3 "$HERE/demo.py" boot "$CLI" "$PIN" "$RUN" "$CONFIG" 25 || BOOT_RC=$?
[ -s "$TMP/nginx-tls.log" ] && echo "   the provisioning server logged: $(head -1 "$TMP/nginx-tls.log")"
if ! pgrep -f "$DAEMON" >/dev/null; then
  echo "demo: phonesecd is not running; its log:" >&2; cat "$TMP/phonesecd.log" >&2; exit 1
fi
echo
"$CLI" status --pin-dir "$PIN" --run-dir "$RUN" | sed 's/^/   /'
[ "$BOOT_RC" -eq 0 ] || echo "   (some steps were not reached: the log is $TMP/phonesecd.log with PSDEMO_KEEP=1)"

PHONE_IP=$(ip -n "$NS_PHONE" -4 -o addr show dev "$IF_PHONE" | awk '{print $4}' | cut -d/ -f1 | head -1)
[ -n "$PHONE_IP" ] || { echo "demo: the phone has no address (DHCP failed: $(tail -3 "$TMP/udhcpc.log"))" >&2; exit 1; }

# knock SPEC...: listeners on the phone for every port, so "no answer" means "dropped".
knock() {
  local log
  log=$(mktemp "$TMP/knock.XXXX")
  (exec ip netns exec "$NS_PHONE" python3 "$HERE/demo.py" listen "$log" 6 "$@") &  # exec: $! is the listener
  local l=$!
  in_net python3 "$HERE/demo.py" knock "$log" "$PHONE_IP" "$@"
  kill "$l" 2>/dev/null; wait "$l" 2>/dev/null || true
}
echo
echo "== from the network ($SRV) to the phone ($PHONE_IP)"
knock 5060/udp:"SIP line 1" 16400/udp:"RTP range" 7000/udp:"Firewall_Config UDP:7000" 7001/udp:"closed" \
  80/tcp:"web server" 22/tcp:"closed"
if in_net ping -c1 -W1 -q "$PHONE_IP" >/dev/null 2>&1; then echo "  icmp echo                             PASS"
else echo "  icmp echo                             DROP"; fi

echo
echo "== phonesec stats"
"$CLI" stats --pin-dir "$PIN" | sed 's/^/   /'
echo "== phonesec flows ($("$CLI" flows --pin-dir "$PIN" | wc -l) entries, first 6)"
"$CLI" flows --pin-dir "$PIN" | head -6 | sed 's/^/   /'

echo
if [ -n "$(python3 "$HERE/demo.py" param "$CONFIG" Profile_Rule)" ]; then
  echo "== the served profile changes (VPN off, UDP:7000 -> UDP:7001); phonesec resync"
  lab_serve No UDP:7001
  python3 "$HERE/demo.py" resync "$CLI" "$PIN" "$RUN" 15 || true
  knock 7000/udp:"was open" 7001/udp:"now open"
  echo "   syslog at $SRV: $(grep -c . "$TMP/syslog.txt" 2>/dev/null || echo 0) messages, the last: $(tail -1 "$TMP/syslog.txt" 2>/dev/null | sed 's/.* -- //' | cut -c1-70)"
else
  echo "== no resync to show: $(basename "$CONFIG") names no Profile_Rule"
fi
echo
echo "== done in $(elapsed)"
