#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

KernelTester SpecExample(const std::string& mode) {
  // The spec's pool: unigrams 2, 3, 5, 4 and bigrams (5, 6), (7, 8), (6, 7).
  KernelTester t("TfIdfVectorizer", 9);
  t.Attr("mode", mode)
      .Attr("min_gram_length", int64_t{2})
      .Attr("max_gram_length", int64_t{2})
      .Attr("max_skip_count", int64_t{0})
      .Attr("ngram_counts", std::vector<int64_t>{0, 4})
      .Attr("ngram_indexes", std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6})
      .Attr("pool_int64s", std::vector<int64_t>{2, 3, 5, 4, 5, 6, 7, 8, 6, 7});
  return t;
}

TEST(TfIdfVectorizerTest, SpecExampleOnlyBigrams) {
  // As test_tfidfvectorizer_tf_only_bigrams_skip0: each bigram occurs once.
  SpecExample("TF")
      .Input<int32_t>({12}, {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8})
      .ExpectOutput<float>({7}, {0, 0, 0, 0, 1, 1, 1})
      .Run();
}

TEST(TfIdfVectorizerTest, BatchRows) {
  SpecExample("TF")
      .Input<int64_t>({2, 6}, {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8})
      .ExpectOutput<float>({2, 7}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1})
      .Run();
}

KernelTester Strings(const std::string& mode, int64_t max_skip) {
  // Pool: unigrams a, b; bigrams (a, b), (a, a).
  KernelTester t("TfIdfVectorizer", 9);
  t.Attr("mode", mode)
      .Attr("min_gram_length", int64_t{1})
      .Attr("max_gram_length", int64_t{2})
      .Attr("max_skip_count", max_skip)
      .Attr("ngram_counts", std::vector<int64_t>{0, 2})
      .Attr("ngram_indexes", std::vector<int64_t>{0, 1, 2, 3})
      .Attr("pool_strings", std::vector<std::string>{"a", "b", "a", "b", "a", "a"})
      .Input(Tensor::FromVector<std::string>({4}, {"a", "b", "a", "b"}));
  return t;
}

TEST(TfIdfVectorizerTest, SkipsFindGappedBigramsAndCountUnigramsOnce) {
  // Without skips: a x2, b x2, (a, b) x2, (a, a) x0.
  Strings("TF", 0).ExpectOutput<float>({4}, {2, 2, 2, 0}).Run();
  // Skip 1 adds (a, a) at positions 0 and 2 and (b, b); unigrams are still counted once.
  Strings("TF", 1).ExpectOutput<float>({4}, {2, 2, 2, 1}).Run();
}

TEST(TfIdfVectorizerTest, IdfAndTfIdfUseWeights) {
  Strings("IDF", 1)
      .Attr("weights", std::vector<float>{0.5f, 1, 2, 4})
      .ExpectOutput<float>({4}, {0.5f, 1, 2, 4})
      .Run();
  Strings("TFIDF", 0)
      .Attr("weights", std::vector<float>{0.5f, 1, 2, 4})
      .ExpectOutput<float>({4}, {1, 2, 4, 0})
      .Run();
  // IDF without weights: 1 for every n-gram present.
  Strings("IDF", 0).ExpectOutput<float>({4}, {1, 1, 1, 0}).Run();
}

TEST(TfIdfVectorizerTest, RejectsPoolTypeMismatch) {
  SpecExample("TF")
      .Input(Tensor::FromVector<std::string>({1}, {"a"}))
      .ExpectError(StatusCode::kInvalidArgument, "pool_int64s does not match the string input");
}

TEST(TfIdfVectorizerTest, RejectsBadMode) {
  SpecExample("BM25")
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "mode is 'BM25'");
}

TEST(TfIdfVectorizerTest, RejectsRaggedPool) {
  KernelTester("TfIdfVectorizer", 9)
      .Attr("mode", "TF")
      .Attr("min_gram_length", int64_t{2})
      .Attr("max_gram_length", int64_t{2})
      .Attr("ngram_counts", std::vector<int64_t>{0, 1})
      .Attr("ngram_indexes", std::vector<int64_t>{0, 1})
      .Attr("pool_int64s", std::vector<int64_t>{1, 2, 3, 4})
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "does not hold whole 2-grams");
}

}  // namespace
}  // namespace convcheck::interp
