#include "ingest/parse/literal_search.h"

#include <random>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const std::vector<std::string> kLiterals = {
    "stun_nat_type:", "sdwan_state:", "maintain_relay_connectivity",
    "ANALYTICS"};

size_t Reference(absl::string_view text, size_t from) {
  size_t best = absl::string_view::npos;
  for (const std::string& l : kLiterals)
    best = std::min(best, text.find(l, from));
  return best;
}

TEST(LiteralSearchTest, FindsTheLeftmostOfSeveralLiterals) {
  LiteralSearch search(kLiterals);
  const std::string text =
      "[INFO] [libsdwan] sdwan_state: Online and later stun_nat_type: x";
  EXPECT_EQ(search.Find(text), text.find("sdwan_state:"));
  EXPECT_EQ(search.Find(text, text.find("sdwan_state:") + 1),
            text.find("stun_nat_type:"));
  EXPECT_EQ(search.Find("[INFO] [libsdwan] nothing here"),
            absl::string_view::npos);
  EXPECT_EQ(search.Find(""), absl::string_view::npos);
  EXPECT_EQ(search.Find("ANALYTICS"), 0u);
  EXPECT_EQ(search.Find("ANALYTIC"), absl::string_view::npos);
}

TEST(LiteralSearchTest, AgreesWithStringFindAtEveryAlignment) {
  LiteralSearch search(kLiterals);
  std::mt19937 rng(7);
  const std::string alphabet = "abstuny_:ANLYTICS \n";
  for (int round = 0; round < 300; ++round) {
    std::string text(rng() % 300, 'x');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    for (int k = 0; k < 2; ++k) {
      const std::string& l = kLiterals[rng() % kLiterals.size()];
      const size_t at = text.empty() ? 0 : rng() % text.size();
      text.insert(at, l);
    }
    for (size_t from = 0; from <= text.size(); from += 1 + rng() % 13) {
      ASSERT_EQ(search.Find(text, from), Reference(text, from))
          << "text=" << text << " from=" << from;
    }
  }
}

TEST(LiteralSearchTest, MatchAtTheVeryEndOfABigBuffer) {
  LiteralSearch search(kLiterals);
  std::string text(100000, 'a');
  text += "stun_nat_type:";
  EXPECT_EQ(search.Find(text), 100000u);
  text.pop_back();
  EXPECT_EQ(search.Find(text), absl::string_view::npos);
}

// Every instruction set and every count of literals up to kMaxLiterals
// (each count has its own search loop), against std::string::find, with
// text that puts the anchor bytes of the literals near each other often.
TEST(LiteralSearchTest, EveryPathAgreesWithStringFind) {
  const std::vector<std::string> pool = {"stun_nat_type:",
                                         "sdwan_state:",
                                         "maintain_relay_connectivity",
                                         "ANALYTICS",
                                         "Q",
                                         "run_state_machine",
                                         "zz",
                                         "tunnel::on_packet"};
  std::mt19937 rng(11);
  for (const auto isa :
       {LiteralSearch::Isa::kBest, LiteralSearch::Isa::kAvx2,
        LiteralSearch::Isa::kSse2, LiteralSearch::Isa::kScalar}) {
    for (size_t n = 1; n <= LiteralSearch::kMaxLiterals; ++n) {
      const std::vector<std::string> literals(pool.begin(), pool.begin() + n);
      LiteralSearch search(literals, isa);
      for (int round = 0; round < 40; ++round) {
        std::string text(rng() % 400, 'x');
        for (char& c : text) c = "_:mayzQSAN tun\n"[rng() % 15];
        for (int k = 0; k < 3; ++k) {
          const std::string& l = pool[rng() % pool.size()];
          text.insert(text.empty() ? 0 : rng() % text.size(), l);
        }
        for (size_t from = 0; from <= text.size(); from += 1 + rng() % 7) {
          size_t want = absl::string_view::npos;
          for (const std::string& l : literals)
            want = std::min(want, text.find(l, from));
          ASSERT_EQ(search.Find(text, from), want)
              << "isa=" << static_cast<int>(isa) << " n=" << n
              << " text=" << text << " from=" << from;
        }
      }
    }
  }
}

TEST(LiteralSearchTest, SingleByteAndManyLiterals) {
  LiteralSearch one({"Q"});
  EXPECT_EQ(one.Find(std::string(40, 'a') + "Q"), 40u);
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back("lit" + std::to_string(i) + "_");
  LiteralSearch scalar(many);
  EXPECT_EQ(scalar.Find("xx lit11_ lit3_"), 3u);
}

}  // namespace
}  // namespace natscope::ingest
