// Answers made from a stored model file: its cache key, a HEAD answer, and a byte range of it.

/** The SHA-256 (from index.json) a cached file was verified against. */
export const SHA_HEADER = 'X-Mumic-SHA256';

export function cacheKey(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

export function headOf(hit: Response): Response {
  void hit.body?.cancel();
  return new Response(null, { status: 200, statusText: 'OK', headers: hit.headers });
}

/** A single `bytes=a-b` range of a stored file; other forms get the whole file (as servers may). */
export async function sliceRange(hit: Response, range: string): Promise<Response> {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return hit;
  const blob = await hit.blob();
  const size = blob.size;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  const headers = new Headers(hit.headers);
  headers.delete(SHA_HEADER);
  if (start >= size || end < start) {
    headers.set('Content-Range', `bytes */${size}`);
    headers.set('Content-Length', '0');
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers });
  }
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    statusText: 'Partial Content',
    headers,
  });
}
