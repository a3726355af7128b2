/** onnxruntime's Tensor as the fake runtimes of the unit tests need it: what was passed in. */
export class FakeTensor {
  constructor(
    readonly type: string,
    readonly data: unknown,
    readonly dims: readonly number[],
  ) {}
}
