import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run models` installs: $MUMIC_MODELS_DIR, else this checkout's public/models. */
export const modelsDir = (): string =>
  process.env['MUMIC_MODELS_DIR'] ?? resolve(import.meta.dirname, '..', '..', 'public', 'models');

/**
 * `--model` takes a folder or the id of an installed model (`--model clip-vit-b16`). A path that
 * exists wins; otherwise a plain name that is installed; otherwise the value as given, so that
 * loading names the missing folder.
 */
export function resolveModelDir(value: string): string {
  if (existsSync(value) || !/^[A-Za-z0-9][\w.-]*$/.test(value)) return value;
  const installed = join(modelsDir(), value);
  return existsSync(join(installed, 'config.json')) ? installed : value;
}
