// Lowering of Gemm and MatMul to libjit kernels.
#include "compiler/codegen/Emitter.h"

namespace cnnc {

void Emitter::gemm(const Node &n, bool matMul) {
  requireF32(n);
  const Shape &a = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (matMul && (a.size() != 2 || n.inputs[1]->type.rank() != 2))
    n.error("code generation supports 2-D MatMul only");
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
  callRange("cnnc_gemm_f32",
       {pointer(n.inputs[0]), pointer(n.inputs[1]), optionalPointer(c),
        pointer(n.outputs[0]), i64(M), i64(N), i64(K), i64(transA),
        i64(!matMul && n.getInt("transB") != 0),
        f32(matMul ? 1.0 : n.getFloat("alpha")),
        f32(matMul ? 1.0 : n.getFloat("beta")), i64(cKind), i64(0), i64(M)});
}

} // namespace cnnc
