#!/usr/bin/python3
"""Runs the ONNX backend test cases of Debian's libonnx-testdata through cnnc.

Every case under /usr/share/libonnx-testdata/data/{node,pytorch-converted,
pytorch-operator,simple} is a folder with a model.onnx and test_data_set_*
folders of inputs and expected outputs. Each case is classified by loading its
model with onnx:

  unsupported  none of the model's ops is in cnnc's op set (parsed from
               `cnnc --supported-ops`); such cases are not run.
  otherwise    the case is run with `cnnc-run MODEL --interp --test-data CASE`
               (the reference interpreter against the expected outputs) and
               either passes or fails with a short reason: an unsupported op or
               attribute, a mismatch, another error message, an internal
               compiler error, a sanitizer report, a crash or a timeout.

Cases run in parallel (-j, default: the number of cores), each with a timeout.
The results become docs/conformance.md, a generated file: never edit it by hand.

Usage (with /usr/bin/python3, which has onnx; tools default to build/tools/):

  test/conformance/run.py                  run, write docs/conformance.md
  test/conformance/run.py --update-passing write the doc and rewrite
                                           test/conformance/passing.txt
  test/conformance/run.py --check          regression guard (the `conformance`
                                           ctest): fails if a case listed in
                                           passing.txt does not pass or if
                                           docs/conformance.md is out of date;
                                           writes nothing
  test/conformance/run.py --only REGEX     run the matching cases ("suite/case")
                                           and print each result; writes nothing
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


class Case:
    """One test case: what its model contains and, once run, how it went."""

    def __init__(self, suite, name):
        self.suite = suite
        self.name = name
        self.dir = os.path.join(DATA, suite, name)
        self.ops = []            # op names of the top-level graph, sorted
        self.in_op_set = []      # op names that cnnc supports
        self.types = "float32"   # "float32", "integer/bool" or "other"
        self.status = None       # "passed", "failed" or "unsupported"
        self.kind = ""           # failure kind, e.g. "mismatch"
        self.reason = ""         # short failure reason
        self.output = ""         # stdout + stderr of cnnc-run

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
        case.status = "unsupported"


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


def run_case(case, cnnc_run, timeout):
    command = [cnnc_run, os.path.join(case.dir, "model.onnx"), "--interp", "--test-data", case.dir]
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                timeout=timeout)
    except subprocess.TimeoutExpired as e:
        case.status, case.kind, case.reason = "failed", "timeout", f"timeout after {timeout:g} s"
        out = e.stdout or b""
        case.output = out.decode(errors="replace") if isinstance(out, bytes) else out
        return case
    case.output = result.stdout + result.stderr
    if result.returncode == 0:
        case.status = "passed"
    else:
        case.status = "failed"
        case.kind, case.reason = failure(result.returncode, result.stderr, case.dir)
    if len(case.reason) > 160:
        case.reason = case.reason[:157] + "..."
    return case


# --- report -----------------------------------------------------------------

def show(path):
    """A path for messages: relative to the repository when inside it."""
    rel = os.path.relpath(path, REPO)
    return path if rel.startswith("..") else rel


def regenerate_command(args):
    """REGENERATE, plus the tools when they are not the default ones."""
    command = REGENERATE
    if args.cnnc_run != DEFAULT_CNNC_RUN or args.cnnc != DEFAULT_CNNC:
        command += f" --cnnc-run {args.cnnc_run} --cnnc {args.cnnc}"
    return command


def count(cases, status):
    return sum(1 for c in cases if c.status == status)


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
    add("which also rewrites `test/conformance/passing.txt`. The `conformance` test fails")
    add("when a case listed there no longer passes or when this file is out of date.")
    add("")
    add("The cases are the ONNX backend tests of Debian's `libonnx-testdata` (`" + DATA + "`).")
    add("Each runs with `cnnc-run MODEL --interp --test-data CASE`: cnnc imports the model and")
    add("its reference interpreter computes every test data set, compared with the expected")
    add("outputs (atol 1e-5, rtol 1e-3). A case is *unsupported* (and not run) when none of its")
    add("ops is in cnnc's op set ([supported-ops.md](supported-ops.md)); a case that mixes")
    add("supported and unsupported ops runs and fails.")
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
            f"({by_suite}); **{count(group, 'passed')}** pass.")
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
    kinds = sorted({c.kind for c in cases if c.status == "failed"})
    for kind in kinds:
        add(f"| {kind} | {sum(1 for c in cases if c.kind == kind)} |")
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
        if c.status == "failed":
            add(f"| {c.key} | {cell(c.reason)} |")
    add("")
    return "\n".join(lines)


def summary_line(cases):
    parts = []
    for suite in SUITES:
        group = [c for c in cases if c.suite == suite]
        parts.append(f"{suite}: {count(group, 'passed')} passed, {count(group, 'failed')} failed, "
                     f"{count(group, 'unsupported')} unsupported")
    headline = [c for c in cases if c.all_in_op_set and c.types == "float32"]
    parts.append(f"float32 op-set cases: {count(headline, 'passed')}/{len(headline)} pass")
    return "; ".join(parts)


def read_list(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def print_results(cases):
    for c in cases:
        print(f"{c.key}: {c.status}" + (f": {c.reason}" if c.reason else ""))
        if c.status == "failed" and c.output:
            print("  " + c.output.rstrip().replace("\n", "\n  "))


def check(cases, text, args):
    """The regression guard: 1 when a listed case does not pass or the doc is
    stale. Cases that pass but are not listed are reported, not a failure."""
    by_key = {c.key: c for c in cases}
    listed = read_list(args.check)
    broken = [k for k in listed if k not in by_key or by_key[k].status != "passed"]
    for k in broken:
        reason = (by_key[k].reason or by_key[k].status) if k in by_key else "no such case"
        print(f"REGRESSION: {k}: {reason}")
    new = sorted({c.key for c in cases if c.status == "passed"} - set(listed))
    if new:
        print(f"{len(new)} cases pass that {show(args.check)} does not list "
              f"(add them with: {regenerate_command(args)}):")
        for k in new:
            print(f"  {k}")
    status = 0
    old = open(args.doc).read() if os.path.exists(args.doc) else ""
    if old != text:
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), "checked in", "now",
                                         lineterm="", n=0))
        print("\n".join(diff[:40] + (["..."] if len(diff) > 40 else [])))
        print(f"run.py: error: {show(args.doc)} is out of date; "
              f"regenerate with: {regenerate_command(args)}")
        status = 1
    if broken:
        print(f"run.py: error: {len(broken)} cases of {show(args.check)} no longer pass")
        status = 1
    return status


def write(cases, text, args):
    with open(args.doc, "w") as f:
        f.write(text)
    print(f"wrote {show(args.doc)}")
    if args.update_passing:
        passing = [c.key for c in cases if c.status == "passed"]
        with open(args.update_passing, "w") as f:
            f.write("".join(k + "\n" for k in passing))
        print(f"wrote {show(args.update_passing)} ({len(passing)} cases)")
    return 0


# --- main -------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnnc-run", default=DEFAULT_CNNC_RUN, help="default: build/tools/cnnc-run")
    parser.add_argument("--cnnc", default=DEFAULT_CNNC, help="default: build/tools/cnnc")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--timeout", type=float, default=60, help="seconds per case (default 60)")
    parser.add_argument("--doc", default=DOC, help="the generated Markdown (default docs/conformance.md)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", nargs="?", const=PASSING, metavar="PASSING_LIST",
                      help="fail if a listed case does not pass or the doc is out of date")
    mode.add_argument("--update-passing", nargs="?", const=PASSING, metavar="PASSING_LIST",
                      help="write the doc and rewrite the list of passing cases")
    mode.add_argument("--only", metavar="REGEX", help="run the matching cases and print each result")
    args = parser.parse_args()

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

    to_run = [c for c in cases if c.status != "unsupported"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(lambda c: run_case(c, args.cnnc_run, args.timeout), to_run))
    elapsed = time.monotonic() - start

    if args.only:
        print_results(cases)
        status = 0
    elif args.check:
        status = check(cases, markdown(cases, op_set), args)
    else:
        status = write(cases, markdown(cases, op_set), args)
    print(summary_line(cases))
    print(f"{len(to_run)} cases run in {elapsed:.0f} s with -j{args.jobs}")
    return status


if __name__ == "__main__":
    sys.exit(main())
