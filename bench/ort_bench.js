'use strict';
// ONNX Runtime's side of convcheck_bench (bench/interp_bench.cc, bench/README.md). One process
// per (model, thread count), so that its peak resident memory is that model's; driven over
// stdin/stdout so that the bench can interleave its runs with the reference interpreter's.
//
//   node bench/ort_bench.js WORKERS_DIR MODEL INPUT.npy OUTPUT.npy OPT_LEVEL THREADS
//
// Loads MODEL (graph optimisation OPT_LEVEL, THREADS intra-op threads, one inter-op thread, CPU
// provider) and prints {"ok": true, "load_s": ..., "rss_after_load_kb": ...}. Then, one line
// per command on stdin:
//   run   one inference of INPUT.npy; prints {"wall_s": ..., "cpu_s": ...}
//   quit  writes output 0 of the last run to OUTPUT.npy, prints {"ok": true, "max_rss_kb": ...}
//         and exits
// Errors print {"ok": false, "message": ...} and exit 1. ORT's own logging goes to stderr.

const path = require('path');
const readline = require('readline');

function say(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main() {
  const [workersDir, model, input, output, optLevel, threadsArg] = process.argv.slice(2);
  const threads = Number(threadsArg);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error('usage: ort_bench.js WORKERS_DIR MODEL INPUT.npy OUTPUT.npy OPT_LEVEL THREADS');
  }
  // The worker's own copy of onnxruntime-node and .npy code, so both measure the same build.
  const ort = require(path.join(workersDir, 'node', 'node_modules', 'onnxruntime-node'));
  const npy = require(path.join(workersDir, 'node', 'npy.js'));

  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: optLevel,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (session.inputNames.length !== 1) {
    throw new Error(`model has ${session.inputNames.length} inputs; the benchmark feeds one`);
  }
  const t = npy.readNpy(input);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(t.dtype, t.data, t.shape) };
  const fetches = [session.outputNames[0]];
  say({ ok: true, load_s: loadSeconds,
        rss_after_load_kb: Math.round(process.memoryUsage().rss / 1024) });

  let last = null;
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'run') {
      const cpu = process.cpuUsage();
      const s = process.hrtime.bigint();
      last = await session.run(feeds, fetches);
      const wall = Number(process.hrtime.bigint() - s) / 1e9;
      const used = process.cpuUsage(cpu);
      say({ wall_s: wall, cpu_s: (used.user + used.system) / 1e6 });
    } else if (line === 'quit') {
      if (last) {
        const out = last[fetches[0]];
        npy.writeNpy(output, { dtype: out.type, shape: out.dims, data: out.data });
      }
      // resourceUsage().maxRSS is the process's high-water mark in KiB (getrusage ru_maxrss).
      const maxRssKb = process.resourceUsage().maxRSS;
      await session.release();
      say({ ok: true, max_rss_kb: maxRssKb });
      process.exit(0);
    } else {
      throw new Error(`unknown command '${line}'`);
    }
  }
  throw new Error('stdin closed before quit');
}

main().catch((e) => {
  say({ ok: false, message: String(e && e.message ? e.message : e) });
  process.exit(1);
});
