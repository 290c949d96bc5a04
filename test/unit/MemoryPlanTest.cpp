#include "passes/MemoryPlan.h"
#include "compiler/onnx/Importer.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"
#include "passes/Pass.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

using namespace cnnc;

namespace {

// Small graphs built node by node, typed by shape inference.
struct Builder {
  Graph g;

  Value *input(Shape shape, DType t = DType::F32) {
    return g.addInput("x" + std::to_string(g.inputs.size()),
                      {t, std::move(shape), Layout::Plain});
  }
  Value *ints(std::vector<int64_t> v) {
    return g.addConstant("shape", std::make_shared<Tensor>(Tensor::fromValues(
                                      DType::I64, {int64_t(v.size())}, v)));
  }
  Node *node(OpKind kind, std::vector<Value *> operands, size_t results = 1,
             AttrMap attrs = {}) {
    std::vector<std::string> names;
    for (size_t i = 0; i < results; ++i)
      names.push_back("v");
    Node *n = g.addNode(kind, "n" + std::to_string(g.nodes.size()),
                        std::move(operands), names, std::move(attrs));
    setInferredTypes(*n);
    return n;
  }
  Value *op(OpKind kind, std::vector<Value *> operands) {
    return node(kind, std::move(operands))->outputs[0];
  }
  MemoryPlan plan(std::vector<Value *> outputs) {
    g.outputs = std::move(outputs);
    verifyGraph(g);
    return planMemory(g);
  }
};

std::string problems(const Graph &g, const MemoryPlan &plan) {
  std::string s;
  for (const std::string &p : verifyPlan(g, plan))
    s += p + "\n";
  return s;
}

// 4 KiB: a multiple of the alignment, so sizes add up without padding.
const Shape kShape{1, 4, 16, 16};
constexpr int64_t kBytes = 4 * 16 * 16 * 4;

// Softmax reads a whole row before writing it, so it never works in place:
// the tests of placement use it where an element-wise op would share its
// operand's memory.
constexpr OpKind kNotInPlace = OpKind::Softmax;

} // namespace

TEST(MemoryPlan, ChainReusesTwoBuffers) {
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input(kShape)});
  Value *c = b.op(kNotInPlace, {a});
  Value *d = b.op(kNotInPlace, {c});
  Value *e = b.op(kNotInPlace, {d});
  Value *y = b.op(kNotInPlace, {e});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  // Neighbours are live together at the node joining them; every second
  // value can take the same memory.
  EXPECT_EQ(plan.find(a)->offset, plan.find(d)->offset);
  EXPECT_EQ(plan.find(c)->offset, plan.find(e)->offset);
  EXPECT_NE(plan.find(a)->offset, plan.find(c)->offset);
  EXPECT_EQ(plan.workspaceSize, 2 * kBytes);
  EXPECT_EQ(plan.peakLiveBytes, 2 * kBytes);
  EXPECT_EQ(plan.unsharedSize, 4 * kBytes);
  EXPECT_EQ(plan.numOwners, 4u);
  EXPECT_EQ(plan.numViews, 0u);
  EXPECT_EQ(plan.numInPlace, 0u);
  EXPECT_EQ(plan.find(a)->firstNode, 0u);
  EXPECT_EQ(plan.find(a)->lastNode, 1u);
}

TEST(MemoryPlan, DiamondKeepsBothBranchesLive) {
  // a feeds two branches, b -> b2 and c, that meet in the Add.
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input(kShape)});
  Value *b1 = b.op(kNotInPlace, {a});
  Value *b2 = b.op(kNotInPlace, {b1});
  Value *c = b.op(kNotInPlace, {a});
  Value *y = b.op(OpKind::Add, {b2, c});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  const TensorPlacement &pa = *plan.find(a), &pb2 = *plan.find(b2),
                        &pc = *plan.find(c);
  // a lives until c is made, while b2 is live: three distinct buffers.
  EXPECT_NE(pa.offset, pb2.offset);
  EXPECT_NE(pa.offset, pc.offset);
  EXPECT_NE(pb2.offset, pc.offset);
  // b1 is dead by the time c is made, so c reuses it.
  EXPECT_EQ(plan.find(b1)->offset, pc.offset);
  EXPECT_EQ(plan.workspaceSize, 3 * kBytes);
  EXPECT_EQ(plan.peakLiveBytes, 3 * kBytes);
}

TEST(MemoryPlan, LargestFirstFillsGapsWithSmallTensors) {
  // A big activation, then small ones that live beside it: the small ones
  // must not go below the big one's memory while it is live, but may take
  // it afterwards.
  Builder b;
  Value *x = b.input({1, 64, 32, 32});
  Value *big = b.op(kNotInPlace, {x});
  Value *pooled = b.node(OpKind::GlobalAveragePool, {big})->outputs[0];
  Value *s1 = b.op(kNotInPlace, {pooled});
  Value *s2 = b.op(kNotInPlace, {s1});
  Value *y = b.op(kNotInPlace, {s2});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_EQ(plan.find(big)->offset, 0);
  EXPECT_EQ(plan.find(pooled)->offset, 64 * 32 * 32 * 4);
  // Once big is dead, s1 fits into its memory.
  EXPECT_EQ(plan.find(s1)->offset, 0);
  EXPECT_EQ(plan.workspaceSize, 64 * 32 * 32 * 4 + 256);
  EXPECT_EQ(plan.workspaceSize, plan.peakLiveBytes);
}

TEST(MemoryPlan, OffsetsAreAligned) {
  // 300-byte tensors: each padded to 320.
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input({1, 3, 5, 5})});
  Value *c = b.op(kNotInPlace, {a});
  Value *d = b.node(OpKind::Concat, {a, c}, 1, {{"axis", Attribute(1)}})
                 ->outputs[0]; // 600 bytes, padded to 640
  Value *y = b.op(kNotInPlace, {d});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  for (const Value *v : {a, c, d})
    EXPECT_EQ(plan.find(v)->offset % kWorkspaceAlignment, 0) << v->name;
  EXPECT_EQ(plan.find(a)->size, 300);
  EXPECT_EQ(plan.find(d)->size, 600);
  // a is computed where d holds it (concatenation in place); c would start
  // at byte 300 of d, which is not aligned, so it has memory of its own and
  // is copied.
  EXPECT_EQ(plan.find(a)->partOf, d);
  EXPECT_EQ(plan.find(a)->offset, plan.find(d)->offset);
  EXPECT_EQ(plan.find(c)->partOf, nullptr);
  EXPECT_EQ(plan.workspaceSize, 320 + 640);
  EXPECT_EQ(plan.unsharedSize, 2 * 320 + 640);
}

TEST(MemoryPlan, GraphInputsOutputsAndConstantsAreNotPlanned) {
  Builder b;
  Value *x = b.input({1, 16});
  Value *shape = b.ints({16});
  Value *y1 = b.op(OpKind::Relu, {x});
  // y1 is an output that a later node also reads: still the caller's.
  Value *y2 = b.op(OpKind::Reshape, {y1, shape});
  MemoryPlan plan = b.plan({y1, y2});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_TRUE(plan.placements.empty());
  EXPECT_FALSE(plan.find(x));
  EXPECT_FALSE(plan.find(shape));
  EXPECT_EQ(plan.workspaceSize, 0);
  EXPECT_EQ(plan.peakLiveBytes, 0);
}

TEST(MemoryPlan, ReshapeLikeResultsAreViews) {
  Builder b;
  Value *x = b.input({1, 4, 2, 2});
  Value *a = b.op(OpKind::Relu, {x});
  Value *flat = b.op(OpKind::Flatten, {a});                   // node 1
  Value *r = b.op(OpKind::Reshape, {flat, b.ints({1, 16})});  // node 2
  Value *s = b.op(kNotInPlace, {b.op(OpKind::Flatten, {x})}); // nodes 3-4
  Value *id = b.op(OpKind::Identity, {r});                    // node 5
  Value *y = b.op(OpKind::Add, {id, s});                      // node 6
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  // Views of views resolve to the one owning buffer, which stays live until
  // the last view's reader.
  for (const Value *v : {flat, r, id}) {
    ASSERT_TRUE(plan.find(v)) << v->name;
    EXPECT_EQ(plan.find(v)->viewOf, a) << v->name;
    EXPECT_EQ(plan.find(v)->offset, plan.find(a)->offset) << v->name;
  }
  EXPECT_EQ(plan.find(a)->viewOf, nullptr);
  EXPECT_EQ(plan.find(a)->lastNode, 6u);
  EXPECT_EQ(plan.find(id)->firstNode, 5u);
  EXPECT_EQ(plan.find(id)->lastNode, 6u);
  // a's own last reader is node 1, but its memory is still read through the
  // views, so s may not take it.
  EXPECT_NE(plan.find(s)->offset, plan.find(a)->offset);
  // Flatten of the graph input copies: an owner of its own.
  const Value *flatX = b.g.nodes[3]->outputs[0];
  EXPECT_EQ(plan.find(flatX)->viewOf, nullptr);
  EXPECT_EQ(plan.numViews, 3u);
  EXPECT_EQ(plan.numOwners, 3u); // a, flatten(x), s
  EXPECT_EQ(plan.unsharedSize, 3 * 64);

  // The verifier knows the views keep a's memory in use: s there is wrong.
  MemoryPlan bad = plan;
  bad.placements[s].offset = plan.find(a)->offset;
  EXPECT_NE(problems(b.g, bad).find("overlapping memory"), std::string::npos);
}

TEST(MemoryPlan, ReshapeIntoGraphOutputIsACopy) {
  Builder b;
  Value *a = b.op(OpKind::Relu, {b.input({1, 4, 2, 2})});
  Value *y = b.op(OpKind::Flatten, {a});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_FALSE(plan.find(y));
  ASSERT_TRUE(plan.find(a));
  EXPECT_EQ(plan.find(a)->viewOf, nullptr);
  EXPECT_EQ(plan.numViews, 0u);
}

TEST(MemoryPlan, UnreadDropoutMaskIsPlannedAtItsNode) {
  Builder b;
  Value *a = b.op(OpKind::Relu, {b.input(kShape)});
  Node *drop = b.node(OpKind::Dropout, {a}, 2);
  Value *y = b.op(OpKind::Relu, {drop->outputs[0]});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  const TensorPlacement *mask = plan.find(drop->outputs[1]);
  ASSERT_TRUE(mask);
  EXPECT_EQ(mask->size, 4 * 16 * 16); // bool
  EXPECT_EQ(mask->firstNode, 1u);
  EXPECT_EQ(mask->lastNode, 1u);
}

TEST(MemoryPlan, ZeroSizeTensorsTakeNoMemory) {
  Builder b;
  Value *a = b.op(OpKind::Relu, {b.input({0, 8})});
  Value *c = b.op(OpKind::Sigmoid, {a});
  Value *y = b.op(OpKind::Relu, {c});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_EQ(plan.find(a)->size, 0);
  EXPECT_EQ(plan.find(c)->size, 0);
  EXPECT_EQ(plan.workspaceSize, 0);
  EXPECT_EQ(plan.unsharedSize, 0);
}

TEST(MemoryPlan, ElementwiseChainRunsInPlace) {
  // Each element-wise result overwrites the tensor before it, which dies at
  // its node: after the Softmax, one buffer for the whole chain.
  Builder b;
  Value *x = b.input(kShape);
  Value *a = b.op(kNotInPlace, {x});
  Value *r = b.op(OpKind::Relu, {a});
  Value *s = b.op(OpKind::Sigmoid, {r});
  Value *t = b.op(OpKind::Add, {x, s}); // over its second operand
  Value *y = b.op(kNotInPlace, {t});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_EQ(plan.find(r)->inPlaceOf, a);
  EXPECT_EQ(plan.find(s)->inPlaceOf, r);
  EXPECT_EQ(plan.find(t)->inPlaceOf, s);
  for (const Value *v : {r, s, t})
    EXPECT_EQ(plan.find(v)->offset, plan.find(a)->offset) << v->name;
  // The owner's memory is in use until the last result in place is read;
  // the others keep their own live ranges.
  EXPECT_EQ(plan.find(a)->lastNode, 4u);
  EXPECT_EQ(plan.find(t)->firstNode, 3u);
  EXPECT_EQ(plan.find(t)->lastNode, 4u);
  EXPECT_EQ(plan.numOwners, 1u);
  EXPECT_EQ(plan.numInPlace, 3u);
  EXPECT_EQ(plan.workspaceSize, kBytes);
  EXPECT_EQ(plan.peakLiveBytes, kBytes);
  EXPECT_EQ(plan.unsharedSize, 4 * kBytes);
}

TEST(MemoryPlan, InPlaceOnlyOverAnIntermediateThatDiesThere) {
  Builder b;
  Value *x = b.input(kShape);
  Value *a = b.op(kNotInPlace, {x});
  Value *r = b.op(OpKind::Relu, {a});   // a is read again by the Mul
  Value *m = b.op(OpKind::Mul, {a, r}); // both die here: over the first
  Value *i = b.op(OpKind::Relu, {x});   // a graph input is the caller's
  Value *y = b.op(OpKind::Add, {m, i}); // so is a graph output
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_EQ(plan.find(r)->inPlaceOf, nullptr);
  EXPECT_NE(plan.find(r)->offset, plan.find(a)->offset);
  EXPECT_EQ(plan.find(m)->inPlaceOf, a);
  EXPECT_EQ(plan.find(i)->inPlaceOf, nullptr);
  EXPECT_FALSE(plan.find(y));
  EXPECT_EQ(plan.numInPlace, 1u);
}

TEST(MemoryPlan, NoInPlaceAcrossSizesTypesOrViewsReadLater) {
  Builder b;
  Value *x = b.input(kShape);
  // The Add broadcasts p: p is not the result's size.
  Value *p = b.op(OpKind::GlobalAveragePool, {b.op(kNotInPlace, {x})});
  Value *big = b.op(OpKind::Add, {p, x});
  // n has the Pow's byte size but is i32, not f32.
  Value *n =
      b.node(OpKind::Cast, {big}, 1, {{"to", Attribute(std::string("i32"))}})
          ->outputs[0];
  Value *e = b.op(OpKind::Pow, {x, n});
  // m's bytes are read through its view after the Sigmoid.
  Value *m = b.op(kNotInPlace, {e});
  Value *v = b.op(OpKind::Flatten, {m});
  Value *g = b.op(OpKind::Sigmoid, {m});
  Value *y1 = b.op(OpKind::Neg, {v});
  Value *y2 = b.op(OpKind::Neg, {g});
  MemoryPlan plan = b.plan({y1, y2});
  EXPECT_EQ(problems(b.g, plan), "");
  ASSERT_EQ(n->type.byteSize(), e->type.byteSize());
  for (const Value *r : {big, e, g})
    EXPECT_EQ(plan.find(r)->inPlaceOf, nullptr) << r->name;
  EXPECT_NE(plan.find(g)->offset, plan.find(m)->offset);
  EXPECT_EQ(plan.find(v)->viewOf, m);
  EXPECT_EQ(plan.numInPlace, 0u);
}

TEST(MemoryPlan, InPlaceOverAView) {
  // The Relu reads the only view of a, and a's memory dies there.
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input({1, 16})});
  Value *v = b.op(OpKind::Reshape, {a, b.ints({4, 4})});
  Value *r = b.op(OpKind::Relu, {v});
  Value *y = b.op(kNotInPlace, {r});
  MemoryPlan plan = b.plan({y});
  EXPECT_EQ(problems(b.g, plan), "");
  EXPECT_EQ(plan.find(v)->viewOf, a);
  EXPECT_EQ(plan.find(r)->inPlaceOf, v);
  EXPECT_EQ(plan.find(r)->offset, plan.find(a)->offset);
  EXPECT_EQ(plan.find(a)->lastNode, 3u);
  EXPECT_EQ(plan.numOwners, 1u);
}

TEST(MemoryPlan, VerifierAcceptsExactlyTheLegalInPlaceResults) {
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input(kShape)});
  Value *r = b.op(OpKind::Relu, {a});
  Value *s = b.op(OpKind::Add, {a, r});
  Value *y = b.op(kNotInPlace, {s});
  MemoryPlan good = b.plan({y});
  ASSERT_EQ(problems(b.g, good), "");
  ASSERT_EQ(good.find(s)->inPlaceOf, a);

  // The verifier recomputes what may be in place; it does not trust the
  // planner's marks.
  MemoryPlan unmarked = good;
  unmarked.placements[s].inPlaceOf = nullptr;
  EXPECT_EQ(problems(b.g, unmarked), "");

  // r over a, which the Add still reads.
  MemoryPlan early = good;
  early.placements[r].offset = good.find(a)->offset;
  EXPECT_NE(problems(b.g, early).find("'" + a->name + "' (nodes 0-2"),
            std::string::npos);

  // A mark naming an operand elsewhere.
  MemoryPlan misMarked = good;
  misMarked.placements[s].inPlaceOf = r;
  EXPECT_NE(problems(b.g, misMarked).find("which is no operand at its offset"),
            std::string::npos);
}

TEST(MemoryPlan, RecordedPlanReadsBackTheSame) {
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input({1, 16})});
  Value *v = b.op(OpKind::Reshape, {a, b.ints({4, 4})});
  Value *r = b.op(OpKind::Relu, {v});
  Value *c = b.op(kNotInPlace, {r});
  Value *y = b.op(OpKind::Add, {c, r});
  MemoryPlan plan = b.plan({y});
  ASSERT_EQ(problems(b.g, plan), "");
  EXPECT_FALSE(b.g.workspaceSize);

  EXPECT_TRUE(recordMemoryPlan(b.g, plan));
  EXPECT_FALSE(recordMemoryPlan(b.g, plan)); // the same plan again
  EXPECT_EQ(b.g.workspaceSize, plan.workspaceSize);
  EXPECT_EQ(a->workspaceOffset, plan.find(a)->offset);
  EXPECT_EQ(v->viewOf, a);
  EXPECT_FALSE(y->workspaceOffset);

  MemoryPlan back = recordedPlan(b.g);
  EXPECT_EQ(problems(b.g, back), "");
  EXPECT_EQ(back.placements.size(), plan.placements.size());
  for (const auto &[value, p] : plan.placements) {
    const TensorPlacement *q = back.find(value);
    ASSERT_TRUE(q) << value->name;
    EXPECT_EQ(q->offset, p.offset) << value->name;
    EXPECT_EQ(q->size, p.size) << value->name;
    EXPECT_EQ(q->viewOf, p.viewOf) << value->name;
    EXPECT_EQ(q->inPlaceOf, p.inPlaceOf) << value->name;
    EXPECT_EQ(q->firstNode, p.firstNode) << value->name;
    EXPECT_EQ(q->lastNode, p.lastNode) << value->name;
  }
  EXPECT_EQ(back.workspaceSize, plan.workspaceSize);
  EXPECT_EQ(back.peakLiveBytes, plan.peakLiveBytes);
  EXPECT_EQ(back.unsharedSize, plan.unsharedSize);
  EXPECT_EQ(back.numOwners, plan.numOwners);
  EXPECT_EQ(back.numViews, plan.numViews);
  EXPECT_EQ(back.numInPlace, plan.numInPlace);
  EXPECT_NO_THROW(verifyRecordedPlan(b.g));

  // Code generation follows the record, even a roomier one.
  b.g.workspaceSize = *b.g.workspaceSize + kWorkspaceAlignment;
  EXPECT_EQ(checkedMemoryPlan(b.g).workspaceSize,
            plan.workspaceSize + kWorkspaceAlignment);
  EXPECT_EQ(checkedMemoryPlan(b.g, /*useRecorded=*/false).workspaceSize,
            plan.workspaceSize);

  // A record that lets c overwrite r, which the Add still reads: a user
  // error when checked as input, a compiler bug when about to compile.
  b.g.workspaceSize = plan.workspaceSize;
  c->workspaceOffset = r->workspaceOffset;
  EXPECT_THROW(verifyRecordedPlan(b.g), UserError);
  EXPECT_THROW(checkedMemoryPlan(b.g), InternalError);

  b.g.clearMemoryPlan();
  EXPECT_FALSE(b.g.workspaceSize);
  EXPECT_FALSE(a->workspaceOffset);
  EXPECT_EQ(v->viewOf, nullptr);
  EXPECT_NO_THROW(verifyRecordedPlan(b.g));
  EXPECT_EQ(checkedMemoryPlan(b.g).workspaceSize, plan.workspaceSize);

  // Offsets without a size.
  a->workspaceOffset = 0;
  EXPECT_THROW(verifyRecordedPlan(b.g), UserError);
}

TEST(MemoryPlan, PassManagerKeepsNoStalePlan) {
  Builder b;
  Value *x = b.input(kShape);
  Value *a = b.op(kNotInPlace, {x});
  Value *i = b.op(OpKind::Identity, {a});
  Value *y = b.op(kNotInPlace, {i});
  b.plan({y});
  PassManagerOptions options;
  std::ostringstream log;

  // remove-identity changes the graph: the plan made before it is dropped.
  runPasses(b.g, parsePipeline("plan-memory,verify"), options, log);
  EXPECT_TRUE(b.g.workspaceSize);
  runPasses(b.g, parsePipeline("remove-identity"), options, log);
  EXPECT_FALSE(b.g.workspaceSize);
  EXPECT_FALSE(a->workspaceOffset);

  // A pass that changes the graph without saying so leaves a stale plan:
  // its bug, reported after it.
  PassInfo quiet{"quiet", "adds a node and reports no change",
                 [&](Graph &g, PassContext &) {
                   Node *n = g.addNode(OpKind::Neg, "neg", {x}, {"unread"});
                   setInferredTypes(*n);
                   return false;
                 }};
  std::vector<const PassInfo *> pipeline = parsePipeline("plan-memory");
  pipeline.push_back(&quiet);
  try {
    runPasses(b.g, pipeline, options, log);
    FAIL() << "expected an internal error";
  } catch (const InternalError &e) {
    EXPECT_NE(std::string(e.what()).find("after pass 'quiet'"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("is not planned"), std::string::npos)
        << e.what();
  }
}

TEST(MemoryPlan, VerifierCatchesOverlapsAndMisplacements) {
  Builder b;
  Value *a = b.op(kNotInPlace, {b.input(kShape)});
  Value *c = b.op(kNotInPlace, {a});
  Value *y = b.op(kNotInPlace, {c});
  MemoryPlan good = b.plan({y});
  ASSERT_EQ(problems(b.g, good), "");

  MemoryPlan overlap = good;
  overlap.placements[c].offset = overlap.placements[a].offset + 64;
  overlap.workspaceSize += 64;
  EXPECT_NE(problems(b.g, overlap).find("overlapping memory"),
            std::string::npos);

  MemoryPlan unaligned = good;
  unaligned.placements[c].offset += 8;
  unaligned.workspaceSize += 64;
  EXPECT_NE(problems(b.g, unaligned).find("unaligned"), std::string::npos);

  MemoryPlan missing = good;
  missing.placements.erase(a);
  EXPECT_NE(problems(b.g, missing).find("'" + a->name + "' is not planned"),
            std::string::npos);

  MemoryPlan outputPlanned = good;
  outputPlanned.placements[y] = TensorPlacement{};
  EXPECT_NE(problems(b.g, outputPlanned).find("graph output"),
            std::string::npos);

  MemoryPlan tooSmall = good;
  tooSmall.workspaceSize = kBytes;
  EXPECT_NE(problems(b.g, tooSmall).find("beyond the workspace"),
            std::string::npos);

  MemoryPlan oddSize = good;
  oddSize.workspaceSize += 8;
  EXPECT_NE(problems(b.g, oddSize).find("not a multiple of 64"),
            std::string::npos);

  // Softmax cannot work in place: c over a, whose last reader it is, is an
  // overlap all the same.
  MemoryPlan notElementwise = good;
  notElementwise.placements[c].offset = good.placements[a].offset;
  EXPECT_NE(problems(b.g, notElementwise).find("overlapping memory"),
            std::string::npos);
}

namespace {

void expectSoundPlan(const std::string &path) {
  SCOPED_TRACE(path);
  std::unique_ptr<Graph> g = importOnnxFile(path);
  MemoryPlan plan = planMemory(*g);
  EXPECT_EQ(problems(*g, plan), "");
  EXPECT_LE(plan.peakLiveBytes, plan.workspaceSize);
  EXPECT_LE(plan.workspaceSize, plan.unsharedSize);
  EXPECT_GT(plan.numOwners, 0u);
}

} // namespace

TEST(MemoryPlan, SoundOnTheDefaultModel) {
  std::string path =
      std::string(CNNC_TEST_DIR) + "/../models/fashion_mnist_cnn.onnxtxt";
  expectSoundPlan(path);
  std::unique_ptr<Graph> g = importOnnxFile(path);
  MemoryPlan plan = planMemory(*g);
  // conv1's output and pool1's; then conv2's reuses conv1's memory.
  EXPECT_EQ(plan.workspaceSize, plan.peakLiveBytes);
  EXPECT_EQ(plan.numViews, 1u); // the Flatten
}

// The torchvision models lit exports (test/models/export_torchvision.py);
// skipped until lit has run once.
TEST(MemoryPlan, SoundOnExportedTorchvisionModels) {
  namespace fs = std::filesystem;
  fs::path dir(CNNC_MODELS_DIR);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    GTEST_SKIP() << "no exported models in " << dir << " (run lit first)";
  size_t checked = 0;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    if (e.path().extension() == ".onnx") {
      expectSoundPlan(e.path().string());
      ++checked;
    }
  if (!checked)
    GTEST_SKIP() << "no exported models in " << dir << " (run lit first)";
}
