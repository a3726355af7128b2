// glibc's malloc settings for decoding large photos, applied by starting the command again in a
// child process (glibc reads them once, at start-up; Node 20 cannot exec in place). Plain
// JavaScript, run before the TypeScript loader, so the first process costs only Node's boot.
//
// Why: glibc gives every block above its mmap threshold (at most 32 MB) a mapping of its own and
// unmaps it when freed, and it unmaps the freed heaps of its per-thread arenas. A decoded 12 MP
// photo is a 36 MB block (libvips' output), so every photo came in fresh pages: about 9,000 page
// faults and 36 MB zeroed by the kernel per photo, in each prepare thread, a third of the CLI's
// CPU. With one arena, no mmap and no trimming, the next photo reuses the freed block (figures
// in docs/PERFORMANCE.md). The cost: the process keeps its peak heap until it exits, which a
// command-line run can afford. sharp's documentation names glibc's allocator for the same reason.
import { spawn } from 'node:child_process';

/** @type {Readonly<Record<string, string>>} */
export const MALLOC_ENV = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_MAX_: '0',
  MALLOC_TRIM_THRESHOLD_: String(2 ** 40),
};

/** Set in the child; a person may set `MUMIC_MALLOC=system` to keep glibc's defaults. */
const MARKER = 'MUMIC_MALLOC';

/** Whether this process should start itself again with MALLOC_ENV (Linux, not yet done). */
export function wantsMallocRelaunch(env = process.env) {
  if (process.platform !== 'linux' || env[MARKER] !== undefined) return false;
  // A person's own allocator settings are theirs.
  return env.GLIBC_TUNABLES === undefined && !Object.keys(MALLOC_ENV).some((k) => k in env);
}

/**
 * Runs this same process (Node flags, script, arguments) again with MALLOC_ENV and the same
 * stdio; resolves to its exit code. Signals sent here are passed on; one that ends the child
 * ends this process the same way.
 * @returns {Promise<number>}
 */
export function relaunchWithMallocEnv() {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...MALLOC_ENV, [MARKER]: 'relaunched' },
  });
  const signals = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
  /** @param {NodeJS.Signals} signal */
  const forward = (signal) => void child.kill(signal);
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}

/**
 * In the relaunched child, once glibc has read them: its own children get a plain environment.
 * Returns whether this is the relaunched child.
 */
export function forgetMallocEnv(env = process.env) {
  if (env[MARKER] !== 'relaunched') return false;
  for (const k of [...Object.keys(MALLOC_ENV), MARKER]) Reflect.deleteProperty(env, k);
  return true;
}

/** In the relaunched child: a parent killed outright (SIGKILL is not passed on) ends it too. */
export function endWithParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
}
