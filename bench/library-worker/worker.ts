// The library benchmark inside a dedicated worker, as the app's worker would rank.
import { measureDuplicates, measureRanking, type Clocks } from '../library-measure.ts';

export interface LibraryBenchRequest {
  sizes: number[];
  dim: number;
  runs: number;
  duplicatesSize: number;
}

const clocks: Clocks = { wall: () => performance.now() };

self.onmessage = (event: MessageEvent<LibraryBenchRequest>) => {
  const { sizes, dim, runs, duplicatesSize } = event.data;
  const ranking = sizes.flatMap((n) => measureRanking(n, dim, runs, clocks));
  const duplicates = measureDuplicates(
    duplicatesSize,
    dim,
    [0.99, 0.95, 0.9],
    Math.min(runs, 3),
    clocks,
  );
  self.postMessage({ ranking, duplicates });
};
