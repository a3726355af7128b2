// A local server that serves the clip-tiny fixture the way the Hugging Face Hub does
// (/<repo>/resolve/<revision>/<path>, LFS files redirected, Range, ETag), with misbehaviours on
// request, and fresh folders per test: shared by the `npm run models` tests.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { HubInstallOptions } from '../../scripts/install-hub-model.ts';
import { parseManifest, type ModelManifest } from '../../scripts/model-manifest.ts';
import { readIndex } from '../../scripts/models-index.ts';
import type { Reporter } from '../../scripts/progress.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const REPO = 'test-org/clip-tiny';
export const REVISION = '0123456789abcdef0123456789abcdef01234567';
/** q8 only: the smallest complete model (about 9 MB), so every case stays fast. */
export const FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/vision_model_quantized.onnx',
  'onnx/text_model_quantized.onnx',
];
export const BIG = 'onnx/text_model_quantized.onnx';

const bytes = new Map(FILES.map((p) => [p, readFileSync(join(FIXTURE_DIR, p))]));
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer): string =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
export const fileOf = (path: string): Buffer => {
  const b = bytes.get(path);
  if (!b) throw new Error(`no fixture file ${path}`);
  return b;
};

/** A manifest with the fixture's real hashes; `edit` may break one file's pins. */
export function manifest(
  edit: (files: Record<string, unknown>[]) => void = () => {},
): ModelManifest {
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

export interface Logged {
  path: string;
  range: string | undefined;
  status: number;
}

/** Misbehaviours, each for one file; `times` counts down per request. */
export interface Plan {
  /** Dies after `at` bytes of `path`; with `thenDown`, every later request gets a 503. */
  cut?: { path: string; at: number; times: number; thenDown?: boolean };
  down?: boolean;
  stall?: { path: string; at: number };
  ignoreRange?: boolean;
  corrupt?: string;
  truncate?: string;
}

/** The fake Hub and the current test's folders, reset before each test. */
export const hub = {
  server: undefined as unknown as Server,
  endpoint: '',
  plan: {} as Plan,
  log: [] as Logged[],
  root: '',
  modelsDir: '',
  cacheDir: '',
  notices: [] as string[],
};

const sockets = new Set<Socket>();

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const prefix = `/${REPO}/resolve/${REVISION}/`;
  let path: string | undefined;
  if (url.pathname.startsWith(prefix)) {
    path = decodeURIComponent(url.pathname.slice(prefix.length));
    // The Hub redirects LFS files to a CDN; the Range header must survive the hop.
    if (path.endsWith('.onnx') && bytes.has(path)) {
      hub.log.push({ path, range: req.headers.range, status: 302 });
      res.writeHead(302, { location: `/cdn/${encodeURIComponent(path)}?sig=1` }).end();
      return;
    }
  } else if (url.pathname.startsWith('/cdn/')) {
    path = decodeURIComponent(url.pathname.slice('/cdn/'.length));
  }
  if (hub.plan.down) {
    hub.log.push({ path: path ?? url.pathname, range: req.headers.range, status: 503 });
    res.writeHead(503).end();
    return;
  }
  let body = path === undefined ? undefined : bytes.get(path);
  if (path === undefined || body === undefined) {
    hub.log.push({ path: url.pathname, range: req.headers.range, status: 404 });
    res.writeHead(404).end('Entry not found');
    return;
  }
  if (hub.plan.corrupt === path) {
    body = Buffer.from(body);
    body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
  }
  if (hub.plan.truncate === path) body = body.subarray(0, body.length - 100);

  const headers = { etag: `"${sha256(body)}"`, 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  let start = 0;
  if (range && !hub.plan.ignoreRange) {
    start = Number(range[1]);
    if (start >= body.length) {
      hub.log.push({ path, range: req.headers.range, status: 416 });
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
  hub.log.push({ path, range: req.headers.range, status: res.statusCode });

  const cut = hub.plan.cut;
  if (cut?.path === path && cut.times > 0 && cut.at > start) {
    cut.times--;
    if (cut.thenDown) hub.plan.down = true;
    // Headers promised the whole file; the connection dies halfway.
    res.write(body.subarray(start, cut.at), () => res.socket?.destroy());
    return;
  }
  if (hub.plan.stall?.path === path) {
    res.write(body.subarray(start, Math.max(start, hub.plan.stall.at))); // then nothing, forever
    return;
  }
  res.end(body.subarray(start));
}

// ---- per-test folders ----------------------------------------------------------------------

const quietReport = (): Reporter => ({
  info: (line) => hub.notices.push(line),
  fileStart: () => {},
  fileProgress: () => {},
  fileDone: (path, note) => hub.notices.push(`${path}: ${note}`),
  close: () => {},
});

export function options(extra: Partial<HubInstallOptions> = {}): HubInstallOptions {
  return {
    manifest: manifest(),
    endpoint: hub.endpoint,
    modelsDir: hub.modelsDir,
    cacheDir: hub.cacheDir,
    download: { stallTimeoutMs: 2_000, attempts: 3, backoffMs: 10 },
    report: quietReport(),
    ...extra,
  };
}

export const installedHash = (path: string): string =>
  sha256(readFileSync(join(hub.modelsDir, 'clip-tiny', path)));
export const requestsFor = (path: string): Logged[] =>
  hub.log.filter((r) => r.path === path && r.status !== 302);
export const partOf = (path: string): string =>
  join(hub.cacheDir, `clip-tiny@${REVISION}`, `${path}.part`);

/** Nothing of the model is served or listed: no folder, no index entry. */
export async function expectNotInstalled(): Promise<void> {
  expect(existsSync(join(hub.modelsDir, 'clip-tiny'))).toBe(false);
  expect((await readIndex(hub.modelsDir)).models.map((m) => m.id)).not.toContain('clip-tiny');
}

// ---- cases ---------------------------------------------------------------------------------

/** Starts the fake Hub for the calling test file and gives each test fresh folders. */
export function useHubServer(): void {
  beforeAll(async () => {
    hub.server = createServer(serve);
    hub.server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((done) => hub.server.listen(0, '127.0.0.1', done));
    const address = hub.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    hub.endpoint = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((done) => hub.server.close(done));
  });

  beforeEach(() => {
    hub.root = mkdtempSync(join(tmpdir(), 'mumic-models-dl-'));
    hub.modelsDir = join(hub.root, 'models');
    hub.cacheDir = join(hub.root, 'cache');
    hub.plan = {};
    hub.log = [];
    hub.notices = [];
  });

  afterEach(() => rmSync(hub.root, { recursive: true, force: true }));
}
