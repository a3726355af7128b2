// Folder drops: the recursive walk over FileSystemEntry trees, with fake entries (Node has File
// but no DataTransfer).
import { describe, expect, it } from 'vitest';
import { MAX_FILES, collectDrop, collectInput } from '../../src/ui/collect-files.ts';

type Fake = { name: string; children?: Fake[]; fail?: boolean };

function entry(node: Fake): FileSystemEntry {
  if (!node.children) {
    return {
      name: node.name,
      isFile: true,
      isDirectory: false,
      file: (ok: (f: File) => void, bad: (e: Error) => void) =>
        node.fail ? bad(new Error('denied')) : ok(new File(['x'], node.name)),
    } as unknown as FileSystemEntry;
  }
  const kids = node.children.map(entry);
  return {
    name: node.name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      // Hands out entries in pieces of 2, then an empty piece, like Chromium's 100 at a time.
      let at = 0;
      return {
        readEntries: (ok: (e: FileSystemEntry[]) => void) => {
          const piece = kids.slice(at, at + 2);
          at += 2;
          ok(piece);
        },
      };
    },
  } as unknown as FileSystemEntry;
}

function drop(...nodes: Fake[]): DataTransfer {
  const items = nodes.map((n) => ({
    kind: 'file',
    webkitGetAsEntry: () => entry(n),
    getAsFile: () => null,
  }));
  return { items, files: [] } as unknown as DataTransfer;
}

describe('collectDrop', () => {
  it('walks folders recursively, in name order, with relative paths', async () => {
    const out = await collectDrop(
      drop(
        {
          name: 'trip',
          children: [
            { name: 'b.jpg' },
            { name: 'day 1', children: [{ name: 'z.png' }, { name: 'a.png' }] },
            { name: 'a.jpg' },
            { name: 'notes.txt' },
            { name: 'empty', children: [] },
          ],
        },
        { name: 'loose.webp' },
      ),
    );
    expect(out.files.map((f) => f.path)).toEqual([
      'trip/a.jpg',
      'trip/b.jpg',
      'trip/day 1/a.png',
      'trip/day 1/z.png',
      'trip/notes.txt',
      'loose.webp',
    ]);
    expect(out.files[0]?.file.name).toBe('a.jpg');
    expect(out.truncated).toBe(false);
  });

  it('lists an unreadable file and goes on', async () => {
    const out = await collectDrop(
      drop({ name: 'd', children: [{ name: 'locked.jpg', fail: true }, { name: 'ok.jpg' }] }),
    );
    expect(out.files.map((f) => f.path)).toEqual(['d/ok.jpg']);
    expect(out.unreadable).toEqual([
      { path: 'd/locked.jpg', reason: expect.stringMatching(/denied/) },
    ]);
  });

  it(`stops at ${MAX_FILES} files`, async () => {
    const children = Array.from({ length: MAX_FILES + 5 }, (_, i) => ({ name: `${i}.jpg` }));
    const out = await collectDrop(drop({ name: 'big', children }));
    expect(out.files).toHaveLength(MAX_FILES);
    expect(out.truncated).toBe(true);
  });
});

describe('collectInput', () => {
  it('keeps the relative path of a picked folder', () => {
    const file = new File(['x'], 'a.jpg');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'trip/a.jpg' });
    const list = [file, new File(['y'], 'b.png')] as unknown as FileList;
    expect(collectInput(list).files.map((f) => f.path)).toEqual(['trip/a.jpg', 'b.png']);
  });
});
