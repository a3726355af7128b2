// Benchmarks that run the CLI's path in their own process take the CLI's malloc settings
// (bin/malloc-env.js) the same way: by starting again with them. MUMIC_MALLOC=system measures
// with glibc's defaults instead.
import { forgetMallocEnv, relaunchWithMallocEnv, wantsMallocRelaunch } from '../bin/malloc-env.js';

/**
 * Call first: either this process has the settings, or it exits with its child's exit code.
 * Returns which malloc settings this process runs with, for the benchmark's output.
 */
export async function withCliMalloc(): Promise<string> {
  if (wantsMallocRelaunch()) process.exit(await relaunchWithMallocEnv());
  const on = process.env.MUMIC_MALLOC === 'relaunched';
  forgetMallocEnv();
  return on ? 'the CLI settings (bin/malloc-env.js)' : "glibc's defaults";
}
