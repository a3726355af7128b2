import { adaptCommand } from './commands/adapt.ts';
import { LIBRARY_COMMANDS } from './library/library-commands.ts';
import { classifyCommand } from './commands/classify.ts';
import { embedTextCommand } from './commands/embed-text.ts';
import { evalCommand } from './commands/eval.ts';
import { embedCommand } from './commands/embed.ts';
import { reportFatal } from './output.ts';
import { endPreparePool } from './prepare-thread.ts';

interface Command {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  embed: { summary: 'print the CLIP embedding of each image', run: embedCommand },
  'embed-text': {
    summary: 'print the tokens and CLIP embedding of each text',
    run: embedTextCommand,
  },
  classify: {
    summary: "score every label of each photo (MuMIC's tempered sigmoid)",
    run: classifyCommand,
  },
  eval: { summary: 'GAP@10, GAP and macro mAP against a ground-truth CSV', run: evalCommand },
  adapt: { summary: 'learn label parameters (a head) from a ground-truth CSV', run: adaptCommand },
  ...LIBRARY_COMMANDS,
};

const HELP = `mumic: private multi-label photo tagging with CLIP (MuMIC), on this machine.

Usage: mumic <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`)
  .join('\n')}

Run "mumic <command> --help" for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mumic: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    return reportFatal(error);
  } finally {
    // The prepare threads' copies of the vision tower are released before the process ends:
    // left to the threads' teardown, onnxruntime-node aborts the process (exit status 134).
    await endPreparePool();
  }
}
