#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx mumic` works in a checkout without a build step.
import { availableParallelism } from 'node:os';
import {
  endWithParent,
  forgetMallocEnv,
  relaunchWithMallocEnv,
  wantsMallocRelaunch,
} from './malloc-env.js';

// Each prepare thread (one per core) has a file read or a decode in libuv's pool at a time; its
// default 4 threads would cap decoding at 4 cores. Read once, at the pool's first use: set first.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism() + 2));
if (wantsMallocRelaunch()) {
  // On Linux the command runs in a child with glibc malloc settings that suit large photos.
  process.exitCode = await relaunchWithMallocEnv();
} else {
  if (forgetMallocEnv()) endWithParent();
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
  // For memory tests and benchmarks: the peak resident set size of this run, in KiB.
  if (process.env.MUMIC_REPORT_RSS)
    process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`);
}
