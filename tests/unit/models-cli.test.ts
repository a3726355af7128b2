// `npm run models` as a command: endpoint from the environment, no network, bad usage.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelsCli, type CliIo } from '../../scripts/models-cli.ts';
import { readIndex } from '../../scripts/models-index.ts';
import { BIG, fileOf, hub, installedHash, manifest, sha256, useHubServer } from './hub-server.ts';

useHubServer();

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
      cwd: hub.root,
      out: () => out,
      err: () => err,
    };
  };

  async function writeManifest(): Promise<string> {
    const { writeFile } = await import('node:fs/promises');
    const file = join(hub.root, 'manifest.json');
    // The parser ignores keys it does not know, such as the in-memory `source`.
    await writeFile(file, JSON.stringify(manifest()));
    return file;
  }

  it('installs with the endpoint from HF_ENDPOINT and exits 0', async () => {
    const term = io({ HF_ENDPOINT: hub.endpoint });
    const code = await runModelsCli(
      [
        '--manifest',
        await writeManifest(),
        '--models-dir',
        hub.modelsDir,
        '--cache-dir',
        hub.cacheDir,
      ],
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
        hub.modelsDir,
        '--cache-dir',
        hub.cacheDir,
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
      ['--import', 'tsx', script, '--models-dir', hub.modelsDir, '--cache-dir', hub.cacheDir],
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
    expect(await runModelsCli(['--from', hub.root], term)).toBe(2);
    expect(term.err()).toContain('--from needs --id');
    expect(await runModelsCli(['--nope'], io())).toBe(2);
    expect(await runModelsCli(['--list', '--remove', 'x'], io())).toBe(2);
    const dtypes = io({ HF_ENDPOINT: hub.endpoint });
    expect(await runModelsCli(['--dtypes', 'q9', '--models-dir', hub.modelsDir], dtypes)).toBe(1);
    expect(dtypes.err()).toContain('unknown dtype "q9"');
  });

  async function expectNotInstalledAs(id: string): Promise<void> {
    expect(existsSync(join(hub.modelsDir, id))).toBe(false);
    expect((await readIndex(hub.modelsDir)).models).toEqual([]);
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
