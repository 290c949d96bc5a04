#include "compiler/onnx/Importer.h"

#include "compiler/onnx/ShapeFolding.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"

#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cfloat>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace cnnc {

namespace fs = std::filesystem;

namespace {

// 7-18 is the supported range; 6 is accepted too because the ONNX backend
// suite's PyTorch-converted models use it, and its ops differ from opset 7
// only in attributes the importer converts (legacy broadcast, is_test,
// consumed_inputs).
constexpr int64_t kMinOpset = 6, kMaxOpset = 18;

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------- reading

onnx::ModelProto readModel(const std::string &path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    userError("no such file");
  if (fs::is_directory(path, ec))
    userError("is a directory, not an ONNX model");
  onnx::ModelProto model;
  if (endsWith(path, ".onnxtxt") || endsWith(path, ".onnx.txt")) {
    std::ifstream in(path);
    if (!in)
      userError("cannot open file");
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    onnx::OnnxParser parser(text.c_str());
    onnx::Status status;
    try {
      status = parser.Parse(model);
    } catch (const std::exception &e) {
      // ONNX's parser throws on e.g. float literals out of range.
      userError("not valid ONNX text: {}", e.what());
    }
    if (!status.IsOK()) {
      std::string msg = status.ErrorMessage();
      for (char &c : msg)
        if (c == '\n')
          c = ' ';
      userError("not valid ONNX text: {}", msg);
    }
    return model;
  }
  uintmax_t size = fs::file_size(path, ec);
  if (ec)
    userError("cannot read file");
  if (size == 0)
    userError("empty file, not an ONNX model");
  if (size > uintmax_t(std::numeric_limits<int>::max()))
    userError("file larger than 2 GiB: store the weights as external data");
  // Parse straight from the file, mapped: no second copy of a 100 MB
  // model, and protobuf sizes each weight's string once from the bytes in
  // front of it (read through a stream, it grew VGG16's 400 MB initializer
  // chunk by chunk, 40% of compiling VGG16).
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0)
    userError("cannot open file");
  void *mapped = mmap(nullptr, size_t(size), PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED)
    userError("cannot read file");
  bool parsed;
  {
    google::protobuf::io::ArrayInputStream file(mapped, int(size));
    google::protobuf::io::CodedInputStream stream(&file);
    stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
    parsed = model.ParseFromCodedStream(&stream) &&
             stream.ConsumedEntireMessage();
  }
  munmap(mapped, size_t(size));
  if (!parsed)
    userError("not an ONNX model (protobuf parse failed: the file is "
              "truncated, corrupt or of another format)");
  if (!model.has_graph() || model.ir_version() <= 0)
    userError("not an ONNX model (no ir_version or no graph)");
  return model;
}

// ---------------------------------------------------------------- tensors

// "STRING (8)": the ONNX name of an element type, for messages.
std::string onnxTypeName(int type) {
  std::string name = onnx::TensorProto_DataType_IsValid(type)
                         ? onnx::TensorProto_DataType_Name(type)
                         : std::string("unknown");
  return fmt::format("{} ({})", name, type);
}

// "1,?,224,224": a declared shape, '?' for symbolic or unknown dims.
std::string declaredShape(const onnx::TypeProto_Tensor &tt) {
  std::string shape;
  for (int i = 0; i < tt.shape().dim_size(); ++i)
    shape += (i ? "," : "") + (tt.shape().dim(i).has_dim_value()
                                   ? std::to_string(tt.shape().dim(i).dim_value())
                                   : std::string("?"));
  return shape;
}

std::string tensorWhat(const std::string &kind, const std::string &name) {
  return fmt::format("{} '{}'", kind, name);
}

void requireTensorInput(const onnx::ValueInfoProto &in) {
  if (!in.type().has_tensor_type())
    userError("{} is not a tensor (sequence, map and optional values are not "
              "supported)",
              tensorWhat("input", in.name()));
}

Shape checkedDims(const google::protobuf::RepeatedField<int64_t> &dims,
                  const std::string &what) {
  Shape shape(dims.begin(), dims.end());
  if (!checkedElementCount(shape))
    userError("{} has a negative or absurd shape [{}] (limit {} elements)",
              what, shapeToString(shape), kMaxElements);
  return shape;
}

std::vector<uint8_t> readExternal(const onnx::TensorProto &t,
                                  const fs::path &baseDir, size_t expected,
                                  const std::string &what) {
  std::string location;
  std::optional<int64_t> offset, length;
  // Offsets and lengths are decimal integers, nothing else ("0abc" and "-5"
  // are corrupt, not 0 and "absent").
  auto number = [&](const std::string &key, const std::string &text) {
    int64_t v = 0;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (err != std::errc() || end != text.data() + text.size() || v < 0)
      userError("{} has a bad external_data {} '{}'", what, key, text);
    return v;
  };
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = number(kv.key(), kv.value());
    else if (kv.key() == "length")
      length = number(kv.key(), kv.value());
  }
  if (location.empty())
    userError("{} has external data without a location", what);
  // The data must live inside the model's folder: no absolute paths, no
  // ".." components, no symbolic links that lead out of it.
  fs::path rel(location);
  bool escapes = rel.is_absolute() || location.find('\0') != std::string::npos;
  for (const fs::path &part : rel.lexically_normal())
    escapes |= part == "..";
  fs::path file = baseDir / rel;
  std::error_code canonicalError;
  fs::path realFile = fs::weakly_canonical(file, canonicalError);
  fs::path realBase = fs::weakly_canonical(baseDir, canonicalError);
  if (!canonicalError) {
    auto [baseEnd, fileIt] = std::mismatch(realBase.begin(), realBase.end(),
                                           realFile.begin(), realFile.end());
    escapes |= baseEnd != realBase.end();
  }
  if (escapes)
    userError("{}: external data location '{}' must be a relative path inside "
              "the model's folder",
              what, location);
  std::error_code ec;
  auto fileSize = fs::file_size(file, ec);
  if (ec)
    userError("{}: cannot read external data file '{}'", what, file.string());
  int64_t start = offset.value_or(0), size = length.value_or(int64_t(expected));
  if (size_t(size) != expected || uint64_t(start) + uint64_t(size) > fileSize)
    userError("{}: external data (offset {}, length {}) does not hold the {} "
              "bytes the tensor needs in '{}' ({} bytes)",
              what, start, size, expected, file.string(), fileSize);
  std::vector<uint8_t> bytes(expected);
  std::ifstream in(file, std::ios::binary);
  in.seekg(start);
  in.read(reinterpret_cast<char *>(bytes.data()), std::streamsize(expected));
  if (!in)
    userError("{}: short read from '{}'", what, file.string());
  return bytes;
}

template <typename Field>
void checkCount(const Field &field, int64_t n, const std::string &what,
                const char *fieldName) {
  if (int64_t(field.size()) != n)
    userError("{} has {} values in {} but its shape holds {}", what,
              field.size(), fieldName, n);
}

template <typename T, typename Field>
std::vector<uint8_t> packField(const Field &field) {
  std::vector<uint8_t> bytes(size_t(field.size()) * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(bytes.data() + size_t(i) * sizeof(T), &v, sizeof(T));
  }
  return bytes;
}

TensorRef convertTensor(const onnx::TensorProto &t, const fs::path &baseDir,
                        const std::string &what) {
  std::optional<DType> dtype = dtypeFromOnnx(t.data_type());
  if (!dtype)
    userError("{} has unsupported element type {}", what,
              onnxTypeName(t.data_type()));
  Shape shape = checkedDims(t.dims(), what);
  TensorType type{*dtype, shape, Layout::Plain};
  int64_t n = type.numElements();
  size_t expected = type.byteSize();
  std::vector<uint8_t> bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    bytes = readExternal(t, baseDir, expected, what);
  } else if (t.has_raw_data()) {
    if (t.raw_data().size() != expected)
      userError("{} has {} bytes of raw_data but its type {} needs {}", what,
                t.raw_data().size(), type.str(), expected);
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (*dtype) {
    case DType::F32:
      checkCount(t.float_data(), n, what, "float_data");
      bytes = packField<float>(t.float_data());
      break;
    case DType::F64:
      checkCount(t.double_data(), n, what, "double_data");
      bytes = packField<double>(t.double_data());
      break;
    case DType::I64:
      checkCount(t.int64_data(), n, what, "int64_data");
      bytes = packField<int64_t>(t.int64_data());
      break;
    case DType::I32:
      checkCount(t.int32_data(), n, what, "int32_data");
      bytes = packField<int32_t>(t.int32_data());
      break;
    case DType::I16:
      checkCount(t.int32_data(), n, what, "int32_data");
      bytes = packField<int16_t>(t.int32_data());
      break;
    case DType::I8:
      checkCount(t.int32_data(), n, what, "int32_data");
      bytes = packField<int8_t>(t.int32_data());
      break;
    case DType::U8:
    case DType::Bool:
      checkCount(t.int32_data(), n, what, "int32_data");
      bytes = packField<uint8_t>(t.int32_data());
      break;
    case DType::U16:
    case DType::F16:
    case DType::BF16: // stored as their 16-bit patterns
      checkCount(t.int32_data(), n, what, "int32_data");
      bytes = packField<uint16_t>(t.int32_data());
      break;
    case DType::U32:
      checkCount(t.uint64_data(), n, what, "uint64_data");
      bytes = packField<uint32_t>(t.uint64_data());
      break;
    case DType::U64:
      checkCount(t.uint64_data(), n, what, "uint64_data");
      bytes = packField<uint64_t>(t.uint64_data());
      break;
    }
  }
  return std::make_shared<Tensor>(type, std::move(bytes));
}

// A 1-D tensor of `dtype` holding `values`.
template <typename T>
TensorRef vectorTensor(DType dtype, const std::vector<T> &values) {
  return std::make_shared<Tensor>(
      Tensor::fromValues(dtype, {int64_t(values.size())}, values));
}

// A scalar of `dtype` holding `v` (for Clip bounds, Pad values).
TensorRef scalarOf(DType dtype, double v) {
  return std::make_shared<Tensor>(scalarTensor(dtype, v));
}

// ---------------------------------------------------------------- importer

class Importer {
public:
  // The importer empties the model's initializers as it converts them.
  Importer(onnx::ModelProto &model, fs::path baseDir,
           const ImportOptions &options)
      : model_(model), baseDir_(std::move(baseDir)), options_(options) {}

  std::unique_ptr<Graph> run(const std::string &fallbackName);

private:
  const onnx::GraphProto &g() const { return model_.graph(); }
  void readOpset();
  void checkSupported();
  void importInputs();
  std::vector<int> topologicalOrder();
  void importNode(const onnx::NodeProto &node);
  void checkDeclaredType(const onnx::ValueInfoProto &declared,
                         const Value &computed);

  // Node construction helpers.
  Value *lookup(const std::string &name) {
    if (name.empty())
      return nullptr;
    return values_.at(name);
  }
  Value *constantInput(const std::string &base, TensorRef t) {
    return graph_->addConstant(graph_->uniqueName(base), std::move(t));
  }
  Value *intsInput(const std::string &base, const std::vector<int64_t> &v) {
    return constantInput(base, vectorTensor(DType::I64, v));
  }
  // Adds a node, checks it against the op table, infers its result types,
  // makes its window attributes explicit, and folds it when it is a shape
  // computation on known values. Returns its results (constants if folded).
  // Binds no ONNX names: callers bind() the ONNX outputs, so the names
  // invented for intermediate values never shadow the model's tensors.
  std::vector<Value *> emit(OpKind kind, const std::string &name,
                            std::vector<Value *> inputs,
                            const std::vector<std::string> &outputNames,
                            AttrMap attrs);
  // For a graph input with a value in options_.inputValues: a constant
  // holding it (one per input); otherwise `v` itself.
  Value *knownValue(Value *v);
  // Drops graph inputs that no node and no graph output reads.
  void dropUnreadInputs();
  void bind(const std::vector<std::string> &onnxNames,
            const std::vector<Value *> &values);
  // `v` reshaped to `shape` by a new node named after `name` (legacy
  // broadcasts line their operands up this way).
  Value *reshaped(const std::string &name, Value *v, const Shape &shape);
  // The node's attributes as IR attributes, but for those in `handled`
  // (already turned into operands or dropped).
  AttrMap convertAttributes(const onnx::NodeProto &node, OpKind kind,
                            const std::set<std::string> &handled);

  onnx::ModelProto &model_;
  fs::path baseDir_;
  const ImportOptions &options_;
  int64_t opset_ = 0;
  std::unique_ptr<Graph> graph_;
  std::unordered_map<std::string, Value *> values_;
  std::unordered_set<std::string> consumed_; // tensors some node or output reads
  std::unordered_set<std::string> graphOutputs_;
  std::unordered_map<Value *, Value *> knownValues_; // input -> its constant
};

std::string nodeName(const onnx::NodeProto &n) {
  if (!n.name().empty())
    return n.name();
  for (const std::string &out : n.output())
    if (!out.empty())
      return out;
  return n.op_type();
}

[[noreturn]] void nodeError(const onnx::NodeProto &n, std::string message) {
  throw UserError(Diagnostic{"", nodeName(n), n.op_type(), std::move(message)});
}

void Importer::readOpset() {
  bool found = false;
  for (const auto &op : model_.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") {
      opset_ = op.version();
      found = true;
    }
  }
  if (!found)
    userError("model imports no version of the default ONNX opset");
  if (opset_ > kMaxOpset)
    userError("opset {} is newer than cnnc supports ({} to {})", opset_,
              kMinOpset, kMaxOpset);
  if (opset_ >= kMinOpset)
    return;
  // Older opsets: fine for every op whose definition has not changed since
  // (GlobalAveragePool, Softplus, ... are as in opset 1); the others are
  // reported by name.
  std::vector<Diagnostic> changed;
  for (const auto &n : g().node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      continue;
    const auto *then = onnx::OpSchemaRegistry::Schema(n.op_type(), int(opset_));
    const auto *now = onnx::OpSchemaRegistry::Schema(n.op_type(), int(kMinOpset));
    if (!then || !now || then->since_version() != now->since_version())
      changed.push_back(Diagnostic{
          "", nodeName(n), n.op_type(),
          fmt::format("opset {} is older than cnnc supports ({} to {}) and "
                      "this op has changed since",
                      opset_, kMinOpset, kMaxOpset)});
  }
  if (!changed.empty())
    throw UserError(std::move(changed));
}

void Importer::checkSupported() {
  std::vector<Diagnostic> unsupported;
  std::vector<std::string> supported = supportedOnnxOps();
  for (const auto &n : g().node()) {
    bool known = (n.domain().empty() || n.domain() == "ai.onnx") &&
                 std::find(supported.begin(), supported.end(), n.op_type()) !=
                     supported.end();
    if (!known) {
      bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
      std::string message =
          defaultDomain ? "unsupported op"
                        : fmt::format("unsupported op of domain '{}'", n.domain());
      unsupported.push_back(Diagnostic{"", nodeName(n), n.op_type(), message});
    }
  }
  if (!unsupported.empty())
    throw UserError(std::move(unsupported));
}

void Importer::importInputs() {
  std::unordered_set<std::string> initNames;
  for (const auto &init : g().initializer())
    initNames.insert(init.name());
  std::set<std::string> overridden;
  for (const auto &[name, shape] : options_.inputShapes)
    overridden.insert(name);
  for (const auto &in : g().input()) {
    if (initNames.count(in.name()))
      continue; // an initializer: a constant, not a run-time input
    std::string what = tensorWhat("input", in.name());
    requireTensorInput(in);
    const auto &tt = in.type().tensor_type();
    std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
    if (!dtype)
      userError("{} has unsupported element type {}", what,
                onnxTypeName(tt.elem_type()));
    Shape shape;
    auto given = options_.inputShapes.find(in.name());
    auto value = options_.inputValues.find(in.name());
    if (value != options_.inputValues.end() &&
        value->second->type().dtype != *dtype)
      userError("{} is {}, but its value is {}", what, dtypeName(*dtype),
                value->second->type().str());
    if (given != options_.inputShapes.end()) {
      shape = given->second;
      overridden.erase(in.name());
      if (tt.has_shape() && tt.shape().dim_size() != int(shape.size()))
        userError("{} has rank {}, but --input-shape gives [{}]", what,
                  tt.shape().dim_size(), shapeToString(shape, 'x'));
    } else if (value != options_.inputValues.end()) {
      // The value fixes symbolic dimensions; fixed ones must agree.
      shape = value->second->type().shape;
      bool agrees = !tt.has_shape() || tt.shape().dim_size() == int(shape.size());
      for (int i = 0; agrees && tt.has_shape() && i < tt.shape().dim_size(); ++i)
        if (tt.shape().dim(i).has_dim_value() &&
            tt.shape().dim(i).dim_value() != shape[size_t(i)])
          agrees = false;
      if (!agrees)
        userError("{} is declared with shape [{}], but its value is {}", what,
                  declaredShape(tt), value->second->type().str());
    } else {
      if (!tt.has_shape())
        userError("{} has no shape: give it with --input-shape {}=...", what,
                  in.name());
      for (int i = 0; i < tt.shape().dim_size(); ++i) {
        const auto &dim = tt.shape().dim(i);
        if (dim.has_dim_value() && dim.dim_value() >= 0) {
          shape.push_back(dim.dim_value());
        } else if (dim.has_dim_value()) {
          userError("{} has negative dimension {}", what, dim.dim_value());
        } else if (i == 0) {
          shape.push_back(options_.batch); // symbolic batch
        } else {
          userError("{} has unknown dimension {} ('{}'): give the shape with "
                    "--input-shape {}=...",
                    what, i, dim.dim_param(), in.name());
        }
      }
    }
    if (!checkedElementCount(shape))
      userError("{} has a negative or absurd shape [{}] (limit {} elements)",
                what, shapeToString(shape), kMaxElements);
    if (values_.count(in.name()))
      userError("{} is declared twice", what);
    values_[in.name()] =
        graph_->addInput(in.name(), TensorType{*dtype, shape, Layout::Plain});
  }
  if (!overridden.empty())
    userError("--input-shape names '{}', which is not an input of the model",
              *overridden.begin());
  for (auto &init : *model_.mutable_graph()->mutable_initializer()) {
    if (values_.count(init.name()))
      userError("initializer '{}' is defined twice", init.name());
    values_[init.name()] = graph_->addConstant(
        init.name(),
        convertTensor(init, baseDir_, tensorWhat("initializer", init.name())));
    // Its bytes now live in the constant: free the protobuf's copy, so a
    // model's weights are held once, not twice.
    std::string().swap(*init.mutable_raw_data());
  }
}

std::vector<int> Importer::topologicalOrder() {
  // ONNX requires nodes in topological order, but not every exporter obeys;
  // Kahn's algorithm orders them, and finds undefined inputs and cycles.
  int count = g().node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < count; ++i)
    for (const std::string &out : g().node(i).output()) {
      if (out.empty())
        continue;
      if (values_.count(out) || !producer.emplace(out, i).second)
        nodeError(g().node(i), fmt::format("tensor '{}' is defined more than once", out));
    }
  std::vector<std::vector<int>> users(static_cast<size_t>(count));
  std::vector<int> pending(size_t(count), 0);
  std::vector<Diagnostic> undefined;
  for (int i = 0; i < count; ++i) {
    for (const std::string &in : g().node(i).input()) {
      if (in.empty() || values_.count(in))
        continue;
      auto p = producer.find(in);
      if (p == producer.end()) {
        const auto &n = g().node(i);
        undefined.push_back(Diagnostic{
            "", nodeName(n), n.op_type(),
            fmt::format("input '{}' is not defined by any node, initializer "
                        "or graph input",
                        in)});
        continue;
      }
      users[size_t(p->second)].push_back(i);
      ++pending[size_t(i)];
    }
  }
  if (!undefined.empty())
    throw UserError(std::move(undefined));
  // Always take the lowest-numbered ready node: a graph already in order
  // keeps the model's order, so printed IR follows the ONNX file.
  std::vector<int> order;
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < count; ++i)
    if (pending[size_t(i)] == 0)
      ready.push(i);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[size_t(i)])
      if (--pending[size_t(u)] == 0)
        ready.push(u);
  }
  if (int(order.size()) != count) {
    std::vector<Diagnostic> cycle;
    for (int i = 0; i < count; ++i)
      if (pending[size_t(i)] > 0)
        cycle.push_back(Diagnostic{"", nodeName(g().node(i)),
                                   g().node(i).op_type(),
                                   "is part of a cycle in the graph"});
    throw UserError(std::move(cycle));
  }
  return order;
}

// ---------------------------------------------------------------- attributes
// Typed reads of the ONNX attributes the importer interprets itself. An
// attribute of the wrong type is the model's error, never a silent 0.

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, const char *name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

const onnx::AttributeProto &expectAttrType(const onnx::NodeProto &n,
                                           const onnx::AttributeProto &a,
                                           onnx::AttributeProto::AttributeType type,
                                           const char *typeName) {
  if (a.type() != type)
    nodeError(n, fmt::format("attribute '{}' must be {}", a.name(), typeName));
  return a;
}

int64_t intAttr(const onnx::NodeProto &n, const onnx::AttributeProto &a) {
  return expectAttrType(n, a, onnx::AttributeProto::INT, "an int").i();
}

float floatAttr(const onnx::NodeProto &n, const onnx::AttributeProto &a) {
  return expectAttrType(n, a, onnx::AttributeProto::FLOAT, "a float").f();
}

const std::string &stringAttr(const onnx::NodeProto &n,
                              const onnx::AttributeProto &a) {
  return expectAttrType(n, a, onnx::AttributeProto::STRING, "a string").s();
}

std::vector<int64_t> intsAttr(const onnx::NodeProto &n,
                              const onnx::AttributeProto &a) {
  const auto &ints = expectAttrType(n, a, onnx::AttributeProto::INTS, "ints").ints();
  return std::vector<int64_t>(ints.begin(), ints.end());
}

std::vector<float> floatsAttr(const onnx::NodeProto &n,
                              const onnx::AttributeProto &a) {
  const auto &floats =
      expectAttrType(n, a, onnx::AttributeProto::FLOATS, "floats").floats();
  return std::vector<float>(floats.begin(), floats.end());
}

std::vector<Value *> Importer::emit(OpKind kind, const std::string &name,
                                    std::vector<Value *> inputs,
                                    const std::vector<std::string> &outputNames,
                                    AttrMap attrs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i] && isShapeOperand(kind, i))
      inputs[i] = knownValue(inputs[i]);
  Node *node = graph_->addNode(kind, name, std::move(inputs), outputNames,
                               std::move(attrs));
  // Counts, required operands and attribute kinds first: shape inference
  // and folding rely on them.
  std::vector<Diagnostic> problems = checkNodeStructure(*node);
  if (!problems.empty())
    throw UserError(std::move(problems));
  setInferredTypes(*node);
  makeWindowExplicit(*node);
  std::vector<Value *> results = node->outputs;
  if (auto folded = foldShapeComputation(*node))
    graph_->replaceNodeWithConstants(node, std::move(*folded));
  return results;
}

Value *Importer::knownValue(Value *v) {
  auto value = options_.inputValues.find(v->name);
  if (v->producer || v->isConstant() || value == options_.inputValues.end())
    return v;
  Value *&constant = knownValues_[v];
  if (!constant)
    constant = constantInput(v->name, value->second);
  return constant;
}

void Importer::dropUnreadInputs() {
  if (knownValues_.empty())
    return;
  std::unordered_set<const Value *> read(graph_->outputs.begin(),
                                         graph_->outputs.end());
  for (const auto &node : graph_->nodes)
    read.insert(node->inputs.begin(), node->inputs.end());
  auto &inputs = graph_->inputs;
  inputs.erase(std::remove_if(inputs.begin(), inputs.end(),
                              [&](Value *in) {
                                return knownValues_.count(in) && !read.count(in);
                              }),
               inputs.end());
}

void Importer::bind(const std::vector<std::string> &onnxNames,
                    const std::vector<Value *> &values) {
  for (size_t i = 0; i < onnxNames.size(); ++i)
    if (!onnxNames[i].empty())
      values_[onnxNames[i]] = values[i];
}

Value *Importer::reshaped(const std::string &name, Value *v, const Shape &shape) {
  return emit(OpKind::Reshape, name + "/align",
              {v, intsInput(name + "/aligned_shape", shape)}, {name + "/aligned"},
              {})[0];
}

AttrMap Importer::convertAttributes(const onnx::NodeProto &node, OpKind kind,
                                    const std::set<std::string> &handled) {
  AttrMap attrs;
  const OpInfo &info = opInfo(kind);
  for (const auto &a : node.attribute()) {
    if (handled.count(a.name()))
      continue;
    const AttrSpec *spec = info.findAttr(a.name());
    if (!spec)
      nodeError(node, fmt::format("unsupported attribute '{}'", a.name()));
    using AP = onnx::AttributeProto;
    std::optional<Attribute> value;
    switch (a.type()) {
    case AP::INT:
      value = Attribute(int64_t(a.i()));
      break;
    case AP::FLOAT:
      value = Attribute(double(a.f()));
      break;
    case AP::STRING:
      value = Attribute(a.s());
      break;
    case AP::INTS:
      value = Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
      break;
    case AP::FLOATS:
      value = Attribute(std::vector<double>(a.floats().begin(), a.floats().end()));
      break;
    case AP::STRINGS:
      value = Attribute(std::vector<std::string>(a.strings().begin(), a.strings().end()));
      break;
    case AP::TENSOR:
      value = Attribute(convertTensor(a.t(), baseDir_,
                                      fmt::format("attribute '{}'", a.name())));
      break;
    default:
      nodeError(node, fmt::format("attribute '{}' has unsupported type {}",
                                  a.name(), int(a.type())));
    }
    if (spec->kind == AttrKind::Float && value->kind() == AttrKind::Int)
      value = Attribute(double(value->getInt())); // an integral float, e.g. alpha=1
    if (value->kind() != spec->kind)
      nodeError(node, fmt::format("attribute '{}' must be {}, got {}", a.name(),
                                  attrKindName(spec->kind),
                                  attrKindName(value->kind())));
    attrs.insert_or_assign(a.name(), std::move(*value));
  }
  return attrs;
}

void Importer::importNode(const onnx::NodeProto &n) {
  std::string name = nodeName(n);
  const std::string &op = n.op_type();
  std::vector<Value *> inputs;
  for (const std::string &in : n.input())
    inputs.push_back(lookup(in));
  std::vector<std::string> outputs(n.output().begin(), n.output().end());
  auto withName = [&](const char *suffix) { return name + suffix; };

  if (op == "Constant") {
    TensorRef t;
    if (const auto *a = findAttr(n, "value"))
      t = convertTensor(expectAttrType(n, *a, onnx::AttributeProto::TENSOR, "a tensor").t(),
                        baseDir_, "Constant value");
    else if (const auto *a = findAttr(n, "value_float"))
      t = std::make_shared<Tensor>(scalarTensor(DType::F32, floatAttr(n, *a)));
    else if (const auto *a = findAttr(n, "value_floats"))
      t = vectorTensor(DType::F32, floatsAttr(n, *a));
    else if (const auto *a = findAttr(n, "value_int"))
      t = std::make_shared<Tensor>(
          Tensor::fromValues(DType::I64, {}, std::vector<int64_t>{intAttr(n, *a)}));
    else if (const auto *a = findAttr(n, "value_ints"))
      t = vectorTensor(DType::I64, intsAttr(n, *a));
    else
      nodeError(n, "only tensor, float(s) and int(s) constants are supported");
    if (outputs.size() != 1)
      nodeError(n, "must have one output");
    values_[outputs[0]] = graph_->addConstant(outputs[0], std::move(t));
    return;
  }

  if (inputs.empty() || !inputs[0])
    nodeError(n, "missing its first input");
  if (op == "Identity" && inputs[0]->isConstant() && outputs.size() == 1 &&
      !graphOutputs_.count(outputs[0])) {
    // Exporters alias deduplicated initializers through Identity nodes; the
    // output is the same constant, not a layer.
    values_[outputs[0]] = inputs[0];
    return;
  }
  OpKind kind = op == "Upsample" ? OpKind::Resize
                                 : *opKindFromName(op); // checkSupported() ran
  // Attributes read here (moved to operands, or dropped as meaningless in
  // inference) rather than copied by convertAttributes.
  std::set<std::string> handled{"consumed_inputs"}; // opset < 7 bookkeeping
  auto handle = [&](const char *attrName) {
    handled.insert(attrName);
    return findAttr(n, attrName);
  };
  auto movedInts = [&](const char *attrName) -> std::optional<std::vector<int64_t>> {
    if (const auto *a = handle(attrName))
      return intsAttr(n, *a);
    return std::nullopt;
  };
  // Optional results (MaxPool indices, Dropout mask, BatchNorm statistics)
  // that are unnamed or unused are dropped, so they exist only when something
  // reads them. (Split's results are never optional: each is a chunk.)
  bool optionalResults = kind == OpKind::MaxPool || kind == OpKind::Dropout ||
                         kind == OpKind::BatchNormalization;
  while (optionalResults && outputs.size() > 1 &&
         (outputs.back().empty() || !consumed_.count(outputs.back())))
    outputs.pop_back();

  switch (kind) {
  case OpKind::BatchNormalization: {
    handle("is_test");
    if (const auto *a = handle("spatial"); a && intAttr(n, *a) != 1)
      nodeError(n, "spatial=0 (per-activation statistics) is not supported");
    // training_mode=1 (opset 14+) normalizes with the batch's statistics
    // and may return the updated running ones; the interpreter runs it for
    // the conformance suite, and it stays in the IR for passes to refuse.
    // Before opset 14, extra results meant training with other semantics
    // (saved mean and variance).
    const auto *training = findAttr(n, "training_mode");
    if (outputs.size() > 1 && (!training || intAttr(n, *training) == 0))
      nodeError(n, "the training outputs (running or saved mean/variance) are "
                   "not supported without training_mode=1");
    break;
  }
  case OpKind::Dropout: {
    handle("is_test");
    handle("ratio"); // opset < 12; no effect in inference
    // Training mode drops elements at random, but with ratio 0 it is the
    // identity too. Both operands may be inputs with known values.
    auto knownScalar = [&](size_t i) -> std::optional<double> {
      if (i >= inputs.size() || !inputs[i])
        return std::nullopt;
      inputs[i] = knownValue(inputs[i]);
      const Tensor *t = inputs[i]->isConstant() ? inputs[i]->constant.get() : nullptr;
      if (!t || !t->hasData() || t->numElements() != 1)
        return std::nullopt;
      return t->floatAt(0);
    };
    if (inputs.size() > 2 && inputs[2]) {
      std::optional<double> training = knownScalar(2), ratio = knownScalar(1);
      if (!training || (*training != 0 && (!ratio || *ratio != 0)))
        nodeError(n, "training_mode must be a constant false (or ratio a "
                     "constant 0): cnnc compiles inference");
    }
    if (opset_ < 10 && outputs.size() > 1) {
      // Before opset 10 the mask has the data's type, not bool: the IR's
      // Dropout makes a bool mask and a Cast gives it the old type.
      std::vector<Value *> results =
          emit(kind, name, {inputs[0]}, {outputs[0], withName("/mask_bool")},
               convertAttributes(n, kind, handled));
      bind({outputs[0]}, results);
      bind({outputs[1]},
           emit(OpKind::Cast, withName("/mask_cast"), {results[1]},
                {outputs[1]},
                {{"to", Attribute(std::string(dtypeName(inputs[0]->type.dtype)))}}));
      return;
    }
    break;
  }
  case OpKind::Clip:
    if (opset_ < 11) {
      DType dt = inputs[0]->type.dtype;
      const auto *lo = handle("min"), *hi = handle("max");
      inputs.resize(1);
      inputs.push_back(constantInput(withName("/min"),
                                     scalarOf(dt, lo ? floatAttr(n, *lo) : -FLT_MAX)));
      inputs.push_back(constantInput(withName("/max"),
                                     scalarOf(dt, hi ? floatAttr(n, *hi) : FLT_MAX)));
    }
    break;
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::ReduceMean:
  case OpKind::ReduceMax:
  case OpKind::ReduceSum: {
    bool attrForm = kind == OpKind::ReduceMean || kind == OpKind::ReduceMax
                        ? opset_ < 18
                        : opset_ < 13;
    if (attrForm) {
      if (auto axes = movedInts("axes"))
        inputs.push_back(intsInput(withName("/axes"), *axes));
      else if (kind == OpKind::Unsqueeze)
        nodeError(n, "missing attribute 'axes'");
    }
    break;
  }
  case OpKind::Split:
    if (opset_ < 13)
      if (auto split = movedInts("split"))
        inputs.push_back(intsInput(withName("/split"), *split));
    break;
  case OpKind::Slice:
    if (opset_ < 10) {
      auto starts = movedInts("starts"), ends = movedInts("ends");
      auto axes = movedInts("axes");
      if (!starts || !ends)
        nodeError(n, "missing attribute 'starts' or 'ends'");
      inputs.push_back(intsInput(withName("/starts"), *starts));
      inputs.push_back(intsInput(withName("/ends"), *ends));
      if (axes)
        inputs.push_back(intsInput(withName("/axes"), *axes));
    }
    break;
  case OpKind::Pad:
    if (opset_ < 11) {
      auto pads = movedInts("pads");
      if (!pads)
        pads = movedInts("paddings");
      if (!pads)
        nodeError(n, "missing attribute 'pads'");
      inputs.push_back(intsInput(withName("/pads"), *pads));
      if (const auto *v = handle("value"))
        inputs.push_back(constantInput(
            withName("/value"), scalarOf(inputs[0]->type.dtype, floatAttr(n, *v))));
    }
    break;
  case OpKind::Cast: {
    const auto *to = handle("to");
    if (!to)
      nodeError(n, "missing attribute 'to'");
    int64_t code = intAttr(n, *to);
    std::optional<DType> dtype = code >= 0 && code <= std::numeric_limits<int>::max()
                                     ? dtypeFromOnnx(int(code))
                                     : std::nullopt;
    if (!dtype)
      nodeError(n, fmt::format("unsupported 'to' type {}",
                               code >= 0 && code <= std::numeric_limits<int>::max()
                                   ? onnxTypeName(int(code))
                                   : std::to_string(code)));
    AttrMap attrs = convertAttributes(n, kind, handled);
    attrs.insert_or_assign("to", Attribute(std::string(dtypeName(*dtype))));
    bind(outputs, emit(kind, name, inputs, outputs, std::move(attrs)));
    return;
  }
  case OpKind::Resize: {
    if (op != "Upsample" && opset_ >= 11) {
      // roi does not change the shape, but code generation computes the
      // sampling positions from it at compile time: a known input value
      // becomes a constant like the shape operands.
      if (inputs.size() > 1 && inputs[1])
        inputs[1] = knownValue(inputs[1]);
      break;
    }
    // Upsample and Resize-10 index the input as out / scale ("asymmetric").
    // Nearest rounds down when upsampling and up when downsampling, as in
    // ONNX Runtime (its "simple" nearest mode).
    std::vector<Value *> operands{inputs[0], nullptr};
    if (const auto *scales = handle("scales")) {
      operands.push_back(
          constantInput(withName("/scales"), vectorTensor(DType::F32, floatsAttr(n, *scales))));
    } else {
      Value *given = inputs.size() >= 2 && inputs[1] ? knownValue(inputs[1]) : nullptr;
      if (!given || !given->isConstant())
        nodeError(n, "scales (input 1) must be a constant: cnnc compiles "
                     "static shapes");
      operands.push_back(given);
    }
    std::string mode = "nearest";
    if (const auto *m = handle("mode"))
      mode = stringAttr(n, *m);
    AttrMap attrs = convertAttributes(n, kind, handled);
    attrs.insert_or_assign("mode", Attribute(mode == "bilinear" ? std::string("linear") : mode));
    attrs.insert_or_assign("coordinate_transformation_mode", Attribute("asymmetric"));
    if (mode == "nearest") {
      const Tensor &scales = *operands.back()->constant;
      bool down = false, up = false;
      for (int64_t i = 0; i < scales.numElements(); ++i) {
        down |= scales.floatAt(i) < 1;
        up |= scales.floatAt(i) > 1;
      }
      if (down && up)
        nodeError(n, "nearest resizing that enlarges some axes and shrinks "
                     "others is not supported before opset 11");
      attrs.insert_or_assign("nearest_mode", Attribute(down ? "ceil" : "floor"));
    }
    bind(outputs, emit(kind, name, operands, outputs, std::move(attrs)));
    return;
  }
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    if (opset_ < 13) {
      // Before opset 13 the input was coerced to 2-D at `axis` (default 1)
      // and normalized over the flattened trailing dims. Where `axis` is the
      // last dim that is today's semantics; otherwise flatten, normalize the
      // last axis and restore the shape.
      int64_t rank = inputs[0]->type.rank();
      const auto *a = handle("axis");
      int64_t axis = a ? intAttr(n, *a) : 1;
      if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
        nodeError(n, fmt::format("axis {} out of range for rank {}", axis, rank));
      if (axis < 0)
        axis += rank;
      AttrMap attrs = convertAttributes(n, kind, handled);
      attrs.insert_or_assign("axis", Attribute(int64_t(-1)));
      if (axis == rank - 1 || rank == 0) {
        bind(outputs, emit(kind, name, inputs, outputs, std::move(attrs)));
        return;
      }
      Value *flat = emit(OpKind::Flatten, withName("/flatten"), {inputs[0]},
                         {withName("/flattened")}, {{"axis", Attribute(axis)}})[0];
      Value *normalized =
          emit(kind, name, {flat}, {withName("/normalized")}, std::move(attrs))[0];
      bind(outputs, emit(OpKind::Reshape, withName("/reshape"),
                         {normalized, intsInput(withName("/shape"), inputs[0]->type.shape)},
                         outputs, {}));
      return;
    }
    break;
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
    if (opset_ < 7 && handle("broadcast")) {
      // Legacy broadcasting: B's dims line up with A's starting at `axis`
      // (default: B aligned to A's trailing dims, as NumPy does). Trailing
      // 1s turn the explicit alignment into NumPy broadcasting.
      if (const auto *a = handle("axis")) {
        if (inputs.size() < 2 || !inputs[1])
          nodeError(n, "missing second input");
        int64_t rankA = inputs[0]->type.rank(), rankB = inputs[1]->type.rank();
        int64_t given = intAttr(n, *a);
        int64_t axis = given < 0 ? given + rankA : given;
        if (axis < 0 || axis + rankB > rankA)
          nodeError(n, fmt::format("broadcast axis {} does not fit ranks {} and {}",
                                   given, rankA, rankB));
        if (axis + rankB < rankA) {
          Shape aligned = inputs[1]->type.shape;
          aligned.resize(size_t(rankA - axis), 1);
          inputs[1] = reshaped(name, inputs[1], aligned);
        }
      }
    }
    break;
  case OpKind::Gemm:
    // Gemm-6's broadcast=1 is what Gemm-7 always does; broadcast=0 demands
    // a C of exactly [M, N], which broadcasting accepts too.
    if (opset_ < 7)
      handle("broadcast");
    break;
  case OpKind::PRelu:
    // PRelu-6 applies a 1-D slope of size C per channel (axis 1); from
    // opset 7 the slope broadcasts NumPy-style from the last axis. Reshape
    // it to [C, 1, ...] so both read the same.
    if (opset_ < 7 && inputs.size() > 1 && inputs[1] &&
        inputs[1]->type.rank() == 1 && inputs[0]->type.rank() >= 3 &&
        inputs[1]->type.shape[0] != 1 &&
        inputs[1]->type.shape[0] == inputs[0]->type.shape[1]) {
      Shape aligned(size_t(inputs[0]->type.rank() - 1), 1);
      aligned[0] = inputs[1]->type.shape[0];
      inputs[1] = reshaped(name, inputs[1], aligned);
    }
    break;
  case OpKind::LpPool:
  case OpKind::Conv:
  case OpKind::ConvTranspose:
  case OpKind::MaxPool:
  case OpKind::AveragePool:
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool:
  case OpKind::InstanceNormalization:
  case OpKind::LRN:
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Tanh:
  case OpKind::Elu:
  case OpKind::Selu:
  case OpKind::Softplus:
  case OpKind::MatMul:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
  case OpKind::Mean:
  case OpKind::Sqrt:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Abs:
  case OpKind::Neg:
  case OpKind::Reciprocal:
  case OpKind::Erf:
  case OpKind::Flatten:
  case OpKind::Reshape:
  case OpKind::Transpose:
  case OpKind::Concat:
  case OpKind::Gather:
  case OpKind::Shape:
  case OpKind::ConstantOfShape:
  case OpKind::Expand:
  case OpKind::Identity:
    break;
  case OpKind::FusedConv:
  case OpKind::Gemm1x1:
  case OpKind::ExpandDepthwise:
  case OpKind::Reorder:
    // Created by passes; supportedOnnxOps() leaves them out, so
    // checkSupported() refused them before any node got here.
    throw InternalError("importer: '" + op + "' is not an ONNX op");
  }
  // Trailing absent operands ("") carry nothing.
  while (!inputs.empty() && !inputs.back())
    inputs.pop_back();
  bind(outputs, emit(kind, name, std::move(inputs), outputs,
                     convertAttributes(n, kind, handled)));
}

void Importer::checkDeclaredType(const onnx::ValueInfoProto &declared,
                                 const Value &computed) {
  // A declared type that disagrees with what the graph computes means the
  // model is inconsistent or cnnc misread it; either way, say so. Shapes
  // are compared only where the model's own input shapes are in force.
  if (!declared.type().has_tensor_type())
    return;
  const auto &tt = declared.type().tensor_type();
  std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
  bool mismatch = tt.elem_type() != 0 && dtype != computed.type.dtype;
  std::string shape;
  if (tt.has_shape()) {
    const auto &dims = tt.shape().dim();
    bool compare = options_.inputShapes.empty();
    if (compare && computed.type.rank() != dims.size())
      mismatch = true;
    for (int i = 0; i < dims.size(); ++i)
      if (compare && !mismatch && dims[i].has_dim_value() &&
          computed.type.shape[size_t(i)] != dims[i].dim_value())
        mismatch = true;
    shape = declaredShape(tt);
  }
  if (!mismatch)
    return;
  std::string message = fmt::format(
      "output '{}' is declared {}[{}] but the graph computes {}",
      declared.name(), dtype ? dtypeName(*dtype) : "?", shape, computed.type.str());
  if (computed.producer)
    throw UserError(computed.producer->diagnostic(message));
  throwUserError(message);
}

std::unique_ptr<Graph> Importer::run(const std::string &fallbackName) {
  checkSupported(); // unsupported ops first: the most useful list
  readOpset();
  graph_ = std::make_unique<Graph>();
  graph_->name = g().name().empty() ? fallbackName : g().name();
  importInputs();
  for (const auto &n : g().node())
    consumed_.insert(n.input().begin(), n.input().end());
  for (const auto &out : g().output()) {
    consumed_.insert(out.name());
    graphOutputs_.insert(out.name());
  }
  std::vector<int> order = topologicalOrder();
  for (int i : order) {
    const onnx::NodeProto &n = g().node(i);
    importNode(n); // anything but a UserError is a compiler bug
  }
  for (const auto &out : g().output()) {
    auto it = values_.find(out.name());
    if (it == values_.end())
      userError("graph output '{}' is not defined", out.name());
    checkDeclaredType(out, *it->second);
    graph_->outputs.push_back(it->second);
  }
  dropUnreadInputs();
  graph_->removeUnusedConstants();
  verifyGraph(*graph_);
  return std::move(graph_);
}

} // namespace

std::vector<std::string> supportedOnnxOps() {
  std::vector<std::string> ops;
  for (const OpInfo &info : allOps())
    if (info.category != "cnnc") // created by passes, not ONNX ops
      ops.emplace_back(info.name);
  ops.push_back("Constant");
  ops.push_back("Upsample");
  std::sort(ops.begin(), ops.end());
  return ops;
}

std::unique_ptr<Graph> importOnnxFile(const std::string &path,
                                      const ImportOptions &options) {
  onnx::ModelProto model = readModel(path);
  fs::path p(path);
  std::string stem = p.filename().string();
  stem = stem.substr(0, stem.find('.'));
  Importer importer(model, p.parent_path().empty() ? fs::path(".") : p.parent_path(),
                    options);
  return importer.run(stem.empty() ? "main" : stem);
}

} // namespace cnnc

namespace cnnc {

std::vector<std::string> modelInputNames(const std::string &path) {
  onnx::ModelProto model = readModel(path);
  std::unordered_set<std::string> initializers;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  std::vector<std::string> names;
  for (const auto &in : model.graph().input()) {
    if (initializers.count(in.name()))
      continue;
    requireTensorInput(in);
    names.push_back(in.name());
  }
  return names;
}

NamedTensor readTensorProtoFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    userError("cannot open file");
  onnx::TensorProto proto;
  if (!proto.ParseFromIstream(&in))
    userError("not an ONNX TensorProto (protobuf parse failed)");
  fs::path p(path);
  TensorRef t = convertTensor(proto, p.parent_path().empty() ? fs::path(".")
                                                             : p.parent_path(),
                              tensorWhat("tensor", proto.name()));
  return NamedTensor{proto.name(), *t};
}

} // namespace cnnc
