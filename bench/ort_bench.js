'use strict';
// Latency of one model on ONNX Runtime, for bench/interp_bench.cc (see bench/README.md). One
// process per (model, optimisation level), so that its peak resident memory is that model's.
//
//   node bench/ort_bench.js WORKERS_DIR MODEL INPUT.npy OUTPUT.npy OPT_LEVEL WARMUP RUNS
//
// Feeds INPUT.npy to the model's only input, runs WARMUP untimed then RUNS timed inferences on
// one intra-op and one inter-op thread (the reference interpreter's setting), writes output 0 of
// the last run to OUTPUT.npy and prints one JSON line on stdout:
//   {"ok": true, "load_s": ..., "run_s": [...], "max_rss_kb": ..., "rss_after_load_kb": ...}
// or {"ok": false, "message": ...}. ORT's own logging goes to stderr.

const path = require('path');

async function main() {
  const [workersDir, model, input, output, optLevel, warmupArg, runsArg] = process.argv.slice(2);
  const warmup = Number(warmupArg);
  const runs = Number(runsArg);
  if (!runs || !Number.isInteger(warmup) || !Number.isInteger(runs) || runs < 1) {
    throw new Error('usage: ort_bench.js WORKERS_DIR MODEL INPUT.npy OUTPUT.npy OPT_LEVEL WARMUP RUNS');
  }
  // The worker's own copy of onnxruntime-node and .npy code, so both measure the same build.
  const ort = require(path.join(workersDir, 'node', 'node_modules', 'onnxruntime-node'));
  const npy = require(path.join(workersDir, 'node', 'npy.js'));

  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: optLevel,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rssAfterLoadKb = Math.round(process.memoryUsage().rss / 1024);
  if (session.inputNames.length !== 1) {
    throw new Error(`model has ${session.inputNames.length} inputs; the benchmark feeds one`);
  }
  const t = npy.readNpy(input);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(t.dtype, t.data, t.shape) };
  const fetches = [session.outputNames[0]];

  let last = null;
  for (let i = 0; i < warmup; ++i) last = await session.run(feeds, fetches);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const s = process.hrtime.bigint();
    last = await session.run(feeds, fetches);
    times.push(Number(process.hrtime.bigint() - s) / 1e9);
  }
  const out = last[fetches[0]];
  npy.writeNpy(output, { dtype: out.type, shape: out.dims, data: out.data });
  // resourceUsage().maxRSS is the process's high-water mark in KiB (getrusage ru_maxrss).
  const maxRssKb = process.resourceUsage().maxRSS;
  await session.release();
  process.stdout.write(JSON.stringify({
    ok: true, load_s: loadSeconds, run_s: times, max_rss_kb: maxRssKb,
    rss_after_load_kb: rssAfterLoadKb,
  }) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, message: String(e && e.message ? e.message : e) }) + '\n');
  process.exit(1);
});
