# SPDX-License-Identifier: Apache-2.0
# The demo's lab, sourced by demo.sh: the servers a phone meets at boot, in a "network"
# namespace psdemo-net joined to the phone's namespace psdemo-phone by the veth psd-nw/psd-ph —
# hostapd (wired 802.1X, EAP-TLS), dnsmasq (DHCP with option 160, DNS for prov.lab.local),
# nginx (HTTPS, the served profile; client certificate optional), ocserv (user alice, group
# voice) and a UDP syslog receiver. One throwaway PKI (openssl, RSA): CA, server, device.
# The recipe is the one tests/lab/boot/boot_lab.h runs; the names differ so both can coexist.
# Needs: $TMP (a fresh folder), $PIN. lab_cleanup removes everything lab_* and the demo made.

NS_NET=psdemo-net
NS_PHONE=psdemo-phone
IF_NET=psd-nw
IF_PHONE=psd-ph
SRV=10.98.0.1
VPN_USER=alice
VPN_PASSWORD=Alice-Demo-4417

in_net() { ip netns exec "$NS_NET" "$@"; }
in_phone() { ip netns exec "$NS_PHONE" "$@"; }

# wait_until SECONDS CMD...: polls CMD every 50 ms; fails after SECONDS.
wait_until() {
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.05
  done
}

# Every process in the lab's namespaces, the lab's namespaces, the phone's resolv.conf, the
# demo's pins. Run before (a run killed with SIGKILL) and after.
lab_cleanup() {
  local - ns pids
  set +e
  for ns in "$NS_PHONE" "$NS_NET"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  for _ in $(seq 40); do
    pids=$( (ip netns pids "$NS_PHONE"; ip netns pids "$NS_NET") 2>/dev/null || true)
    [ -z "$pids" ] && break
    sleep 0.05
  done
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  [ -x "${CLI:-}" ] && [ -e "$PIN" ] && "$CLI" unload --pin-dir "$PIN" >/dev/null 2>&1
  rm -rf "$PIN"
  ip netns del "$NS_PHONE" 2>/dev/null
  ip netns del "$NS_NET" 2>/dev/null
  rm -rf "/etc/netns/$NS_PHONE"
  return 0
}

lab_namespaces() {
  ip netns add "$NS_NET"
  ip netns add "$NS_PHONE"
  ip link add "$IF_NET" netns "$NS_NET" type veth peer name "$IF_PHONE" netns "$NS_PHONE"
  in_net sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n "$NS_NET" link set lo up
  ip -n "$NS_PHONE" link set lo up
  ip -n "$NS_NET" addr add "$SRV/24" dev "$IF_NET"
  ip -n "$NS_NET" link set "$IF_NET" address 02:00:00:00:98:01 up
  ip -n "$NS_PHONE" link set "$IF_PHONE" address 02:00:00:00:98:02 up
  # The phone's /etc/resolv.conf: written by its DHCP script, read by phonesecd (demo.sh binds
  # it over /etc/resolv.conf in their own mount namespaces, as `ip netns exec` does).
  mkdir -p "/etc/netns/$NS_PHONE"
  : >"/etc/netns/$NS_PHONE/resolv.conf"
}

lab_pki() {
  local p=$TMP/pki
  mkdir -p "$p"
  ( cd "$p"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=psdemo CA' \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    leaf() {  # name CN EKU [SAN]
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
      { echo basicConstraints=CA:FALSE; echo keyUsage=critical,digitalSignature,keyEncipherment
        echo "extendedKeyUsage=$3"; [ -n "${4:-}" ] && echo "subjectAltName=$4"; } >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext"
    }
    leaf server prov.lab.local serverAuth "DNS:prov.lab.local,IP:$SRV"
    leaf device SEP020000009802 clientAuth
  ) >"$TMP/pki.log" 2>&1 || { cat "$TMP/pki.log" >&2; return 1; }
}

lab_hostapd() {
  echo '*  TLS' >"$TMP/hostapd.eap_user"
  cat >"$TMP/hostapd.conf" <<EOF
interface=$IF_NET
driver=wired
ctrl_interface=$TMP/hostapd_ctrl
ctrl_interface_group=0
logger_stdout=-1
logger_stdout_level=0
ieee8021x=1
eapol_version=2
use_pae_group_addr=1
eap_reauth_period=3600
eap_server=1
eap_user_file=$TMP/hostapd.eap_user
ca_cert=$TMP/pki/ca.pem
server_cert=$TMP/pki/server.pem
private_key=$TMP/pki/server.key
EOF
  in_net hostapd -dd -t "$TMP/hostapd.conf" >"$TMP/hostapd.log" 2>&1 &
  wait_until 5 grep -q AP-ENABLED "$TMP/hostapd.log" || { echo "demo: hostapd did not start (see $TMP/hostapd.log)" >&2; return 1; }
}

# dnsmasq: a lease in 10.98.0.50-60 carrying option 160 (the provisioning server's URL).
lab_dnsmasq() {
  in_net dnsmasq --no-daemon --no-resolv --no-hosts --address=/prov.lab.local/$SRV --interface="$IF_NET" \
    --bind-interfaces --dhcp-range=10.98.0.50,10.98.0.60,255.255.255.0,1h --dhcp-leasefile="$TMP/dnsmasq.leases" \
    --pid-file="$TMP/dnsmasq.pid" --dhcp-authoritative --log-dhcp --no-ping \
    --dhcp-option-force=160,https://prov.lab.local:8443 >"$TMP/dnsmasq.log" 2>&1 &
}

# nginx: HTTPS on $SRV:8443 serving $TMP/www (the served profile), TLS log in nginx-tls.log.
lab_nginx() {
  mkdir -p "$TMP/www" "$TMP/nginx-tmp"
  local t
  t=$TMP/nginx-tmp
  cat >"$TMP/nginx.conf" <<EOF
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events {}
http {
  access_log $TMP/nginx-access.log;
  client_body_temp_path $t; proxy_temp_path $t; fastcgi_temp_path $t; uwsgi_temp_path $t; scgi_temp_path $t;
  log_format tls '\$request_uri \$status \$ssl_protocol \$ssl_cipher client-cert:\$ssl_client_verify';
  server {
    access_log $TMP/nginx-tls.log tls;
    listen $SRV:8443 ssl;
    ssl_certificate $TMP/pki/server.pem;
    ssl_certificate_key $TMP/pki/server.key;
    ssl_client_certificate $TMP/pki/ca.pem;
    ssl_verify_client optional;
    root $TMP/www;
  }
}
EOF
  in_net nginx -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 &
  wait_until 10 in_net sh -c "ss -ltn | grep -q $SRV:8443" || { echo "demo: nginx does not listen (see $TMP/nginx-error.log)" >&2; return 1; }
}

# ocserv on $SRV:443: user alice in group voice (192.168.98.0/24).
lab_ocserv() {
  local d=$TMP/ocserv
  mkdir -p "$d/groups"
  printf '%s\n%s\n' "$VPN_PASSWORD" "$VPN_PASSWORD" | ocpasswd -c "$d/ocpasswd" -g voice "$VPN_USER" >/dev/null
  chmod 0644 "$d/ocpasswd"
  chmod 0755 "$TMP"  # ocserv's workers run as nobody and read the certificate and key
  echo 'ipv4-network = 192.168.98.0/24' >"$d/groups/voice"
  cat >"$d/ocserv.conf" <<EOF
auth = "plain[passwd=$d/ocpasswd]"
listen-host = $SRV
tcp-port = 443
udp-port = 443
run-as-user = nobody
run-as-group = nogroup
socket-file = $d/ocserv-sock
pid-file = $d/ocserv.pid
use-occtl = false
use-utmp = false
server-cert = $TMP/pki/server.pem
server-key = $TMP/pki/server.key
isolate-workers = true
max-clients = 16
max-same-clients = 8
rate-limit-ms = 0
min-reauth-time = 0
max-ban-score = 0
ban-reset-time = 60
keepalive = 30
dpd = 10
mobile-dpd = 10
switch-to-tcp-timeout = 25
try-mtu-discovery = false
auth-timeout = 240
cookie-timeout = 300
deny-roaming = false
rekey-time = 172800
rekey-method = ssl
device = vpns
predictable-ips = true
default-domain = lab.local
ipv4-network = 192.168.97.0
ipv4-netmask = 255.255.255.0
ping-leases = false
cisco-client-compat = true
dtls-legacy = true
select-group = voice[Voice Phones]
auto-select-group = false
config-per-group = $d/groups/
EOF
  in_net ocserv -f -c "$d/ocserv.conf" >"$d/ocserv.log" 2>&1 &
  wait_until 10 in_net sh -c "ss -ltn | grep -q $SRV:443" || { echo "demo: ocserv does not listen (see $d/ocserv.log)" >&2; return 1; }
}

# A syslog receiver on $SRV:514/udp: one datagram a line in syslog.txt.
lab_syslog() {
  in_net python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 514))
f = open(sys.argv[2], "a", buffering=1)
while True:
    m, _ = s.recvfrom(65535); f.write(m.decode("utf-8", "replace").replace("\n", " ") + "\n")
' "$SRV" "$TMP/syslog.txt" >"$TMP/syslog.log" 2>&1 &
}

# The served profile (what the provisioning server hands the phone): VPN on or off, one port.
lab_serve() {  # VPN_ON(Yes|No) FIREWALL_CONFIG
  mkdir -p "$TMP/www"
  cat >"$TMP/www/phone.xml.new" <<EOF
<flat-profile>
<VPN_Server>$SRV</VPN_Server>
<VPN_User_Name>$VPN_USER</VPN_User_Name>
<VPN_Password>$VPN_PASSWORD</VPN_Password>
<VPN_Tunnel_Group>voice</VPN_Tunnel_Group>
<Connect_on_Bootup>$1</Connect_on_Bootup>
<Enable_VPN_Connection>$1</Enable_VPN_Connection>
<Firewall_Config>$2</Firewall_Config>
<Syslog_Server>$SRV</Syslog_Server>
</flat-profile>
EOF
  chmod 0644 "$TMP/www/phone.xml.new"
  mv "$TMP/www/phone.xml.new" "$TMP/www/phone.xml"
}

# The phone's OS DHCP script (what /etc/udhcpc/default.script does), chained by phonesec's hook.
lab_dhcp_chain() {
  cat >"$TMP/chain.sh" <<'EOF'
#!/bin/sh
case "$1" in bound|renew)
  ip addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface"
  for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf;;
esac
EOF
  chmod 0755 "$TMP/chain.sh"
}
