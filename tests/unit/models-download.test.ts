// `npm run models` against a local server that serves the clip-tiny fixture the way the Hugging
// Face Hub does (tests/unit/hub-server.ts): verification, resume, retries, pins.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installHubModel } from '../../scripts/install-hub-model.ts';
import { readIndex } from '../../scripts/models-index.ts';
import {
  BIG,
  FILES,
  REVISION,
  expectNotInstalled,
  fileOf,
  hub,
  installedHash,
  manifest,
  options,
  partOf,
  requestsFor,
  sha256,
  useHubServer,
} from './hub-server.ts';

useHubServer();

describe('npm run models: download from a Hub-like server', () => {
  it('installs every file, verified, lists it in index.json, and reuses it on a second run', async () => {
    const entry = await installHubModel(options());

    for (const path of FILES) expect(installedHash(path)).toBe(sha256(fileOf(path)));
    expect(readdirSync(join(hub.modelsDir, 'clip-tiny', 'onnx')).sort()).toEqual([
      'text_model_quantized.onnx',
      'vision_model_quantized.onnx',
    ]);
    expect(entry.dtypes).toEqual({ vision: ['q8'], text: ['q8'] });
    const index = await readIndex(hub.modelsDir);
    expect(index.models).toEqual([entry]);
    expect(entry.revision).toBe(REVISION);
    expect(entry.files.find((f) => f.path === BIG)).toEqual({
      path: BIG,
      size: fileOf(BIG).length,
      sha256: sha256(fileOf(BIG)),
    });
    // LFS files came through the redirect; the download cache is gone once installed.
    expect(hub.log.filter((r) => r.status === 302).map((r) => r.path)).toContain(BIG);
    expect(existsSync(join(hub.cacheDir, `clip-tiny@${REVISION}`))).toBe(false);

    hub.log = [];
    await installHubModel(options());
    expect(hub.log).toEqual([]);
    expect(hub.notices.filter((n) => n.includes('already installed, verified'))).toHaveLength(
      FILES.length,
    );
  });

  it('fails on a wrong hash, naming the file, and installs nothing', async () => {
    hub.plan.corrupt = BIG; // same size, one byte flipped
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
    hub.plan.truncate = 'tokenizer.json';
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
    hub.plan.cut = { path: BIG, at: half, times: 1 };
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
    hub.plan.cut = { path: BIG, at: fileOf(BIG).length >> 1, times: 1, thenDown: true };
    const interrupted = installHubModel(options());
    await expect(interrupted).rejects.toThrow(
      new RegExp(`${BIG}: download failed 3 times \\(last: HTTP 503\\)`),
    );
    await expectNotInstalled();
    const kept = statSync(partOf(BIG)).size;
    expect(kept).toBeGreaterThan(0);

    hub.plan = {};
    hub.log = [];
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
    expect(hub.notices.some((n) => n.includes('after a resume; downloading it again'))).toBe(true);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('starts the file again when the server ignores Range', async () => {
    hub.plan.cut = { path: BIG, at: fileOf(BIG).length >> 1, times: 1, thenDown: true };
    await expect(installHubModel(options())).rejects.toThrow(BIG);
    expect(statSync(partOf(BIG)).size).toBeGreaterThan(0);

    hub.plan = { ignoreRange: true };
    hub.log = [];
    await installHubModel(options());
    const [request] = requestsFor(BIG);
    expect(request?.range).toMatch(/^bytes=\d+-$/);
    expect(request?.status).toBe(200);
    expect(hub.notices.some((n) => n.includes('ignored the Range request'))).toBe(true);
    expect(installedHash(BIG)).toBe(sha256(fileOf(BIG)));
  });

  it('gives up on a stalled connection after retries, naming the file (no hang)', async () => {
    hub.plan.stall = { path: BIG, at: 1000 };
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
    expect(hub.log).toEqual([]); // refused before downloading anything
    await expectNotInstalled();

    const entry = await installHubModel(options({ manifest: unpinned, trustOnFirstUse: true }));
    expect(entry.files.find((f) => f.path === BIG)?.sha256).toBe(sha256(fileOf(BIG)));
    expect(hub.notices.some((n) => n.includes('NOT VERIFIED (trusted on first use)'))).toBe(true);
  });
});
