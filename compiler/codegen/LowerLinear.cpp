// Lowering of Gemm and MatMul to libjit kernels.
#include "compiler/codegen/LoopNest.h"

#include <cstring>

namespace cnnc {

namespace {

// cnnc_gemm_f32's work units: GEMM_COLUMNS (linear.c) columns of a row;
// repacked weights in panels of GEMM_PANEL columns.
constexpr int64_t kGemmColumns = 64, kGemmPanel = 16;
int64_t gemmUnits(int64_t M, int64_t N) {
  return M * ((N + kGemmColumns - 1) / kGemmColumns);
}

// MatMul of any rank (NumPy's matmul): a 1-D operand is a row (a) or a
// column (b) vector, and the leading dimensions broadcast. A loop nest over
// the batch dimensions calls the 2-D kernel once per matrix.
void batchedMatMul(Emitter &e, const Node &n) {
  Shape a = n.inputs[0]->type.shape, b = n.inputs[1]->type.shape;
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  int64_t M = a[a.size() - 2], K = a.back(), N = b.back();
  // Per batch dimension, the stride (in elements) of each operand's
  // matrices: 0 where it broadcasts. Shape inference checked that the
  // batch dimensions broadcast.
  Shape aBatch(a.begin(), a.end() - 2), bBatch(b.begin(), b.end() - 2);
  Shape batch = *broadcastShapes(aBatch, bBatch);
  auto scaled = [](std::vector<int64_t> strides, int64_t matrix) {
    for (int64_t &s : strides)
      s *= matrix;
    return strides;
  };
  const Value *x = n.inputs[0], *w = n.inputs[1], *y = n.outputs[0];
  llvm::Function *kernel = e.libjitFunction("cnnc_gemm_f32");
  emitLoopNest(
      e, "matmul." + n.name, batch,
      {Access{e.pointer(x), x->type.dtype, 0,
              scaled(broadcastStrides(aBatch, batch), M * K)},
       Access{e.pointer(w), w->type.dtype, 0,
              scaled(broadcastStrides(bBatch, batch), K * N)},
       Access{e.pointer(y), y->type.dtype, 0,
              scaled(rowMajorStrides(batch), M * N)}},
      [&](const LoopPoint &p) {
        auto i64 = [&](int64_t v) { return p.b.getInt64(uint64_t(v)); };
        llvm::Value *zero = llvm::ConstantFP::get(p.b.getFloatTy(), 0.0);
        llvm::Value *one = llvm::ConstantFP::get(p.b.getFloatTy(), 1.0);
        p.b.CreateCall(kernel, {p.address(0), p.address(1),
                                llvm::ConstantPointerNull::get(p.b.getPtrTy()),
                                p.address(2), i64(M), i64(N), i64(K), i64(0),
                                i64(0), one, zero, i64(0), i64(0),
                                i64(gemmUnits(M, N))});
      });
}

} // namespace

void Emitter::gemm(const Node &n, bool matMul) {
  requireF32(n);
  const Shape &a = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (matMul && (a.size() != 2 || n.inputs[1]->type.rank() != 2))
    return batchedMatMul(*this, n);
  bool transA = !matMul && n.getInt("transA") != 0;
  int64_t M = y[0], N = y[1], K = transA ? a[0] : a[1];
  int64_t cKind = 0;
  const Value *c = matMul ? nullptr : n.input(2);
  if (c) {
    const Shape &cs = c->type.shape;
    int64_t count = elementCount(cs);
    if (count == 1)
      cKind = 1;
    else if (cs.back() == N && count == N)
      cKind = 2;
    else if (count == M && cs.size() == 2 && cs[1] == 1)
      cKind = 3;
    else
      cKind = 4;
  }
  // B's layout for the kernel (linear.c's GEMM_B_*): constant [N, K]
  // weights (a fully connected layer) are repacked here into panels of
  // kGemmPanel columns, so each unit streams contiguous panels instead of
  // rows K floats apart; with a weights file, the file holds the panels
  // (the Fashion-MNIST CNN's dense layer ran 3 times slower from rows).
  bool transB = !matMul && n.getInt("transB") != 0;
  int64_t bLayout = transB ? 1 : 0;
  llvm::Value *bPointer = nullptr;
  const Tensor *weights = n.constantInput(1);
  if (transB && weights && weights->hasData() &&
      n.inputs[1]->type.dtype == DType::F32) {
    // Straight from the tensor's bytes: VGG16's first layer holds 400 MB.
    const uint8_t *rows = weights->bytes().data();
    int64_t panelCount = (N + kGemmPanel - 1) / kGemmPanel;
    std::vector<float> panels(size_t(panelCount * K * kGemmPanel), 0.0f);
    for (int64_t j = 0; j < N; ++j) {
      const uint8_t *row = rows + j * K * int64_t(sizeof(float));
      float *column = &panels[size_t(j / kGemmPanel * K * kGemmPanel +
                                     j % kGemmPanel)];
      for (int64_t k = 0; k < K; ++k)
        std::memcpy(&column[k * kGemmPanel], row + k * sizeof(float),
                    sizeof(float));
    }
    bPointer = derivedConstant(n.inputs[1], "gemm-panels16", panels.data(),
                               panels.size() * sizeof(float));
    bLayout = 2;
  }
  callRange("cnnc_gemm_f32",
       {pointer(n.inputs[0]), bPointer ? bPointer : pointer(n.inputs[1]),
        optionalPointer(c), pointer(n.outputs[0]), i64(M), i64(N), i64(K),
        i64(transA), i64(bLayout),
        f32(matMul ? 1.0 : n.getFloat("alpha")),
        f32(matMul ? 1.0 : n.getFloat("beta")), i64(cKind), i64(0),
        i64(gemmUnits(M, N))},
       K * kGemmColumns);
}

} // namespace cnnc
