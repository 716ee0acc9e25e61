'use strict';
// convcheck's Node.js worker: runs ONNX models on ONNX Runtime (onnxruntime-node, CPU).
// Protocol: workers/README.md. Requests are JSON lines on stdin, responses JSON lines on fd 3
// (so that whatever ORT prints to stdout cannot corrupt them), logs go to stderr.

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const npy = require('./npy');

const RESPONSE_FD = 3;
const MAX_SESSIONS = 4; // each session holds the model's weights; a few cover one job's reruns
const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'];

// ORT's StatusCode enum (onnxruntime/core/common/status.h).
const STATUS_NAMES = ['OK', 'FAIL', 'INVALID_ARGUMENT', 'NO_SUCHFILE', 'NO_MODEL', 'ENGINE_ERROR',
  'RUNTIME_EXCEPTION', 'INVALID_PROTOBUF', 'MODEL_LOADED', 'NOT_IMPLEMENTED', 'INVALID_GRAPH', 'EP_FAIL'];

// The Node binding throws a plain Error carrying only the status message: unlike the Python
// binding it drops the "[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : " prefix. So the code is
// read off message texts whose status code is fixed in ORT's source. Messages of failing
// kernels ("Non-zero status code returned while running ...") keep the kernel's own code,
// which the text does not reveal: those stay UNKNOWN.
const KNOWN_MESSAGES = [
  [/failed\. File doesn't exist/, 'NO_SUCHFILE'], // model.cc, file open ENOENT
  [/Protobuf parsing failed/, 'INVALID_PROTOBUF'], // model.cc
  [/Could not find an implementation for /, 'NOT_IMPLEMENTED'], // kernel lookup at session init
  [/This is an invalid model\./, 'INVALID_GRAPH'], // graph.cc, schema/type checks of a node
  [/is not a registered function\/op/, 'FAIL'], // graph.cc, unknown op or domain
  [/Type Error: Type parameter \(/, 'FAIL'], // graph.cc, type variable bound to two types
  [/Invalid model\. Node input '/, 'INVALID_ARGUMENT'], // graph.cc, dangling node input
  [/^(Got invalid dimensions for input|Invalid rank for input|Unexpected input data type)/, 'INVALID_ARGUMENT'], // feed checks
];

function statusCode(message) {
  // Should a later binding keep the prefix, trust it over the table.
  const m = /\[ONNXRuntimeError\] : (\d+) : ([A-Z_]*)/.exec(message);
  if (m) return STATUS_NAMES.includes(m[2]) ? m[2] : STATUS_NAMES[Number(m[1])] ?? 'UNKNOWN';
  for (const [re, code] of KNOWN_MESSAGES) if (re.test(message)) return code;
  return 'UNKNOWN';
}

function log(msg) {
  process.stderr.write(`[ort_worker] ${msg}\n`);
}

// fd 3 may be a non-blocking pipe, so a write can be short or fail with EAGAIN.
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function send(obj) {
  const bytes = Buffer.from(JSON.stringify(obj) + '\n');
  for (let off = 0; off < bytes.length;) {
    try {
      off += fs.writeSync(RESPONSE_FD, bytes, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') {
        // Without fd 3 nobody can hear us: the supervisor is gone or we were started wrongly.
        log(`cannot write to fd ${RESPONSE_FD}: ${e.message}`);
        process.exit(2);
      }
      Atomics.wait(sleepCell, 0, 0, 2);
    }
  }
}

// An error that carries the protocol's extra fields.
class WorkerError extends Error {
  constructor(type, message, fields = {}) {
    super(message);
    this.type = type;
    Object.assign(this, fields);
  }
}

// Without an inherited fd 3 that number belongs to libuv's own epoll descriptor: refuse to
// start rather than write into it.
function checkResponseFd() {
  let st = null;
  try {
    st = fs.fstatSync(RESPONSE_FD);
  } catch (e) {
    // Not open at all.
  }
  if (!st || !(st.isFIFO() || st.isSocket() || st.isFile() || st.isCharacterDevice())) {
    log(`fd ${RESPONSE_FD} is not open for responses; start this worker with fd ${RESPONSE_FD} as a pipe (workers/README.md)`);
    process.exit(2);
  }
}
checkResponseFd();

const ort = require('onnxruntime-node');
const ORT_VERSION = JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')).version;

// Sessions keyed by model file identity and options; Map order is least recently used first.
const sessions = new Map();

async function getSession(model, optLevel, threads) {
  let key = null;
  try {
    const st = fs.statSync(model);
    key = JSON.stringify([path.resolve(model), st.mtimeMs, st.size, optLevel, threads]);
  } catch (e) {
    // Leave a missing file to ORT, so that its own error (NO_SUCHFILE) is reported.
  }
  if (key !== null && sessions.has(key)) {
    const session = sessions.get(key);
    sessions.delete(key);
    sessions.set(key, session);
    return { session, loadSeconds: 0 };
  }
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: optLevel,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const loadSeconds = seconds(t0);
  if (key !== null) {
    sessions.set(key, session);
    while (sessions.size > MAX_SESSIONS) {
      const [oldKey, old] = sessions.entries().next().value;
      sessions.delete(oldKey);
      await old.release();
    }
  }
  return { session, loadSeconds };
}

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// Why a graph output cannot become a .npy file, or null if it can.
function unsupportedOutput(name, type, isTensor) {
  if (!isTensor) return `output '${name}' is not a tensor (a sequence, map or optional); only tensors are supported`;
  if (!npy.DTYPES[type]) return `output '${name}' is a ${type} tensor, which .npy files here cannot carry; supported: ${Object.keys(npy.DTYPES).join(', ')}`;
  return null;
}

async function opRun(req) {
  let stage = 'request';
  const { model, inputs, output_dir: outputDir } = req;
  const optLevel = req.opt_level ?? 'all';
  const threads = req.threads ?? 1;
  if (typeof model !== 'string' || !Array.isArray(inputs) || !inputs.every((p) => typeof p === 'string') || typeof outputDir !== 'string') {
    throw new WorkerError('ProtocolError', "run needs 'model' (string), 'inputs' (array of strings) and 'output_dir' (string)", { stage });
  }
  if (!OPT_LEVELS.includes(optLevel)) throw new WorkerError('ProtocolError', `opt_level must be one of ${OPT_LEVELS.join(', ')}, got ${JSON.stringify(optLevel)}`, { stage });
  if (!Number.isInteger(threads) || threads < 0) throw new WorkerError('ProtocolError', `threads must be an integer >= 0, got ${JSON.stringify(threads)}`, { stage });
  if (req.output_names != null && !(Array.isArray(req.output_names) && req.output_names.every((n) => typeof n === 'string'))) {
    throw new WorkerError('ProtocolError', 'output_names must be an array of strings', { stage });
  }

  try {
    stage = 'load';
    const { session, loadSeconds } = await getSession(model, optLevel, threads);

    stage = 'run';
    const names = session.inputNames;
    if (names.length !== inputs.length) {
      const s = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
      throw new WorkerError('InputMismatch', `model has ${s(names.length, 'input')} (${names.join(', ')}) but ${s(inputs.length, 'input file')} ${inputs.length === 1 ? 'was' : 'were'} given`, { code: 'INVALID_ARGUMENT' });
    }
    const fetches = req.output_names ?? session.outputNames;
    const meta = new Map(session.outputMetadata.map((m) => [m.name, m]));
    stage = 'output';
    for (const name of fetches) {
      const m = meta.get(name);
      if (!m) throw new WorkerError('ProtocolError', `model has no output '${name}'; its outputs: ${session.outputNames.join(', ')}`, { stage: 'request' });
      const why = unsupportedOutput(name, m.type, m.isTensor);
      if (why) throw new WorkerError('UnsupportedOutput', why);
    }

    stage = 'io';
    const feeds = {};
    names.forEach((name, i) => {
      const t = npy.readNpy(inputs[i]);
      feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
    });

    stage = 'run';
    const t0 = process.hrtime.bigint();
    const results = await session.run(feeds, fetches);
    const runSeconds = seconds(t0);

    stage = 'output';
    const tensors = fetches.map((name) => {
      const t = results[name];
      const why = unsupportedOutput(name, t.type, true);
      if (why) throw new WorkerError('UnsupportedOutput', why);
      return t;
    });
    stage = 'io';
    fs.mkdirSync(outputDir, { recursive: true });
    const outputs = tensors.map((t, k) => {
      const file = path.join(outputDir, `output_${k}.npy`);
      npy.writeNpy(file, { dtype: t.type, shape: t.dims, data: t.data });
      return { name: fetches[k], path: file, shape: [...t.dims], dtype: t.type };
    });
    return { outputs, elapsed_s: { load: loadSeconds, run: runSeconds } };
  } catch (thrown) {
    const e = thrown instanceof Error ? thrown : new Error(String(thrown));
    e.stage ??= stage;
    if (e.stage === 'load' || e.stage === 'run') {
      e.type ??= 'OrtError';
      e.code ??= statusCode(e.message);
    }
    throw e;
  }
}

// Handles one request line; returns true when the worker should exit.
async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
    if (req === null || typeof req !== 'object' || Array.isArray(req)) throw new Error('a request must be a JSON object');
  } catch (e) {
    send({ id: null, ok: false, error: { type: 'ProtocolError', message: `bad request line: ${e.message}`, traceback: '' } });
    return false;
  }
  const id = req.id ?? null;
  const t0 = process.hrtime.bigint();
  try {
    if (req.op === 'shutdown') {
      send({ id, ok: true });
      return true;
    }
    if (req.op !== 'run') throw new WorkerError('ProtocolError', `unknown op ${JSON.stringify(req.op)}`, { stage: 'request' });
    // Logged before the work so that the log's tail names the request if ORT crashes or hangs.
    log(`id=${id} run ${req.model}`);
    const result = await opRun(req);
    send({ id, ok: true, ...result });
    log(`id=${id} ok, load ${result.elapsed_s.load.toFixed(3)} s, run ${result.elapsed_s.run.toFixed(3)} s`);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // System errors (a missing input file) are named by their errno code, e.g. ENOENT.
    const type = err.type ?? (err.syscall && err.code ? err.code : err.name);
    const error = { type, message: err.message, traceback: err.stack ?? '' };
    if (err.stage !== undefined) error.stage = err.stage;
    if (err.stage === 'load' || err.stage === 'run') error.code = err.code ?? 'UNKNOWN';
    send({ id, ok: false, error });
    log(`id=${id} ${req.op}: failed after ${seconds(t0).toFixed(3)} s at ${error.stage}: ${error.type}: ${err.message}`);
  }
  return false;
}

async function exit() {
  // Release sessions explicitly rather than leave ORT's native objects to process teardown.
  for (const s of sessions.values()) await s.release().catch(() => {});
  process.exit(0);
}

function main() {
  send({ ready: true, worker: 'node', versions: { node: process.version, onnxruntime: ORT_VERSION } });

  // Requests are queued and handled one at a time, in order, even though handling is async.
  const queue = [];
  let busy = false;
  let eof = false;
  async function pump() {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const line = queue.shift();
      if (line.trim() === '') continue;
      if (await handle(line)) return exit();
    }
    busy = false;
    if (eof) await exit();
  }
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    queue.push(line);
    pump();
  });
  rl.on('close', () => {
    eof = true;
    pump();
  });
}

main();
