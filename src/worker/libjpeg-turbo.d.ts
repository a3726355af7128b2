// The Emscripten glue of @cornerstonejs/codec-libjpeg-turbo-8bit's decoder (it ships no types).
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  export interface JpegFrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
  }
  export interface JpegDecoder {
    /** A view of WASM memory sized for the file, to copy its bytes into. */
    getEncodedBuffer(size: number): Uint8Array;
    /** Throws (a C++ exception pointer, a number) on any libjpeg error. */
    decode(): void;
    getFrameInfo(): JpegFrameInfo;
    /** A copy in JS memory: RGB, or one byte per pixel for gray. */
    getDecodedBuffer(): Uint8ClampedArray;
    delete(): void;
  }
  export interface LibJpegTurbo {
    JPEGDecoder: new () => JpegDecoder;
  }
  interface ModuleOptions {
    wasmBinary?: ArrayBuffer | Uint8Array;
    instantiateWasm?: (
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => object;
  }
  const factory: (options?: ModuleOptions) => Promise<LibJpegTurbo>;
  export default factory;
}
