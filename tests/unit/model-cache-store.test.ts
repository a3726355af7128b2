// The model cache's store beside its reader (src/worker/verify-and-store.ts): the bytes once
// checked, the store's outcome after, and what is never stored.
import { describe, expect, it } from 'vitest';
import type { MumicError } from '../../src/core/errors.ts';
import { storedOutcome } from '../../src/worker/model-cache.ts';

import { BASE, VISION, bytes, failure, setup } from './model-cache-fakes.ts';

describe('model cache: the store beside the reader', () => {
  it('readThenStore: the bytes once checked, before they are stored; stored settles after', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(3000, 3);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    let release = (): void => undefined;
    cache.gate = { path: VISION, open: new Promise((resolve) => (release = resolve)) };
    const { bytes: read, stored } = await source().readThenStore(VISION);
    expect(read).toEqual(vision);
    let settled = false;
    void stored.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
    release();
    await stored;
    expect(cache.paths()).toContain(`/models/clip-tiny/${VISION}`);
  });

  it('readThenStore: a full storage rejects stored (by name), not the bytes', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(3000);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    cache.quotaBytes = 2000;
    const { bytes: read, stored } = await source().readThenStore(VISION);
    expect(read).toEqual(vision);
    const error = await failure(stored);
    expect(error.name).toBe('StorageQuotaExceeded');
    expect(error.message).toContain(`could not store ${VISION} of model clip-tiny`);
  });

  it('a file arriving in many chunks is stored whole', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(5000, 7);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    network.chunkBytes = 333;
    expect(await source().read(VISION)).toEqual(vision);
    expect(cache.entries.get(`${BASE}${VISION}`)?.body).toEqual(vision);
  });

  it('a damaged or cancelled download is not stored, and its outcome settles without blame', async () => {
    const reports: string[] = [];
    const report = (e: MumicError): void => void reports.push(e.name);
    const { cache, network, make } = setup({ onStorageError: report, onStorageWarning: report });
    const vision = bytes(4096, 9);
    network.index({ [VISION]: vision });
    network.chunkBytes = 1000;
    const f = make();
    network.serve(`/models/clip-tiny/${VISION}`, vision.subarray(0, 100));
    const damaged = await f(`${BASE}${VISION}`);
    expect((await failure(damaged.arrayBuffer())).name).toBe('ModelFileInvalid');
    await storedOutcome(damaged);

    network.serve(`/models/clip-tiny/${VISION}`, vision);
    const cancelled = await f(`${BASE}${VISION}`);
    const reader = (cancelled.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await storedOutcome(cancelled);
    expect(reports).toEqual([]);
    expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
  });
});
