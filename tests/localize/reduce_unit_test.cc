// The reducer's graph edits: cutting nodes loose and dead-code elimination keep graphs valid.

#include <gtest/gtest.h>

#include "gen/generator.h"
#include "localize/reduce.h"

namespace convcheck::localize {
namespace {

TEST(ReduceGraphTest, KeepingAnyPrefixOrSuffixOfNodesGivesAValidGraph) {
  gen::GenOptions options;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    StatusOr<gen::Graph> graph = gen::Generate(seed, options);
    ASSERT_TRUE(graph.ok());
    const int n = static_cast<int>(graph->nodes.size());
    for (int cut = 1; cut < n; cut += 3) {
      std::vector<int> suffix, odd;
      for (int i = cut; i < n; ++i) suffix.push_back(i);
      for (int i = 1; i < n; i += 2) odd.push_back(i);
      for (const auto* keep : {&suffix, &odd}) {
        std::optional<gen::Graph> reduced = KeepNodes(*graph, *keep);
        if (!reduced) continue;
        EXPECT_LE(reduced->nodes.size(), keep->size());
        EXPECT_FALSE(reduced->outputs.empty());
        // Valid by the operators' rules, and it survives the graph file's own checks.
        gen::Graph copy = *reduced;
        EXPECT_TRUE(gen::Reinfer(copy, options.limits).ok()) << "seed " << seed;
        EXPECT_TRUE(gen::GraphFromJson(gen::ToJson(*reduced)).ok()) << "seed " << seed;
        for (int v : reduced->inputs) {
          EXPECT_EQ(reduced->values[v].kind, gen::ValueKind::kInput);
        }
      }
    }
  }
}

TEST(ReduceGraphTest, DeadCodeEliminationKeepsOnlyWhatLeadsToTheOutputs) {
  StatusOr<gen::Graph> graph = gen::Generate(0, gen::GenOptions{});
  for (uint64_t seed = 1; seed < 100 && graph.ok() && graph->outputs.size() < 2; ++seed) {
    graph = gen::Generate(seed, gen::GenOptions{});
  }
  ASSERT_TRUE(graph.ok());
  ASSERT_GT(graph->outputs.size(), 1u) << "no seed below 100 gives two outputs";
  gen::Graph one = *graph;
  one.outputs = {graph->outputs.back()};
  gen::Graph reduced = DeadCodeEliminated(one);
  EXPECT_LT(reduced.nodes.size(), graph->nodes.size());
  EXPECT_EQ(reduced.nodes.back().outputs, graph->nodes.back().outputs);
  EXPECT_TRUE(gen::GraphFromJson(gen::ToJson(reduced)).ok());
}

}  // namespace
}  // namespace convcheck::localize
