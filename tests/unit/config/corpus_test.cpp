// SPDX-License-Identifier: Apache-2.0
// A corpus of messy, real-world-style profiles (corpus/*.xml), each with its expectations
// (corpus/<name>.expect). Expectation lines:
//   Name = value        dump() shows this canonical value for Name
//   diag: <text>        some diagnostic's to_string() contains <text>; the number of diag lines
//                       must equal the number of diagnostics (nothing unexpected)
//   unknown: N          elements no parameter claims
//   reject: <text>      the file is rejected whole; the error contains <text>
//   absent: <text>      <text> (a secret) appears neither in dump() nor in any diagnostic
//   # comment
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/params.h"

namespace phonesec::config {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> corpus() {
  std::vector<std::string> v;
  for (auto& e : fs::directory_iterator(PS_CORPUS_DIR))
    if (e.path().extension() == ".xml") v.push_back(e.path().stem().string());
  std::sort(v.begin(), v.end());
  return v;
}

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, MatchesExpectations) {
  fs::path dir(PS_CORPUS_DIR);
  std::string xml = (dir / (GetParam() + ".xml")).string();
  std::ifstream ef(dir / (GetParam() + ".expect"));
  ASSERT_TRUE(ef) << "missing " << GetParam() << ".expect";
  auto r = load_file(xml);
  std::string line;
  int checks = 0, diag_lines = 0;
  std::string text;                          // dump + diagnostics, for absent:
  std::map<std::string, std::string> values;  // dump() as name → value
  if (r.ok()) {
    text = dump(r->config);
    std::istringstream ds(text);
    for (std::string l; std::getline(ds, l);) {
      auto eq = l.find(" = ");
      if (eq != std::string::npos) values[l.substr(0, eq)] = l.substr(eq + 3);
    }
    for (const auto& d : r->diagnostics) text += d.to_string() + "\n";
  }
  while (std::getline(ef, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    ++checks;
    auto after = [&](std::string_view k) { return trim(std::string_view(line).substr(k.size())); };
    if (line.rfind("reject:", 0) == 0) {
      ASSERT_FALSE(r.ok()) << xml << " should be rejected";
      EXPECT_NE(r.error().context.find(after("reject:")), std::string::npos) << r.error().context;
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.error().context;
    if (line.rfind("diag:", 0) == 0) {
      ++diag_lines;
      std::string want = after("diag:");
      bool found = false;
      for (const auto& d : r->diagnostics) found |= d.to_string().find(want) != std::string::npos;
      EXPECT_TRUE(found) << "no diagnostic containing: " << want << "\n" << text;
    } else if (line.rfind("unknown:", 0) == 0) {
      EXPECT_EQ(r->unknown_elements, std::stoi(after("unknown:")));
    } else if (line.rfind("absent:", 0) == 0) {
      EXPECT_EQ(text.find(after("absent:")), std::string::npos) << "secret shown";
    } else {
      auto eq = line.find('=');
      ASSERT_NE(eq, std::string::npos) << "bad expectation: " << line;
      std::string name = trim(line.substr(0, eq)), want = trim(line.substr(eq + 1));
      ASSERT_TRUE(values.count(name)) << "no parameter " << name << " in dump()";
      EXPECT_EQ(values[name], want) << name;
    }
  }
  EXPECT_GT(checks, 0) << "an .expect file that checks nothing";
  if (r.ok()) {
    EXPECT_EQ(int(r->diagnostics.size()), diag_lines) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, Corpus, ::testing::ValuesIn(corpus()),
                         [](const auto& info) { return info.param; });

TEST(CorpusSize, AtLeastTenProfiles) { EXPECT_GE(corpus().size(), 10u); }

}  // namespace
}  // namespace phonesec::config
