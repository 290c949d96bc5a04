// canonicalize-gemm: rewrites matrix products into one form, a Gemm with
// alpha = beta = 1 and its operands read as they are stored, so that code
// generation and later passes (fold-batchnorm) see one pattern:
//   - MatMul(A, B) + bias  ->  Gemm(A, B, bias), when A and B are 2-D, the
//     bias is a constant that broadcasts to [N] ([N], [1, N], [1] or a
//     scalar; it becomes C as it is) and the Add reads the only use of the
//     MatMul's result;
//   - Gemm(Transpose(X), ...)  ->  Gemm(X, ...) with transA toggled, and the
//     same for B and transB, when the Transpose is 2-D by [1, 0] and its
//     result has no other use (a Transpose of a constant B folds the same
//     way: the flag costs nothing, a transposed copy would);
//   - Gemm with alpha != 1 and a constant B  ->  B' = alpha * B, alpha 1;
//     with beta != 1 and a constant C  ->  C' = beta * C, beta 1; without C,
//     beta means nothing and is dropped.
// The math: alpha * A'B' + beta * C = A'(alpha B') + (beta C), and
// (X^T)' with the flag toggled is X'. New constants are computed in double
// and stored as f32.
//
// Preconditions: the graph verifies. f32 only.
//
// Deliberately left alone: Flatten(axis = 1) followed by Gemm, already the
// canonical form; a MatMul of higher-rank or 1-D operands (not a Gemm); an
// Add of a bias that varies along the rows or is not a constant (a Gemm's C
// could take it, but code generation expects a bias vector); a MatMul whose
// result has other readers besides the Add (they would see the bias added);
// alpha with a non-constant B (folding it into A would need a constant A).
// Each rewritten node keeps its name; the Gemm made of a MatMul and an Add
// takes the MatMul's name and the Add's result name when that is a graph
// output.
#include "ir/ShapeInference.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <algorithm>
#include <unordered_set>

namespace cnnc {

namespace {

bool isPlainF32(const TensorType &t) {
  return t.dtype == DType::F32 && t.layout == Layout::Plain;
}

// The data of operand i if it is a plain f32 constant with data.
const Tensor *f32Constant(const Node &node, size_t i) {
  const Tensor *t = node.constantInput(i);
  return t && t->hasData() && isPlainF32(t->type()) ? t : nullptr;
}

// How many node operands and graph outputs read `v`.
size_t readers(const Graph &graph, const Value *v) {
  size_t n = size_t(std::count(graph.outputs.begin(), graph.outputs.end(), v));
  for (const auto &node : graph.nodes)
    n += size_t(std::count(node->inputs.begin(), node->inputs.end(), v));
  return n;
}

// Makes operand i of `node`, a constant `t`, a new constant holding t's
// elements times `factor`. It takes the name of the constant it replaces
// when nothing else reads that one (the pass drops it at the end), so that
// weights keep their ONNX names.
void scaleConstantOperand(Graph &graph, Node &node, size_t i, const Tensor &t,
                          double factor) {
  std::vector<float> scaled(size_t(t.numElements()));
  for (size_t k = 0; k < scaled.size(); ++k)
    scaled[k] = float(t.floatAt(int64_t(k)) * factor);
  Value *old = node.inputs[i];
  Value *v = graph.addConstant(
      old->name, Tensor::fromValues(DType::F32, t.type().shape, scaled));
  node.inputs[i] = v;
  if (readers(graph, old) == 0)
    std::swap(old->name, v->name); // both names stay in use
}

// Whether a bias of shape `b` broadcasts to [n] (and so to any [M, n]
// without depending on the row).
bool isRowVector(const Shape &b, int64_t n) {
  if (b.size() > 2 || (b.size() == 2 && b[0] != 1))
    return false;
  return b.empty() || b.back() == 1 || b.back() == n;
}

// MatMul(A, B) + bias -> Gemm(A, B, bias): the MatMul becomes the Gemm and
// the Add goes. Returns the erased Add (to be compared, never read), or
// nullptr if nothing changed.
Node *mergeMatMulAdd(Graph &graph, Node &matmul) {
  Value *product = matmul.outputs[0];
  if (matmul.inputs[0]->type.rank() != 2 ||
      matmul.inputs[1]->type.rank() != 2 || !isPlainF32(product->type))
    return nullptr;
  Node *add = soleUser(graph, product);
  if (!add || add->kind != OpKind::Add ||
      add->outputs[0]->type != product->type ||
      !canReplace(graph, add->outputs[0], product))
    return nullptr;
  size_t biasIndex = add->inputs[0] == product ? 1 : 0;
  if (!f32Constant(*add, biasIndex) ||
      !isRowVector(add->inputs[biasIndex]->type.shape, product->type.shape[1]))
    return nullptr;

  matmul.kind = OpKind::Gemm;
  matmul.inputs.push_back(add->inputs[biasIndex]);
  reinferUnchanged(matmul, "canonicalize-gemm");
  replaceValue(graph, add->outputs[0], product);
  graph.eraseNode(add);
  return add;
}

// Folds a Transpose feeding operand i (A or B) of `gemm` into transA or
// transB. Returns the erased Transpose (to be compared, never read), or
// nullptr if nothing changed.
Node *foldTranspose(Graph &graph, Node &gemm, size_t i) {
  Value *transposed = gemm.inputs[i];
  Node *transpose = transposed->producer;
  if (!transpose || transpose->kind != OpKind::Transpose ||
      soleUser(graph, transposed) != &gemm)
    return nullptr;
  // A 2-D Transpose permutes by [1, 0] or, without perm, reverses: the same.
  std::vector<int64_t> perm = transpose->getInts("perm");
  if (!perm.empty() && perm != std::vector<int64_t>{1, 0})
    return nullptr;

  const char *flag = i == 0 ? "transA" : "transB";
  bool transposedBefore = gemm.getInt(flag) != 0;
  if (transposedBefore)
    gemm.attrs.erase(flag); // the default, 0
  else
    gemm.attrs.insert_or_assign(flag, Attribute(int64_t(1)));
  gemm.inputs[i] = transpose->inputs[0];
  reinferUnchanged(gemm, "canonicalize-gemm");
  graph.eraseNode(transpose);
  return transpose;
}

// Folds alpha into a constant B and beta into a constant C (or drops beta
// without C). Returns whether it changed `gemm`.
bool foldScales(Graph &graph, Node &gemm) {
  bool changed = false;
  double alpha = gemm.getFloat("alpha");
  if (alpha != 1.0) {
    if (const Tensor *b = f32Constant(gemm, 1)) {
      scaleConstantOperand(graph, gemm, 1, *b, alpha);
      gemm.attrs.erase("alpha");
      changed = true;
    }
  }
  double beta = gemm.getFloat("beta");
  if (!gemm.input(2) && gemm.attrs.count("beta")) {
    gemm.attrs.erase("beta");
    changed = true;
  } else if (beta != 1.0 && gemm.input(2)) {
    if (const Tensor *c = f32Constant(gemm, 2)) {
      scaleConstantOperand(graph, gemm, 2, *c, beta);
      gemm.attrs.erase("beta");
      changed = true;
    }
  }
  if (changed)
    reinferUnchanged(gemm, "canonicalize-gemm");
  return changed;
}

} // namespace

bool canonicalizeGemm(Graph &graph, PassContext &ctx) {
  // The rewrites erase nodes before (a Transpose) and after (an Add) the
  // one at hand, so walk a copy of the node list and skip the erased.
  std::vector<Node *> order;
  for (const auto &n : graph.nodes)
    order.push_back(n.get());
  std::unordered_set<const Node *> erased;
  bool changed = false;
  auto count = [&](Node *gone) {
    if (!gone)
      return;
    erased.insert(gone);
    ctx.stats.add("canonicalized");
    changed = true;
  };
  for (Node *node : order) {
    if (erased.count(node))
      continue;
    if (node->kind == OpKind::MatMul)
      count(mergeMatMulAdd(graph, *node));
    if (node->kind != OpKind::Gemm || !isPlainF32(node->outputs[0]->type))
      continue;
    for (size_t i = 0; i < 2; ++i)
      while (Node *transpose = foldTranspose(graph, *node, i))
        count(transpose);
    if (foldScales(graph, *node)) {
      ctx.stats.add("canonicalized");
      changed = true;
    }
  }
  if (changed)
    graph.removeUnusedConstants();
  return changed;
}

} // namespace cnnc
