// Textual IR parser: a hand-written lexer and recursive-descent parser for the
// format specified in Printer.h.
//
// The input may be hostile (tests, fuzzers, hand edits), so every error is a
// UserError with a LINE:COL location, numbers are range-checked before use,
// and no tensor is allocated before its type passed checkedElementCount.
#include "ir/Parser.h"

#include "ir/Printer.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace cnnc {

namespace {

enum class Tok {
  Eof,
  Ident,     // graph, const, Conv, f32, inf, ...
  ValueName, // %x or %"x"; text is the decoded name
  GraphName, // @g or @"g"
  Number,    // 12, -1.5e3, -inf, -nan (plain inf and nan are Idents)
  String,    // "..."; text is the decoded string
  Hex,       // 0x0a1b; text is the digits without "0x"
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Less,
  Greater,
  Comma,
  Colon,
  Equal,
  Arrow,
};

struct Loc {
  int line = 1;
  int col = 1;
  std::string str() const { return fmt::format("{}:{}", line, col); }
};

[[noreturn]] void fail(Loc loc, std::string message) {
  throw UserError(Diagnostic{loc.str(), "", "", std::move(message)});
}

struct Token {
  Tok kind = Tok::Eof;
  // Views into the source for most tokens; decoded copies for strings and
  // quoted names (escapes change the bytes).
  std::string_view text;
  std::string decoded;
  Loc loc;
  bool isFloat = false; // Number with '.', exponent, inf or nan

  std::string_view value() const {
    return kind == Tok::String || kind == Tok::ValueName ||
                   kind == Tok::GraphName
               ? std::string_view(decoded)
               : text;
  }
  bool isIdent(std::string_view s) const {
    return kind == Tok::Ident && text == s;
  }
};

// Longest number token accepted; far more than any double needs, and keeps a
// pathological input from reaching the conversion routines.
constexpr size_t kMaxNumberLength = 128;

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

class Lexer {
public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Token next() {
    skipSpaceAndComments();
    Token t;
    t.loc = loc_;
    if (pos_ >= src_.size()) {
      t.kind = Tok::Eof;
      return t;
    }
    size_t start = pos_;
    char c = src_[pos_];
    auto single = [&](Tok k) {
      advance(1);
      t.kind = k;
      t.text = src_.substr(start, 1);
      return t;
    };
    switch (c) {
    case '(':
      return single(Tok::LParen);
    case ')':
      return single(Tok::RParen);
    case '[':
      return single(Tok::LBracket);
    case ']':
      return single(Tok::RBracket);
    case '{':
      return single(Tok::LBrace);
    case '}':
      return single(Tok::RBrace);
    case '<':
      return single(Tok::Less);
    case '>':
      return single(Tok::Greater);
    case ',':
      return single(Tok::Comma);
    case ':':
      return single(Tok::Colon);
    case '=':
      return single(Tok::Equal);
    case '"':
      t.kind = Tok::String;
      t.decoded = lexString();
      return t;
    case '%':
    case '@':
      advance(1);
      t.kind = c == '%' ? Tok::ValueName : Tok::GraphName;
      if (peekChar() == '"') {
        t.decoded = lexString();
      } else {
        size_t nameStart = pos_;
        while (pos_ < src_.size() && isPlainNameChar(src_[pos_]))
          advance(1);
        if (pos_ == nameStart)
          fail(t.loc, fmt::format("expected a name after '{}'", c));
        t.decoded = std::string(src_.substr(nameStart, pos_ - nameStart));
      }
      return t;
    default:
      break;
    }
    if (c == '-' && peekChar(1) == '>') {
      advance(2);
      t.kind = Tok::Arrow;
      t.text = src_.substr(start, 2);
      return t;
    }
    if (c == '0' && (peekChar(1) == 'x' || peekChar(1) == 'X')) {
      advance(2);
      size_t digits = pos_;
      while (pos_ < src_.size() && hexValue(src_[pos_]) >= 0)
        advance(1);
      if (pos_ < src_.size() && isPlainNameChar(src_[pos_]))
        fail(loc_, "invalid hex digit");
      t.kind = Tok::Hex;
      t.text = src_.substr(digits, pos_ - digits);
      return t;
    }
    if (isDigit(c) || (c == '-' && isDigit(peekChar(1))))
      return lexNumber(t);
    if (c == '-' && isIdentStart(peekChar(1))) {
      // Only "-inf" and "-nan" are negative non-digit numbers.
      advance(1);
      while (pos_ < src_.size() && isPlainNameChar(src_[pos_]))
        advance(1);
      t.text = src_.substr(start, pos_ - start);
      if (t.text != "-inf" && t.text != "-nan")
        fail(t.loc, fmt::format("invalid number '{}'", t.text));
      t.kind = Tok::Number;
      t.isFloat = true;
      return t;
    }
    if (isIdentStart(c)) {
      while (pos_ < src_.size() && isPlainNameChar(src_[pos_]))
        advance(1);
      t.kind = Tok::Ident;
      t.text = src_.substr(start, pos_ - start);
      return t;
    }
    if (c >= 0x20 && c < 0x7f)
      fail(t.loc, fmt::format("unexpected character '{}'", c));
    fail(t.loc, fmt::format("unexpected character 0x{:02x}", uint8_t(c)));
  }

private:
  char peekChar(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  void advance(size_t n) {
    for (size_t i = 0; i < n && pos_ < src_.size(); ++i, ++pos_) {
      if (src_[pos_] == '\n') {
        ++loc_.line;
        loc_.col = 1;
      } else {
        ++loc_.col;
      }
    }
  }

  void skipSpaceAndComments() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
          c == '\v') {
        advance(1);
      } else if (c == '/' && peekChar(1) == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n')
          advance(1);
      } else {
        break;
      }
    }
  }

  // At the opening quote; returns the decoded contents.
  std::string lexString() {
    Loc open = loc_;
    advance(1);
    std::string out;
    while (true) {
      if (pos_ >= src_.size() || src_[pos_] == '\n')
        fail(open, "unterminated string");
      char c = src_[pos_];
      if (c == '"') {
        advance(1);
        return out;
      }
      if (c != '\\') {
        out += c;
        advance(1);
        continue;
      }
      Loc escLoc = loc_;
      char e = peekChar(1);
      advance(2);
      switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'x': {
        int hi = hexValue(peekChar()), lo = hexValue(peekChar(1));
        if (hi < 0 || lo < 0)
          fail(escLoc, "expected two hex digits after '\\x'");
        out += char(hi * 16 + lo);
        advance(2);
        break;
      }
      default:
        if (e == '\n' || e == '\0')
          fail(open, "unterminated string");
        fail(escLoc, "unknown escape sequence in string");
      }
    }
  }

  Token lexNumber(Token &t) {
    size_t start = pos_;
    if (src_[pos_] == '-')
      advance(1);
    while (isDigit(peekChar()))
      advance(1);
    if (peekChar() == '.') {
      t.isFloat = true;
      advance(1);
      while (isDigit(peekChar()))
        advance(1);
    }
    if (peekChar() == 'e' || peekChar() == 'E') {
      t.isFloat = true;
      advance(1);
      if (peekChar() == '+' || peekChar() == '-')
        advance(1);
      if (!isDigit(peekChar()))
        fail(t.loc, "invalid number");
      while (isDigit(peekChar()))
        advance(1);
    }
    if (isPlainNameChar(peekChar()))
      fail(t.loc, "invalid number");
    t.kind = Tok::Number;
    t.text = src_.substr(start, pos_ - start);
    if (t.text.size() > kMaxNumberLength)
      fail(t.loc, "number too long");
    return t;
  }

  std::string_view src_;
  size_t pos_ = 0;
  Loc loc_;
};

std::string_view tokName(Tok k) {
  switch (k) {
  case Tok::Eof:
    return "end of input";
  case Tok::Ident:
    return "identifier";
  case Tok::ValueName:
    return "value name";
  case Tok::GraphName:
    return "graph name";
  case Tok::Number:
    return "number";
  case Tok::String:
    return "string";
  case Tok::Hex:
    return "hex data";
  case Tok::LParen:
    return "'('";
  case Tok::RParen:
    return "')'";
  case Tok::LBracket:
    return "'['";
  case Tok::RBracket:
    return "']'";
  case Tok::LBrace:
    return "'{'";
  case Tok::RBrace:
    return "'}'";
  case Tok::Less:
    return "'<'";
  case Tok::Greater:
    return "'>'";
  case Tok::Comma:
    return "','";
  case Tok::Colon:
    return "':'";
  case Tok::Equal:
    return "'='";
  case Tok::Arrow:
    return "'->'";
  }
  return "?";
}

// An integer literal as sign and magnitude, so that both INT64_MIN and
// UINT64_MAX are representable.
struct IntLiteral {
  bool negative = false;
  uint64_t magnitude = 0;
};

// A constant waiting for the blobs section, which comes after the graph.
struct PendingBlob {
  Value *value;
  int64_t index;
  Loc loc; // of the blob(N) reference
};

struct BlobData {
  std::string_view hex;
  Loc loc;
};

class Parser {
public:
  explicit Parser(std::string_view text) : lexer_(text) {
    tok_ = lexer_.next();
  }

  std::unique_ptr<Graph> parse() {
    graph_ = std::make_unique<Graph>();
    parseHeader();
    if (tok_.isIdent("workspace"))
      parseWorkspace();
    while (!tok_.isIdent("return")) {
      if (tok_.isIdent("workspace"))
        fail(tok_.loc, "'workspace' must be the first line of the graph body");
      if (tok_.kind != Tok::ValueName)
        fail(tok_.loc, "expected a value definition or 'return'");
      parseDefinition();
    }
    parseReturn();
    expect(Tok::RBrace);
    bool haveBlobs = false;
    if (tok_.isIdent("blobs")) {
      parseBlobs();
      haveBlobs = true;
    }
    if (tok_.kind != Tok::Eof)
      fail(tok_.loc, "expected end of input");
    resolveBlobs(haveBlobs);
    return std::move(graph_);
  }

private:
  // --- token helpers -------------------------------------------------------

  Token take() {
    Token t = std::move(tok_);
    tok_ = lexer_.next();
    return t;
  }

  Token expect(Tok k) {
    if (tok_.kind != k)
      fail(tok_.loc, fmt::format("expected {}", tokName(k)));
    return take();
  }

  void expectKeyword(std::string_view word) {
    if (!tok_.isIdent(word))
      fail(tok_.loc, fmt::format("expected '{}'", word));
    take();
  }

  bool consume(Tok k) {
    if (tok_.kind != k)
      return false;
    take();
    return true;
  }

  bool atNumber() const {
    return tok_.kind == Tok::Number || tok_.isIdent("inf") ||
           tok_.isIdent("nan");
  }

  Token expectNumber() {
    if (!atNumber())
      fail(tok_.loc, "expected a number");
    Token t = take();
    if (t.kind == Tok::Ident)
      t.isFloat = true;
    return t;
  }

  // --- numbers ---------------------------------------------------------------

  static IntLiteral intLiteral(const Token &t) {
    if (t.isFloat)
      fail(t.loc, "expected an integer");
    IntLiteral lit;
    std::string_view s = t.text;
    if (!s.empty() && s[0] == '-') {
      lit.negative = true;
      s.remove_prefix(1);
    }
    for (char c : s) {
      uint64_t d = uint64_t(c - '0');
      if (lit.magnitude > (std::numeric_limits<uint64_t>::max() - d) / 10)
        fail(t.loc, "integer out of range");
      lit.magnitude = lit.magnitude * 10 + d;
    }
    return lit;
  }

  // The literal as an int64 within [lo, hi], else an "out of range" error.
  static int64_t intInRange(const Token &t, int64_t lo, int64_t hi) {
    IntLiteral lit = intLiteral(t);
    constexpr uint64_t kMinMagnitude = uint64_t(1) << 63;
    int64_t v;
    if (lit.negative) {
      if (lit.magnitude > kMinMagnitude)
        fail(t.loc, "integer out of range");
      v = lit.magnitude == kMinMagnitude ? std::numeric_limits<int64_t>::min()
                                         : -int64_t(lit.magnitude);
    } else {
      if (lit.magnitude >= kMinMagnitude)
        fail(t.loc, "integer out of range");
      v = int64_t(lit.magnitude);
    }
    if (v < lo || v > hi)
      fail(t.loc, "integer out of range");
    return v;
  }

  static int64_t int64Of(const Token &t) {
    return intInRange(t, std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max());
  }

  // from_chars is locale-independent and exact, and parses inf/nan; it
  // reports both overflow and underflow to zero as out of range.
  template <typename F> static F floatOf(const Token &t) {
    std::string_view s = t.text;
    F v{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range)
      fail(t.loc, "number out of range");
    if (ec != std::errc() || ptr != s.data() + s.size())
      fail(t.loc, "invalid number");
    return v;
  }

  // --- types -----------------------------------------------------------------

  TensorType parseType() {
    Loc loc = tok_.loc;
    if (tok_.kind != Tok::Ident)
      fail(loc, "expected a type");
    std::optional<DType> dt = dtypeFromName(tok_.text);
    if (!dt)
      fail(loc, fmt::format("unknown type '{}'", tok_.text));
    take();
    TensorType type;
    type.dtype = *dt;
    expect(Tok::LBracket);
    if (tok_.kind != Tok::RBracket) {
      do {
        type.shape.push_back(int64Of(expectNumber()));
      } while (consume(Tok::Comma));
    }
    expect(Tok::RBracket);
    if (tok_.kind == Tok::Less) {
      take();
      if (tok_.kind != Tok::Ident)
        fail(tok_.loc, "expected a layout");
      std::optional<Layout> layout = layoutFromName(tok_.text);
      if (!layout)
        fail(tok_.loc, fmt::format("unknown layout '{}'", tok_.text));
      take();
      type.layout = *layout;
      expect(Tok::Greater);
    }
    // Everything downstream (numElements, byteSize) assumes a sane shape.
    if (!checkedElementCount(type.shape))
      fail(loc, "tensor too large or negative dimension");
    return type;
  }

  // --- tensor data -----------------------------------------------------------

  template <typename T> static void append(std::vector<uint8_t> &bytes, T v) {
    uint8_t buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    bytes.insert(bytes.end(), buf, buf + sizeof(T));
  }

  template <typename T>
  static void appendInt(std::vector<uint8_t> &bytes, const Token &t) {
    append<T>(bytes, T(intInRange(t, std::numeric_limits<T>::min(),
                                  std::numeric_limits<T>::max())));
  }

  static void appendElement(std::vector<uint8_t> &bytes, DType dt,
                            const Token &t) {
    switch (dt) {
    case DType::F32:
      return append<float>(bytes, floatOf<float>(t));
    case DType::F64:
      return append<double>(bytes, floatOf<double>(t));
    case DType::Bool:
      return append<uint8_t>(bytes, uint8_t(intInRange(t, 0, 1)));
    case DType::U8:
      return appendInt<uint8_t>(bytes, t);
    case DType::I8:
      return appendInt<int8_t>(bytes, t);
    case DType::U16:
      return appendInt<uint16_t>(bytes, t);
    case DType::I16:
      return appendInt<int16_t>(bytes, t);
    case DType::I32:
      return appendInt<int32_t>(bytes, t);
    case DType::U32:
      return appendInt<uint32_t>(bytes, t);
    case DType::I64:
      return appendInt<int64_t>(bytes, t);
    case DType::U64: {
      IntLiteral lit = intLiteral(t);
      if (lit.negative && lit.magnitude != 0)
        fail(t.loc, "integer out of range");
      return append<uint64_t>(bytes, lit.magnitude);
    }
    case DType::F16:
    case DType::BF16:
      // Printed as blob(N) (constants) or hex (attributes); see Printer.cpp.
      fail(t.loc, fmt::format("{} values cannot be written as numbers",
                              dtypeName(dt)));
    }
  }

  // "[v, ...]" for `type`; the count must match the shape.
  TensorRef parseElements(const TensorType &type) {
    Loc open = expect(Tok::LBracket).loc;
    std::vector<uint8_t> bytes;
    int64_t count = 0;
    if (tok_.kind != Tok::RBracket) {
      do {
        Token t = expectNumber();
        ++count;
        // Stop early rather than buffer an arbitrarily long wrong list.
        if (count > type.numElements())
          fail(t.loc, fmt::format("too many values for {}", type.str()));
        appendElement(bytes, type.dtype, t);
      } while (consume(Tok::Comma));
    }
    expect(Tok::RBracket);
    if (count != type.numElements())
      fail(open, fmt::format("expected {} values for {}, got {}",
                             type.numElements(), type.str(), count));
    return std::make_shared<Tensor>(type, std::move(bytes));
  }

  static std::vector<uint8_t> decodeHex(const BlobData &blob,
                                        const TensorType &type) {
    if (blob.hex.size() % 2)
      fail(blob.loc, "odd number of hex digits");
    if (blob.hex.size() / 2 != type.byteSize())
      fail(blob.loc,
           fmt::format("{} bytes of data, but {} needs {}", blob.hex.size() / 2,
                       type.str(), type.byteSize()));
    std::vector<uint8_t> bytes(blob.hex.size() / 2);
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = uint8_t(hexValue(blob.hex[2 * i]) * 16 +
                         hexValue(blob.hex[2 * i + 1]));
    return bytes;
  }

  // --- attributes ------------------------------------------------------------

  // One attribute value. `want` is the schema's kind, if the op declares the
  // attribute; literals are coerced to it where the text is ambiguous (an
  // integer written for a float, an empty list).
  Attribute parseAttrValue(std::optional<AttrKind> want) {
    if (tok_.kind == Tok::String)
      return Attribute(take().decoded);
    if (atNumber()) {
      Token t = expectNumber();
      if (!t.isFloat && want != AttrKind::Float)
        return Attribute(int64Of(t));
      return Attribute(t.isFloat ? floatOf<double>(t) : double(int64Of(t)));
    }
    if (tok_.kind == Tok::LBracket)
      return parseAttrList(want);
    if (tok_.kind == Tok::Ident && dtypeFromName(tok_.text)) {
      TensorType type = parseType();
      if (tok_.isIdent("elided")) {
        take();
        return Attribute(std::make_shared<Tensor>(Tensor::elided(type)));
      }
      if (tok_.kind == Tok::Hex) {
        Token hex = take();
        return Attribute(std::make_shared<Tensor>(
            type, decodeHex(BlobData{hex.text, hex.loc}, type)));
      }
      return Attribute(parseElements(type));
    }
    fail(tok_.loc, "expected an attribute value");
  }

  Attribute parseAttrList(std::optional<AttrKind> want) {
    expect(Tok::LBracket);
    std::vector<Token> items;
    if (tok_.kind != Tok::RBracket) {
      do {
        if (tok_.kind == Tok::String)
          items.push_back(take());
        else
          items.push_back(expectNumber());
        if (items.back().kind != items.front().kind &&
            (items.back().kind == Tok::String ||
             items.front().kind == Tok::String))
          fail(items.back().loc, "mixed strings and numbers in a list");
      } while (consume(Tok::Comma));
    }
    expect(Tok::RBracket);

    if (items.empty()) {
      if (want == AttrKind::Floats)
        return Attribute(std::vector<double>{});
      if (want == AttrKind::Strings)
        return Attribute(std::vector<std::string>{});
      return Attribute(std::vector<int64_t>{});
    }
    if (items.front().kind == Tok::String) {
      std::vector<std::string> v;
      for (Token &t : items)
        v.push_back(std::move(t.decoded));
      return Attribute(std::move(v));
    }
    bool anyFloat = false;
    for (const Token &t : items)
      anyFloat |= t.isFloat;
    if (!anyFloat && want != AttrKind::Floats) {
      std::vector<int64_t> v;
      for (const Token &t : items)
        v.push_back(int64Of(t));
      return Attribute(std::move(v));
    }
    std::vector<double> v;
    for (const Token &t : items)
      v.push_back(t.isFloat ? floatOf<double>(t) : double(int64Of(t)));
    return Attribute(std::move(v));
  }

  AttrMap parseAttrs(const OpInfo &info) {
    AttrMap attrs;
    expect(Tok::LBrace);
    if (tok_.kind == Tok::RBrace) {
      take();
      return attrs;
    }
    do {
      Loc loc = tok_.loc;
      std::string name;
      if (tok_.kind == Tok::Ident || tok_.kind == Tok::String)
        name = std::string(take().value());
      else
        fail(loc, "expected an attribute name");
      if (attrs.count(name))
        fail(loc, fmt::format("duplicate attribute '{}'", name));
      expect(Tok::Equal);
      const AttrSpec *spec = info.findAttr(name);
      attrs.emplace(name,
                    parseAttrValue(spec ? std::optional<AttrKind>(spec->kind)
                                        : std::nullopt));
    } while (consume(Tok::Comma));
    expect(Tok::RBrace);
    return attrs;
  }

  // --- values ----------------------------------------------------------------

  // A name about to be defined: checked here, before Graph::newValue would
  // silently rename a duplicate.
  std::string newName() {
    Token t = expect(Tok::ValueName);
    if (t.decoded.empty())
      fail(t.loc, "empty value name");
    if (values_.count(t.decoded) || pendingNames_.count(t.decoded))
      fail(t.loc, fmt::format("redefinition of {}", printValueName(t.decoded)));
    pendingNames_.insert(t.decoded);
    return t.decoded;
  }

  void define(Value *v, const std::string &requested) {
    pendingNames_.erase(requested);
    if (v->name != requested)
      throw InternalError("parser: value " + requested + " was renamed");
    values_[v->name] = v;
  }

  Value *use() {
    Token t = expect(Tok::ValueName);
    auto it = values_.find(t.decoded);
    if (it == values_.end())
      fail(t.loc,
           fmt::format("use of undefined value {}", printValueName(t.decoded)));
    return it->second;
  }

  // --- graph structure -------------------------------------------------------

  void parseHeader() {
    expectKeyword("graph");
    graph_->name = expect(Tok::GraphName).decoded;
    expect(Tok::LParen);
    if (tok_.kind != Tok::RParen) {
      do {
        std::string name = newName();
        expect(Tok::Colon);
        define(graph_->addInput(name, parseType()), name);
      } while (consume(Tok::Comma));
    }
    expect(Tok::RParen);
    expect(Tok::Arrow);
    expect(Tok::LParen);
    if (tok_.kind != Tok::RParen) {
      do {
        Token name = expect(Tok::ValueName);
        expect(Tok::Colon);
        headerOutputs_.push_back({std::move(name), parseType()});
      } while (consume(Tok::Comma));
    }
    expect(Tok::RParen);
    expect(Tok::LBrace);
  }

  // "workspace N bytes": the recorded memory plan's size.
  void parseWorkspace() {
    take();
    graph_->workspaceSize =
        intInRange(expectNumber(), 0, std::numeric_limits<int64_t>::max());
    expectKeyword("bytes");
  }

  // After a result's type, its place in the recorded memory plan, if any:
  // "@ws[N]", then "view(%v)" for a no-copy view.
  void parsePlacement(std::optional<int64_t> &offset, Value *&viewOf) {
    if (tok_.kind != Tok::GraphName)
      return;
    Token at = take();
    if (at.decoded != "ws")
      fail(at.loc, fmt::format("unknown annotation '@{}' (expected '@ws')",
                               at.decoded));
    if (!graph_->workspaceSize)
      fail(at.loc, "a workspace offset in a graph without a 'workspace N "
                   "bytes' line");
    expect(Tok::LBracket);
    offset = intInRange(expectNumber(), 0, std::numeric_limits<int64_t>::max());
    expect(Tok::RBracket);
    if (tok_.isIdent("view")) {
      take();
      expect(Tok::LParen);
      viewOf = use();
      expect(Tok::RParen);
    }
  }

  // "%a, %b = Op(...) ..." or "%w = const TYPE DATA".
  void parseDefinition() {
    std::vector<std::pair<std::string, Loc>> names;
    do {
      Loc loc = tok_.loc;
      names.push_back({newName(), loc});
    } while (consume(Tok::Comma));
    expect(Tok::Equal);
    if (tok_.isIdent("const")) {
      if (names.size() != 1)
        fail(names[1].second, "a constant defines exactly one value");
      take();
      parseConstant(names[0].first);
      return;
    }
    parseNode(names);
  }

  void parseConstant(const std::string &name) {
    TensorType type = parseType();
    if (tok_.isIdent("blob")) {
      Loc loc = take().loc;
      expect(Tok::LParen);
      int64_t index =
          intInRange(expectNumber(), 0, std::numeric_limits<int64_t>::max());
      expect(Tok::RParen);
      // A placeholder until the blobs section (if any) has been read.
      Value *v = graph_->addConstant(
          name, std::make_shared<Tensor>(Tensor::elided(type)));
      define(v, name);
      pending_.push_back({v, index, loc});
      return;
    }
    if (tok_.kind != Tok::LBracket)
      fail(tok_.loc, "expected '[' or 'blob'");
    define(graph_->addConstant(name, parseElements(type)), name);
  }

  void parseNode(const std::vector<std::pair<std::string, Loc>> &names) {
    if (tok_.kind != Tok::Ident)
      fail(tok_.loc, "expected an op name or 'const'");
    Token opTok = take();
    std::optional<OpKind> kind = opKindFromName(opTok.text);
    if (!kind)
      fail(opTok.loc, fmt::format("unknown op '{}'", opTok.text));

    expect(Tok::LParen);
    std::vector<Value *> operands;
    if (tok_.kind != Tok::RParen) {
      do {
        if (tok_.isIdent("_")) {
          take();
          operands.push_back(nullptr);
        } else {
          operands.push_back(use());
        }
      } while (consume(Tok::Comma));
    }
    expect(Tok::RParen);

    AttrMap attrs;
    if (tok_.kind == Tok::LBrace)
      attrs = parseAttrs(opInfo(*kind));

    expect(Tok::Colon);
    Loc typesLoc = tok_.loc;
    std::vector<TensorType> types;
    std::vector<std::optional<int64_t>> offsets;
    std::vector<Value *> views;
    do {
      types.push_back(parseType());
      parsePlacement(offsets.emplace_back(), views.emplace_back(nullptr));
    } while (consume(Tok::Comma));
    if (types.size() != names.size())
      fail(typesLoc,
           fmt::format("expected {} result type{}, got {}", names.size(),
                       names.size() == 1 ? "" : "s", types.size()));

    std::string nodeName;
    if (tok_.isIdent("loc")) {
      take();
      expect(Tok::LParen);
      nodeName = expect(Tok::String).decoded;
      expect(Tok::RParen);
    }

    std::vector<std::string> outNames;
    for (const auto &n : names)
      outNames.push_back(n.first);
    Node *node =
        graph_->addNode(*kind, std::move(nodeName), std::move(operands),
                        outNames, std::move(attrs));
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      node->outputs[i]->type = types[i];
      node->outputs[i]->workspaceOffset = offsets[i];
      node->outputs[i]->viewOf = views[i];
      define(node->outputs[i], outNames[i]);
    }
  }

  void parseReturn() {
    Loc retLoc = take().loc;
    std::vector<std::pair<Value *, Loc>> results;
    if (tok_.kind == Tok::ValueName) {
      do {
        Loc loc = tok_.loc;
        results.push_back({use(), loc});
      } while (consume(Tok::Comma));
    }
    if (results.size() != headerOutputs_.size())
      fail(retLoc, fmt::format("return has {} values but the graph header "
                               "declares {} outputs",
                               results.size(), headerOutputs_.size()));
    for (size_t i = 0; i < results.size(); ++i) {
      const auto &[v, loc] = results[i];
      const auto &[headerName, headerType] = headerOutputs_[i];
      if (v->name != headerName.decoded)
        fail(loc, fmt::format("return value {} does not match header output {}",
                              printValueName(v->name),
                              printValueName(headerName.decoded)));
      if (v->type != headerType)
        fail(headerName.loc,
             fmt::format("header declares {} as {} but it is {}",
                         printValueName(v->name), headerType.str(),
                         v->type.str()));
      graph_->outputs.push_back(v);
    }
  }

  void parseBlobs() {
    take();
    expect(Tok::LBrace);
    while (tok_.kind != Tok::RBrace) {
      Token num = expectNumber();
      int64_t index = intInRange(num, 0, std::numeric_limits<int64_t>::max());
      if (blobs_.count(index))
        fail(num.loc, fmt::format("duplicate blob {}", index));
      expect(Tok::Colon);
      if (tok_.isIdent("elided")) {
        take();
        elidedBlobs_.insert(index);
        blobs_[index] = BlobData{"", num.loc};
        continue;
      }
      Token hex = expect(Tok::Hex);
      blobs_[index] = BlobData{hex.text, hex.loc};
    }
    take();
  }

  void resolveBlobs(bool haveBlobs) {
    if (!haveBlobs)
      return; // the placeholders stay elided
    for (const PendingBlob &p : pending_) {
      auto it = blobs_.find(p.index);
      if (it == blobs_.end())
        fail(p.loc,
             fmt::format("blob {} is missing from the blobs section", p.index));
      if (elidedBlobs_.count(p.index))
        continue; // stays elided
      const TensorType &type = p.value->type;
      p.value->constant =
          std::make_shared<Tensor>(type, decodeHex(it->second, type));
    }
  }

  Lexer lexer_;
  Token tok_;
  std::unique_ptr<Graph> graph_;
  std::unordered_map<std::string, Value *> values_;
  std::unordered_set<std::string> pendingNames_; // results of the current line
  std::vector<std::pair<Token, TensorType>> headerOutputs_;
  std::vector<PendingBlob> pending_;
  std::map<int64_t, BlobData> blobs_;
  std::set<int64_t> elidedBlobs_; // "N: elided" entries
};

} // namespace

std::unique_ptr<Graph> parseGraph(std::string_view text) {
  return Parser(text).parse();
}

} // namespace cnnc
