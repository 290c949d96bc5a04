// Builds one-node graphs and runs them on the reference interpreter, for the
// interpreter's unit tests (Interpreter*Test.cpp).
//
//   OneOp op;
//   op.floats({1, 1, 5, 5}, image).floats({1, 1, 3, 3}, filter);
//   std::vector<float> y = op.run(OpKind::Conv, {}).resultFloats();
//
// Operands are constants holding the given values (shape operands must be
// constants anyway); the node's types are inferred and its window made
// explicit as the importer does, then the node is evaluated.
#pragma once

#include "ir/ShapeInference.h"
#include "ir/interp/Interpreter.h"

#include <gtest/gtest.h>

namespace cnnc::test {

struct OneOp {
  Graph g;
  std::vector<Value *> operands;
  std::vector<Tensor> results;

  template <typename T>
  OneOp &values(DType dtype, Shape shape, const std::vector<T> &v) {
    operands.push_back(
        g.addConstant("c" + std::to_string(operands.size()),
                      std::make_shared<Tensor>(
                          Tensor::fromValues(dtype, std::move(shape), v))));
    return *this;
  }
  OneOp &floats(Shape shape, const std::vector<float> &v) {
    return values(DType::F32, std::move(shape), v);
  }
  OneOp &ints(Shape shape, const std::vector<int64_t> &v) {
    return values(DType::I64, std::move(shape), v);
  }
  OneOp &ints(const std::vector<int64_t> &v) { // 1-D
    return ints({int64_t(v.size())}, v);
  }
  OneOp &absent() {
    operands.push_back(nullptr);
    return *this;
  }

  // Adds the node, infers its types, makes its window explicit and runs it.
  // Errors (UserError) propagate to the caller.
  OneOp &run(OpKind kind, AttrMap attrs, size_t numResults = 1) {
    std::vector<std::string> names;
    for (size_t i = 0; i < numResults; ++i)
      names.push_back("r" + std::to_string(i));
    Node *n = g.addNode(kind, "n", operands, names, std::move(attrs));
    setInferredTypes(*n);
    makeWindowExplicit(*n);
    std::vector<const Tensor *> in;
    for (Value *v : operands)
      in.push_back(v ? v->constant.get() : nullptr);
    results = evaluateNode(*n, in);
    return *this;
  }

  const Tensor &result(size_t i = 0) const { return results.at(i); }
  Shape shape(size_t i = 0) const { return result(i).type().shape; }
  std::vector<float> resultFloats(size_t i = 0) const {
    return typed<float>(DType::F32, i);
  }
  std::vector<int64_t> resultInts(size_t i = 0) const {
    return typed<int64_t>(DType::I64, i);
  }

  template <typename T> std::vector<T> typed(DType dtype, size_t i = 0) const {
    const Tensor &t = result(i);
    EXPECT_EQ(t.type().dtype, dtype);
    std::vector<T> v(size_t(t.numElements()));
    if (!v.empty() && t.type().dtype == dtype)
      std::memcpy(v.data(), t.bytes().data(), v.size() * sizeof(T));
    return v;
  }
};

// The message of the UserError `run` throws, or "" if it throws none.
template <typename F> std::string userErrorOf(F &&run) {
  try {
    run();
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

// Element-wise comparison with a stated tolerance: |a - b| <= 1e-5 + 1e-5*|b|
// (kernels that only add and multiply a few f32 values).
inline void expectNear(const std::vector<float> &actual,
                       const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5 + 1e-5 * std::abs(expected[i]))
        << "at element " << i;
}

} // namespace cnnc::test
