import { describe, expect, it } from 'vitest';
import {
  choicesFromDisk,
  choicesFromIndex,
  mergeChoices,
} from '../../src/ui/state/model-choices.ts';

describe('the model menu', () => {
  it('lists index.json entries with their size and what each is for', () => {
    const choices = choicesFromIndex({
      models: [
        {
          id: 'mobileclip-s0',
          name: 'MobileCLIP S0',
          purpose: 'fastest, laptops without a GPU',
          files: [{ size: 1000 }, { size: 234 }],
        },
        { id: 'clip-tiny', name: 'clip-tiny', repo: 'x/clip-tiny', files: [] },
        { id: 'siglip-tiny', files: 'not a list' },
        { name: 'no id' },
        null,
      ],
    });
    expect(choices).toEqual([
      {
        id: 'mobileclip-s0',
        bytes: 1234,
        description: 'fastest, laptops without a GPU',
        from: 'server',
      },
      { id: 'clip-tiny', bytes: 0, description: 'clip-tiny (x/clip-tiny)', from: 'server' },
      { id: 'siglip-tiny', bytes: 0, description: 'siglip-tiny', from: 'server' },
    ]);
    expect(choicesFromIndex('garbage')).toEqual([]);
  });

  it('adds the models chosen from disk once, after the server’s', () => {
    const disk = choicesFromDisk([
      {
        id: 'clip-tiny',
        name: 'a',
        folder: 'f',
        bytes: 5,
        dtypes: { vision: [], text: [] },
        storedAt: '',
      },
      {
        id: 'mine',
        name: 'My CLIP',
        folder: 'clip-folder',
        bytes: 7,
        dtypes: { vision: [], text: [] },
        storedAt: '',
      },
    ]);
    const server = choicesFromIndex({ models: [{ id: 'clip-tiny', files: [{ size: 3 }] }] });
    expect(mergeChoices(server, disk).map((c) => [c.id, c.bytes, c.from])).toEqual([
      ['clip-tiny', 3, 'server'],
      ['mine', 7, 'disk'],
    ]);
    expect(disk[1]?.description).toBe('My CLIP, chosen from the folder “clip-folder”');
  });
});
