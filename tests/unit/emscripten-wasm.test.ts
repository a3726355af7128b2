// The worker codecs' shared WebAssembly start (src/worker/emscripten-wasm.ts): the module is
// compiled from its URL whatever type the server sends, and an instance that cannot be made
// rejects where Emscripten's factory would wait forever.
import { describe, expect, test } from 'vitest';
import {
  compileWasm,
  instantiate,
  type InstantiateOptions,
} from '../../src/worker/emscripten-wasm.ts';

// A module importing one function, env.f: () -> ().
const BYTES = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x04,
  0x01,
  0x60,
  0x00,
  0x00, // types: () -> ()
  0x02,
  0x09,
  0x01,
  0x03,
  0x65,
  0x6e,
  0x76,
  0x01,
  0x66,
  0x00,
  0x00, // import env.f
]);
const url = (type: string) => `data:${type};base64,${Buffer.from(BYTES).toString('base64')}`;

/** Like Emscripten's glue: resolves once its instance is made, never if it is not. */
const glue =
  (imports: WebAssembly.Imports) =>
  (options: InstantiateOptions): Promise<{ instance: WebAssembly.Instance; options: object }> =>
    new Promise((resolve) => {
      options.instantiateWasm(imports, (instance) => resolve({ instance, options }));
    });

describe('emscripten-wasm', () => {
  test('compiles from a URL, streamed or (another type) from its bytes', async () => {
    for (const type of ['application/wasm', 'application/octet-stream']) {
      const module = await compileWasm(url(type));
      expect(WebAssembly.Module.imports(module)).toEqual([
        { module: 'env', name: 'f', kind: 'function' },
      ]);
    }
    await expect(compileWasm('data:application/wasm;base64,AAAA')).rejects.toThrow();
  });

  test("makes the glue's instance, with the factory's other options; rejects if it cannot", async () => {
    const module = await compileWasm(url('application/wasm'));
    const made = await instantiate(glue({ env: { f: () => undefined } }), module, {
      noInitialRun: true,
    });
    expect(made.instance).toBeInstanceOf(WebAssembly.Instance);
    expect(made.options).toMatchObject({ noInitialRun: true });
    await expect(instantiate(glue({ env: {} }), module)).rejects.toThrow(WebAssembly.LinkError);
  });
});
