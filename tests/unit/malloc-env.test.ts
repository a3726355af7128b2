// bin/malloc-env.js: when the CLI starts itself again with glibc malloc settings, and that the
// child's own children do not inherit them.
import { expect, it } from 'vitest';
import { MALLOC_ENV, forgetMallocEnv, wantsMallocRelaunch } from '../../bin/malloc-env.js';

it('relaunches once, on Linux, unless allocator settings are already given', () => {
  const linux = process.platform === 'linux';
  expect(wantsMallocRelaunch({})).toBe(linux);
  expect(wantsMallocRelaunch({ MUMIC_MALLOC: 'relaunched' })).toBe(false);
  expect(wantsMallocRelaunch({ MUMIC_MALLOC: 'system' })).toBe(false);
  expect(wantsMallocRelaunch({ MALLOC_ARENA_MAX: '4' })).toBe(false);
  expect(wantsMallocRelaunch({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe(false);
});

it("the relaunched child clears the settings from its environment, a person's are kept", () => {
  const child: NodeJS.ProcessEnv = { ...MALLOC_ENV, MUMIC_MALLOC: 'relaunched', HOME: '/h' };
  expect(forgetMallocEnv(child)).toBe(true);
  expect(child).toEqual({ HOME: '/h' });
  const own: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '4' };
  expect(forgetMallocEnv(own)).toBe(false);
  expect(own).toEqual({ MALLOC_ARENA_MAX: '4' });
});
