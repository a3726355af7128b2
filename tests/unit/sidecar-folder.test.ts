// The app's folder opened read-write (src/ui/state/sidecar-folder.ts) over an in-memory
// directory handle: photos and sidecars found, sidecars written beside their photo, a failed
// write named by its file.
import { describe, expect, it } from 'vitest';
import { SidecarFolder, type DirHandle } from '../../src/ui/state/sidecar-folder.ts';

type Tree = { [name: string]: string | Tree };

/** A directory handle over a plain object (a string is a file's text). */
function dir(name: string, tree: Tree, failWrites = false): DirHandle {
  const file = (fname: string) => ({
    kind: 'file' as const,
    name: fname,
    getFile: async () => new File([tree[fname] as string], fname),
    createWritable: async () => {
      let text = '';
      return {
        write: async (data: string) => {
          if (failWrites) throw new Error('read-only');
          text += data;
        },
        // Like the File System Access API: the file changes only on close.
        close: async () => {
          tree[fname] = text;
        },
      };
    },
  });
  return {
    kind: 'directory',
    name,
    async *values() {
      for (const [n, v] of Object.entries(tree)) yield typeof v === 'string' ? file(n) : dir(n, v);
    },
    getFileHandle: async (fname: string) => {
      if (!(fname in tree)) tree[fname] = '';
      return file(fname);
    },
  };
}

describe('SidecarFolder', () => {
  it('lists photos (sorted, nested) and reads sidecars as text', async () => {
    const tree: Tree = { 'b.jpg': 'B', 'a.jpg': 'A', 'a.jpg.xmp': '<x/>', trip: { 'c.png': 'C' } };
    const folder = new SidecarFolder(dir('photos', tree));
    const collected = await folder.walk();
    expect(collected.files.map((f) => f.path)).toEqual(['a.jpg', 'b.jpg', 'trip/c.png']);
    expect([...folder.sidecars]).toEqual([['a.jpg.xmp', '<x/>']]);
    expect(folder.holds('trip/c.png')).toBe(true);
    expect(folder.holds('c.png')).toBe(false);
  });

  it('writes a sidecar beside its photo, in a sub-folder too', async () => {
    const trip: Tree = { 'c.png': 'C' };
    const tree: Tree = { 'a.jpg': 'A', trip };
    const folder = new SidecarFolder(dir('photos', tree));
    await folder.walk();
    await folder.write('trip/c.png.xmp', '<new/>');
    await folder.write('a.xmp', '<a/>');
    expect(trip['c.png.xmp']).toBe('<new/>');
    expect(tree['a.xmp']).toBe('<a/>');
    expect(folder.sidecars.get('trip/c.png.xmp')).toBe('<new/>');
  });

  it('names the file of a failed write, and leaves the old text', async () => {
    const tree: Tree = { 'a.jpg': 'A', 'a.jpg.xmp': '<old/>' };
    const folder = new SidecarFolder(dir('photos', tree, true));
    await folder.walk();
    await expect(folder.write('a.jpg.xmp', '<new/>')).rejects.toMatchObject({
      name: 'SidecarUnwritable',
      message: expect.stringContaining('a.jpg.xmp') as unknown,
    });
    expect(tree['a.jpg.xmp']).toBe('<old/>');
  });
});
