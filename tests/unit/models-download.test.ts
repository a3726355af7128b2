// `npm run models` against a local server that serves the clip-tiny fixture the way the Hugging
// Face Hub does: /<repo>/resolve/<revision>/<path>, LFS files redirected, Range, ETag.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installHubModel, type HubInstallOptions } from '../../scripts/install-hub-model.ts';
import { parseManifest, type ModelManifest } from '../../scripts/model-manifest.ts';
import { runModelsCli, type CliIo } from '../../scripts/models-cli.ts';
import { readIndex } from '../../scripts/models-index.ts';
import type { Reporter } from '../../scripts/progress.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const REPO = 'test-org/clip-tiny';
const REVISION = '0123456789abcdef0123456789abcdef01234567';
/** q8 only: the smallest complete model (about 9 MB), so every case stays fast. */
const FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/vision_model_quantized.onnx',
  'onnx/text_model_quantized.onnx',
];
const BIG = 'onnx/text_model_quantized.onnx';

const bytes = new Map(FILES.map((p) => [p, readFileSync(join(FIXTURE_DIR, p))]));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer): string =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const fileOf = (path: string): Buffer => {
  const b = bytes.get(path);
  if (!b) throw new Error(`no fixture file ${path}`);
  return b;
};

/** A manifest with the fixture's real hashes; `edit` may break one file's pins. */
function manifest(edit: (files: Record<string, unknown>[]) => void = () => {}): ModelManifest {
  const files = FILES.map((path) => {
    const b = fileOf(path);
    // Small files carry a git blob id as on the Hub, so that check runs too.
    return path.endsWith('.json')
      ? { path, size: b.length, sha256: sha256(b), gitSha1: gitSha1(b) }
      : { path, size: b.length, sha256: sha256(b) };
  });
  edit(files);
  return parseManifest(
    {
      id: 'clip-tiny',
      name: 'clip-tiny test',
      repo: REPO,
      revision: REVISION,
      defaultDtypes: ['q8'],
      files,
    },
    'test manifest',
  );
}

// ---- the fake Hub ------------------------------------------------------------------------------

interface Logged {
  path: string;
  range: string | undefined;
  status: number;
}

/** Misbehaviours, each for one file; `times` counts down per request. */
interface Plan {
  /** Dies after `at` bytes of `path`; with `thenDown`, every later request gets a 503. */
  cut?: { path: string; at: number; times: number; thenDown?: boolean };
  down?: boolean;
  stall?: { path: string; at: number };
  ignoreRange?: boolean;
  corrupt?: string;
  truncate?: string;
}

let server: Server;
let endpoint: string;
let plan: Plan = {};
let log: Logged[] = [];
const sockets = new Set<Socket>();

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const prefix = `/${REPO}/resolve/${REVISION}/`;
  let path: string | undefined;
  if (url.pathname.startsWith(prefix)) {
    path = decodeURIComponent(url.pathname.slice(prefix.length));
    // The Hub redirects LFS files to a CDN; the Range header must survive the hop.
    if (path.endsWith('.onnx') && bytes.has(path)) {
      log.push({ path, range: req.headers.range, status: 302 });
      res.writeHead(302, { location: `/cdn/${encodeURIComponent(path)}?sig=1` }).end();
      return;
    }
  } else if (url.pathname.startsWith('/cdn/')) {
    path = decodeURIComponent(url.pathname.slice('/cdn/'.length));
  }
  if (plan.down) {
    log.push({ path: path ?? url.pathname, range: req.headers.range, status: 503 });
    res.writeHead(503).end();
    return;
  }
  let body = path === undefined ? undefined : bytes.get(path);
  if (path === undefined || body === undefined) {
    log.push({ path: url.pathname, range: req.headers.range, status: 404 });
    res.writeHead(404).end('Entry not found');
    return;
  }
  if (plan.corrupt === path) {
    body = Buffer.from(body);
    body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
  }
  if (plan.truncate === path) body = body.subarray(0, body.length - 100);

  const headers = { etag: `"${sha256(body)}"`, 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  let start = 0;
  if (range && !plan.ignoreRange) {
    start = Number(range[1]);
    if (start >= body.length) {
      log.push({ path, range: req.headers.range, status: 416 });
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
  } else {
    res.writeHead(200, { ...headers, 'content-length': body.length });
  }
  log.push({ path, range: req.headers.range, status: res.statusCode });

  const cut = plan.cut;
  if (cut?.path === path && cut.times > 0 && cut.at > start) {
    cut.times--;
    if (cut.thenDown) plan.down = true;
    // Headers promised the whole file; the connection dies halfway.
    res.write(body.subarray(start, cut.at), () => res.socket?.destroy());
    return;
  }
  if (plan.stall?.path === path) {
    res.write(body.subarray(start, Math.max(start, plan.stall.at))); // then nothing, forever
    return;
  }
  res.end(body.subarray(start));
}

beforeAll(async () => {
  server = createServer(serve);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((done) => server.close(done));
});

// ---- per-test folders ----------------------------------------------------------------------

let root: string;
let modelsDir: string;
let cacheDir: string;
let notices: string[];

const quietReport = (): Reporter => ({
  info: (line) => notices.push(line),
  fileStart: () => {},
  fileProgress: () => {},
  fileDone: (path, note) => notices.push(`${path}: ${note}`),
  close: () => {},
});

function options(extra: Partial<HubInstallOptions> = {}): HubInstallOptions {
  return {
    manifest: manifest(),
    endpoint,
    modelsDir,
    cacheDir,
    download: { stallTimeoutMs: 2_000, attempts: 3, backoffMs: 10 },
    report: quietReport(),
    ...extra,
  };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mumic-models-dl-'));
  modelsDir = join(root, 'models');
  cacheDir = join(root, 'cache');
  plan = {};
  log = [];
  notices = [];
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const installedHash = (path: string): string =>
  sha256(readFileSync(join(modelsDir, 'clip-tiny', path)));
const requestsFor = (path: string): Logged[] =>
  log.filter((r) => r.path === path && r.status !== 302);
const partOf = (path: string): string => join(cacheDir, `clip-tiny@${REVISION}`, `${path}.part`);

/** Nothing of the model is served or listed: no folder, no index entry. */
async function expectNotInstalled(): Promise<void> {
  expect(existsSync(join(modelsDir, 'clip-tiny'))).toBe(false);
  expect((await readIndex(modelsDir)).models.map((m) => m.id)).not.toContain('clip-tiny');
}

// ---- cases ---------------------------------------------------------------------------------

describe('npm run models: download from a Hub-like server', () => {
  it('installs every file, verified, lists it in index.json, and reuses it on a second run', async () => {
    const entry = await installHubModel(options());

    for (const path of FILES) expect(installedHash(path)).toBe(sha256(fileOf(path)));
    expect(readdirSync(join(modelsDir, 'clip-tiny', 'onnx')).sort()).toEqual([
      'text_model_quantized.onnx',
      'vision_model_quantized.onnx',
    ]);
    expect(entry.dtypes).toEqual({ vision: ['q8'], text: ['q8'] });
    const index = await readIndex(modelsDir);
    expect(index.models).toEqual([entry]);
    expect(entry.revision).toBe(REVISION);
    expect(entry.files.find((f) => f.path === BIG)).toEqual({
      path: BIG,
      size: fileOf(BIG).length,
      sha256: sha256(fileOf(BIG)),
    });
    // LFS files came through the redirect; the download cache is gone once installed.
    expect(log.filter((r) => r.status === 302).map((r) => r.path)).toContain(BIG);
    expect(existsSync(join(cacheDir, `clip-tiny@${REVISION}`))).toBe(false);

    log = [];
    await installHubModel(options());
    expect(log).toEqual([]);
    expect(notices.filter((n) => n.includes('already installed, verified'))).toHaveLength(
      FILES.length,
    );
  });

  it('fails on a wrong hash, naming the file, and installs nothing', async () => {
    plan.corrupt = BIG; // same size, one byte flipped
    const failure = installHubModel(options());
    await expect(failure).rejects.toMatchObject({ name: 'ModelFileInvalid' });
    await expect(failure).rejects.toThrow(
      new RegExp(
        `${BIG} failed verification: SHA-256 is [0-9a-f]{64}, expected ${sha256(fileOf(BIG))}`,
      ),
    );
    await expectNotInstalled();
    // The bad bytes are not kept, not even as a resume point.
    expect(existsSync(partOf(BIG))).toBe(false);
    expect(existsSync(partOf(BIG).replace(/\.part$/, ''))).toBe(false);
  });

  it('fails on a truncated file (wrong size), naming the file', async () => {
    plan.truncate = 'tokenizer.json';
    const failure = installHubModel(options());
    await expect(failure).rejects.toMatchObject({ name: 'ModelFileInvalid' });
    await expect(failure).rejects.toThrow(
      /tokenizer\.json: the server offers \d+ bytes but the pinned size is \d+/,
    );
    await expectNotInstalled();
  });

  it('checks the git blob id of small files when the manifest gives one', async () => {
    const m = manifest((files) => {
      const f = files.find((x) => x.path === 'tokenizer_config.json');
      if (f) f['gitSha1'] = '0'.repeat(40);
    });
    await expect(installHubModel(options({ manifest: m }))).rejects.toThrow(
      /tokenizer_config\.json failed verification: git blob id is [0-9a-f]{40}, expected 0{40}/,
    );
    await expectNotInstalled();
  });

  it('resumes a cut connection with a Range request and completes with the right hash', async () => {
    const half = fileOf(BIG).length >> 1;
    plan.cut = { path: BIG, at: half, times: 1 };
    await installHubModel(options());

    const [first, second, ...rest] = requestsFor(BIG);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ range: undefined, status: 200 });
    const offset = Number(/^bytes=(\d+)-$/.exec(second?.range ?? '')?.[1]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(half);
    expect(second?.status).toBe(206);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('resumes in a later run from the .part an interrupted run left', async () => {
    // The network goes away mid-file: the run ends, leaving what it received.
    plan.cut = { path: BIG, at: fileOf(BIG).length >> 1, times: 1, thenDown: true };
    const interrupted = installHubModel(options());
    await expect(interrupted).rejects.toThrow(
      new RegExp(`${BIG}: download failed 3 times \\(last: HTTP 503\\)`),
    );
    await expectNotInstalled();
    const kept = statSync(partOf(BIG)).size;
    expect(kept).toBeGreaterThan(0);

    plan = {};
    log = [];
    await installHubModel(options());
    expect(requestsFor(BIG)).toEqual([{ path: BIG, range: `bytes=${kept}-`, status: 206 }]);
    // Files finished by the first run are reused from the download cache, not fetched again.
    expect(requestsFor('tokenizer.json')).toEqual([]);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('drops a stale .part whose resume fails verification and downloads the file afresh', async () => {
    const half = fileOf(BIG).length >> 1;
    mkdirSync(dirname(partOf(BIG)), { recursive: true });
    writeFileSync(partOf(BIG), Buffer.alloc(half, 7)); // e.g. left by another revision
    await installHubModel(options());
    expect(requestsFor(BIG).map((r) => [r.range, r.status])).toEqual([
      [`bytes=${half}-`, 206],
      [undefined, 200],
    ]);
    expect(notices.some((n) => n.includes('after a resume; downloading it again'))).toBe(true);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('starts the file again when the server ignores Range', async () => {
    plan.cut = { path: BIG, at: fileOf(BIG).length >> 1, times: 1, thenDown: true };
    await expect(installHubModel(options())).rejects.toThrow(BIG);
    expect(statSync(partOf(BIG)).size).toBeGreaterThan(0);

    plan = { ignoreRange: true };
    log = [];
    await installHubModel(options());
    const [request] = requestsFor(BIG);
    expect(request?.range).toMatch(/^bytes=\d+-$/);
    expect(request?.status).toBe(200);
    expect(notices.some((n) => n.includes('ignored the Range request'))).toBe(true);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('gives up on a stalled connection after retries, naming the file (no hang)', async () => {
    plan.stall = { path: BIG, at: 1000 };
    const started = Date.now();
    const failure = installHubModel(
      options({ download: { stallTimeoutMs: 150, attempts: 3, backoffMs: 10 } }),
    );
    await expect(failure).rejects.toThrow(
      new RegExp(`${BIG}: download failed 3 times \\(last: no data for 0.15 s\\)`),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    // First request, then resumes from the bytes that did arrive.
    expect(
      requestsFor(BIG)
        .slice(1)
        .every((r) => r.range === 'bytes=1000-'),
    ).toBe(true);
    await expectNotInstalled();
  });

  it('names a file the server does not have', async () => {
    const m = manifest((files) => {
      files.push({ path: 'onnx/vision_model_q4.onnx', size: 10, sha256: 'a'.repeat(64) });
      files.push({ path: 'onnx/text_model_q4.onnx', size: 10, sha256: 'a'.repeat(64) });
    });
    await expect(installHubModel(options({ manifest: m, dtypes: ['q8', 'q4'] }))).rejects.toThrow(
      /onnx\/vision_model_q4\.onnx was not found \(HTTP 404/,
    );
    await expectNotInstalled();
  });

  it('refuses files without pinned hashes unless --trust-on-first-use, which records them', async () => {
    const unpinned = manifest((files) => {
      const f = files.find((x) => x.path === BIG);
      if (f) {
        f['sha256'] = null;
        f['size'] = null;
      }
    });
    await expect(installHubModel(options({ manifest: unpinned }))).rejects.toThrow(
      new RegExp(`${BIG}: no SHA-256 pinned in test manifest.*--trust-on-first-use`),
    );
    expect(log).toEqual([]); // refused before downloading anything
    await expectNotInstalled();

    const entry = await installHubModel(options({ manifest: unpinned, trustOnFirstUse: true }));
    expect(entry.files.find((f) => f.path === BIG)?.sha256).toBe(sha256(fileOf(BIG)));
    expect(notices.some((n) => n.includes('NOT VERIFIED (trusted on first use)'))).toBe(true);
  });
});

describe('npm run models: the command', () => {
  const io = (
    env: Record<string, string> = {},
  ): CliIo & { out: () => string; err: () => string } => {
    let out = '';
    let err = '';
    return {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd: root,
      out: () => out,
      err: () => err,
    };
  };

  async function writeManifest(): Promise<string> {
    const { writeFile } = await import('node:fs/promises');
    const file = join(root, 'manifest.json');
    // The parser ignores keys it does not know, such as the in-memory `source`.
    await writeFile(file, JSON.stringify(manifest()));
    return file;
  }

  it('installs with the endpoint from HF_ENDPOINT and exits 0', async () => {
    const term = io({ HF_ENDPOINT: endpoint });
    const code = await runModelsCli(
      ['--manifest', await writeManifest(), '--models-dir', modelsDir, '--cache-dir', cacheDir],
      term,
    );
    expect(term.err()).toBe('');
    expect(code).toBe(0);
    expect(term.out()).toMatch(/Installed clip-tiny: .*vision q8, text q8/);
    expect(term.out()).toContain('SHA-256 verified');
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('without a network, exits non-zero and says what to do', async () => {
    const closed = await closedPort();
    const term = io();
    const code = await runModelsCli(
      [
        '--endpoint',
        `http://127.0.0.1:${closed}`,
        '--models-dir',
        modelsDir,
        '--cache-dir',
        cacheDir,
      ],
      term,
    );
    expect(code).toBe(1);
    expect(term.err()).toContain(`cannot reach http://127.0.0.1:${closed} (`);
    expect(term.err()).toContain('ECONNREFUSED');
    expect(term.err()).toContain('Check the network connection');
    expect(term.err()).toContain('npm run models -- --from DIR --id clip-vit-base-patch32');
    await expectNotInstalledAs('clip-vit-base-patch32');
  });

  it('as a process: the exit code is non-zero without a network', async () => {
    const closed = await closedPort();
    const script = resolve(import.meta.dirname, '../../scripts/models.ts');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', script, '--models-dir', modelsDir, '--cache-dir', cacheDir],
      {
        env: { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${closed}` },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot reach');
    expect(result.stderr).toContain('--from DIR');
  });

  it('rejects bad usage with exit code 2', async () => {
    const term = io();
    expect(await runModelsCli(['--from', root], term)).toBe(2);
    expect(term.err()).toContain('--from needs --id');
    expect(await runModelsCli(['--nope'], io())).toBe(2);
    expect(await runModelsCli(['--list', '--remove', 'x'], io())).toBe(2);
    const dtypes = io({ HF_ENDPOINT: endpoint });
    expect(await runModelsCli(['--dtypes', 'q9', '--models-dir', modelsDir], dtypes)).toBe(1);
    expect(dtypes.err()).toContain('unknown dtype "q9"');
  });

  async function expectNotInstalledAs(id: string): Promise<void> {
    expect(existsSync(join(modelsDir, id))).toBe(false);
    expect((await readIndex(modelsDir)).models).toEqual([]);
  }
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
