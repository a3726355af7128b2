// The no-model screen's state: choosing a model folder from disk, which the worker checks and
// stores (src/worker/local-model.ts), and the models chosen earlier in this browser.
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { mayBeModelFile } from '../core/local-model-folder.ts';
import type { Dtype } from '../core/types.ts';
import type {
  BackendChoice,
  LocalModelFile,
  LocalModelProgress,
  LocalModelsState,
  LocalModelSummary,
} from '../shared/worker-api.ts';
import type { WorkerBridge } from './bridge.ts';

export interface ModelPickerConfig {
  /** `<base>models/`, where the chosen models are stored. */
  modelsUrl: string;
  wasmPaths: string;
  backend: BackendChoice | undefined;
  dtype: Dtype | undefined;
}

export class ModelPicker {
  phase: 'idle' | 'working' | 'failed' | 'done' = 'idle';
  progress: LocalModelProgress | undefined;
  error: ErrorInfo | undefined;
  /** Models chosen from disk earlier, stored in this browser. */
  local: LocalModelSummary[] = [];
  /** Set by main.ts: load this model now (after a folder is stored, or "Use" on a stored one). */
  onUse: ((id: string) => void) | undefined;

  constructor(
    private readonly bridge: WorkerBridge,
    readonly config: ModelPickerConfig,
    private readonly changed: () => void,
  ) {}

  /** The stored models and the server's; undefined when the worker cannot tell. */
  async state(): Promise<LocalModelsState | undefined> {
    try {
      const state = await this.bridge.localModels(this.config.modelsUrl);
      this.local = state.local;
      this.changed();
      return state;
    } catch {
      return undefined;
    }
  }

  /** Files of an `<input type=file webkitdirectory>`: only those that may be model files go. */
  async chooseFiles(list: FileList | readonly File[] | null): Promise<void> {
    const all = [...(list ?? [])];
    const relative = (f: File): string => f.webkitRelativePath || f.name;
    const files: LocalModelFile[] = all
      .filter((f) => mayBeModelFile(relative(f)))
      .map((f) => ({ path: relative(f), file: f }));
    const folderName = (all[0] ? relative(all[0]) : '').split('/')[0] ?? '';
    await this.install(files, folderName);
  }

  async remove(id: string): Promise<void> {
    try {
      await this.bridge.removeLocalModel(this.config.modelsUrl, id);
    } catch (error) {
      this.error = toErrorInfo(error);
      this.phase = 'failed';
    }
    await this.state();
  }

  private async install(files: LocalModelFile[], folderName: string): Promise<void> {
    if (this.phase === 'working') return;
    this.phase = 'working';
    this.error = undefined;
    this.progress = undefined;
    this.changed();
    try {
      const { modelsUrl, wasmPaths, backend, dtype } = this.config;
      const summary = await this.bridge.installLocalModel(
        { files, folderName, modelsUrl, wasmPaths, backend, dtype },
        (p) => {
          this.progress = p;
          this.changed();
        },
      );
      this.phase = 'done';
      this.progress = undefined;
      this.changed();
      this.onUse?.(summary.id);
    } catch (error) {
      this.phase = 'failed';
      this.error = toErrorInfo(error);
      this.progress = undefined;
      this.changed();
    }
  }
}

/**
 * The model to load at start-up: the URL's, else the default when the server has it, else the
 * model chosen from disk most recently, else the default (whose failure shows the no-model screen).
 */
export function startModelId(
  explicit: string | undefined,
  defaultId: string,
  state: LocalModelsState | undefined,
): string {
  if (explicit !== undefined) return explicit;
  if (!state || state.local.length === 0 || state.installed?.includes(defaultId)) return defaultId;
  return (state.local.find((m) => m.id === state.last) ?? state.local.at(-1))?.id ?? defaultId;
}
