/**
 * Reads named scalar initializers (e.g. SigLIP's logit_scale and logit_bias) from an ONNX file's
 * protobuf bytes, without onnxruntime: the split towers lack them, the combined graph has them,
 * and only two numbers are wanted from it. Pure, so the CLI and the browser worker share it.
 */

// Field numbers from onnx.proto (scripts/onnx-graph-io.ts reads the same messages from a file).
export const MODEL_GRAPH = 7;
export const GRAPH_INITIALIZER = 5;
export const TENSOR_NAME = 8;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_INT32_DATA = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_DOUBLE_DATA = 10;
// TensorProto.DataType
const FLOAT = 1;
const FLOAT16 = 10;
const DOUBLE = 11;

interface Field {
  number: number;
  wire: number;
  /** Varint value (wire 0), or [start, end) of the bytes (wires 1, 2, 5). */
  value: number;
  start: number;
  end: number;
}

function* fields(bytes: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Error(`truncated varint at byte ${pos}`);
      const b = bytes[pos++] ?? 0;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return value;
    }
    throw new Error(`varint too long at byte ${pos}`);
  };
  while (pos < end) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number === 0) throw new Error(`invalid field number at byte ${pos}`);
    if (wire === 0) {
      yield { number, wire, value: varint(), start: pos, end: pos };
      continue;
    }
    const length = wire === 1 ? 8 : wire === 5 ? 4 : wire === 2 ? varint() : -1;
    if (length < 0) throw new Error(`unsupported wire type ${wire} at byte ${pos}`);
    if (pos + length > end) throw new Error(`field ${number} overruns its message`);
    yield { number, wire, value: 0, start: pos, end: pos + length };
    pos += length;
  }
}

/** A float16 bit pattern is below 2^16: at most three varint bytes. */
function firstVarint(bytes: Uint8Array, pos: number): number {
  let value = 0;
  for (let i = 0, scale = 1; i < 3; i++, scale *= 128) {
    const b = bytes[pos + i] ?? 0;
    value += (b & 0x7f) * scale;
    if (b < 0x80) break;
  }
  return value;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The first value of a float, float16 or double TensorProto. */
function firstValue(bytes: Uint8Array, tensor: Field): number | undefined {
  let type = FLOAT;
  let value: number | undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const f of fields(bytes, tensor.start, tensor.end)) {
    if (f.number === TENSOR_DATA_TYPE && f.wire === 0) type = f.value;
    else if (f.number === TENSOR_RAW_DATA && f.end > f.start) {
      if (type === FLOAT && f.end - f.start >= 4) value = view.getFloat32(f.start, true);
      if (type === DOUBLE && f.end - f.start >= 8) value = view.getFloat64(f.start, true);
      if (type === FLOAT16 && f.end - f.start >= 2)
        value = halfToFloat(view.getUint16(f.start, true));
    } else if (f.number === TENSOR_FLOAT_DATA && f.end - f.start >= 4) {
      value = view.getFloat32(f.start, true); // packed or a single fixed32
    } else if (f.number === TENSOR_DOUBLE_DATA && f.end - f.start >= 8) {
      value = view.getFloat64(f.start, true);
    } else if (f.number === TENSOR_INT32_DATA && type === FLOAT16) {
      // float16 outside raw_data: the bit patterns as int32 values (packed varints or one varint).
      value = halfToFloat(f.wire === 0 ? f.value : firstVarint(bytes, f.start));
    }
  }
  return value;
}

/**
 * The first value of each named initializer found in `onnxBytes` (names absent from the graph are
 * absent from the result). Throws on bytes that are not an ONNX protobuf.
 */
export function readScalarInitializers(
  onnxBytes: Uint8Array,
  names: readonly string[],
): Map<string, number> {
  const wanted = new Set(names);
  const found = new Map<string, number>();
  const decoder = new TextDecoder();
  let graph: Field | undefined;
  for (const f of fields(onnxBytes, 0, onnxBytes.length)) {
    if (f.number === MODEL_GRAPH && f.wire === 2) graph = f;
  }
  if (!graph) throw new Error('no graph in the ONNX model');
  for (const f of fields(onnxBytes, graph.start, graph.end)) {
    if (f.number !== GRAPH_INITIALIZER || f.wire !== 2) continue;
    let name = '';
    for (const t of fields(onnxBytes, f.start, f.end)) {
      if (t.number === TENSOR_NAME && t.wire === 2) {
        name = decoder.decode(onnxBytes.subarray(t.start, t.end));
        break;
      }
    }
    if (!wanted.has(name)) continue;
    const value = firstValue(onnxBytes, f);
    if (value !== undefined) found.set(name, value);
  }
  return found;
}
