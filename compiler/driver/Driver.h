// The AOT driver: a Graph -> the files an application builds with.
//
//   NAME.o        the generated code (NAME_run) and the weights, for the target
//   NAME.h        the C header describing it (see generateHeader)
//   NAME.weights  with --weights=file, the weights, loaded at run time
//
// or one artefact alone (--emit=obj|asm|llvm).
#pragma once

#include "compiler/codegen/CodeGen.h"

#include <string>

namespace cnnc {

enum class Artifact { Object, Assembly, LLVMIR };

// Generates code for `graph` and writes one artefact to `path` ("-":
// stdout, for assembly and LLVM IR). Errors are UserErrors. With
// options.externalWeights, `weights` (required) receives the weights, for
// writeWeightsFile and generateHeader.
void writeArtifact(const Graph &graph, const CodeGenOptions &options,
                   Artifact kind, const std::string &path,
                   WeightsBlob *weights = nullptr);

// Writes NAME.weights: the header cnnc_rt.h describes (magic, architecture
// hash, data size) and the data.
void writeWeightsFile(const WeightsBlob &weights, const std::string &path);

// NAME.h for `graph`: per input and output its ONNX name, element type,
// shape, element count and byte size as macros; the workspace size and
// alignment; the reentrant entry point NAME_run; and NAME_infer, which
// takes one typed pointer per input and output and allocates the workspace
// itself. Compiles as C99 and as C++. With `weights` (the model was
// compiled with externalWeights), also the weights' size and hash, a loader
// NAME_load_weights, and the weights argument of NAME_run and NAME_infer.
// With options.profile, also NAME_profile, which returns the node timings;
// with options.observe, NAME_observe, which sets the observer.
std::string generateHeader(const Graph &graph, const CodeGenOptions &options,
                           const std::string &modelFile,
                           const WeightsBlob *weights = nullptr);

// `text` made a C identifier: letters, digits and '_' kept, anything else
// '_', a leading digit prefixed with '_'; "model" if empty.
std::string cIdentifier(const std::string &text);

} // namespace cnnc
