// Worker threads do not inherit the CLI's TypeScript loader: register it, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./tokenizer-probe-worker.ts');
