import { MumicError } from '../core/errors.ts';
import { familyById, type ModelFamily } from '../core/families/index.ts';
import { fromFloat16Bits, toFloat16Bits } from '../core/float16.ts';
import { onnxPath } from '../core/model-files.ts';
import type { ModelInfo } from '../core/model-folder.ts';
import type { Backend, Dtype, LoadProgress, ModelSource, Tower } from '../core/types.ts';
import type { InferenceSession, OrtApi, Tensor } from './ort-types.ts';
import { SerialQueue } from './serial-queue.ts';

export interface TokenBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batch: number;
  length: number;
}

export interface ClipEncoderConfig {
  ort: OrtApi;
  source: ModelSource;
  model: ModelInfo;
  backend: Backend;
  dtypes: Record<Tower, Dtype>;
  sessionOptions: InferenceSession.SessionOptions;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /**
   * The queue of the onnxruntime instance these sessions live in, shared by every encoder on it
   * (default: one of this encoder's own). onnxruntime-web (one WASM instance, asyncify) takes
   * one async operation at a time: a session created while another session runs can hang both.
   */
  queue?: SerialQueue | undefined;
}

/**
 * One dual-encoder model (any family of core/families) on one backend: the vision and text towers
 * as lazily created, warmed-up sessions. Every call into onnxruntime (create, run, release) goes
 * through one queue. Outputs are raw
 * (unnormalised) embeddings: CLIP's projections, SigLIP's pooler outputs.
 */
export class ClipEncoder {
  readonly backend: Backend;
  readonly dtypes: Record<Tower, Dtype>;
  private readonly sessions = new Map<Tower, Promise<InferenceSession>>();
  private readonly queue: SerialQueue;
  private readonly family: ModelFamily;

  constructor(private readonly config: ClipEncoderConfig) {
    this.queue = config.queue ?? new SerialQueue();
    this.backend = config.backend;
    this.dtypes = config.dtypes;
    this.family = familyById(config.model.family);
  }

  private input(tower: Tower): string {
    return this.family.towers[tower].input;
  }

  private output(tower: Tower): string {
    return this.family.towers[tower].output;
  }

  /** CLIP exports that pool at the first eos may drop attention_mask; SigLIP never takes one. */
  private feedsMask(session: InferenceSession): boolean {
    return this.family.attentionMask && session.inputNames.includes('attention_mask');
  }

  get model(): ModelInfo {
    return this.config.model;
  }

  /** Creates (once) and warms up a tower's session; concurrent callers share the promise. */
  session(tower: Tower): Promise<InferenceSession> {
    let pending = this.sessions.get(tower);
    if (!pending) {
      pending = this.createSession(tower);
      // A failed creation may be retried later (e.g. after a transient fetch error).
      pending.catch(() => this.sessions.delete(tower));
      this.sessions.set(tower, pending);
    }
    return pending;
  }

  /** pixels: [batch, 3, H, W] float32. Returns [batch, projectionDim]. */
  async embedImages(pixels: Float32Array, batch: number): Promise<Float32Array> {
    const size = this.config.model.imageSize;
    const session = await this.session('vision');
    const input = this.input('vision');
    const feeds = { [input]: this.floatTensor(session, input, pixels, [batch, 3, size, size]) };
    return this.run(session, 'vision', feeds, batch);
  }

  async embedTexts(tokens: TokenBatch): Promise<Float32Array> {
    const session = await this.session('text');
    const dims = [tokens.batch, tokens.length];
    const feeds: Record<string, Tensor> = {
      [this.input('text')]: new this.config.ort.Tensor('int64', tokens.inputIds, dims),
    };
    if (this.feedsMask(session)) {
      feeds['attention_mask'] = new this.config.ort.Tensor('int64', tokens.attentionMask, dims);
    }
    return this.run(session, 'text', feeds, tokens.batch);
  }

  async release(): Promise<void> {
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      pending.map((p) => p.then((s) => this.queue.run(() => s.release())).catch(() => undefined)),
    );
  }

  /**
   * Reads the tower and creates its session while the browser stores the file (a first load:
   * seconds for a 100 MB tower), so that storing and creating overlap; a file that could not be
   * stored (full storage) still fails the load, as a read waiting for it would.
   */
  private async createSession(tower: Tower): Promise<InferenceSession> {
    const { session, stored } = await this.readAndOpen(tower);
    try {
      await stored;
    } catch (error) {
      await this.queue.run(() => session.release()).catch(() => undefined);
      throw error;
    }
    return session;
  }

  /** Its own frame, so that the file's bytes are not held while the store is awaited. */
  private async readAndOpen(
    tower: Tower,
  ): Promise<{ session: InferenceSession; stored: Promise<void> }> {
    const file = onnxPath(tower, this.dtypes[tower]);
    const { source, onProgress } = this.config;
    const told = (loaded: number, total: number | undefined): void =>
      onProgress?.({ file, loaded, total });
    const { bytes, stored } = source.readThenStore
      ? await source.readThenStore(file, told)
      : { bytes: await source.read(file, told), stored: Promise.resolve() };
    stored.catch(() => undefined); // awaited by the caller, after the session
    const session = await this.queue.run(() => this.open(tower, file, bytes));
    return { session, stored };
  }

  /** Creates, checks and warms up a session; runs inside the queue. */
  private async open(tower: Tower, file: string, bytes: Uint8Array): Promise<InferenceSession> {
    const { source, ort } = this.config;
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, this.config.sessionOptions);
    } catch (cause) {
      throw new MumicError(
        'ModelLoadFailed',
        `${file} in ${source.location} could not be loaded on ${this.backend}: ${messageOf(cause)}`,
        { cause },
      );
    }
    const [input, output] = [this.input(tower), this.output(tower)];
    if (!session.inputNames.includes(input) || !session.outputNames.includes(output)) {
      await session.release();
      throw new MumicError(
        'ModelFileInvalid',
        `${file} in ${source.location} is not a ${this.family.name} ${tower} tower: expected input ${input} and output ${output}, found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
      );
    }
    await this.warmUp(tower, session);
    return session;
  }

  /** One tiny run: compiles kernels before the first real batch and surfaces backend failures early. */
  private async warmUp(tower: Tower, session: InferenceSession): Promise<void> {
    if (tower === 'vision') {
      const size = this.config.model.imageSize;
      const pixels = new Float32Array(3 * size * size);
      const input = this.input('vision');
      const feeds = { [input]: this.floatTensor(session, input, pixels, [1, 3, size, size]) };
      await this.runNow(session, tower, feeds, 1);
    } else {
      const length = this.config.model.contextLength;
      const ids = new BigInt64Array(length);
      const mask = new BigInt64Array(length);
      mask[0] = 1n;
      const feeds: Record<string, Tensor> = {
        [this.input('text')]: new this.config.ort.Tensor('int64', ids, [1, length]),
      };
      if (this.feedsMask(session)) {
        feeds['attention_mask'] = new this.config.ort.Tensor('int64', mask, [1, length]);
      }
      await this.runNow(session, tower, feeds, 1);
    }
  }

  private run(
    session: InferenceSession,
    tower: Tower,
    feeds: Record<string, Tensor>,
    batch: number,
  ): Promise<Float32Array> {
    return this.queue.run(() => this.runNow(session, tower, feeds, batch));
  }

  /** One run, outside the queue (the caller holds it). */
  private async runNow(
    session: InferenceSession,
    tower: Tower,
    feeds: Record<string, Tensor>,
    batch: number,
  ): Promise<Float32Array> {
    const name = this.output(tower);
    let results: InferenceSession.ReturnType;
    try {
      results = await session.run(feeds, [name]);
    } catch (cause) {
      throw new MumicError(
        'InferenceFailed',
        `${tower} tower on ${this.backend}: ${messageOf(cause)}`,
        { cause },
      );
    }
    const output = results[name];
    if (!output) throw new MumicError('InferenceFailed', `${tower} tower returned no ${name}`);
    const dim = this.config.model.projectionDim;
    if (output.dims.length !== 2 || output.dims[0] !== batch || output.dims[1] !== dim) {
      throw new MumicError(
        'ModelFileInvalid',
        `${onnxPath(tower, this.dtypes[tower])}: ${name} has shape [${output.dims.join(', ')}], expected [${batch}, ${dim}] (the embedding size config.json gives)`,
      );
    }
    const data = await output.getData(true);
    const values =
      output.type === 'float16'
        ? fromFloat16Bits(toUint16(data))
        : data instanceof Float32Array
          ? data
          : Float32Array.from(data as ArrayLike<number>);
    // Copy out of the runtime's buffer: the caller may transfer it across threads.
    return values.buffer === (data as ArrayBufferView).buffer ? values.slice() : values;
  }

  /** fp16 exports may take float16 inputs; feed what the graph declares. */
  private floatTensor(
    session: InferenceSession,
    name: string,
    data: Float32Array,
    dims: readonly number[],
  ): Tensor {
    const meta = session.inputMetadata.find((m) => m.name === name);
    if (meta?.isTensor && meta.type === 'float16') {
      const Ctor = this.config.ort.Tensor as unknown as new (
        type: 'float16',
        data: Uint16Array,
        dims: readonly number[],
      ) => Tensor;
      return new Ctor('float16', toFloat16Bits(data), dims);
    }
    return new this.config.ort.Tensor('float32', data, dims);
  }
}

function toUint16(data: unknown): Uint16Array {
  if (data instanceof Uint16Array) return data;
  const view = data as ArrayBufferView;
  return new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
