# lit configuration for cnnc's FileCheck tests.
import os
import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".cnnc", ".onnxtxt"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)


# Tools: ours first, then LLVM's FileCheck/not/count.
config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# Sanitizer builds: make any report fail the test run.
for var in ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", config.python))
config.substitutions.append(("%models", config.cnnc_models_dir))
config.substitutions.append(("%srcroot", config.cnnc_source_dir))
# %samples: the sample pictures scripts/setup.sh unpacks (darknet's).
config.substitutions.append(
    ("%samples", os.environ.get("CNNC_SAMPLES_DIR", "/usr/local/share/cnnc/samples")))
# %make-model: builds an .onnx file from a Python script using onnx.helper.
config.substitutions.append(
    ("%make-model", config.python + " " + os.path.join(config.test_source_root, "Inputs", "make_model.py")))
# %onnx-text: converts ONNX textual syntax to a binary .onnx file.
config.substitutions.append(
    ("%onnx-text", config.python + " " + os.path.join(config.test_source_root, "Inputs", "text_to_onnx.py")))
# %tensors: writes and shows .npy/.pb tensor files (see Inputs/tensors.py).
config.substitutions.append(
    ("%tensors", config.python + " " + os.path.join(config.test_source_root, "Inputs", "tensors.py")))
# Sanitizer builds run several times slower: the heaviest tests skip them
# (UNSUPPORTED: sanitized).
if config.cnnc_sanitize:
    config.available_features.add("sanitized")

# %cc-app: compiles and links a C application with a generated model and the
# runtime: %cc-app APP.c MODEL_DIR -o EXE (MODEL_DIR holds model.o/model.h).
# Sanitizer builds instrument the runtime, so the application links the
# sanitizers too.
sanitize = " -fsanitize=address,undefined" if config.cnnc_sanitize else ""
config.substitutions.append(
    ("%cnnc-rt", config.cnnc_runtime_lib))
config.substitutions.append(
    ("%cc-app", "cc -std=c99 -O2 -Wall -Werror" + sanitize + " -I" +
     os.path.join(config.cnnc_source_dir, "runtime")))
config.substitutions.append(("%cnnc-build", config.cnnc_build_dir))
