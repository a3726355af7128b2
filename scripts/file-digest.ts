// Hashes of a file on disk, streamed: model weights are hundreds of MB.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileDigest {
  size: number;
  sha256: string;
  /** Git's blob id (`sha1("blob <size>\0" + bytes)`), which the Hub lists for non-LFS files. */
  gitSha1?: string | undefined;
}

export async function digestFile(
  path: string,
  opts: { gitSha1?: boolean } = {},
): Promise<FileDigest> {
  const { size } = await stat(path);
  const sha256 = createHash('sha256');
  const sha1 = opts.gitSha1 ? createHash('sha1').update(`blob ${size}\0`) : undefined;
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    sha256.update(bytes);
    sha1?.update(bytes);
    read += bytes.length;
  }
  // A file that grew or shrank while being read would hash bytes that match no size.
  if (read !== size) throw new Error(`${path} changed while it was being hashed`);
  return { size, sha256: sha256.digest('hex'), gitSha1: sha1?.digest('hex') };
}

/** What is wrong with a file against its pins, or undefined when it matches. */
export function digestMismatch(
  digest: FileDigest,
  want: { size: number | null; sha256: string | null; gitSha1?: string | undefined },
): string | undefined {
  if (want.size !== null && digest.size !== want.size) {
    return `size is ${digest.size} bytes, expected ${want.size}`;
  }
  if (want.sha256 !== null && digest.sha256 !== want.sha256) {
    return `SHA-256 is ${digest.sha256}, expected ${want.sha256}`;
  }
  if (want.gitSha1 !== undefined && digest.gitSha1 !== want.gitSha1) {
    return `git blob id is ${digest.gitSha1 ?? '(not computed)'}, expected ${want.gitSha1}`;
  }
  return undefined;
}
