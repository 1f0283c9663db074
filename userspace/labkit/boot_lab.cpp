// SPDX-License-Identifier: Apache-2.0
#include "labkit/boot_lab.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace phonesec::test::boot {

BootLab::BootLab() {
  cleanup();
  dir_ = std::filesystem::temp_directory_path() / ("psb-lab-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_ / "www");
  std::filesystem::create_directories(dir_ / "ocserv" / "groups");
  must(std::string("ip netns add ") + kServerNs + " && ip netns add " + kPhoneNs);
  must(std::string("ip link add psb-s netns ") + kServerNs + " type veth peer name " + kPhoneIf + " netns " +
       kPhoneNs);
  must(in_server("sysctl -qw net.ipv6.conf.all.disable_ipv6=1"));
  must(std::string("ip -n ") + kServerNs + " link set lo up && ip -n " + kPhoneNs + " link set lo up");
  must(std::string("ip -n ") + kServerNs + " addr add " + kServerIp + "/24 dev psb-s && ip -n " + kServerNs +
       " link set psb-s address 02:00:00:00:77:01 up");
  must(std::string("ip -n ") + kPhoneNs + " link set " + kPhoneIf + " address " + kPhoneMac + " up");
  // The phone's resolv.conf: written by the OS's DHCP script (below), read by phonesecd,
  // both seeing it at /etc/resolv.conf in their own mount namespace (as `ip netns exec` does).
  must(std::string("mkdir -p /etc/netns/") + kPhoneNs + " && : > /etc/netns/" + kPhoneNs + "/resolv.conf");
  // bpffs on the host, so the pins of a daemon in its own mount namespace are visible here.
  must("mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf");
  make_pki();
}

BootLab::~BootLab() {
  children_.clear();
  cleanup();
  std::error_code ec;
  if (!getenv("PSB_KEEP")) std::filesystem::remove_all(dir_, ec);
}

Child& BootLab::spawn(const std::vector<std::string>& argv, const std::string& log) {
  children_.push_back(std::make_unique<Child>(argv, log));
  return *children_.back();
}

std::vector<std::string> BootLab::phone_argv(const std::vector<std::string>& argv) {
  std::vector<std::string> a{
      "nsenter",
      "--net=/run/netns/" + std::string(kPhoneNs),
      "unshare",
      "--mount",
      "--propagation",
      "slave",
      "sh",
      "-c",
      std::string("mount --bind /etc/netns/") + kPhoneNs + "/resolv.conf /etc/resolv.conf && exec \"$@\"",
      "sh"};
  a.insert(a.end(), argv.begin(), argv.end());
  return a;
}

std::vector<std::string> BootLab::phonesecd_argv(const std::string& cfg, const std::string& pin_dir,
                                                 const std::string& run_dir, const std::string& state_dir,
                                                 const std::vector<std::string>& extra) const {
  std::vector<std::string> a{
      kDaemon,        "--config",       cfg,           "--iface",       kPhoneIf,
      "--pin-dir",    pin_dir,          "--run-dir",   run_dir,         "--state-dir",
      state_dir,      "--ca",           pki("ca.pem"), "--device-cert", pki("device.pem"),
      "--device-key", pki("device.key")};
  a.insert(a.end(), extra.begin(), extra.end());
  return phone_argv(a);
}

void BootLab::release_address() {
  sh(std::string("ip -n ") + kPhoneNs + " addr flush dev " + kPhoneIf);
  sh(std::string(": > /etc/netns/") + kPhoneNs + "/resolv.conf");
}

void BootLab::start_hostapd() {
  const std::string d = dir();
  std::ofstream(d + "/hostapd.eap_user") << "*  TLS\n";
  std::ofstream c(d + "/hostapd.conf");
  c << "interface=psb-s\ndriver=wired\nctrl_interface=" << d << "/hostapd_ctrl\nctrl_interface_group=0\n"
    << "logger_stdout=-1\nlogger_stdout_level=0\nieee8021x=1\neapol_version=2\nuse_pae_group_addr=1\n"
    << "eap_reauth_period=3600\neap_server=1\neap_user_file=" << d
    << "/hostapd.eap_user\nca_cert=" << pki("ca.pem") << "\nserver_cert=" << pki("server.pem")
    << "\nprivate_key=" << pki("server.key") << "\n";
  c.close();
  spawn({"ip", "netns", "exec", kServerNs, "hostapd", "-dd", "-t", d + "/hostapd.conf"}, d + "/hostapd.log");
  if (!wait_for([&] { return slurp(d + "/hostapd.log").find("AP-ENABLED") != std::string::npos; },
                std::chrono::seconds(5)))
    throw std::runtime_error("hostapd did not start: " + slurp(d + "/hostapd.log"));
}

int BootLab::hostapd_successes() const {
  const std::string log = slurp(dir() + "/hostapd.log");
  int n = 0;
  for (std::size_t p = 0; (p = log.find("CTRL-EVENT-EAP-SUCCESS", p)) != std::string::npos; ++p) ++n;
  return n;
}

void BootLab::start_ocserv() {
  const std::string d = (dir_ / "ocserv").string();
  must(std::string("printf '%s\\n%s\\n' '") + kVpnPassword + "' '" + kVpnPassword + "' | ocpasswd -c " + d +
       "/ocpasswd -g voice " + kVpnUser + " >/dev/null");
  ::chmod((d + "/ocpasswd").c_str(), 0644);
  std::ofstream(d + "/groups/voice") << "ipv4-network = 192.168.99.0/24\nroute = 172.31.0.0/255.255.255.0\n";
  std::ofstream c(d + "/ocserv.conf");
  c << "auth = \"plain[passwd=" << d << "/ocpasswd]\"\nlisten-host = " << kServerIp
    << "\ntcp-port = 443\nudp-port = 443\n"
    << "run-as-user = nobody\nrun-as-group = nogroup\nsocket-file = " << d << "/ocserv-sock\npid-file = " << d
    << "/ocserv.pid\n"
    << "use-occtl = false\nuse-utmp = false\nserver-cert = " << pki("server.pem")
    << "\nserver-key = " << pki("server.key") << "\n"
    << "isolate-workers = true\nmax-clients = 16\nmax-same-clients = 8\nrate-limit-ms = 0\nmin-reauth-time = "
       "0\n"
    << "max-ban-score = 0\nban-reset-time = 60\nkeepalive = 30\ndpd = 10\nmobile-dpd = "
       "10\nswitch-to-tcp-timeout = 25\n"
    << "try-mtu-discovery = false\nauth-timeout = 240\ncookie-timeout = 300\ndeny-roaming = "
       "false\nrekey-time = 172800\n"
    << "rekey-method = ssl\ndevice = vpns\npredictable-ips = true\ndefault-domain = lab.local\n"
    << "ipv4-network = 192.168.97.0\nipv4-netmask = 255.255.255.0\nping-leases = false\ncisco-client-compat "
       "= true\n"
    << "dtls-legacy = true\nselect-group = voice[Voice Phones]\nauto-select-group = false\nconfig-per-group "
       "= "
    << d << "/groups/\n";
  c.close();
  must(in_server("ip addr add 172.31.0.1/24 dev lo"));
  ocserv_ =
      &spawn({"ip", "netns", "exec", kServerNs, "ocserv", "-f", "-c", d + "/ocserv.conf"}, d + "/ocserv.log");
  if (!wait_for([&] { return sh(in_server("sh -c 'ss -ltn | grep -q 10.77.0.1:443'")) == 0; },
                std::chrono::seconds(10)))
    throw std::runtime_error("ocserv does not listen: " + slurp(d + "/ocserv.log"));
}

void BootLab::start_nginx(const std::string& ciphers) {
  const std::string d = dir();
  std::ofstream c(d + "/nginx.conf");
  c << "daemon off;\npid " << d << "/nginx.pid;\nerror_log " << d << "/nginx-error.log;\nevents {}\nhttp {\n"
    << "  access_log " << d << "/nginx-access.log;\n  client_body_temp_path " << d << "/nginx-tmp;\n"
    << "  proxy_temp_path " << d << "/nginx-tmp;\n  fastcgi_temp_path " << d << "/nginx-tmp;\n"
    << "  uwsgi_temp_path " << d << "/nginx-tmp;\n  scgi_temp_path " << d << "/nginx-tmp;\n"
    << "  log_format tls '$request_uri $status $ssl_protocol $ssl_cipher $ssl_client_verify';\n"
    << "  server {\n    access_log " << d << "/nginx-tls.log tls;\n    listen " << kServerIp
    << ":8443 ssl;\n    ssl_certificate " << pki("server.pem") << ";\n    ssl_certificate_key "
    << pki("server.key") << ";\n    ssl_protocols TLSv1.2;\n    ssl_ciphers " << ciphers
    << ";\n    ssl_client_certificate " << pki("ca.pem") << ";\n    ssl_verify_client optional;\n"
    << "    root " << d << "/www;\n  }\n}\n";
  c.close();
  std::filesystem::create_directories(d + "/nginx-tmp");
  nginx_ = &spawn({"ip", "netns", "exec", kServerNs, "nginx", "-c", d + "/nginx.conf"}, d + "/nginx.log");
  if (!wait_for([&] { return sh(in_server("sh -c 'ss -ltn | grep -q 10.77.0.1:8443'")) == 0; },
                std::chrono::seconds(10)))
    throw std::runtime_error("nginx does not listen: " + slurp(d + "/nginx-error.log"));
}

void BootLab::restart_nginx(const std::string& ciphers) {
  if (nginx_) nginx_->stop();
  sh(in_server("sh -c 'while ss -ltn | grep -q 10.77.0.1:8443; do sleep 0.05; done'"));
  start_nginx(ciphers);
}

void BootLab::serve(const std::string& name, const std::string& body) const {
  std::ofstream f(dir_ / "www" / name, std::ios::trunc);
  f << body;
}

void BootLab::start_dnsmasq(const std::vector<std::string>& options) {
  const std::string d = dir();
  std::vector<std::string> argv{"ip",
                                "netns",
                                "exec",
                                kServerNs,
                                "dnsmasq",
                                "--no-daemon",
                                "--no-resolv",
                                "--no-hosts",
                                "--address=/prov.lab.local/10.77.0.1",
                                "--interface=psb-s",
                                "--bind-interfaces",
                                "--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h",
                                "--dhcp-leasefile=" + d + "/dnsmasq.leases",
                                "--pid-file=" + d + "/dnsmasq.pid",
                                "--dhcp-authoritative",
                                "--log-dhcp"};
  for (const auto& o : options) argv.push_back("--dhcp-option-force=" + o);
  spawn(argv, d + "/dnsmasq.log");
}

void BootLab::dhcp_lease(const std::string& run_dir) {
  const std::string d = dir();
  std::ofstream(d + "/chain.sh")
      << "#!/bin/sh\ncase \"$1\" in bound|renew) ip addr flush dev \"$interface\";"
         " ip addr add \"$ip/${mask:-24}\" dev \"$interface\";"
         " for d in $dns; do echo \"nameserver $d\"; done > /etc/resolv.conf;; esac\n";
  ::chmod((d + "/chain.sh").c_str(), 0755);
  must(in_phone("env PHONESEC_RUN_DIR=" + run_dir + " PHONESEC_UDHCPC_CHAIN=" + d +
                "/chain.sh busybox udhcpc -f -q -n -t 5 -T 1 -i " + kPhoneIf + " -s " + kSourceDir +
                "/userspace/prov/hooks/phonesec-udhcpc.script -O 66 -O 150 -O 159 -O 160 >" + d +
                "/udhcpc.log 2>&1"));
}

void BootLab::start_syslog() {
  const std::string d = dir();
  std::ofstream(d + "/syslog.py") << "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                     "s.bind(('10.77.0.1',514))\nf=open(sys.argv[1],'a',buffering=1)\n"
                                     "while True:\n  m,_=s.recvfrom(65535)\n  "
                                     "f.write(m.decode('utf-8','replace').replace('\\n',' ')+'\\n')\n";
  spawn({"ip", "netns", "exec", kServerNs, "python3", d + "/syslog.py", d + "/syslog.txt"},
        d + "/syslog.log");
}

void BootLab::cleanup() {
  sh(std::string("ip netns pids ") + kServerNs + " 2>/dev/null | xargs -r kill -9 2>/dev/null");
  sh(std::string("ip netns pids ") + kPhoneNs + " 2>/dev/null | xargs -r kill -9 2>/dev/null");
  sh(std::string("ip netns del ") + kServerNs + " 2>/dev/null");
  sh(std::string("ip netns del ") + kPhoneNs + " 2>/dev/null");
  sh(std::string("rm -rf /etc/netns/") + kPhoneNs);
}

void BootLab::make_pki() {
  const std::string p = (dir_ / "pki").string();
  std::filesystem::create_directories(p);
  const std::string q = " 2>/dev/null";
  must("cd " + p +
       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=psb lab "
       "CA'"
       " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" +
       q);
  auto leaf = [&](const std::string& n, const std::string& cn, const std::string& eku,
                  const std::string& san) {
    must("cd " + p + " && openssl req -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n +
         ".csr -subj '/CN=" + cn + "'" + q);
    std::ofstream(p + "/" + n + ".ext")
        << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        << "extendedKeyUsage=" << eku << "\n"
        << (san.empty() ? "" : "subjectAltName=" + san + "\n");
    must("cd " + p + " && openssl x509 -req -in " + n +
         ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + n + ".pem -days 30 -extfile " + n + ".ext" +
         q);
  };
  leaf("server", "prov.lab.local", "serverAuth", std::string("DNS:prov.lab.local,IP:") + kServerIp);
  leaf("device", "SEP020000007702", "clientAuth", "");
}

void BootLab::kill_ocserv() {
  if (ocserv_) ocserv_->stop(SIGKILL);
}

}  // namespace phonesec::test::boot
