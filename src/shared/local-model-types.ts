// Local model folders (issue 5): the data of the worker contract's folder methods, which are
// declared in worker-api.ts with the rest.
import type { Dtype, Tower } from '../core/types.ts';
import type { BackendChoice } from './worker-api.ts';

/** One file of a model folder chosen from disk, with its path relative to the chosen folder. */
export interface LocalModelFile {
  path: string;
  file: Blob;
}

export interface LocalModelInstallRequest {
  files: LocalModelFile[];
  /** The chosen folder's name (files from a directory picker carry no folder prefix). */
  folderName: string;
  /** Absolute URL of the models folder (`<base>models/`, ending in '/'): the files' home. */
  modelsUrl: string;
  wasmPaths: string;
  backend?: BackendChoice | undefined;
  dtype?: Dtype | undefined;
}

export interface LocalModelProgress {
  step: 'checking' | 'hashing' | 'loading' | 'storing';
  /** The file being worked on, when one is. */
  file: string | undefined;
  /** Bytes of the step done so far, out of `total`. */
  done: number;
  total: number;
}

/** A model chosen from disk and stored in this browser. */
export interface LocalModelSummary {
  id: string;
  name: string;
  /** The folder it was chosen from. */
  folder: string;
  dtypes: Record<Tower, Dtype[]>;
  bytes: number;
  storedAt: string;
}

export interface LocalModelsState {
  local: LocalModelSummary[];
  /** The model chosen from disk most recently. */
  last: string | undefined;
  /** Ids index.json lists (`npm run models`); undefined when it cannot be read. */
  installed: string[] | undefined;
}
