export const MALLOC_ENV: Readonly<Record<string, string>>;
export function wantsMallocRelaunch(env?: NodeJS.ProcessEnv): boolean;
export function relaunchWithMallocEnv(): Promise<number>;
export function forgetMallocEnv(env?: NodeJS.ProcessEnv): boolean;
export function endWithParent(): void;
