// SPDX-License-Identifier: Apache-2.0
// Replay driver for fuzz targets in builds without libFuzzer: runs LLVMFuzzerTestOneInput on
// every file of the corpus directories given, then on deterministic mutations of each file
// (every single-byte truncation point up to 512, 2000 seeded bit flips / byte sets, and splices of
// pairs). Fails if the corpus is empty (a target that sees nothing proves nothing). Crashes and
// sanitizer reports fail the CTest run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::vector<uint8_t>> inputs;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p)) {
      for (auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    }
    for (auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: empty corpus\n");
    return 1;
  }
  std::mt19937 rng(0x5eed);
  size_t runs = 0;
  auto run = [&](const std::vector<uint8_t>& v) {
    LLVMFuzzerTestOneInput(v.data(), v.size());
    ++runs;
  };
  for (auto& in : inputs) {
    run(in);
    for (size_t n = 0; n < in.size() && n < 512; ++n) run(std::vector<uint8_t>(in.begin(), in.begin() + n));
    for (int k = 0; k < 2000 && !in.empty(); ++k) {
      auto m = in;
      size_t pos = rng() % m.size();
      if (k & 1) m[pos] ^= uint8_t(1u << (rng() % 8));
      else m[pos] = uint8_t(rng());
      run(m);
    }
  }
  for (size_t a = 0; a < inputs.size(); ++a)
    for (size_t b = 0; b < inputs.size(); ++b) {
      auto m = std::vector<uint8_t>(inputs[a].begin(), inputs[a].begin() + inputs[a].size() / 2);
      m.insert(m.end(), inputs[b].begin() + inputs[b].size() / 2, inputs[b].end());
      run(m);
    }
  std::printf("replay: %zu inputs, %zu runs\n", inputs.size(), runs);
  return 0;
}
