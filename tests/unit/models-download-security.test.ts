// Issue 10, item 7: the model downloader never sends HF_TOKEN in clear text and never lets https
// fall back to http; loopback (tests, a local mirror) is the one exception.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, redirectProblem, tokenProblem } from '../../scripts/download-file.ts';
import { installHubModel } from '../../scripts/install-hub-model.ts';
import { parseManifest } from '../../scripts/model-manifest.ts';
import { MODEL_JSON_FILES } from '../../src/core/local-model-folder.ts';
import { onnxPath } from '../../src/core/model-files.ts';

const url = (s: string): URL => new URL(s);
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('downloader transport rules', () => {
  it('knows loopback hosts', () => {
    for (const s of [
      'http://localhost:8080/',
      'http://127.0.0.1/',
      'http://127.9.9.9/',
      'http://[::1]:3/',
    ])
      expect(isLoopback(url(s)), s).toBe(true);
    for (const s of ['http://10.0.0.1/', 'http://localhost.example/', 'http://128.0.0.1/'])
      expect(isLoopback(url(s)), s).toBe(false);
  });

  it('a token goes only over https or to loopback', () => {
    expect(tokenProblem(url('https://huggingface.co'))).toBeUndefined();
    expect(tokenProblem(url('http://127.0.0.1:9000'))).toBeUndefined();
    expect(tokenProblem(url('http://hf-mirror.example'))).toMatch(/clear text/);
  });

  it('https is never redirected to http (except loopback)', () => {
    const hub = url('https://huggingface.co/r/resolve/x/onnx/m.onnx');
    expect(redirectProblem(hub, url('https://cdn-lfs.hf.co/m'))).toBeUndefined();
    expect(redirectProblem(hub, url('http://cdn-lfs.hf.co/m'))).toMatch(/refused a redirect/);
    expect(redirectProblem(hub, url('http://localhost:9/m'))).toBeUndefined();
    // Plain http to begin with is the user's choice (no token): not a downgrade.
    expect(redirectProblem(url('http://mirror.example/a'), url('http://cdn.example/b'))).toBe(
      undefined,
    );
  });

  it('an install with HF_TOKEN and an http endpoint is refused before any request', async () => {
    root = mkdtempSync(join(tmpdir(), 'mumic-insecure-'));
    const manifest = parseManifest(
      {
        id: 'm',
        name: 'm',
        repo: 'org/m',
        revision: '0123456789abcdef0123456789abcdef01234567',
        defaultDtypes: ['q8'],
        files: [...MODEL_JSON_FILES, onnxPath('vision', 'q8'), onnxPath('text', 'q8')].map(
          (path) => ({ path, size: 1, sha256: '0'.repeat(64) }),
        ),
      },
      'test',
    );
    // An unresolvable host: if a request were made, the error would be "cannot reach".
    await expect(
      installHubModel({
        manifest,
        endpoint: 'http://hf-mirror.invalid',
        token: 'hf_secret',
        modelsDir: join(root, 'models'),
        cacheDir: join(root, 'cache'),
      }),
    ).rejects.toMatchObject({
      name: 'InsecureDownload',
      message: expect.stringMatching(/HF_TOKEN/),
    });
  });
});
