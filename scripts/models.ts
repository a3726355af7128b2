// npm run models [-- options]: install, list, remove or verify the models the app serves.
// See `npm run models -- --help` and docs/MODELS.md.
import { runModelsCli } from './models-cli.ts';

process.exitCode = await runModelsCli(process.argv.slice(2));
