// The models a person can switch between (issue 12): those the server lists in
// models/index.json (`npm run models`) and those chosen from disk earlier (stored in this browser),
// each with its size and a one-line description. Choosing one loads it; each model keeps its own
// photos, embeddings, label vectors and head (the store's keys name the model and dtype).
import type { LocalModelSummary } from '../../shared/worker-api.ts';

export interface ModelChoice {
  id: string;
  /** Bytes of its files (every precision installed). */
  bytes: number;
  /** What it is for (catalogue entry / mumic-model.json), else where it came from. */
  description: string;
  from: 'server' | 'disk';
}

interface IndexEntry {
  id?: unknown;
  name?: unknown;
  purpose?: unknown;
  repo?: unknown;
  files?: unknown;
}

const bytesOf = (files: unknown): number =>
  Array.isArray(files)
    ? files.reduce<number>((sum, f) => {
        const size = (f as { size?: unknown } | null)?.size;
        return sum + (typeof size === 'number' && size > 0 ? size : 0);
      }, 0)
    : 0;

/** The entries of models/index.json a page can use; anything malformed is left out. */
export function choicesFromIndex(json: unknown): ModelChoice[] {
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  const out: ModelChoice[] = [];
  for (const m of models as IndexEntry[]) {
    if (typeof m?.id !== 'string' || m.id === '') continue;
    const name = typeof m.name === 'string' ? m.name : m.id;
    const description =
      typeof m.purpose === 'string' && m.purpose !== ''
        ? m.purpose
        : typeof m.repo === 'string'
          ? `${name} (${m.repo})`
          : name;
    out.push({ id: m.id, bytes: bytesOf(m.files), description, from: 'server' });
  }
  return out;
}

export function choicesFromDisk(local: readonly LocalModelSummary[]): ModelChoice[] {
  return local.map((m) => ({
    id: m.id,
    bytes: m.bytes,
    description: `${m.name}, chosen from the folder “${m.folder}”`,
    from: 'disk',
  }));
}

/** Server models first, then those from disk; an id is listed once (the server's wins). */
export function mergeChoices(server: ModelChoice[], disk: ModelChoice[]): ModelChoice[] {
  const seen = new Set(server.map((m) => m.id));
  return [...server, ...disk.filter((m) => !seen.has(m.id))];
}

/** Reads models/index.json; an empty list when the server has none or cannot be reached. */
export async function fetchServerChoices(modelsUrl: string): Promise<ModelChoice[]> {
  try {
    const response = await fetch(new URL('index.json', modelsUrl), { cache: 'no-cache' });
    if (!response.ok) return [];
    return choicesFromIndex(await response.json());
  } catch {
    return [];
  }
}
