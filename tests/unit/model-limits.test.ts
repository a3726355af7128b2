// Issue 10, item 5: a hostile model folder is refused when installed or opened, naming the file
// and field: absurd sizes, and tokenizer patterns that backtrack (screened, then timed).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installLocalModel } from '../../scripts/install-local-model.ts';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { probeTokenizerInThread } from '../../src/cli/tokenizer-probe-thread.ts';
import { MODEL_JSON_FILES } from '../../src/core/local-model-folder.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import { JSON_BYTE_LIMIT_OTHER, JSON_BYTE_LIMITS } from '../../src/core/model-limits.ts';
import { BlobModelSource } from '../../src/worker/local-model-source.ts';
import { FetchModelSource } from '../../src/worker/model-source-fetch.ts';
import { regexProblem } from '../../src/core/regex-screen.ts';
import { FIXTURE_DIR } from '../fixture.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const JSON_FILES = MODEL_JSON_FILES;
type Files = Record<(typeof JSON_FILES)[number], Json>;
const fixtureJson = (file: string): Json =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Json;
/** clip-tiny's Split pattern replaced: the issue's `(a|aa)+$`, doubling every two characters. */
const EXPONENTIAL = '(a|aa)+$';
/** No repeated group, so the screen passes it; polynomial (n^6) on a run of a's: a hang too. */
const POLYNOMIAL = 'a*a*a*a*a*a*b|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mumic-hostile-model-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** clip-tiny's JSON (edited) beside its q8 towers. */
function folder(edit: (files: Files) => void): string {
  const dir = join(root, 'model');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const files = Object.fromEntries(JSON_FILES.map((f) => [f, fixtureJson(f)])) as Files;
  edit(files);
  for (const [f, json] of Object.entries(files)) writeFileSync(join(dir, f), JSON.stringify(json));
  for (const t of ['vision', 'text'])
    copyFileSync(
      join(FIXTURE_DIR, 'onnx', `${t}_model_quantized.onnx`),
      join(dir, 'onnx', `${t}_model_quantized.onnx`),
    );
  return dir;
}

const withPattern = (regex: string) => (files: Pick<Files, 'tokenizer.json'>) => {
  files['tokenizer.json']['pre_tokenizer'].pretokenizers[0].pattern.Regex = regex;
};

const refusal = (dir: string) =>
  loadModelFolder(new NodeModelSource(dir)).then(
    () => undefined,
    (e: Error) => e,
  );

describe('config sizes are bounded', () => {
  type Edit = (f: Files) => void;
  const cases: [string, string, Edit][] = [
    [
      'config.json',
      'vision_config.image_size is 100000; at most 2048',
      (f) => {
        f['config.json']['vision_config'].image_size = 100000;
      },
    ],
    [
      'config.json',
      'text_config.max_position_embeddings is 1000000000',
      (f) => {
        f['config.json']['text_config'].max_position_embeddings = 1e9;
      },
    ],
    [
      'config.json',
      'text_config.vocab_size is 100000000',
      (f) => {
        f['config.json']['text_config'].vocab_size = 1e8;
      },
    ],
    [
      'config.json',
      'projection_dim is 1000000',
      (f) => {
        f['config.json']['projection_dim'] = 1e6;
      },
    ],
    [
      'config.json',
      'vision_config.num_hidden_layers is 5000',
      (f) => {
        f['config.json']['vision_config'].num_hidden_layers = 5000;
      },
    ],
    [
      'preprocessor_config.json',
      'size.shortest_edge is 100000',
      (f) => {
        f['preprocessor_config.json']['size'] = { shortest_edge: 100000 };
      },
    ],
  ];
  it.each(cases)('%s: %s', async (file, field, edit) => {
    const error = await refusal(folder(edit));
    expect(error).toMatchObject({ name: 'ModelFileInvalid' });
    expect(error?.message).toContain(`${file} in `);
    expect(error?.message).toContain(field);
  });

  it('the fixture models pass', async () => {
    expect(await refusal(folder(() => {}))).toBeUndefined();
  });
});

describe('tokenizer patterns that backtrack', () => {
  it('the screen passes published tokenizer patterns and refuses repeated groups', () => {
    const published = [
      fixtureJson('tokenizer.json')['pre_tokenizer'].pretokenizers[0].pattern.Regex as string,
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", // GPT-2
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", // Llama 3
    ];
    for (const regex of published) expect(regexProblem(regex), regex).toBeUndefined();
    for (const regex of [EXPONENTIAL, '(a+)+$', '(?:x+x+)+y', '(\\w+\\s?)*$', '((a|b))*c'])
      expect(regexProblem(regex), regex).toMatch(/exponential/);
    expect(regexProblem(POLYNOMIAL)).toBeUndefined(); // the probe's job
  });

  it('opening a folder with (a|aa)+$ names tokenizer.json and the pattern', async () => {
    const error = await refusal(folder(withPattern(EXPONENTIAL)));
    expect(error).toMatchObject({ name: 'ModelFileInvalid' });
    expect(error?.message).toMatch(
      /tokenizer\.json in .*pre_tokenizer\.pretokenizers\[0\]\.pattern\.Regex "\(a\|aa\)\+\$"/,
    );
  });

  it('the timed probe stops a tokenizer the screen cannot judge, on a thread it terminates', async () => {
    const config = fixtureJson('tokenizer_config.json');
    const good = fixtureJson('tokenizer.json');
    await probeTokenizerInThread({ tokenizer: { json: good, config } });
    const bad = fixtureJson('tokenizer.json');
    withPattern(POLYNOMIAL)({ 'tokenizer.json': bad });
    const budget = { loadMs: 60_000, probeMs: 2_000 };
    await expect(
      probeTokenizerInThread({ tokenizer: { json: bad, config } }, budget),
    ).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(
        /tokenizer\.json: tokenizing probe texts .* took longer than 2 s/,
      ),
    });
  }, 60_000);

  it('npm run models -- --from refuses both, installing nothing', async () => {
    const opts = { id: 'hostile', modelsDir: join(root, 'models'), cacheDir: join(root, 'cache') };
    await expect(
      installLocalModel({ ...opts, from: folder(withPattern(EXPONENTIAL)) }),
    ).rejects.toMatchObject({
      name: 'ModelFileInvalid',
    });
    rmSync(join(root, 'model'), { recursive: true });
    const big = folder((f) => (f['config.json']['vision_config'].image_size = 100000));
    await expect(installLocalModel({ ...opts, from: big })).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(/config\.json.*image_size/),
    });
  }, 60_000);
});

describe("the byte size of a folder's JSON files is bounded before parsing", () => {
  const TOKENIZER_LIMIT = JSON_BYTE_LIMITS['tokenizer.json'] as number;
  /** A file made `bytes` long with trailing spaces: still valid JSON. */
  const padded = (dir: string, file: string, bytes: number) => {
    const text = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, file), text + ' '.repeat(bytes - Buffer.byteLength(text)));
  };

  it('a config.json past 1 MiB is refused, naming the file, its size and the limit', async () => {
    const dir = folder(() => undefined);
    padded(dir, 'config.json', JSON_BYTE_LIMIT_OTHER + 1);
    expect(await refusal(dir)).toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(
        new RegExp(
          `config\\.json in .*: ${JSON_BYTE_LIMIT_OTHER + 1} bytes .*at most ${JSON_BYTE_LIMIT_OTHER} bytes`,
        ),
      ),
    });
  });

  it('tokenizer.json may be large (64 MiB) but not larger; the CLI install refuses it', async () => {
    const dir = folder(() => undefined);
    padded(dir, 'tokenizer.json', 40 * 2 ** 20);
    expect(await refusal(dir)).toBeUndefined();
    padded(dir, 'tokenizer.json', TOKENIZER_LIMIT + 1);
    expect(await refusal(dir)).toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(/tokenizer\.json in .*: 67108865 bytes \(64\.0 MiB\)/),
    });
    const opts = { id: 'big', modelsDir: join(root, 'models'), cacheDir: join(root, 'cache') };
    await expect(installLocalModel({ ...opts, from: dir })).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(/tokenizer\.json/),
    });
  }, 60_000);

  it('a chosen folder (the app) refuses by the file size, before reading the file', async () => {
    const dir = folder(() => undefined);
    const files = new Map<string, Blob>();
    for (const f of [
      ...JSON_FILES,
      'onnx/vision_model_quantized.onnx',
      'onnx/text_model_quantized.onnx',
    ]) {
      files.set(f, new Blob([readFileSync(join(dir, f))]));
    }
    let read = false;
    const huge = {
      size: 5 * 2 ** 30,
      arrayBuffer: () => {
        read = true;
        return Promise.reject(new Error('read'));
      },
    } as unknown as Blob;
    files.set('tokenizer_config.json', huge);
    await expect(
      loadModelFolder(new BlobModelSource(files, 'the chosen folder')),
    ).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(
        /tokenizer_config\.json in the chosen folder: 5368709120 bytes/,
      ),
    });
    expect(read).toBe(false);
  });

  it('a served or cached folder stops the download at the limit', async () => {
    const dir = folder(() => undefined);
    let sent = 0;
    let cancelled = false;
    const fetch = ((input: string | URL) => {
      const path = String(input).replace('https://mumic.test/m/', '');
      if (path !== 'preprocessor_config.json') {
        return Promise.resolve(new Response(readFileSync(join(dir, path))));
      }
      // No Content-Length: counted as it streams, then cancelled. Valid JSON padded to 4 MiB.
      const json = readFileSync(join(dir, path));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 4 * 2 ** 20) return controller.close();
          controller.enqueue(sent === 0 ? json : new Uint8Array(2 ** 16).fill(32));
          sent += sent === 0 ? json.byteLength : 2 ** 16;
        },
        cancel() {
          cancelled = true;
        },
      });
      return Promise.resolve(new Response(body));
    }) as typeof globalThis.fetch;
    await expect(
      loadModelFolder(new FetchModelSource('https://mumic.test/m/', { fetch })),
    ).rejects.toMatchObject({
      name: 'ModelFileInvalid',
      message: expect.stringMatching(/preprocessor_config\.json/),
    });
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(JSON_BYTE_LIMIT_OTHER + 2 ** 18);
  });
});
