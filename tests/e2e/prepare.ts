// Before the browser tests: install the clip-tiny fixture as the app's model "clip-tiny" (the
// build copies public/models/ into dist/). A fixture is a test model, never the app's default.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIANTS, VARIANTS_DIR } from '../family-fixtures.ts';
import { FIXTURE_DIR } from '../fixture.ts';

execFileSync('npx', ['tsx', 'scripts/models.ts', '--from', FIXTURE_DIR, '--id', 'clip-tiny'], {
  stdio: 'inherit',
});
// "siglip-tiny" (tests/e2e/siglip.spec.ts): its calibration comes along in mumic-model.json.
// The preprocess variants (tests/e2e/variants.spec.ts), each under its folder's name.
const install = (from: string, id: string): void => {
  execFileSync('npx', ['tsx', 'scripts/models.ts', '--from', from, '--id', id], {
    stdio: 'inherit',
  });
};
install(join(FIXTURE_DIR, '..', 'siglip-tiny'), 'siglip-tiny');
for (const variant of VARIANTS) install(join(VARIANTS_DIR, variant), variant);

/**
 * "clip-tiny-broken" (tests/e2e/offline.spec.ts): a copy of clip-tiny whose vision towers are cut
 * in half, as a failed copy or download leaves them. The installer would refuse it, so it is
 * written here, and it is not listed in index.json: the app has no hash to check it against and
 * must still fail by naming the file, not hang or load garbage.
 */
const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const source = join(MODELS, 'clip-tiny');
const broken = join(MODELS, 'clip-tiny-broken');
rmSync(broken, { recursive: true, force: true });
const copy = (from: string, to: string): void => {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) {
      copy(path, join(to, name));
      continue;
    }
    const bytes = readFileSync(path);
    const truncate = /^vision_model.*\.onnx$/.test(name);
    writeFileSync(join(to, name), truncate ? bytes.subarray(0, bytes.length >> 1) : bytes);
  }
};
copy(source, broken);
console.log(
  'Wrote clip-tiny-broken (vision towers truncated, not in index.json) for the e2e tests',
);
