// A folder opened read-write through the File System Access API (Chromium): its photos, the
// text of its XMP sidecars, and writing sidecars back beside the photos.
import { MumicError } from '../../core/errors.ts';
import { isSidecarName } from '../../core/xmp/sidecar-names.ts';
import { MAX_FILES, type Collected } from '../collect-files.ts';

// Not yet (all) in TypeScript's DOM library.
export interface DirHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<FileHandle | DirHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  queryPermission?(options: { mode: 'readwrite' }): Promise<PermissionState>;
  requestPermission?(options: { mode: 'readwrite' }): Promise<PermissionState>;
}
interface FileHandle {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
  createWritable(): Promise<{ write(data: string): Promise<void>; close(): Promise<void> }>;
}
type PickerWindow = { showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<DirHandle> };

/** Whether this browser can open a folder read-write. */
export const canOpenFolders = (): boolean =>
  typeof (globalThis as PickerWindow).showDirectoryPicker === 'function';

export async function pickFolder(): Promise<DirHandle> {
  const picker = (globalThis as PickerWindow).showDirectoryPicker;
  if (!picker)
    throw new MumicError('SidecarUnwritable', 'This browser cannot open a folder to write in.');
  return picker.call(globalThis, { mode: 'readwrite' });
}

/** Asks (once the person clicked) for read-write access to a handle kept from before. */
export async function grantWrite(handle: DirHandle): Promise<boolean> {
  const mode = { mode: 'readwrite' } as const;
  if ((await handle.queryPermission?.(mode)) === 'granted') return true;
  return ((await handle.requestPermission?.(mode)) ?? 'granted') === 'granted';
}

const SIDECAR_MAX = 16e6;

export class SidecarFolder {
  /** Folder of each path inside the folder ('' is the folder itself). */
  private readonly dirs = new Map<string, DirHandle>();
  /** Sidecar texts by path inside the folder. */
  readonly sidecars = new Map<string, string>();
  /** Paths of the other files (the photos) walk found. */
  private readonly photoPaths = new Set<string>();

  constructor(readonly handle: DirHandle) {}

  get name(): string {
    return this.handle.name;
  }

  /** Walks the folder: its files for the photo list, its sidecars read as text. */
  async walk(): Promise<Collected> {
    const out: Collected = { files: [], unreadable: [], truncated: false };
    const visit = async (dir: DirHandle, prefix: string): Promise<void> => {
      this.dirs.set(prefix, dir);
      const children: (FileHandle | DirHandle)[] = [];
      try {
        for await (const child of dir.values()) children.push(child);
      } catch (error) {
        out.unreadable.push({ path: `${prefix}/`, reason: `could not be read (${String(error)})` });
      }
      children.sort((a, b) => a.name.localeCompare(b.name));
      for (const child of children) {
        const path = prefix ? `${prefix}/${child.name}` : child.name;
        if (child.kind === 'directory') {
          await visit(child, path);
          continue;
        }
        if (out.files.length >= MAX_FILES) {
          out.truncated = true;
          return;
        }
        try {
          const file = await child.getFile();
          if (isSidecarName(child.name)) {
            if (file.size <= SIDECAR_MAX) this.sidecars.set(path, await file.text());
          } else {
            out.files.push({ file, path });
            this.photoPaths.add(path);
          }
        } catch (error) {
          out.unreadable.push({ path, reason: `could not be read (${String(error)})` });
        }
      }
    };
    await visit(this.handle, '');
    return out;
  }

  /** Whether a photo path is in this folder (it was listed by walk). */
  holds(path: string): boolean {
    return this.photoPaths.has(path);
  }

  /**
   * Writes a sidecar. createWritable writes to a temporary file that replaces the sidecar only
   * on close, so a failed write never leaves it truncated.
   */
  async write(path: string, text: string): Promise<void> {
    const dir = this.dirs.get(parentOf(path));
    const name = path.slice(path.lastIndexOf('/') + 1);
    try {
      if (!dir) throw new Error('its folder is not in the opened folder');
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(text);
      await writable.close();
      this.sidecars.set(path, text);
    } catch (error) {
      throw new MumicError('SidecarUnwritable', `${path}: ${String(error)}`, { cause: error });
    }
  }
}

const parentOf = (path: string): string => {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
};
