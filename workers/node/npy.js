'use strict';
// Reader and writer for NumPy .npy files, the tensor format of the worker protocol
// (workers/README.md, "Tensors"). Little-endian, C order, numeric and bool dtypes only.
// A tensor here is {dtype, shape, data}: dtype is the NumPy/ORT type name ('float32', ...),
// shape an array of numbers, data a typed array whose element type fits the dtype.

const fs = require('fs');
const os = require('os');

// Typed arrays use the host's byte order; the files are little-endian, so refuse to misread them.
if (os.endianness() !== 'LE') throw new Error('npy.js supports little-endian hosts only');

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');
const ALIGN = 64; // numpy pads the header so that the data starts at a multiple of 64 bytes
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy reserves this much room to rewrite the shape in place

// dtype name -> npy descr, typed array, item size. The names are both NumPy's and ORT's.
// float16 has no typed array in Node 20; its raw bits travel as Uint16Array, which ORT accepts
// for 'float16' tensors. bool is one byte per element, as in NumPy and ORT.
const DTYPES = {
  float32: { descr: '<f4', array: Float32Array, size: 4 },
  float64: { descr: '<f8', array: Float64Array, size: 8 },
  float16: { descr: '<f2', array: Uint16Array, size: 2 },
  int8: { descr: '|i1', array: Int8Array, size: 1 },
  int16: { descr: '<i2', array: Int16Array, size: 2 },
  int32: { descr: '<i4', array: Int32Array, size: 4 },
  int64: { descr: '<i8', array: BigInt64Array, size: 8 },
  uint8: { descr: '|u1', array: Uint8Array, size: 1 },
  uint16: { descr: '<u2', array: Uint16Array, size: 2 },
  uint32: { descr: '<u4', array: Uint32Array, size: 4 },
  uint64: { descr: '<u8', array: BigUint64Array, size: 8 },
  bool: { descr: '|b1', array: Uint8Array, size: 1 },
};
const BY_DESCR = {};
for (const [name, d] of Object.entries(DTYPES)) {
  BY_DESCR[d.descr] = name;
  // NumPy never writes these spellings, but they name the same one-byte types.
  if (d.size === 1) BY_DESCR['<' + d.descr.slice(1)] = BY_DESCR['=' + d.descr.slice(1)] = name;
}

class NpyError extends Error {}
NpyError.prototype.name = 'NpyError';

function product(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

// The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
function parseHeader(text, file) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    // Structured dtypes have a list as descr and end up here too.
    throw new NpyError(`${file}: unsupported or malformed .npy header: ${text.trim()}`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!dims.every((s) => /^\d+$/.test(s))) throw new NpyError(`${file}: malformed shape in .npy header: (${shape[1]})`);
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims.map(Number) };
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new NpyError(`${file}: not a .npy file (bad magic)`);
  const major = buf[6];
  let headerLen;
  let start;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new NpyError(`${file}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    throw new NpyError(`${file}: unsupported .npy format version ${major}.${buf[7]}`);
  }
  if (buf.length < start + headerLen) throw new NpyError(`${file}: truncated .npy header`);
  // Versions 1 and 2 store the header as latin1, version 3 as UTF-8; only ASCII matters to us.
  const text = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const h = parseHeader(text, file);

  const dtype = BY_DESCR[h.descr];
  if (!dtype) {
    const hint = h.descr.startsWith('>') ? ' (big-endian data is not supported)' : '';
    throw new NpyError(`${file}: unsupported dtype '${h.descr}'${hint}; supported: ${Object.values(DTYPES).map((d) => d.descr).join(' ')}`);
  }
  // A Fortran-ordered array of one dimension or fewer has the same layout as a C-ordered one.
  if (h.fortran && h.shape.filter((d) => d > 1).length > 1) {
    throw new NpyError(`${file}: Fortran-ordered arrays are not supported (save with numpy.ascontiguousarray)`);
  }
  const { array, size } = DTYPES[dtype];
  const dataStart = start + headerLen;
  const expected = product(h.shape) * size;
  const actual = buf.length - dataStart;
  if (actual < expected) {
    throw new NpyError(`${file}: truncated .npy file: shape (${h.shape.join(', ')}) of ${h.descr} needs ${expected} data bytes, found ${actual}`);
  }
  if (actual > expected) {
    throw new NpyError(`${file}: .npy file has ${actual - expected} bytes after the data of shape (${h.shape.join(', ')}) of ${h.descr}`);
  }
  // Copy into a fresh ArrayBuffer: the data offset in the file buffer need not be aligned to
  // the item size, which typed arrays require.
  const data = new array(buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + dataStart + expected));
  return { dtype, shape: h.shape, data };
}

// Writes version 1.0 with the same header bytes numpy.save produces.
function writeNpy(file, { dtype, shape, data }) {
  const d = DTYPES[dtype];
  if (!d) throw new NpyError(`${file}: cannot write dtype '${dtype}' to .npy`);
  const expected = product(shape) * d.size;
  if (data.byteLength !== expected) {
    throw new NpyError(`${file}: data has ${data.byteLength} bytes, shape (${shape.join(', ')}) of ${dtype} needs ${expected}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${d.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // As numpy: 1..64 spaces and a newline, so that the data starts at a multiple of 64.
  const pad = ALIGN - ((MAGIC.length + 4 + header.length + 1) % ALIGN);
  header += ' '.repeat(pad) + '\n';
  if (header.length > 0xffff) throw new NpyError(`${file}: .npy header too long for version 1.0`);
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);

  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.concat([prefix, Buffer.from(header, 'latin1')]));
    // Write the tensor's bytes in place rather than copying a possibly large array.
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { readNpy, writeNpy, NpyError, DTYPES };
