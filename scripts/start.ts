// npm start: make sure a model is there (the default one, fetched once), build, serve, print the URL.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runModelsCli } from './models-cli.ts';

const MODELS_DIR = join(import.meta.dirname, '..', 'public', 'models');

async function installedModels(): Promise<string[]> {
  try {
    const index = JSON.parse(await readFile(join(MODELS_DIR, 'index.json'), 'utf8')) as {
      models?: { id: string }[];
    };
    return (index.models ?? []).map((m) => m.id);
  } catch {
    return [];
  }
}

const before = await installedModels();
if ((await runModelsCli(['--if-missing'])) !== 0) {
  console.warn(
    before.length > 0
      ? `The default model could not be installed; serving the installed ones: ${before.join(', ')}.`
      : 'No model is installed and none could be fetched: the app will show how to add one\n' +
          '(npm run models when online, or npm run models -- --from DIR --id ID for a local folder).',
  );
}

const run = (args: string[]): void => {
  const result = spawnSync('npx', args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run(['vite', 'build']);
console.log('\nmumic is served at http://127.0.0.1:4173/ (Ctrl+C stops it)\n');
run(['vite', 'preview', '--host', '127.0.0.1', '--port', '4173', '--strictPort']);
