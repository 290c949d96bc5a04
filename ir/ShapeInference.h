// Shape inference for every op of the op table.
//
// Output types follow from operand types and attributes, and, for ops whose
// output shape depends on operand values (Reshape's shape, Slice's starts,
// Expand's shape, Resize's scales/sizes, ...), from those operands' constant
// data. Such an operand that is not a constant is a user error naming the
// node: cnnc compiles static shapes only. The importer folds the
// shape-computation subgraphs exporters emit before they reach this point.
//
// Attribute and operand values are untrusted: they may hold any int64 or
// double (INT64_MIN, 2^62, inf, NaN, ...). Every function here either
// returns a result within the limits of Types.h or throws a UserError naming
// the node; none relies on signed overflow, out-of-range float-to-int casts
// or other undefined behaviour.
//
// Common precondition of inferOutputTypes, setInferredTypes and
// makeWindowExplicit: the node is structurally valid for its op, that is,
// its operand and result counts are within the ranges of the op table
// (Ops.def), its required operands are present and its attributes have their
// declared kinds. The importer (checkNodeStructure) and the verifier check
// that first. Its operand types are set and pass checkedElementCount.
#pragma once

#include "ir/Graph.h"

namespace cnnc {

// Output types of `node`, computed from its operands. Throws UserError
// naming the node when operands or attributes are invalid for the op.
// Precondition: the common one above.
std::vector<TensorType> inferOutputTypes(const Node &node);

// Sets the types of `node`'s results from inferOutputTypes, checking that
// the op produces as many results as the node has and that each passes
// checkedElementCount. Precondition: the common one above.
void setInferredTypes(Node &node);

// Whether operand `i` of an op is one its output shape depends on (Reshape's
// shape, Slice's starts/ends/axes/steps, Pad's pads and axes, the axes of
// Squeeze, Unsqueeze and the reductions, Split's sizes, Expand's and
// ConstantOfShape's shape, Resize's scales and sizes). Such an operand must
// be a constant: cnnc compiles static shapes.
bool isShapeOperand(OpKind kind, size_t i);

// Sets the type of every node output, in topological order.
void inferShapes(Graph &graph);

// The [start, end) range of dimensions a Shape node returns (its start/end
// attributes, clamped as in ONNX opset 15).
std::pair<int64_t, int64_t> shapeOpRange(const Node &shapeNode, int64_t rank);

// Rewrites a Conv or pooling node's window attributes into one explicit form:
// kernel_shape, strides, pads and (but for AveragePool) dilations all set,
// auto_pad resolved into pads against the operand shape and removed. Later
// stages then read one form. Other ops are left alone. Precondition: the
// common one above (the importer calls it right after setInferredTypes; the
// window checks are repeated here rather than assumed).
void makeWindowExplicit(Node &node);

// The resolved geometry of a sliding-window op (Conv, ConvTranspose, the
// pools): explicit per-spatial-dim kernel, strides, dilations (all 1 for
// AveragePool) and pads [begin..., end...], whatever mix of attributes and
// auto_pad the node has. For a ConvTranspose whose output size is given
// (output_shape, or auto_pad SAME), the pads are derived from the node's
// inferred output type. Precondition: the common one above, and the node's
// output types are inferred.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;
};
Window resolvedWindow(const Node &node);

// Normalizes a possibly negative axis into [0, rank), or reports a user
// error naming the node.
int64_t normalizeAxis(const Node &node, int64_t axis, int64_t rank);

// One axis of a Slice, resolved as the ONNX spec says (Slice-10 to 13):
// negative starts/ends have dim added; then start is clamped to [0, dim] for
// a positive step and [0, dim-1] for a negative one, end to [0, dim] or
// [-1, dim-1]. The slice reads `count` elements from `start` by `step`.
// Preconditions: step != 0 and 0 <= dim <= kMaxElements. start, end and step
// may be any int64, INT64_MIN and INT64_MAX included.
// Guarantees: 0 <= count <= dim (so {0, 0} when dim == 0), and if count > 0,
// start and start + (count - 1) * step lie in [0, dim): a caller can compute
// the indices it reads without overflow, even with the caller's original
// huge step (it then reads one element).
struct SliceRange {
  int64_t start;
  int64_t count;
};
SliceRange resolveSlice(int64_t start, int64_t end, int64_t step, int64_t dim);

// The elements a Slice node reads, as a strided view of its row-major
// input: the result's element at multi-index i is the input's element
// offset + dot(i, strides). Reads the node's constant operands.
struct StridedView {
  int64_t offset = 0;
  std::vector<int64_t> strides;
};
StridedView sliceView(const Node &node);

// Per axis of a Pad node's input, how many elements it gains (negative:
// loses) at its start. Reads the node's constant operands.
std::vector<int64_t> padsBefore(const Node &node);
// The input index that feeds output position `o` of an axis of `dim`
// elements padded by `before` in Pad mode `mode`, or -1 for the constant
// fill. Reflect mirrors about the edge elements without repeating them, as
// often as needed (NumPy's "reflect"). Precondition: dim > 0 unless mode is
// "constant".
int64_t padSource(std::string_view mode, int64_t dim, int64_t before,
                  int64_t o);

// Multidirectional (NumPy) broadcast of two shapes; nullopt if they do not
// broadcast.
std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b);

} // namespace cnnc
