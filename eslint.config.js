// Lint rules hold the walls between layers (see README "Structure").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});
const ort = {
  group: ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node'],
  message: 'Only src/runtime/ imports onnxruntime.',
};
const idb = { group: ['idb-keyval'], message: 'Only src/store/ touches IndexedDB.' };
const comlink = {
  group: ['comlink'],
  message: 'Only the worker entry (expose) and ui/bridge (wrap) import comlink.',
};
const nodeApi = {
  group: ['node:*', 'fs', 'path', 'sharp'],
  message: 'src/core/ is platform-free.',
};
const upper = (dirs) =>
  dirs.map((d) => ({
    group: [`**/${d}/*`, `../${d}/*`],
    message: `This layer may not import ${d}/.`,
  }));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [ort, idb, comlink] }],
    },
  },
  {
    files: ['src/core/**'],
    rules: restrict([
      ort,
      idb,
      comlink,
      nodeApi,
      ...upper(['runtime', 'store', 'shared', 'worker', 'ui', 'cli']),
    ]),
  },
  {
    files: ['src/runtime/**'],
    rules: restrict([idb, comlink, ...upper(['store', 'shared', 'worker', 'ui', 'cli'])]),
  },
  {
    files: ['src/store/**'],
    rules: restrict([ort, comlink, ...upper(['runtime', 'worker', 'ui', 'cli'])]),
  },
  {
    files: ['src/shared/**'],
    rules: restrict([ort, idb, comlink, ...upper(['runtime', 'store', 'worker', 'ui', 'cli'])]),
  },
  { files: ['src/worker/**'], rules: restrict([ort, idb, ...upper(['ui', 'cli'])]) },
  {
    files: ['src/ui/**'],
    rules: restrict([ort, idb, ...upper(['runtime', 'store', 'worker', 'cli'])]),
  },
  { files: ['src/cli/**'], rules: restrict([idb, comlink, ...upper(['store', 'worker', 'ui'])]) },
  { files: ['src/worker/worker.ts', 'src/ui/bridge.ts'], rules: restrict([ort, idb]) },
  // Install scripts and benchmarks may open ONNX files (to check or time a graph).
  { files: ['scripts/**', 'bench/**'], rules: restrict([idb, comlink]) },
  { files: ['bench/browser/**'], rules: restrict([idb]) },
  // Worker tests connect comlink over a MessageChannel; store tests make the older databases.
  {
    files: [
      'tests/unit/worker-api.test.ts',
      'tests/unit/worker-supervisor.test.ts',
      'tests/unit/worker-supervisor-busy.test.ts',
      'tests/unit/idb-store.test.ts',
      'tests/unit/idb-thumbnails.test.ts',
    ],
    rules: restrict([ort]),
  },
);
