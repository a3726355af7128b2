import { describe, expect, it } from 'vitest';
import { extensionOf, judgeInputFile } from '../../src/core/image-files.ts';

describe('judgeInputFile', () => {
  it('takes images by type or by name', () => {
    expect(judgeInputFile('a.jpg', 'image/jpeg')).toEqual({ take: true });
    expect(judgeInputFile('holiday/IMG_1.HEIC', '')).toEqual({ take: true });
    expect(judgeInputFile('noext', 'image/png')).toEqual({ take: true });
  });

  it('lists the rest with a reason', () => {
    expect(judgeInputFile('notes.txt', 'text/plain')).toEqual({
      take: false,
      reason: 'not an image (text/plain)',
    });
    expect(judgeInputFile('a.xyz', '')).toEqual({
      take: false,
      reason: 'not an image (.xyz file)',
    });
    expect(judgeInputFile('README', '')).toEqual({
      take: false,
      reason: 'not an image (unknown file type)',
    });
    expect(judgeInputFile('trip/.DS_Store', '')).toEqual({ take: false, reason: 'hidden file' });
  });

  it('reads extensions from the base name only', () => {
    expect(extensionOf('a.b/c')).toBe('');
    expect(extensionOf('x/y.JPG')).toBe('jpg');
    expect(extensionOf('.bashrc')).toBe('');
  });
});
