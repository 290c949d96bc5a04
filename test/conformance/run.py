#!/usr/bin/python3
"""Runs the ONNX backend test cases of Debian's libonnx-testdata through cnnc.

Every case under /usr/share/libonnx-testdata/data/{node,pytorch-converted,
pytorch-operator,simple} is a folder with a model.onnx and test_data_set_*
folders of inputs and expected outputs. Each case is classified by loading its
model with onnx:

  unsupported  none of the model's ops is in cnnc's op set (parsed from
               `cnnc --supported-ops`); such cases are not run.
  otherwise    the case is run in two modes, each comparing against the
               expected outputs:
                 interp    `cnnc-run MODEL --interp --test-data CASE`, the
                           reference interpreter;
                 compiled  `cnnc-run MODEL --test-data CASE`, the code
                           generator's code, compiled in memory (LLVM JIT);
               and in each mode either passes or fails with a short reason: an
               unsupported op or attribute, "not yet compiled" (the code
               generator has no lowering for an op or type yet: "code
               generation does not support X yet"), a mismatch, another error
               message, an internal compiler error, a sanitizer report, a
               crash or a timeout.

Cases run in parallel (-j, default: the number of cores), each with a timeout.
The results of both modes become docs/conformance.md, a generated file: never
edit it by hand. test/conformance/passing.txt lists the cases that pass on the
interpreter, test/conformance/passing-compiled.txt those that pass compiled.

Usage (with /usr/bin/python3, which has onnx; tools default to build/tools/):

  test/conformance/run.py                  run both modes, write
                                           docs/conformance.md
  test/conformance/run.py --update-passing write the doc and rewrite
                                           passing.txt and passing-compiled.txt
  test/conformance/run.py --check          regression guard (the `conformance`
                                           ctest): fails if a case listed in
                                           passing.txt does not pass on the
                                           interpreter, if a case listed in
                                           passing-compiled.txt does not pass
                                           compiled, or if docs/conformance.md
                                           is out of date; writes nothing
  test/conformance/run.py --only REGEX     run the matching cases ("suite/case")
                                           and print each result; writes nothing
  --mode interp|compiled|both              the modes to run (default both). The
                                           doc needs both: with one mode,
                                           --update-passing rewrites only that
                                           mode's list and --check checks only
                                           that list, not the doc
  --cnnc-run PATH --cnnc PATH              the tools to use
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import signal
import subprocess
import sys
import time

import onnx

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
DOC = os.path.join(REPO, "docs", "conformance.md")
PASSING = os.path.join(REPO, "test", "conformance", "passing.txt")
PASSING_COMPILED = os.path.join(REPO, "test", "conformance", "passing-compiled.txt")
MODES = ["interp", "compiled"]
REGENERATE = "/usr/bin/python3 test/conformance/run.py --update-passing"
DEFAULT_CNNC_RUN = os.path.join(REPO, "build", "tools", "cnnc-run")
DEFAULT_CNNC = os.path.join(REPO, "build", "tools", "cnnc")

FLOAT = onnx.TensorProto.FLOAT
INTEGER_OR_BOOL = {
    onnx.TensorProto.BOOL,
    onnx.TensorProto.INT8, onnx.TensorProto.INT16,
    onnx.TensorProto.INT32, onnx.TensorProto.INT64,
    onnx.TensorProto.UINT8, onnx.TensorProto.UINT16,
    onnx.TensorProto.UINT32, onnx.TensorProto.UINT64,
}


class Result:
    """How one case went in one mode."""

    def __init__(self, status=None):
        self.status = status     # "passed", "failed" or "unsupported"
        self.kind = ""           # failure kind, e.g. "mismatch"
        self.reason = ""         # short failure reason
        self.output = ""         # stdout + stderr of cnnc-run


class Case:
    """One test case: what its model contains and, once run, how it went in
    each mode (results["interp"], results["compiled"])."""

    def __init__(self, suite, name):
        self.suite = suite
        self.name = name
        self.dir = os.path.join(DATA, suite, name)
        self.ops = []            # op names of the top-level graph, sorted
        self.in_op_set = []      # op names that cnnc supports
        self.types = "float32"   # "float32", "integer/bool" or "other"
        self.unsupported = False # no op in the op set: not run
        self.results = {}        # mode -> Result

    @property
    def key(self):
        return self.suite + "/" + self.name

    @property
    def all_in_op_set(self):
        return len(self.in_op_set) == len(self.ops)


# --- classification ---------------------------------------------------------

def read_op_set(cnnc):
    """The ops cnnc accepts: the first column of the table printed by
    `cnnc --supported-ops`, plus the ops the importer handles itself (the
    bullet list after "Handled by the importer")."""
    text = subprocess.run([cnnc, "--supported-ops"], check=True,
                          capture_output=True, text=True).stdout
    ops = set()
    importer_list = False
    for line in text.splitlines():
        row = re.match(r"\|\s*(\w+)\s*\|", line)
        if row and row.group(1) != "op":
            ops.add(row.group(1))
        if line.startswith("Handled by the importer"):
            importer_list = True
        bullet = re.match(r"- `(\w+)`", line)
        if importer_list and bullet:
            ops.add(bullet.group(1))
    if not ops:
        sys.exit(f"run.py: no ops found in the output of '{cnnc} --supported-ops'")
    return ops


def op_name(node):
    """Default-domain ops by type; others as 'Type (domain)', cnnc's spelling."""
    if node.domain in ("", "ai.onnx"):
        return node.op_type
    return f"{node.op_type} ({node.domain})"


def elem_type(value_info):
    t = value_info.type
    return t.tensor_type.elem_type if t.HasField("tensor_type") else None


def classify(case, op_set):
    model = onnx.load(os.path.join(case.dir, "model.onnx"), load_external_data=False)
    graph = model.graph
    case.ops = sorted({op_name(n) for n in graph.node})
    case.in_op_set = [op for op in case.ops if op in op_set]
    initializers = {t.name for t in graph.initializer}
    values = [v for v in graph.input if v.name not in initializers] + list(graph.output)
    types = {elem_type(v) for v in values}
    if types <= {FLOAT}:
        case.types = "float32"
    elif types <= INTEGER_OR_BOOL | {FLOAT}:
        case.types = "integer/bool"
    else:
        case.types = "other"
    if case.ops and not case.in_op_set:
        case.unsupported = True


# --- running ----------------------------------------------------------------

def short_number(text):
    """Two significant digits keep the doc stable against last-bit noise."""
    try:
        return f"{float(text):.2g}"
    except ValueError:
        return text


def sanitizer_report(lines):
    """'sanitizer: WHAT at FILE:LINE' for an ASan/UBSan report, else None."""
    for line in lines:
        m = re.match(r"SUMMARY: (\w+Sanitizer): (\S+) (\S+)", line)
        if m:
            return f"sanitizer: {m.group(1)} {m.group(2)} at {m.group(3).replace(REPO + '/', '')}"
    for line in lines:
        m = re.match(r"(\S+?):(\d+):\d+: runtime error: (.*)", line)
        if m:
            return f"sanitizer: {m.group(3)} at {m.group(1).replace(REPO + '/', '')}:{m.group(2)}"
    for line in lines:
        if "ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line:
            return "sanitizer: " + line.split("ERROR: ", 1)[1]
    return None


def failure(returncode, stderr, case_dir):
    """(kind, reason) of a failed run, from cnnc-run's exit code and stderr."""
    stderr = stderr.replace(case_dir + "/", "").replace(case_dir, "CASE")
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return "crash", f"crash ({name})"
    sanitizer = sanitizer_report(lines)
    if sanitizer:
        return "sanitizer", sanitizer
    if returncode == 2:
        for line in lines:
            m = re.search(r"internal compiler error: (.*)", line)
            if m:
                return "internal error", "internal error: " + m.group(1)
        return "internal error", "internal error: " + (lines[0] if lines else "(no message)")
    if returncode != 1:
        return "crash", f"exit code {returncode}: " + (lines[0] if lines else "(no message)")
    messages = []
    for line in lines:
        m = re.match(r".*?: error: (.*)", line)
        if m:
            messages.append(m.group(1))
    not_compiled = set()
    for msg in messages:
        # The code generator's limits: "code generation does not support X
        # yet", "code generation supports ... only", "operand 1 must be a
        # constant with data for code generation", ...
        m = re.match(r"(?:node '.*?' \((.+?)\): )?(.*\bcode generation\b.*)", msg)
        if m:
            op, text = m.group(1), m.group(2)
            missing = re.match(r"code generation does not support (.+?) yet\b", text)
            if missing:
                not_compiled.add(missing.group(1))
            else:
                text = re.sub(r"^code generation ", "", text)
                not_compiled.add((op + ": " if op else "") + text)
    if not_compiled:
        return "not yet compiled", "not yet compiled: " + "; ".join(sorted(not_compiled))
    unsupported_ops = set()
    for msg in messages:
        m = re.match(r"node '.*' \((.+)\): unsupported op\b", msg)
        if m:
            unsupported_ops.add(m.group(1))
    if unsupported_ops:
        return "unsupported op", "unsupported op " + ", ".join(sorted(unsupported_ops))
    for msg in messages:
        m = re.match(r"node '.*' \((.+)\): unsupported attribute '([^']*)'(.*)", msg)
        if m:
            return "unsupported attribute", f"unsupported attribute {m.group(1)} '{m.group(2)}'{m.group(3)}"
    for msg in messages:
        m = re.match(r"(\S+): output '(.*?)' differs from the expected values(.*?)max abs error (\S+?),? at", msg)
        if m:
            where = re.search(r"in (\d+ of \d+) elements", m.group(3))
            return "mismatch", (f"mismatch: {m.group(1)} output '{m.group(2)}', "
                                f"max abs error {short_number(m.group(4))}"
                                + (f" ({where.group(1)} elements differ)" if where else ""))
    for msg in messages:
        if "differs from the expected values" in msg:
            return "mismatch", "mismatch: " + msg
    if messages:
        return "error", messages[0]
    return "error", "exit code 1: " + (lines[0] if lines else "(no message)")


def run_case(case, mode, cnnc_run, timeout):
    """Runs `case` in `mode` ("interp" or "compiled") into case.results[mode]."""
    r = case.results[mode] = Result()
    command = [cnnc_run, os.path.join(case.dir, "model.onnx"), "--test-data", case.dir]
    if mode == "interp":
        command.insert(2, "--interp")
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                timeout=timeout)
    except subprocess.TimeoutExpired as e:
        r.status, r.kind, r.reason = "failed", "timeout", f"timeout after {timeout:g} s"
        out = e.stdout or b""
        r.output = out.decode(errors="replace") if isinstance(out, bytes) else out
        return case
    r.output = result.stdout + result.stderr
    if result.returncode == 0:
        r.status = "passed"
    else:
        r.status = "failed"
        r.kind, r.reason = failure(result.returncode, result.stderr, case.dir)
    if len(r.reason) > 160:
        r.reason = r.reason[:157] + "..."
    return case


# --- report -----------------------------------------------------------------

def show(path):
    """A path for messages: relative to the repository when inside it."""
    rel = os.path.relpath(path, REPO)
    return path if rel.startswith("..") else rel


def regenerate_command(args):
    """REGENERATE, plus the tools and mode when they are not the default ones."""
    command = REGENERATE
    if args.mode != "both":
        command += f" --mode {args.mode}"
    if args.cnnc_run != DEFAULT_CNNC_RUN or args.cnnc != DEFAULT_CNNC:
        command += f" --cnnc-run {args.cnnc_run} --cnnc {args.cnnc}"
    return command


def status(case, mode):
    return case.results[mode].status


def count(cases, stat, mode="interp"):
    return sum(1 for c in cases if status(c, mode) == stat)


def cell(text):
    return text.replace("|", "\\|")


def markdown(cases, op_set):
    lines = []
    add = lines.append
    add("# ONNX conformance")
    add("")
    add("Generated by `test/conformance/run.py`; do not edit. After building, regenerate with")
    add("")
    add("```sh")
    add(REGENERATE)
    add("```")
    add("")
    add("which also rewrites `test/conformance/passing.txt` (the cases that pass on the")
    add("interpreter) and `test/conformance/passing-compiled.txt` (the cases that pass as")
    add("compiled code). The `conformance` test runs both modes and fails when a case")
    add("listed in either file no longer passes in its mode or when this file is out of date.")
    add("")
    add("The cases are the ONNX backend tests of Debian's `libonnx-testdata` (`" + DATA + "`).")
    add("Each runs twice, compared with the expected outputs of every test data set")
    add("(atol 1e-5, rtol 1e-3):")
    add("")
    add("- on the reference interpreter, `cnnc-run MODEL --interp --test-data CASE`: cnnc")
    add("  imports the model and its interpreter computes the outputs (the sections up to")
    add("  [Failing cases](#failing-cases));")
    add("- as compiled code, `cnnc-run MODEL --test-data CASE`: the code generator lowers the")
    add("  model to LLVM IR, which is compiled in memory (LLVM ORC JIT) and run (the section")
    add("  [Compiled code (JIT)](#compiled-code-jit)). A case fails as *not yet compiled* when")
    add("  the code generator has no lowering for one of its ops or element types yet.")
    add("")
    add("A case is *unsupported* (and not run) when none of its ops is in cnnc's op set")
    add("([supported-ops.md](supported-ops.md)); a case that mixes supported and unsupported")
    add("ops runs and fails.")
    add("")

    add("## Headline")
    add("")
    op_set_cases = [c for c in cases if c.all_in_op_set]
    for types, title in [("float32", "whose inputs/outputs are all float32"),
                         ("integer/bool", "with integer or bool inputs/outputs"),
                         ("other", "with other element types (float16, bfloat16, double, string, "
                                   "sequence, optional)")]:
        group = [c for c in op_set_cases if c.types == types]
        by_suite = " + ".join(f"{sum(1 for c in group if c.suite == s)} {s}" for s in SUITES)
        add(f"- Cases whose ops all lie in the op set and {title}: **{len(group)}** "
            f"({by_suite}); **{count(group, 'passed')}** pass on the interpreter, "
            f"**{count(group, 'passed', 'compiled')}** compiled.")
    interp_passing = [c for c in cases if status(c, "interp") == "passed"]
    add(f"- Of the **{len(interp_passing)}** cases that pass on the interpreter, "
        f"**{count(interp_passing, 'passed', 'compiled')}** also pass compiled.")
    add("")

    add("## Suites")
    add("")
    add("| suite | cases | passed | failed | unsupported |")
    add("| --- | ---: | ---: | ---: | ---: |")
    for suite in SUITES + ["total"]:
        group = [c for c in cases if suite in (c.suite, "total")]
        add(f"| {suite} | {len(group)} | {count(group, 'passed')} | "
            f"{count(group, 'failed')} | {count(group, 'unsupported')} |")
    add("")

    add("## Failures by kind")
    add("")
    add("| kind | cases |")
    add("| --- | ---: |")
    failed = [c.results["interp"] for c in cases if status(c, "interp") == "failed"]
    for kind in sorted({r.kind for r in failed}):
        add(f"| {kind} | {sum(1 for r in failed if r.kind == kind)} |")
    add("")

    add("## Ops (node suite)")
    add("")
    add("A case counts once for each op of its model. Ops in cnnc's op set first, then the")
    add("others; a node case that uses an op outside the set can only fail or be unsupported.")
    add("")
    add("| op | in op set | passed | failed | unsupported |")
    add("| --- | --- | ---: | ---: | ---: |")
    node_cases = [c for c in cases if c.suite == "node"]
    node_ops = sorted({op for c in node_cases for op in c.ops}, key=lambda op: (op not in op_set, op))
    for op in node_ops:
        group = [c for c in node_cases if op in c.ops]
        add(f"| {op} | {'yes' if op in op_set else 'no'} | {count(group, 'passed')} | "
            f"{count(group, 'failed')} | {count(group, 'unsupported')} |")
    untested = sorted(op_set - set(node_ops))
    if untested:
        add("")
        add("Ops in the op set that no node case uses: " + ", ".join(f"`{op}`" for op in untested) + ".")
    add("")

    add("## Failing cases")
    add("")
    add("| case | reason |")
    add("| --- | --- |")
    for c in cases:
        if status(c, "interp") == "failed":
            add(f"| {c.key} | {cell(c.results['interp'].reason)} |")
    add("")

    lines += markdown_compiled(cases)
    return "\n".join(lines)


def markdown_compiled(cases):
    """The "Compiled code (JIT)" section."""
    lines = []
    add = lines.append
    add("## Compiled code (JIT)")
    add("")
    add("The same cases run as compiled code, `cnnc-run MODEL --test-data CASE`, against")
    add("the same expected outputs. *interp passes* counts the cases that pass on the")
    add("interpreter, *both pass* those of them that also pass compiled.")
    add("")
    add("| suite | cases | passed | failed | not yet compiled | unsupported | interp passes | both pass |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for suite in SUITES + ["total"]:
        group = [c for c in cases if suite in (c.suite, "total")]
        both = sum(1 for c in group if status(c, "interp") == status(c, "compiled") == "passed")
        not_compiled = sum(1 for c in group if c.results["compiled"].kind == "not yet compiled")
        add(f"| {suite} | {len(group)} | {count(group, 'passed', 'compiled')} | "
            f"{count(group, 'failed', 'compiled')} | {not_compiled} | "
            f"{count(group, 'unsupported', 'compiled')} | {count(group, 'passed')} | {both} |")
    add("")

    interp_passing = [c for c in cases if status(c, "interp") == "passed"]
    regressed = [c for c in interp_passing if status(c, "compiled") != "passed"]
    add("### Compiled failures by kind")
    add("")
    add("All cases that fail compiled, and those of them that pass on the interpreter.")
    add("*not yet compiled* is lowering that the code generator lacks; any other kind counted")
    add("in the last column is a defect of the compiled code (or of the JIT path).")
    add("")
    add("| kind | cases | of them pass on the interpreter |")
    add("| --- | ---: | ---: |")
    failed = [c for c in cases if status(c, "compiled") == "failed"]
    for kind in sorted({c.results["compiled"].kind for c in failed}):
        add(f"| {kind} | {sum(1 for c in failed if c.results['compiled'].kind == kind)} | "
            f"{sum(1 for c in regressed if c.results['compiled'].kind == kind)} |")
    add("")

    if not regressed:
        add("Every case that passes on the interpreter passes compiled.")
        add("")
    else:
        add("### Not yet compiled")
        add("")
        add("What the code generator lacks, by the cases that pass on the interpreter but not")
        add("compiled because of it (a case that lacks several things counts for each; an op")
        add("name alone means the op has no lowering at all).")
        add("")
        add("| missing | cases |")
        add("| --- | ---: |")
        missing = {}
        for c in regressed:
            r = c.results["compiled"]
            if r.kind == "not yet compiled":
                items = {re.sub(r", operand '.*?' is .*", "", item)
                         for item in r.reason[len("not yet compiled: "):].split("; ")}
                for item in items:
                    missing[item] = missing.get(item, 0) + 1
        for item, n in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0])):
            add(f"| {cell(item)} | {n} |")
        add("")

        add("### Cases that pass on the interpreter but not compiled")
        add("")
        add("Real failures first, then the cases that are not yet compiled.")
        add("")
        add("| case | kind | reason |")
        add("| --- | --- | --- |")
        for c in sorted(regressed, key=lambda c: c.results["compiled"].kind == "not yet compiled"):
            r = c.results["compiled"]
            add(f"| {c.key} | {r.kind} | {cell(r.reason)} |")
        add("")

    odd = [c for c in cases if status(c, "compiled") == "passed" and status(c, "interp") != "passed"]
    if odd:
        add("### Cases that pass compiled but not on the interpreter")
        add("")
        add("| case | interpreter's reason |")
        add("| --- | --- |")
        for c in odd:
            add(f"| {c.key} | {cell(c.results['interp'].reason)} |")
        add("")
    return lines


def summary_line(cases, mode):
    parts = []
    for suite in SUITES:
        group = [c for c in cases if suite == c.suite]
        parts.append(f"{suite}: {count(group, 'passed', mode)} passed, "
                     f"{count(group, 'failed', mode)} failed, "
                     f"{count(group, 'unsupported', mode)} unsupported")
    headline = [c for c in cases if c.all_in_op_set and c.types == "float32"]
    parts.append(f"float32 op-set cases: {count(headline, 'passed', mode)}/{len(headline)} pass")
    if mode == "compiled" and all("interp" in c.results for c in cases):
        interp_passing = [c for c in cases if status(c, "interp") == "passed"]
        parts.append(f"interp-passing cases: {count(interp_passing, 'passed', mode)}"
                     f"/{len(interp_passing)} pass compiled")
    return f"{mode}: " + "; ".join(parts)


def read_list(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def print_results(cases, modes):
    for c in cases:
        for mode in modes:
            r = c.results[mode]
            print(f"{c.key}: {mode}: {r.status}" + (f": {r.reason}" if r.reason else ""))
            if r.status == "failed" and r.output:
                print("  " + r.output.rstrip().replace("\n", "\n  "))


def check_list(cases, mode, path, args):
    """The number of cases of the list at `path` that do not pass in `mode`.
    Cases that pass but are not listed are reported, not a failure."""
    by_key = {c.key: c for c in cases}
    listed = read_list(path)
    broken = [k for k in listed if k not in by_key or status(by_key[k], mode) != "passed"]
    for k in broken:
        r = by_key[k].results[mode] if k in by_key else None
        reason = (r.reason or r.status) if r else "no such case"
        print(f"REGRESSION ({mode}): {k}: {reason}")
    new = sorted({c.key for c in cases if status(c, mode) == "passed"} - set(listed))
    if new:
        print(f"{len(new)} cases pass {mode} that {show(path)} does not list "
              f"(add them with: {regenerate_command(args)}):")
        for k in new:
            print(f"  {k}")
    if broken:
        print(f"run.py: error: {len(broken)} cases of {show(path)} no longer pass ({mode})")
    return len(broken)


def check(cases, text, args, modes):
    """The regression guard: 1 when a listed case does not pass in its mode or
    the doc is stale (the doc only when both modes ran)."""
    status_ = 0
    for mode in modes:
        if check_list(cases, mode, args.lists[mode], args):
            status_ = 1
    if text is None:
        print(f"run.py: note: {show(args.doc)} not checked (it needs --mode both)")
        return status_
    old = open(args.doc).read() if os.path.exists(args.doc) else ""
    if old != text:
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), "checked in", "now",
                                         lineterm="", n=0))
        print("\n".join(diff[:40] + (["..."] if len(diff) > 40 else [])))
        print(f"run.py: error: {show(args.doc)} is out of date; "
              f"regenerate with: {regenerate_command(args)}")
        status_ = 1
    return status_


def write(cases, text, args, modes):
    if text is None:
        print(f"run.py: note: {show(args.doc)} not written (it needs --mode both)")
    else:
        with open(args.doc, "w") as f:
            f.write(text)
        print(f"wrote {show(args.doc)}")
    if args.update_passing:
        for mode in modes:
            passing = [c.key for c in cases if status(c, mode) == "passed"]
            with open(args.lists[mode], "w") as f:
                f.write("".join(k + "\n" for k in passing))
            print(f"wrote {show(args.lists[mode])} ({len(passing)} cases)")
    return 0


# --- main -------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnnc-run", default=DEFAULT_CNNC_RUN, help="default: build/tools/cnnc-run")
    parser.add_argument("--cnnc", default=DEFAULT_CNNC, help="default: build/tools/cnnc")
    parser.add_argument("--mode", choices=["interp", "compiled", "both"], default="both",
                        help="run on the interpreter, as compiled code (JIT) or both "
                             "(default both; the doc needs both)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--timeout", type=float, default=60, help="seconds per case (default 60)")
    parser.add_argument("--doc", default=DOC, help="the generated Markdown (default docs/conformance.md)")
    parser.add_argument("--passing", default=PASSING, metavar="LIST",
                        help="the interpreter's list of passing cases "
                             "(default test/conformance/passing.txt)")
    parser.add_argument("--passing-compiled", default=PASSING_COMPILED, metavar="LIST",
                        help="the compiled code's list of passing cases "
                             "(default test/conformance/passing-compiled.txt)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true",
                        help="fail if a listed case does not pass or the doc is out of date")
    action.add_argument("--update-passing", action="store_true",
                        help="write the doc and rewrite the lists of passing cases")
    action.add_argument("--only", metavar="REGEX", help="run the matching cases and print each result")
    args = parser.parse_args()
    args.lists = {"interp": args.passing, "compiled": args.passing_compiled}
    modes = MODES if args.mode == "both" else [args.mode]

    for tool in (args.cnnc_run, args.cnnc):
        if not os.access(tool, os.X_OK):
            sys.exit(f"run.py: error: {tool} is not an executable; build with scripts/build.sh")
    if not os.path.isdir(DATA):
        sys.exit(f"run.py: error: no {DATA}; install libonnx-testdata (scripts/setup.sh)")

    start = time.monotonic()
    op_set = read_op_set(args.cnnc)
    cases = [Case(s, name) for s in SUITES for name in sorted(os.listdir(os.path.join(DATA, s)))
             if os.path.isfile(os.path.join(DATA, s, name, "model.onnx"))]
    if args.only:
        cases = [c for c in cases if re.search(args.only, c.key)]
    for case in cases:
        classify(case, op_set)
        if case.unsupported:
            case.results = {mode: Result("unsupported") for mode in modes}

    to_run = [c for c in cases if not c.unsupported]
    elapsed = {}
    for mode in modes:
        mode_start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(lambda c: run_case(c, mode, args.cnnc_run, args.timeout), to_run))
        elapsed[mode] = time.monotonic() - mode_start

    text = markdown(cases, op_set) if len(modes) == 2 else None
    if args.only:
        print_results(cases, modes)
        status_ = 0
    elif args.check:
        status_ = check(cases, text, args, modes)
    else:
        status_ = write(cases, text, args, modes)
    for mode in modes:
        print(summary_line(cases, mode))
    print(f"{len(to_run)} cases run per mode with -j{args.jobs}: "
          + ", ".join(f"{mode} {elapsed[mode]:.1f} s" for mode in modes)
          + f"; {time.monotonic() - start:.1f} s in all")
    return status_


if __name__ == "__main__":
    sys.exit(main())
