#include "tools/common/ToolSupport.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#ifndef CNNC_VERSION
#define CNNC_VERSION "unknown"
#endif

namespace cnnc {

void restartWithHugePages(char **argv) {
#ifdef __GLIBC__
  static const char kTunable[] = "glibc.malloc.hugetlb=1";
  const char *tunables = std::getenv("GLIBC_TUNABLES");
  std::string value = tunables ? tunables : "";
  if (value.find("glibc.malloc.hugetlb") != std::string::npos)
    return; // set already: by the restart, or by the user
  value = value.empty() ? kTunable : value + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  // Still here: the restart failed. Go on without, and do not hand the
  // setting to the processes this one starts.
  if (tunables)
    setenv("GLIBC_TUNABLES", tunables, 1);
  else
    unsetenv("GLIBC_TUNABLES");
#else
  (void)argv;
#endif
}

// LLVM's "Did you mean '--x'?" also suggests the hundreds of LLVM-internal
// options hidden from --help; only a suggestion of the tool's own is useful.
bool suggestsForeignOption(const std::string &part,
                           llvm::cl::OptionCategory &category) {
  const std::string prefix = "Did you mean '";
  if (part.rfind(prefix, 0) != 0)
    return false;
  std::string name = part.substr(prefix.size());
  name = name.substr(name.find_first_not_of('-'));
  name = name.substr(0, name.find_first_of("='"));
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find(name);
  if (it == options.end())
    return true;
  for (llvm::cl::OptionCategory *c : it->second->Categories)
    if (c == &category || c == &llvm::cl::getGeneralCategory())
      return false;
  return true;
}

void parseToolOptions(int argc, char **argv, llvm::cl::OptionCategory &category,
                      const char *overview) {
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "cnnc version " << CNNC_VERSION << " (LLVM " << LLVM_VERSION_STRING
       << ")\n";
  });
  std::string errors;
  llvm::raw_string_ostream errStream(errors);
  // Some option errors (a bad --emit value, a non-number) go straight to
  // llvm::errs() rather than to errStream: catch those by pointing stderr at
  // a temporary file while parsing, so every message becomes one line.
  std::fflush(stderr);
  FILE *captured = std::tmpfile();
  int savedStderr = captured ? dup(2) : -1;
  if (savedStderr >= 0)
    dup2(fileno(captured), 2);
  bool ok = llvm::cl::ParseCommandLineOptions(argc, argv, overview, &errStream);
  if (savedStderr >= 0) {
    llvm::errs().flush();
    dup2(savedStderr, 2);
    close(savedStderr);
    std::rewind(captured);
    char buf[4096];
    size_t n;
    std::string direct;
    while ((n = std::fread(buf, 1, sizeof buf, captured)) > 0)
      direct.append(buf, n);
    errors = direct + errors;
  }
  if (captured)
    std::fclose(captured);
  if (ok) {
    std::fputs(errors.c_str(), stderr); // warnings, if any
    return;
  }
  errStream.flush();
  // LLVM prints a message plus hints on several lines; keep one line.
  std::string tool = llvm::sys::path::filename(argv[0]).str();
  std::string line;
  size_t pos = 0;
  while (pos < errors.size()) {
    size_t nl = errors.find('\n', pos);
    std::string part = errors.substr(pos, nl == std::string::npos ? nl : nl - pos);
    pos = nl == std::string::npos ? errors.size() : nl + 1;
    if (part.rfind(tool + ": ", 0) == 0)
      part = part.substr(tool.size() + 2);
    while (!part.empty() && (part.back() == ' ' || part.back() == '.'))
      part.pop_back();
    if (part.empty() || suggestsForeignOption(part, category))
      continue;
    line += (line.empty() ? "" : "; ") + part;
  }
  std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), line.c_str());
  std::exit(1);
}

void releaseLLVMOption(llvm::StringRef name) {
  llvm::StringMap<llvm::cl::Option *> &registered =
      llvm::cl::getRegisteredOptions();
  if (auto it = registered.find(name); it != registered.end())
    it->second->removeArgument();
}

std::string readInputFile(const std::string &path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in)
      userError("cannot open file");
    text << in.rdbuf();
  }
  return text.str();
}

void writeOutput(const std::string &path, const std::string &text) {
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path);
  if (!out || !(out << text))
    userError("cannot write output file '{}'", path);
}

int runTool(const std::string &tool, const std::string &file,
            const std::function<int()> &body) {
  try {
    return body();
  } catch (const UserError &e) {
    for (const Diagnostic &d : e.diagnostics())
      std::cerr << d.format(file) << "\n";
    return 1;
  } catch (const InternalError &e) {
    std::cerr << tool << ": internal compiler error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc &) {
    std::cerr << file << ": error: out of memory\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << tool << ": internal compiler error: " << e.what() << "\n";
    return 2;
  }
}

Tensor randomTensor(const TensorType &type, std::mt19937_64 &rng) {
  std::vector<uint8_t> bytes(type.byteSize());
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  for (int64_t i = 0; i < type.numElements(); ++i) {
    double v = isFloat(type.dtype) ? real(rng) : small(rng);
    if (type.dtype == DType::Bool)
      v = small(rng) % 2;
    Tensor e = scalarTensor(type.dtype, v);
    std::memcpy(bytes.data() + size_t(i) * dtypeSize(type.dtype),
                e.bytes().data(), dtypeSize(type.dtype));
  }
  return Tensor(type, std::move(bytes));
}

std::string fileSafe(const std::string &name) {
  std::string s = name.empty() ? std::string("unnamed") : name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-')
      c = '_';
  if (s[0] == '.')
    s[0] = '_';
  return s;
}

std::vector<float> parseFloatList(const std::string &flag,
                                  const std::string &text) {
  std::vector<float> values;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(text).split(parts, ',');
  for (llvm::StringRef part : parts) {
    double v = 0;
    if (part.trim().getAsDouble(v))
      userError("--{} '{}' is not a list of numbers", flag, text);
    values.push_back(float(v));
  }
  return values;
}

} // namespace cnnc
