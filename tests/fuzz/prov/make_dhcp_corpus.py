#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Regenerates corpus_dhcp/ from a real dnsmasq (root): namespaces pspvzc/pspvzs, a DISCOVER and
# a SOLICIT, the replies saved with a first byte 0 (v4) or 1 (v6). Not run by the tests.
import os, socket, struct, subprocess, sys, tempfile, time
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus_dhcp")
def sh(c): subprocess.run(c, shell=True, check=True)
for ns in ("pspvzc", "pspvzs"):
    subprocess.run(f"ip netns del {ns}", shell=True, stderr=subprocess.DEVNULL)
    sh(f"ip netns add {ns} && ip netns exec {ns} sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0")
sh("ip link add pspvzc0 netns pspvzc type veth peer name pspvzs0 netns pspvzs")
sh("ip -n pspvzc addr add 10.77.0.2/24 dev pspvzc0 && ip -n pspvzc addr add fd77::2/64 dev pspvzc0 nodad && ip -n pspvzc link set pspvzc0 up")
sh("ip -n pspvzs addr add 10.77.0.1/24 dev pspvzs0 && ip -n pspvzs addr add fd77::1/64 dev pspvzs0 nodad && ip -n pspvzs link set pspvzs0 up")
tmp = tempfile.mkdtemp()
dn = subprocess.Popen(f"ip netns exec pspvzs dnsmasq -k --conf-file=/dev/null --port=0 --user=root --interface=pspvzs0 "
                      f"--bind-interfaces --no-ping --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h --dhcp-range=fd77::50,fd77::60,64,1h "
                      f"--dhcp-leasefile={tmp}/l --pid-file={tmp}/p --dhcp-option=66,tftp.prov.test --dhcp-option=150,10.77.0.1 "
                      f"--dhcp-option=160,https://prov.test/cfg --dhcp-option=159,http://10.77.0.8:8080 --dhcp-option=43,01:04:61:62:63:64 "
                      f"--dhcp-option=125,00:00:00:09:0c:01:0a:68:74:74:70:3a:2f:2f:61:63:73 --dhcp-option=252,http://10.77.0.1/wpad.dat "
                      f"--dhcp-option=option6:160,https://prov6.test/cfg "
                      f"--dhcp-option=option6:17,00:00:00:09:00:01:00:10:fd:77:00:00:00:00:00:00:00:00:00:00:00:00:00:01", shell=True,
                      start_new_session=True)
try:
    mac = bytes([2, 0x0e, 8, 0xab, 0xcd, 0xef])
    req = [66, 160, 159, 150, 60, 43, 125, 252]
    disc = bytearray(240); disc[0:3] = b"\x01\x01\x06"; disc[4:8] = b"\x5e\xed\x00\x01"; disc[10] = 0x80
    disc[28:34] = mac; disc[236:240] = b"\x63\x82\x53\x63"
    disc += bytes([53, 1, 1, 55, len(req)] + req + [255])
    sol = b"\x01\x5e\xed\x02" + struct.pack("!HHHH", 1, 10, 3, 1) + mac + struct.pack("!HH", 3, 12) + bytes(12) \
        + struct.pack("!HHH", 8, 2, 0) + struct.pack("!HH", 6, 6) + struct.pack("!HHH", 17, 160, 159)
    script = f"""
import socket, sys, time
v6 = sys.argv[1] == '6'
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'pspvzc0')
if not v6: s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(('', 546) if v6 else ('', 68))
s.settimeout(0.5)
msg = bytes.fromhex(sys.argv[2])
for _ in range(16):
    s.sendto(msg, ('ff02::1:2%pspvzc0', 547) if v6 else ('255.255.255.255', 67))
    try:
        d = s.recv(4096); sys.stdout.buffer.write(d); break
    except socket.timeout: pass
"""
    for tag, ver, msg in (("offer_v4", "4", disc), ("advertise_v6", "6", sol)):
        r = subprocess.run(["ip", "netns", "exec", "pspvzc", sys.executable, "-c", script, ver, bytes(msg).hex()],
                           capture_output=True, check=True).stdout
        if not r: sys.exit(f"no {tag}")
        open(os.path.join(out, tag), "wb").write((b"\x00" if ver == "4" else b"\x01") + r)
        print(tag, len(r))
finally:
    os.killpg(dn.pid, 15); dn.wait()
    subprocess.run(['rm', '-rf', tmp])
    for ns in ("pspvzc", "pspvzs"): subprocess.run(f"ip netns del {ns}", shell=True)
