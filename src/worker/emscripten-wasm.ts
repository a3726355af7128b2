// What the worker's Emscripten-built codecs (jpeg-wasm.ts, webp-wasm.ts) share: their module
// compiled once from its URL, and an instance of their glue made from it.

/** Options an Emscripten factory takes here: the instance is made from a compiled module. */
export interface InstantiateOptions {
  instantiateWasm: (
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ) => object;
}

/** Compiles a .wasm file (streaming needs the application/wasm type every server here sends). */
export function compileWasm(url: string): Promise<WebAssembly.Module> {
  // Started in a then: nothing throws to the caller, even without WebAssembly.
  return Promise.resolve().then(() =>
    WebAssembly.compileStreaming(fetch(url)).catch(async () =>
      WebAssembly.compile(await (await fetch(url)).arrayBuffer()),
    ),
  );
}

/**
 * The glue's module on a new instance of `module` (`options`: the factory's others); rejects if
 * instantiation fails, where Emscripten's factory would wait for it forever.
 */
export function instantiate<T>(
  factory: (options: InstantiateOptions) => Promise<T>,
  module: WebAssembly.Module,
  options: object = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const instantiateWasm: InstantiateOptions['instantiateWasm'] = (imports, done) => {
      WebAssembly.instantiate(module, imports).then((i) => done(i, module), reject);
      return {};
    };
    factory({ ...options, instantiateWasm }).then(resolve, reject);
  });
}
