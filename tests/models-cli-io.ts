// Runs `npm run models` in-process with captured output (the models tests share it).
import { runModelsCli, type CliIo, type CliTuning } from '../scripts/models-cli.ts';

export async function runModels(
  args: readonly string[],
  cwd: string,
  tuning: CliTuning = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd,
  };
  const code = await runModelsCli(args, io, tuning);
  return { code, out, err };
}
