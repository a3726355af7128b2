import { MumicError } from '../errors.ts';

/**
 * NumPy's .npy format, version 1.0, for one C-order little-endian float32 matrix: the magic
 * "\x93NUMPY", version 1 0, a little-endian uint16 header length, then a Python dict literal
 * padded with spaces and ended by "\n" so the data starts on a 64-byte boundary
 * (numpy/lib/format.py, ARRAY_ALIGN = 64).
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ALIGN = 64;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function npyHeader(rows: number, cols: number): Uint8Array {
  // numpy leaves room for the row count to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS), so an
  // appender can rewrite the header in place; doing the same makes the bytes numpy.save's.
  const dict =
    `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }` +
    ' '.repeat(Math.max(0, 21 - String(rows).length));
  const unpadded = MAGIC.length + 4 + dict.length + 1;
  // As numpy: a header already aligned still gets a full ALIGN of padding.
  const padding = ALIGN - (unpadded % ALIGN);
  const text = `${dict}${' '.repeat(padding)}\n`;
  const out = new Uint8Array(MAGIC.length + 4 + text.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** A float32 [rows, cols] matrix as .npy bytes. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) {
    throw new MumicError('InvalidArgument', `${data.length} numbers are not ${rows} × ${cols}`);
  }
  const header = npyHeader(rows, cols);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  const body = new DataView(out.buffer, header.length);
  if (littleEndian)
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  else data.forEach((v, i) => body.setFloat32(i * 4, v, true));
  return out;
}

/**
 * Reads a .npy written by encodeNpy or by numpy.save of a 2-D float32 C-order array (versions 1
 * to 3). Anything else is refused with `error` named: the library never guesses at its data.
 */
export function decodeNpy(
  bytes: Uint8Array,
  what = 'embeddings.npy',
): { rows: number; cols: number; data: Float32Array } {
  const fail = (why: string) => new MumicError('InvalidIndex', `${what}: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] ?? 0;
  if (major < 1 || major > 3) throw fail(`.npy version ${major} is not supported`);
  const wide = major >= 2;
  const headerLength = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = (wide ? 12 : 10) + headerLength;
  if (start > bytes.length) throw fail('truncated header');
  const header = new TextDecoder().decode(bytes.subarray(wide ? 12 : 10, start));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)/.exec(header);
  if (descr !== '<f4') throw fail(`dtype ${descr ?? '?'} is not little-endian float32 (<f4)`);
  if (fortran !== 'False') throw fail('not in C order');
  if (!shape) throw fail('not a 2-D array');
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  if (bytes.length - start !== rows * cols * 4) {
    throw fail(`holds ${bytes.length - start} bytes of data, expected ${rows * cols * 4}`);
  }
  const data = new Float32Array(rows * cols);
  if (littleEndian) new Uint8Array(data.buffer).set(bytes.subarray(start));
  else for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(start + i * 4, true);
  return { rows, cols, data };
}
