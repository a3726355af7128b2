// Graph input and output names read straight from an ONNX file's protobuf. Used only when
// onnxruntime's CPU build cannot open a file for lack of a kernel (fp16 graphs meant for WebGPU),
// so that such a file is still checked rather than rejected. Reads by position: the weights,
// hundreds of MB, are skipped, not loaded.
import { open, type FileHandle } from 'node:fs/promises';
import { GRAPH_INITIALIZER, MODEL_GRAPH, TENSOR_NAME } from '../src/core/onnx-initializers.ts';

export interface GraphIo {
  inputs: string[];
  outputs: string[];
}

// Field numbers from onnx.proto.
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;

export async function readGraphIo(path: string): Promise<GraphIo> {
  const handle = await open(path, 'r');
  try {
    const reader = new Reader(handle, (await handle.stat()).size);
    let graph: Field | undefined;
    for await (const field of reader.fields(0, reader.size)) {
      if (field.number === MODEL_GRAPH) graph = field;
    }
    if (!graph) throw new Error('no graph in the model');
    const inputs: string[] = [];
    const outputs: string[] = [];
    const initializers = new Set<string>();
    for await (const field of reader.fields(graph.start, graph.end)) {
      if (field.number === GRAPH_INPUT)
        inputs.push(await reader.stringField(field, VALUE_INFO_NAME));
      if (field.number === GRAPH_OUTPUT)
        outputs.push(await reader.stringField(field, VALUE_INFO_NAME));
      if (field.number === GRAPH_INITIALIZER) {
        initializers.add(await reader.stringField(field, TENSOR_NAME));
      }
    }
    // Before IR version 4, weights were also listed as graph inputs; they are not fed by callers.
    return { inputs: inputs.filter((n) => !initializers.has(n)), outputs };
  } finally {
    await handle.close();
  }
}

/** A length-delimited field: its bytes are [start, end). */
interface Field {
  number: number;
  start: number;
  end: number;
}

class Reader {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** The length-delimited fields of a message; scalars are skipped. */
  async *fields(start: number, end: number): AsyncGenerator<Field> {
    let pos = start;
    while (pos < end) {
      const [tag, afterTag] = await this.varint(pos, end);
      const number = Math.floor(tag / 8);
      const wire = tag % 8;
      if (number === 0) throw new Error(`invalid field number at byte ${pos}`);
      if (wire === 0) {
        pos = (await this.varint(afterTag, end))[1];
      } else if (wire === 1) {
        pos = afterTag + 8;
      } else if (wire === 5) {
        pos = afterTag + 4;
      } else if (wire === 2) {
        const [length, body] = await this.varint(afterTag, end);
        pos = body + length;
        if (pos > end) throw new Error(`field ${number} at byte ${afterTag} overruns its message`);
        yield { number, start: body, end: pos };
      } else {
        throw new Error(`unsupported wire type ${wire} at byte ${pos}`);
      }
      if (pos > end) throw new Error(`field ${number} overruns its message`);
    }
  }

  async stringField(message: Field, number: number): Promise<string> {
    for await (const field of this.fields(message.start, message.end)) {
      if (field.number === number) {
        return (await this.bytes(field.start, field.end - field.start)).toString('utf8');
      }
    }
    return '';
  }

  private async varint(pos: number, end: number): Promise<[number, number]> {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos + i >= end) throw new Error(`truncated varint at byte ${pos}`);
      const byte = (await this.bytes(pos + i, 1))[0] ?? 0;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return [value, pos + i + 1];
    }
    throw new Error(`varint too long at byte ${pos}`);
  }

  private async bytes(pos: number, length: number): Promise<Buffer> {
    const offset = pos - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length) {
      return this.window.subarray(offset, offset + length);
    }
    if (pos + length > this.size) throw new Error(`read past the end of the file at byte ${pos}`);
    const buffer = Buffer.alloc(Math.max(length, 64 * 1024));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, pos);
    this.window = buffer.subarray(0, bytesRead);
    this.windowStart = pos;
    if (bytesRead < length) throw new Error(`read past the end of the file at byte ${pos}`);
    return this.window.subarray(0, length);
  }
}
