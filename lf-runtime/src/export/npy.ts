/**
 * NumPy .npy files (format version 1.0), written without NumPy: the label matrix L (rows x LFs, -1 = abstain)
 * for `lf-studio label --votes-out`, so `numpy.load` hands Snorkel-style code the same matrix the label model
 * saw. Layout: the magic "\x93NUMPY", version 1.0, a little-endian uint16 header length, then a Python dict
 * literal {'descr', 'fortran_order', 'shape'} padded with spaces and ended by a newline so that the data
 * starts at a multiple of 64 bytes, then the C-order (row-major) data.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** NumPy dtype strings this writer produces: int8 votes, or int64 for anything wider. */
export type NpyDescr = '<i1' | '<i8';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGN = 64;

/** The 10-byte preamble and padded header dict of a 2-D C-order array of `shape`. */
export function npyHeader(descr: NpyDescr, shape: readonly number[]): Buffer {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`npy shape must be non-negative integers, got (${shape.join(', ')})`);
  }
  // A 1-tuple needs its trailing comma in Python syntax: (5,).
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic (6) + version (2) + header length (2) + dict + padding + '\n' is a multiple of ALIGN.
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const total = Math.ceil(unpadded / ALIGN) * ALIGN;
  const headerLen = total - MAGIC.length - 4;
  if (headerLen > 0xffff) throw new RangeError('npy header too long for format version 1.0');
  const out = Buffer.alloc(total, 0x20);
  MAGIC.copy(out, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out.writeUInt16LE(headerLen, 8);
  out.write(dict, 10, 'latin1');
  out[total - 1] = 0x0a;
  return out;
}

/** A whole .npy file in memory: header and data of an n x m row-major int8 matrix. */
export function npyInt8Matrix(n: number, m: number, data: Int8Array): Buffer {
  if (data.length !== n * m) throw new RangeError(`npy data has ${data.length} values but the shape is ${n} x ${m}`);
  return Buffer.concat([npyHeader('<i1', [n, m]), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * Writes an n x m row-major matrix as .npy: int8 ('<i1') when `data` is an Int8Array, else int64 ('<i8',
 * every value must be a safe integer). Large matrices are written in slices, never copied whole.
 */
export function writeNpyMatrix(path: string, n: number, m: number, data: Int8Array | Int32Array | readonly number[]): void {
  if (data.length !== n * m) throw new RangeError(`npy data has ${data.length} values but the shape is ${n} x ${m}`);
  const descr: NpyDescr = data instanceof Int8Array ? '<i1' : '<i8';
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, npyHeader(descr, [n, m]));
    if (data instanceof Int8Array) {
      writeAll(fd, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    const SLICE = 1 << 16;
    const buf = Buffer.alloc(SLICE * 8);
    for (let start = 0; start < data.length; start += SLICE) {
      const end = Math.min(data.length, start + SLICE);
      for (let t = start; t < end; t++) {
        const v = data[t];
        if (!Number.isSafeInteger(v)) throw new RangeError(`npy int64 value at ${t} is not an integer: ${v}`);
        buf.writeBigInt64LE(BigInt(v), (t - start) * 8);
      }
      writeAll(fd, buf.subarray(0, (end - start) * 8));
    }
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
