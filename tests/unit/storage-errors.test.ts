import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MumicError, describeError } from '../../src/core/errors.ts';
import {
  fileMismatch,
  indexedFile,
  modelFileOfUrl,
  parseModelIndex,
} from '../../src/core/model-index.ts';
import { Sha256, sha256Hex } from '../../src/core/sha256.ts';
import { formatBytes, isQuotaError, storageError } from '../../src/core/storage-errors.ts';

describe('storage errors', () => {
  const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');

  it('maps a quota error to StorageQuotaExceeded naming what, its size, usage and what to free', () => {
    const error = storageError(quota, {
      what: 'onnx/vision_model_quantized.onnx of model clip-vit-base-patch32 for offline use',
      bytes: 89_100_000,
      usage: 1_990_000_000,
      quota: 2_000_000_000,
    });
    expect(error).toBeInstanceOf(MumicError);
    expect(error.name).toBe('StorageQuotaExceeded');
    expect(error.cause).toBe(quota);
    expect(error.message).toBe(
      `could not store onnx/vision_model_quantized.onnx of model clip-vit-base-patch32 for offline use (89.1 MB): the browser's storage for this site is full (1.99 GB of 2.00 GB used). Free space: remove photos and results you no longer need (in the app), delete other mumic models' files (browser settings → site data for this site → Cache Storage "mumic-models"), or clear other sites' data or free disk space on this device; then reload.`,
    );
    expect(describeError(error)).toMatch(/^Browser storage is full: .* could not store /);
  });

  it('recognises the quota error by name, by Firefox legacy name and by legacy code 22', () => {
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError({ name: 'Error', code: 22 })).toBe(true);
    expect(isQuotaError(new DOMException('x', 'InvalidStateError'))).toBe(false);
    expect(isQuotaError(new TypeError('Failed to fetch'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });

  it('maps anything else to StorageFailed, and keeps a MumicError as it is', () => {
    const failed = storageError(new DOMException('denied', 'SecurityError'), { what: 'x' });
    expect(failed.name).toBe('StorageFailed');
    expect(failed.message).toBe('could not store x: denied');
    const own = new MumicError('ModelFileInvalid', 'bad');
    expect(storageError(own, { what: 'x' })).toBe(own);
  });

  it('leaves out size and usage when unknown', () => {
    const error = storageError(quota, { what: 'photos' });
    expect(error.message).toMatch(
      /^could not store photos: the browser's storage for this site is full\. Free space: /,
    );
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(78_000)).toBe('78 kB');
    expect(formatBytes(1_633_821)).toBe('1.6 MB');
    expect(formatBytes(10_740_000_000)).toBe('10.74 GB');
  });
});

describe('sha256', () => {
  it('matches node:crypto for every length around the block and padding edges', async () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000]) {
      const data = randomBytes(n);
      const want = createHash('sha256').update(data).digest('hex');
      expect(await sha256Hex(data), `length ${n}`).toBe(want);
    }
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives the same digest however the input is split into chunks', async () => {
    const data = randomBytes(300_001);
    const want = createHash('sha256').update(data).digest('hex');
    for (const chunk of [1, 7, 63, 64, 65, 4096, 65_537]) {
      const hash = await Sha256.create();
      for (let i = 0; i < data.length; i += chunk) hash.update(data.subarray(i, i + chunk));
      expect(hash.length).toBe(data.length);
      expect(hash.hex(), `chunks of ${chunk}`).toBe(want);
    }
  });

  it('refuses updates after the digest', async () => {
    const hash = (await Sha256.create()).update(new Uint8Array(3));
    hash.hex();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});

describe('model index', () => {
  const json = {
    models: [
      {
        id: 'clip-tiny',
        files: [
          { path: 'config.json', size: 412, sha256: 'A'.repeat(64) },
          { path: 'onnx/vision_model.onnx', size: 10, sha256: null },
          { path: 'tokenizer.json', size: -1, sha256: 'not a hash' },
          { size: 3 },
        ],
      },
      { id: 7, files: [] },
      'junk',
    ],
  };

  it('parses leniently and looks files up by model and path', () => {
    const index = parseModelIndex(json);
    expect([...index.keys()]).toEqual(['clip-tiny']);
    expect(indexedFile(index, 'clip-tiny', 'config.json')).toEqual({
      path: 'config.json',
      size: 412,
      sha256: 'a'.repeat(64),
    });
    expect(indexedFile(index, 'clip-tiny', 'onnx/vision_model.onnx')?.sha256).toBeUndefined();
    // Nothing usable to check against: not an entry to check.
    expect(indexedFile(index, 'clip-tiny', 'tokenizer.json')).toBeUndefined();
    expect(indexedFile(index, 'other', 'config.json')).toBeUndefined();
    expect(parseModelIndex(null).size).toBe(0);
    expect(parseModelIndex({ models: 'x' }).size).toBe(0);
  });

  it('says why a file does not match, truncation first', () => {
    const expected = { path: 'a', size: 100, sha256: 'b'.repeat(64) };
    expect(fileMismatch(expected, { size: 100, sha256: 'b'.repeat(64) })).toBeUndefined();
    expect(fileMismatch(expected, { size: 40, sha256: 'c'.repeat(64) })).toBe(
      'truncated: 40 bytes received, index.json lists 100',
    );
    expect(fileMismatch(expected, { size: 120, sha256: 'c'.repeat(64) })).toBe(
      '120 bytes received, index.json lists 100',
    );
    expect(fileMismatch(expected, { size: 100, sha256: 'c'.repeat(64) })).toBe(
      `SHA-256 ${'c'.repeat(64)} does not match ${'b'.repeat(64)} in index.json`,
    );
  });

  it('splits model file URLs of the app layout, and nothing else', () => {
    expect(modelFileOfUrl('https://a.example/models/clip-tiny/onnx/text_model.onnx')).toEqual({
      indexUrl: 'https://a.example/models/index.json',
      id: 'clip-tiny',
      path: 'onnx/text_model.onnx',
    });
    expect(modelFileOfUrl('https://a.example/app/models/m%20x/config.json?v=1')).toEqual({
      indexUrl: 'https://a.example/app/models/index.json',
      id: 'm x',
      path: 'config.json',
    });
    expect(modelFileOfUrl('https://a.example/models/index.json')).toBeUndefined();
    expect(modelFileOfUrl('https://a.example/ort/x.wasm')).toBeUndefined();
    expect(modelFileOfUrl('https://a.example/models/clip-tiny/')).toBeUndefined();
  });
});
