// The benches' one median: the middle value (of an even count, the upper of the two middle ones).
export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
