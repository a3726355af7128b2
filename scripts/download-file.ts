// One file over HTTP(S): written to `<dest>.part`, resumed with a Range request after a cut,
// abandoned after a stall, and renamed to `<dest>` only once its size and hashes match the pins.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { MumicError } from '../src/core/errors.ts';
import { digestFile, digestMismatch, type FileDigest } from './file-digest.ts';

export interface RemoteFile {
  /** Path in the repo; every message names the file by it. */
  path: string;
  url: string;
  size: number | null;
  sha256: string | null;
  gitSha1?: string | undefined;
}

export interface DownloadOptions {
  /** Abandon a request that delivers no byte for this long (connecting included). */
  stallTimeoutMs: number;
  /** Tries per file before giving up; an attempt that delivered bytes does not count. */
  attempts: number;
  /** First retry delay; doubled at each further retry. */
  backoffMs: number;
  /** Sent only to `auth.origin`: a token must not follow a redirect to a CDN. */
  auth?: { origin: string; authorization: string } | undefined;
  /** Shared by the files of one install: once a server has answered, errors are no longer "offline". */
  session: { reachable: boolean };
  onProgress?: ((received: number, total: number | null) => void) | undefined;
  /** Resumes, restarts and retries, for the log. */
  onNotice?: ((message: string) => void) | undefined;
}

export const DOWNLOAD_DEFAULTS = { stallTimeoutMs: 30_000, attempts: 4, backoffMs: 1_000 } as const;

/** No server answered at all: offline, DNS failure, connection refused, or dropped by a firewall. */
export class UnreachableError extends MumicError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super('ModelLoadFailed', `cannot reach ${new URL(url).origin} (${reason})`);
  }
}

/** Worth another attempt: a cut, a stall, a 5xx. */
class Transient extends Error {
  constructor(
    message: string,
    readonly beforeResponse: boolean,
  ) {
    super(message);
  }
}

/** The server did not apply our Range as asked: the file must be fetched from its first byte. */
class Restart extends Error {}

class Stalled extends Error {}

const MAX_REDIRECTS = 10;
const MAX_RESTARTS = 3;
const USER_AGENT = 'mumic-web-models/1';
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED/;
/** Failures of the connection, worth a retry; any other error code (the disk's) is not. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EPIPE',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

export async function downloadFile(
  file: RemoteFile,
  dest: string,
  opts: DownloadOptions,
): Promise<FileDigest> {
  const part = `${dest}.part`;
  // Retries are counted only while they bring no new byte: a long file over a flaky link keeps
  // going as long as it advances, and a link that never advances gives up after `attempts`.
  let best = (await sizeOf(part)) ?? 0;
  let failures = 0;
  let restarts = 0;
  // Bytes from an earlier attempt or run: if the whole then fails its hash, the stale part may be
  // to blame (e.g. the server's file changed), so one clean download is tried before failing.
  let resumed = false;
  let cleanRetried = false;

  for (;;) {
    let offset = (await sizeOf(part)) ?? -1;
    if (file.size !== null && offset > file.size) {
      await rm(part, { force: true });
      offset = -1;
    }
    const complete = file.size !== null && offset === file.size;
    if (!complete) {
      const from = Math.max(offset, 0);
      if (from > 0) {
        resumed = true;
        opts.onNotice?.(`${file.path}: resuming at ${megabytes(from)}`);
      }
      try {
        await fetchOnce(file, part, from, opts);
      } catch (error) {
        if (error instanceof Restart) {
          if (++restarts > MAX_RESTARTS) {
            throw new MumicError(
              'ModelLoadFailed',
              `${file.path}: the server keeps answering resumes wrongly (${error.message})`,
            );
          }
          opts.onNotice?.(`${file.path}: ${error.message}; starting the file again`);
          await rm(part, { force: true });
          continue;
        }
        if (!(error instanceof Transient)) throw error;
        if (error.beforeResponse && !opts.session.reachable) {
          throw new UnreachableError(file.url, error.message);
        }
        const reached = (await sizeOf(part)) ?? 0;
        failures = reached > best ? 1 : failures + 1;
        best = Math.max(best, reached);
        if (failures >= opts.attempts) {
          throw new MumicError(
            'ModelLoadFailed',
            `${file.path}: download failed ${failures} times (last: ${error.message}); run the command again to resume`,
          );
        }
        const delay = opts.backoffMs * 2 ** (failures - 1);
        opts.onNotice?.(`${file.path}: ${error.message}; retrying in ${seconds(delay)}`);
        await sleep(delay);
        continue;
      }
    }

    const digest = await digestFile(part, { gitSha1: file.gitSha1 !== undefined });
    const wrong = digestMismatch(digest, file);
    if (wrong === undefined) {
      await rename(part, dest);
      return digest;
    }
    // Never keep bytes that failed verification, not even as a resume point.
    await rm(part, { force: true });
    if (resumed && !cleanRetried) {
      cleanRetried = true;
      resumed = false;
      opts.onNotice?.(`${file.path}: ${wrong} after a resume; downloading it again from the start`);
      continue;
    }
    throw new MumicError(
      'ModelFileInvalid',
      `${file.path} failed verification: ${wrong}. The download was deleted and not installed`,
    );
  }
}

/** One request: appends to (or rewrites) the .part file until the response ends. */
async function fetchOnce(
  file: RemoteFile,
  part: string,
  offset: number,
  opts: DownloadOptions,
): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const kick = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => abort.abort(new Stalled(`no data for ${seconds(opts.stallTimeoutMs)}`)),
      opts.stallTimeoutMs,
    );
  };
  kick();
  let received = 0;
  let res: IncomingMessage | undefined;
  try {
    res = await get(file.url, offset, opts, abort.signal);
    opts.session.reachable = true;
    kick();
    const start = acceptResponse(file, res, offset, opts);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        kick();
        received += chunk.length;
        const total = start + received;
        if (file.size !== null && total > file.size) {
          done(
            new MumicError(
              'ModelFileInvalid',
              `${file.path}: the server sent more than the pinned ${file.size} bytes`,
            ),
          );
          return;
        }
        opts.onProgress?.(total, file.size);
        done(null, chunk);
      },
    });
    const out = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
    await pipeline(res, meter, out, { signal: abort.signal });
    if (file.size !== null && start + received < file.size) {
      // A close-delimited body (no Content-Length) that ended early: resume it.
      throw new Transient('the connection closed before the end of the file', false);
    }
  } catch (error) {
    res?.destroy();
    throw classify(error, abort.signal, file, res === undefined);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks status and headers; returns the offset the body starts at (0 when rewriting). */
function acceptResponse(
  file: RemoteFile,
  res: IncomingMessage,
  offset: number,
  opts: DownloadOptions,
): number {
  const status = res.statusCode ?? 0;
  const sizeMismatch = (served: number): MumicError =>
    new MumicError(
      'ModelFileInvalid',
      `${file.path}: the server offers ${served} bytes but the pinned size is ${file.size} (a truncated or different file)`,
    );
  if (status === 200) {
    const length = res.headers['content-length'];
    if (file.size !== null && length !== undefined && Number(length) !== file.size) {
      throw sizeMismatch(Number(length));
    }
    if (offset > 0) {
      opts.onNotice?.(`${file.path}: the server ignored the Range request; starting from byte 0`);
    }
    return 0;
  }
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
    if (!range || Number(range[1]) !== offset) {
      throw new Restart(`the server answered a resume at byte ${offset} with another range`);
    }
    if (range[3] !== '*' && file.size !== null && Number(range[3]) !== file.size) {
      throw sizeMismatch(Number(range[3]));
    }
    return offset;
  }
  const where = `(HTTP ${status} from ${file.url})`;
  if (status === 416) throw new Restart(`the server refused to resume at byte ${offset}`);
  if (status === 404 || status === 410) {
    throw new MumicError(
      'ModelFileMissing',
      `${file.path} was not found ${where}: the repo, revision or path is wrong, or the endpoint is not a Hugging Face mirror`,
    );
  }
  if (status === 401 || status === 403) {
    throw new MumicError(
      'ModelLoadFailed',
      `${file.path}: access denied ${where}; a gated or private model needs HF_TOKEN set`,
    );
  }
  if (RETRY_STATUS.has(status)) throw new Transient(`HTTP ${status}`, false);
  throw new MumicError('ModelLoadFailed', `${file.path}: unexpected answer ${where}`);
}

function classify(
  error: unknown,
  signal: AbortSignal,
  file: RemoteFile,
  beforeResponse: boolean,
): Error {
  if (signal.aborted && signal.reason instanceof Stalled) {
    return new Transient(signal.reason.message, beforeResponse);
  }
  if (error instanceof MumicError || error instanceof Restart || error instanceof Transient) {
    return error;
  }
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (TLS_CODE.test(code)) {
    return new MumicError(
      'ModelLoadFailed',
      `${file.path}: TLS error from ${new URL(file.url).host} (${code}). If a proxy or firewall re-signs HTTPS, point NODE_EXTRA_CA_CERTS at its CA certificate`,
    );
  }
  if (DISK_FULL.has(code)) {
    return new MumicError(
      'StorageQuotaExceeded',
      `${file.path}: the disk is full (${code}). Free some space (--list shows installed models, --remove ID deletes one) and run the command again: the download resumes where it stopped`,
    );
  }
  if (NETWORK_CODES.has(code) || message === 'aborted') {
    return new Transient(
      !code || message.includes(code) ? message : `${code}: ${message}`,
      beforeResponse,
    );
  }
  return new MumicError('ModelLoadFailed', `${file.path}: ${message}`, { cause: error });
}

/** This machine: plain http to it is fine (tests, a local mirror); it never leaves the host. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Why a token must not be sent to `url`, or undefined: over plain http anyone on the way reads it.
 */
export function tokenProblem(url: URL): string | undefined {
  if (url.protocol === 'https:' || isLoopback(url)) return undefined;
  return `HF_TOKEN is not sent to ${url.origin}: it is not https, so the token would travel in clear text. Use an https endpoint, or unset HF_TOKEN`;
}

/** Why a redirect from `from` to `to` is refused, or undefined: https never falls back to http. */
export function redirectProblem(from: URL, to: URL): string | undefined {
  if (from.protocol !== 'https:' || to.protocol === 'https:' || isLoopback(to)) return undefined;
  return `refused a redirect from ${from.origin} (https) to ${to.origin} (${to.protocol.replace(':', '')}): the file would travel unprotected`;
}

/** GET with redirects followed by hand: the Range header must go to the final host too. */
async function get(
  url: string,
  offset: number,
  opts: DownloadOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: OutgoingHttpHeaders = {
      'user-agent': USER_AGENT,
      // Ranges and Content-Length must count the stored bytes, not a compressed form.
      'accept-encoding': 'identity',
    };
    if (offset > 0) headers['range'] = `bytes=${offset}-`;
    if (opts.auth && current.origin === opts.auth.origin) {
      const problem = tokenProblem(current);
      if (problem) throw new MumicError('InsecureDownload', problem);
      headers['authorization'] = opts.auth.authorization;
    }
    const res = await request(current, headers, signal);
    const location = res.headers.location;
    if (!REDIRECT.has(res.statusCode ?? 0) || location === undefined) return res;
    res.resume();
    const next = new URL(location, current);
    const problem = redirectProblem(current, next);
    if (problem) throw new MumicError('InsecureDownload', problem);
    current = next;
  }
  throw new MumicError('ModelLoadFailed', `${url}: more than ${MAX_REDIRECTS} redirects`);
}

function request(
  url: URL,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!lib) {
    return Promise.reject(new MumicError('InvalidArgument', `cannot download ${url.href}`));
  }
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, signal }, resolve);
    req.on('error', reject);
  });
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

export function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
