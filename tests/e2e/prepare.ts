// Before the browser tests: install the clip-tiny fixture as the app's model "clip-tiny" (the
// build copies public/models/ into dist/). A fixture is a test model, never the app's default.
import { execFileSync } from 'node:child_process';
import { FIXTURE_DIR } from '../fixture.ts';

execFileSync('npx', ['tsx', 'scripts/models.ts', '--from', FIXTURE_DIR, '--id', 'clip-tiny'], {
  stdio: 'inherit',
});
