#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx mumic` works in a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// For memory tests and benchmarks: the peak resident set size of this run, in KiB.
if (process.env.MUMIC_REPORT_RSS)
  process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`);
