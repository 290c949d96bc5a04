// Reading and writing tensors as NumPy .npy files (format versions 1.0 to
// 3.0, little-endian, C order), the interchange format of cnnc-run's
// --input, -o and --dump.
#pragma once

#include "ir/Tensor.h"

#include <string>

namespace cnnc {

// The tensor in the .npy file at `path`. Fortran order, big-endian data and
// element types cnnc lacks are UserErrors naming the problem.
Tensor readNpyFile(const std::string &path);

// Writes `t` to `path` as a version 1.0 .npy file. bf16 has no NumPy type:
// it is written as f32. A write failure is a UserError.
void writeNpyFile(const std::string &path, const Tensor &t);

} // namespace cnnc
