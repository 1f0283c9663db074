// SPDX-License-Identifier: Apache-2.0
#include "prov/pac.h"

#include <duktape.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <chrono>
#include <functional>

#include "common/log.h"
#include "prov/fetch.h"

namespace phonesec::prov {
namespace {

const char* kHelpers =
#include "prov/pac_helpers.js.inc"
    ;

struct HeapDeleter {
  void operator()(duk_context* c) const { duk_destroy_heap(c); }
};

// The heap's allocator, bounded: every block carries its size in a header so that the total a
// script holds is known; past the budget an allocation fails, duktape collects garbage, retries,
// then throws a RangeError the evaluation reports. A fork()ed child inherits the count.
struct HeapBudget {
  std::size_t used = 0;
  std::size_t limit = 0;
  bool refused = false;
};
constexpr std::size_t kHeader = alignof(std::max_align_t);

void* budget_alloc(void* udata, duk_size_t size) {
  auto* b = static_cast<HeapBudget*>(udata);
  if (size == 0) return nullptr;
  if (size > b->limit - std::min(b->used, b->limit)) {
    b->refused = true;
    return nullptr;
  }
  auto* raw = static_cast<unsigned char*>(std::malloc(kHeader + size));
  if (!raw) return nullptr;
  *reinterpret_cast<std::size_t*>(raw) = size;
  b->used += size;
  return raw + kHeader;
}
void budget_free(void* udata, void* ptr) {
  if (!ptr) return;
  auto* raw = static_cast<unsigned char*>(ptr) - kHeader;
  static_cast<HeapBudget*>(udata)->used -= *reinterpret_cast<std::size_t*>(raw);
  std::free(raw);
}
void* budget_realloc(void* udata, void* ptr, duk_size_t size) {
  auto* b = static_cast<HeapBudget*>(udata);
  if (!ptr) return budget_alloc(udata, size);
  if (size == 0) {
    budget_free(udata, ptr);
    return nullptr;
  }
  auto* raw = static_cast<unsigned char*>(ptr) - kHeader;
  std::size_t old = *reinterpret_cast<std::size_t*>(raw);
  if (size > old && size - old > b->limit - std::min(b->used, b->limit)) {
    b->refused = true;
    return nullptr;
  }
  auto* n = static_cast<unsigned char*>(std::realloc(raw, kHeader + size));
  if (!n) return nullptr;
  *reinterpret_cast<std::size_t*>(n) = size;
  b->used = b->used - old + size;
  return n + kHeader;
}

// Native helpers find the script's state through a pointer in the global stash.
PacScript::Impl* self(duk_context* ctx);

duk_ret_t js_dns_resolve(duk_context* ctx);
duk_ret_t js_my_ip(duk_context* ctx);
duk_ret_t js_log(duk_context* ctx) {
  log::info("pac", duk_safe_to_string(ctx, 0));
  return 0;
}

std::string error_text(duk_context* ctx) {
  // The error's stack when there is one (line numbers), else its string form.
  if (duk_is_error(ctx, -1)) {
    duk_get_prop_string(ctx, -1, "message");
    std::string m = duk_safe_to_string(ctx, -1);
    duk_pop(ctx);
    duk_get_prop_string(ctx, -1, "lineNumber");
    int line = duk_get_int_default(ctx, -1, 0);
    duk_pop(ctx);
    return line ? m + " (line " + std::to_string(line) + ")" : m;
  }
  return duk_safe_to_string(ctx, -1);
}

}  // namespace

struct PacScript::Impl {
  HeapBudget budget;  // before ctx: the heap is destroyed first, through it
  std::unique_ptr<duk_context, HeapDeleter> ctx;
  Resolver* resolver = nullptr;
  std::string my_ip;
  int cpu_ms = 1000;
};

namespace {

// Runs fn in a forked child: its output (first byte 'O' ok / 'E' error, then text) comes back
// through a pipe. The child may use cpu_ms of CPU time (a CPU-time timer sends SIGXCPU, so a
// loaded machine does not cause false timeouts; RLIMIT_CPU backs it up) and, for a child blocked
// in dnsResolve, 10 times that plus 5 s of wall-clock time. It never returns into the caller.
Result<std::string> run_bounded(const std::function<std::string()>& fn, int cpu_ms, HeapBudget& budget,
                                const std::string& what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return sys_error(what + ": pipe");
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return sys_error(what + ": fork");
  }
  if (pid == 0) {
    close(fds[0]);
    rlimit nocore{0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    rlim_t secs = rlim_t(cpu_ms / 1000 + 1);
    rlimit cpu{secs, secs + 1};
    setrlimit(RLIMIT_CPU, &cpu);
    sigevent ev{};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGXCPU;
    timer_t t;
    if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t) == 0) {
      itimerspec its{};
      its.it_value.tv_sec = cpu_ms / 1000;
      its.it_value.tv_nsec = long(cpu_ms % 1000) * 1000000L;
      timer_settime(t, 0, &its, nullptr);
    }
    budget.refused = false;  // this child's own copy
    std::string out = fn();
    if (out.size() && out[0] == 'E' && budget.refused)
      out = "M" + std::to_string(budget.limit >> 20) + " MiB: " + out.substr(1);
    for (std::size_t off = 0; off < out.size();) {
      auto n = write(fds[1], out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += std::size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  auto wall = std::chrono::milliseconds(10 * cpu_ms + 5000);
  auto deadline = std::chrono::steady_clock::now() + wall;
  bool wall_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      wall_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      wall_out = r == 0;
      break;
    }
    char buf[4096];
    auto n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child is done (or was ended)
    out.append(buf, std::size_t(n));
  }
  close(fds[0]);
  if (wall_out) kill(pid, SIGKILL);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (wall_out) return make_error(Errc::timeout, what + ": no answer within " + std::to_string(wall.count()) + " ms");
  if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU || WTERMSIG(st) == SIGKILL))
    return make_error(Errc::timeout, what + ": used more than " + std::to_string(cpu_ms) + " ms of CPU");
  if (out.empty()) return make_error(Errc::system, what + ": evaluation died");
  if (out[0] == 'E') return make_error(Errc::parse, what + ": " + out.substr(1));
  if (out[0] == 'M') return make_error(Errc::invalid_argument, what + ": used more memory than its allowance of " + out.substr(1));
  return out.substr(1);
}

}  // namespace

namespace {
PacScript::Impl* self(duk_context* ctx) {
  duk_push_global_stash(ctx);
  duk_get_prop_string(ctx, -1,
                      "\xff"
                      "pac");
  auto* p = static_cast<PacScript::Impl*>(duk_get_pointer(ctx, -1));
  duk_pop_2(ctx);
  return p;
}
duk_ret_t js_dns_resolve(duk_context* ctx) {
  std::string host = duk_safe_to_string(ctx, 0);
  auto r = self(ctx)->resolver->resolve(host);
  if (!r)
    duk_push_null(ctx);
  else
    duk_push_string(ctx, r->front().c_str());
  return 1;
}
duk_ret_t js_my_ip(duk_context* ctx) {
  duk_push_string(ctx, self(ctx)->my_ip.c_str());
  return 1;
}
}  // namespace

PacScript::PacScript(std::unique_ptr<Impl> i) : impl_(std::move(i)) {}
PacScript::~PacScript() = default;

Result<std::unique_ptr<PacScript>> PacScript::load(const std::string& source, Resolver& resolver,
                                                   std::string my_ip, int cpu_ms, std::size_t heap_bytes) {
  auto impl = std::make_unique<Impl>();
  impl->budget.limit = heap_bytes;
  impl->ctx.reset(duk_create_heap(budget_alloc, budget_realloc, budget_free, &impl->budget, nullptr));
  if (!impl->ctx) return make_error(Errc::system, "PAC: duktape heap");
  impl->resolver = &resolver;
  impl->my_ip = my_ip.empty() ? "127.0.0.1" : std::move(my_ip);
  impl->cpu_ms = cpu_ms < 10 ? 10 : cpu_ms;
  duk_context* ctx = impl->ctx.get();
  duk_push_global_stash(ctx);
  duk_push_pointer(ctx, impl.get());
  duk_put_prop_string(ctx, -2,
                      "\xff"
                      "pac");
  duk_pop(ctx);
  struct Native {
    const char* name;
    duk_c_function fn;
    duk_idx_t nargs;
  };
  for (const Native& n : {Native{"dnsResolve", js_dns_resolve, 1}, Native{"myIpAddress", js_my_ip, 0},
                          Native{"__pacLog", js_log, 1}}) {
    duk_push_c_function(ctx, n.fn, n.nargs);
    duk_put_global_string(ctx, n.name);
  }
  if (duk_peval_string(ctx, kHelpers) != 0) return make_error(Errc::parse, "PAC helpers: " + error_text(ctx));
  duk_pop(ctx);
  // The file's top-level code runs first in a bounded child (it could loop), then here.
  auto probe = run_bounded(
      [&] {
        if (duk_peval_lstring(ctx, source.data(), source.size()) != 0) return "E" + error_text(ctx);
        return std::string("O");
      },
      impl->cpu_ms, impl->budget, "PAC file");
  if (!probe) return probe.error();
  if (duk_peval_lstring(ctx, source.data(), source.size()) != 0)
    return make_error(Errc::parse, "PAC file: " + error_text(ctx));
  duk_pop(ctx);
  duk_get_global_string(ctx, "FindProxyForURL");
  bool fn = duk_is_function(ctx, -1);
  duk_pop(ctx);
  if (!fn) return make_error(Errc::parse, "PAC file: no FindProxyForURL function");
  return std::unique_ptr<PacScript>(new PacScript(std::move(impl)));
}

Result<std::string> PacScript::find_proxy(const std::string& url, const std::string& host) {
  duk_context* ctx = impl_->ctx.get();
  return run_bounded(
      [&]() -> std::string {
        duk_get_global_string(ctx, "FindProxyForURL");
        duk_push_string(ctx, url.c_str());
        duk_push_string(ctx, host.c_str());
        if (duk_pcall(ctx, 2) != DUK_EXEC_SUCCESS) return "E" + error_text(ctx);
        if (!duk_is_string(ctx, -1)) return "Ereturned a non-string";
        return std::string("O") + duk_get_string(ctx, -1);
      },
      impl_->cpu_ms, impl_->budget, "PAC FindProxyForURL");
}

std::vector<ProxyChoice> PacProxy::choose(const RuleUrl& target) const {
  std::string url = target.scheme == "https"
                        ? RuleUrl{target.scheme, target.host, target.port, "/"}.to_string()
                        : target.to_string();
  auto r = s_->find_proxy(url, target.host);
  if (!r) {
    log::warn("prov", r.error().message(), "; going DIRECT");
    return {ProxyChoice{}};
  }
  auto v = parse_pac_result(*r);
  if (v.empty()) v.push_back({});
  return v;
}

std::vector<std::string> wpad_candidates(const WpadHints& h) {
  std::vector<std::string> out;
  if (!h.dhcp_url.empty()) out.push_back(h.dhcp_url);
  std::string d = h.domain;
  while (!d.empty() && d.back() == '.') d.pop_back();
  while (std::count(d.begin(), d.end(), '.') >= 1) {
    out.push_back("http://wpad." + d + "/wpad.dat");
    d = d.substr(d.find('.') + 1);
  }
  return out;
}

Result<std::unique_ptr<ProxyChooser>> make_proxy_chooser(const config::HttpProxyConfig& c,
                                                         const WpadHints& hints, const Fetcher& direct,
                                                         Resolver& resolver, std::string my_ip) {
  if (c.mode != config::ProxyMode::Auto) {
    auto s = StaticProxy::from_config(c);
    if (!s) return s.error();
    return std::unique_ptr<ProxyChooser>(std::move(*s));
  }
  std::vector<std::string> urls;
  if (!c.use_wpad) {
    if (c.pac_url.empty())
      return make_error(Errc::invalid_argument, "PAC_URL: empty while Proxy_Mode is Auto and WPAD is off");
    urls.push_back(c.pac_url);
  } else {
    urls = wpad_candidates(hints);
    if (urls.empty()) return make_error(Errc::not_found, "WPAD: no DHCP option 252 and no domain to try");
  }
  std::string tried;
  for (const auto& u : urls) {
    auto body = direct.fetch(u, c.use_wpad ? "WPAD" : "PAC_URL");
    if (!body) {
      tried += (tried.empty() ? "" : "; ") + body.error().message();
      continue;
    }
    auto script = PacScript::load(body->body, resolver, my_ip);
    if (!script) return make_error(Errc::parse, u + ": " + script.error().message());
    log::info("prov", "proxy auto-configuration from ", u);
    return std::unique_ptr<ProxyChooser>(std::make_unique<PacProxy>(std::move(*script)));
  }
  return make_error(Errc::not_found, "no PAC file: " + tried);
}

}  // namespace phonesec::prov
