#include "tools/common/NpyFile.h"

#include "ir/Diagnostics.h"

#include <fstream>
#include <regex>

namespace cnnc {

namespace {

const char kMagic[] = "\x93NUMPY";

// NumPy's type string ("<f4", "|u1", ...) for a dtype.
std::string descrOf(DType t) {
  switch (t) {
  case DType::F32:
  case DType::BF16: // written as f32
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::I8:
    return "|i1";
  case DType::U8:
    return "|u1";
  case DType::I16:
    return "<i2";
  case DType::U16:
    return "<u2";
  case DType::I32:
    return "<i4";
  case DType::U32:
    return "<u4";
  case DType::I64:
    return "<i8";
  case DType::U64:
    return "<u8";
  case DType::Bool:
    return "|b1";
  }
  throw InternalError("descrOf: unknown dtype");
}

std::optional<DType> dtypeOfDescr(std::string descr) {
  // '=' is native order, which is little-endian on every host cnnc targets;
  // single-byte types may use any order character.
  if (descr.size() == 3 && descr[0] == '=')
    descr[0] = '<';
  if (descr.size() == 3 && descr[2] == '1')
    descr[0] = '|';
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::I8, DType::U8,
                  DType::I16, DType::U16, DType::I32, DType::U32, DType::I64,
                  DType::U64, DType::Bool})
    if (descrOf(t) == descr)
      return t;
  return std::nullopt;
}

} // namespace

Tensor readNpyFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    userError("cannot open file");
  char magic[6];
  uint8_t version[2];
  if (!in.read(magic, 6) || std::string(magic, 6) != std::string(kMagic, 6) ||
      !in.read(reinterpret_cast<char *>(version), 2))
    userError("not a .npy file (bad magic)");
  uint32_t headerLen = 0;
  if (version[0] == 1) {
    uint8_t len[2];
    if (!in.read(reinterpret_cast<char *>(len), 2))
      userError("truncated .npy header");
    headerLen = len[0] | uint32_t(len[1]) << 8;
  } else if (version[0] == 2 || version[0] == 3) {
    uint8_t len[4];
    if (!in.read(reinterpret_cast<char *>(len), 4))
      userError("truncated .npy header");
    headerLen = len[0] | uint32_t(len[1]) << 8 | uint32_t(len[2]) << 16 |
                uint32_t(len[3]) << 24;
  } else {
    userError(".npy format version {}.{} is not supported", version[0],
              version[1]);
  }
  if (headerLen > (1u << 20))
    userError(".npy header of {} bytes is implausibly large", headerLen);
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen))
    userError("truncated .npy header");

  // The header is a Python dict literal:
  //   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    userError(".npy header has no 'descr'");
  std::optional<DType> dtype = dtypeOfDescr(m[1]);
  if (!dtype)
    userError(".npy element type '{}' is not supported (little-endian "
              "numbers and bools are)",
              m[1].str());
  if (!std::regex_search(header, m,
                         std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    userError(".npy header has no 'fortran_order'");
  if (m[1] == "True")
    userError(".npy file is in Fortran order; save it in C order");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    userError(".npy header has no 'shape'");
  Shape shape;
  std::string dims = m[1];
  std::regex dimRe(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), dimRe);
       it != std::sregex_iterator(); ++it) {
    if (it->str().size() > 12)
      userError(".npy shape ({}) is too large", dims);
    shape.push_back(std::stoll(it->str()));
  }
  if (!checkedElementCount(shape))
    userError(".npy shape ({}) is too large (limit {} elements)", dims,
              kMaxElements);
  TensorType type{*dtype, shape, Layout::Plain};
  std::vector<uint8_t> bytes(type.byteSize());
  if (!in.read(reinterpret_cast<char *>(bytes.data()),
               std::streamsize(bytes.size())))
    userError(".npy data is shorter than its shape {} needs", type.str());
  return Tensor(type, std::move(bytes));
}

void writeNpyFile(const std::string &path, const Tensor &t) {
  const TensorType &type = t.type();
  // NumPy's spelling: "()", "(4,)", "(2, 3)".
  std::string shape = shapeToString(type.shape, ',');
  std::string shapeText;
  for (char c : shape)
    shapeText += c == ',' ? std::string(", ") : std::string(1, c);
  if (type.shape.size() == 1)
    shapeText += ",";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                  descrOf(type.dtype), shapeText);
  // Magic, version and length take 10 bytes; the header ends in '\n' and
  // pads the whole preamble to a multiple of 64 bytes, as NumPy does.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::vector<uint8_t> data = t.bytes();
  if (type.dtype == DType::BF16) {
    std::vector<uint8_t> widened(size_t(t.numElements()) * 4);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      float f = bfloat16ToFloat(loadElement<uint16_t>(data.data() + 2 * i));
      std::memcpy(widened.data() + 4 * i, &f, 4);
    }
    data = std::move(widened);
  }
  std::ofstream out(path, std::ios::binary);
  uint8_t preamble[10] = {0x93,
                          'N',
                          'U',
                          'M',
                          'P',
                          'Y',
                          1,
                          0,
                          uint8_t(header.size() & 0xff),
                          uint8_t(header.size() >> 8)};
  out.write(reinterpret_cast<const char *>(preamble), 10);
  out.write(header.data(), std::streamsize(header.size()));
  out.write(reinterpret_cast<const char *>(data.data()),
            std::streamsize(data.size()));
  if (!out)
    userError("cannot write file '{}'", path);
}

} // namespace cnnc
