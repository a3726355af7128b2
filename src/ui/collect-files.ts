// Files from a drop (folders walked recursively), the clipboard or a file picker.

export interface Picked {
  file: File;
  /** Path inside a dropped or picked folder ("trip/day 1/a.jpg"), else the file name. */
  path: string;
}

export interface Collected {
  files: Picked[];
  /** Entries that could not be read (listed with the reason). */
  unreadable: { path: string; reason: string }[];
  /** True when the walk stopped at MAX_FILES. */
  truncated: boolean;
}

/** A drop of a whole disk must not hang the page: the walk stops here. */
export const MAX_FILES = 10_000;

// Not yet in TypeScript's DOM library (Chromium, File System Access API).
interface HandleItem {
  getAsFileSystemHandle?(): Promise<FsHandle | null>;
}
type FsHandle =
  | { kind: 'file'; name: string; getFile(): Promise<File> }
  | { kind: 'directory'; name: string; values(): AsyncIterable<FsHandle> };

class Walk {
  readonly out: Collected = { files: [], unreadable: [], truncated: false };

  add(file: File, path: string): void {
    if (this.full()) return;
    this.out.files.push({ file, path });
  }

  full(): boolean {
    if (this.out.files.length >= MAX_FILES) this.out.truncated = true;
    return this.out.truncated;
  }

  unreadable(path: string, error: unknown): void {
    this.out.unreadable.push({ path, reason: `could not be read (${String(error)})` });
  }

  async entry(entry: FileSystemEntry, prefix: string): Promise<void> {
    const path = prefix + entry.name;
    if (this.full()) return;
    if (entry.isFile) {
      try {
        const file = await new Promise<File>((resolve, reject) =>
          (entry as FileSystemFileEntry).file(resolve, reject),
        );
        this.add(file, path);
      } catch (error) {
        this.unreadable(path, error);
      }
      return;
    }
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    const children: FileSystemEntry[] = [];
    try {
      // readEntries returns the folder in pieces (100 at a time in Chromium) until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (batch.length === 0) break;
        children.push(...batch);
        if (children.length > MAX_FILES) break;
      }
    } catch (error) {
      this.unreadable(`${path}/`, error);
    }
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await this.entry(child, `${path}/`);
  }

  async handle(handle: FsHandle, prefix: string): Promise<void> {
    const path = prefix + handle.name;
    if (this.full()) return;
    try {
      if (handle.kind === 'file') {
        this.add(await handle.getFile(), path);
        return;
      }
      const children: FsHandle[] = [];
      for await (const child of handle.values()) {
        children.push(child);
        if (children.length > MAX_FILES) break;
      }
      children.sort((a, b) => a.name.localeCompare(b.name));
      for (const child of children) await this.handle(child, `${path}/`);
    } catch (error) {
      this.unreadable(path, error);
    }
  }
}

/**
 * Everything dropped, folders included. Must be called synchronously in the drop handler: a
 * DataTransfer's items are emptied once the event is over, so entries are taken first.
 */
export function collectDrop(data: DataTransfer): Promise<Collected> {
  const walk = new Walk();
  const tasks: (() => Promise<void>)[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) {
      tasks.push(() => walk.entry(entry, ''));
      continue;
    }
    // No entry (some browsers, synthetic drops): the File System Access handle, else the file.
    const file = item.getAsFile();
    const pending = (item as HandleItem).getAsFileSystemHandle?.();
    tasks.push(async () => {
      const handle = pending ? await pending.catch(() => null) : null;
      if (handle?.kind === 'directory') await walk.handle(handle, '');
      else if (file) walk.add(file, file.name);
      else if (handle) await walk.handle(handle, '');
    });
  }
  if (tasks.length === 0) {
    for (const file of Array.from(data.files)) walk.add(file, file.name);
  }
  return (async () => {
    for (const task of tasks) await task();
    return walk.out;
  })();
}

/** Files of an `<input type=file>` (with webkitdirectory, each knows its relative path). */
export function collectInput(files: FileList | null): Collected {
  const walk = new Walk();
  for (const file of Array.from(files ?? [])) walk.add(file, file.webkitRelativePath || file.name);
  return walk.out;
}

let pasted = 0;
const PASTE_EXTENSIONS: Partial<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
};

/** Files on the clipboard; browsers name every pasted picture "image.png", so they are renamed. */
export function collectPaste(data: DataTransfer | null): Collected {
  const walk = new Walk();
  for (const file of Array.from(data?.files ?? [])) {
    const generic = /^image\.\w+$/i.test(file.name) || file.name === '';
    const ext = PASTE_EXTENSIONS[file.type] ?? 'png';
    const name = generic ? `pasted-${++pasted}.${ext}` : file.name;
    const renamed = generic ? new File([file], name, { type: file.type }) : file;
    walk.add(renamed, name);
  }
  return walk.out;
}
