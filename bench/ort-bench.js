// Times ONNX Runtime (npm onnxruntime-node) on one model, as cnnc-bench
// times cnnc: seeded random inputs, warm-up runs, then timed runs, for each
// intra-op thread count in turn (a new session each, graph optimization
// 'all', one inter-op thread, sequential execution). Prints JSON on stdout:
//   {"runs": [{"threads": 1, "times_ms": [...], "min_ms", "median_ms",
//              "p90_ms"}, ...], "ort_version": "1.30.0"}
// A run is one `await session.run(feeds)`, as an application calls it; the
// fixed cost of that call is what bench/compare measures on a trivial model.
//
// usage: node bench/ort-bench.js ORT_DIR MODEL.onnx THREADS WARMUP ITERATIONS
//   ORT_DIR: where bench/setup-ort.sh installed node_modules
//   THREADS: comma-separated, e.g. 1,2
'use strict';
const path = require('path');

function fail(message) {
  process.stderr.write(`ort-bench.js: error: ${message}\n`);
  process.exit(1);
}

const [ortDir, model, threadsArg, warmupArg, iterationsArg] = process.argv.slice(2);
if (!iterationsArg)
  fail('usage: ort-bench.js ORT_DIR MODEL.onnx THREADS WARMUP ITERATIONS');
let ort;
try {
  ort = require(path.resolve(ortDir, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  fail(`cannot load onnxruntime-node from ${ortDir} (run bench/setup-ort.sh): ${e.message}`);
}
const threads = threadsArg.split(',').map(Number);
const warmup = Number(warmupArg), iterations = Number(iterationsArg);
if (threads.some((t) => !(t >= 1)) || !(warmup >= 0) || !(iterations >= 1))
  fail('bad THREADS, WARMUP or ITERATIONS');

// mulberry32: a seeded generator, so every pass feeds the same inputs.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feedsFor(session) {
  const next = random(1);
  const feeds = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor || meta.type !== 'float32')
      fail(`input '${meta.name}' is not a float32 tensor`);
    if (meta.shape.some((d) => typeof d !== 'number'))
      fail(`input '${meta.name}' has a symbolic shape [${meta.shape}]`);
    const data = new Float32Array(meta.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; ++i)
      data[i] = 2 * next() - 1;
    feeds[meta.name] = new ort.Tensor('float32', data, meta.shape);
  }
  return feeds;
}

function stats(times) {
  const v = [...times].sort((a, b) => a - b);
  const n = v.length;
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  // Nearest rank, as cnnc-bench: ceil(0.9 n).
  return {min_ms: v[0], median_ms: median, p90_ms: v[Math.ceil(0.9 * n) - 1]};
}

(async () => {
  const runs = [];
  for (const t of threads) {
    const session = await ort.InferenceSession.create(model, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: t,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    const feeds = feedsFor(session);
    for (let i = 0; i < warmup; ++i)
      await session.run(feeds);
    const times = [];
    for (let i = 0; i < iterations; ++i) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    runs.push({threads: t, times_ms: times, ...stats(times)});
    await session.release();
  }
  const version = require(path.resolve(ortDir, 'node_modules', 'onnxruntime-node',
                                       'package.json')).version;
  process.stdout.write(JSON.stringify({ort_version: version, runs}) + '\n');
})().catch((e) => fail(e.message));
