// The tabs of the app on one origin tell each other what they changed in the one store (issue 10,
// item 6), over a BroadcastChannel. Messages name what changed (and which photo ids), never the
// data: the receiving tab reads it from the store. Handled one at a time, in the order sent.

export type TabMessage =
  | { type: 'photos'; added: string[]; removed: string[] }
  | { type: 'labels' }
  | { type: 'answers' }
  | { type: 'head' }
  | { type: 'cleared' };

export const TAB_CHANNEL = 'mumic-tabs';

const TYPES = new Set<string>(['photos', 'labels', 'answers', 'head', 'cleared']);

const isIds = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A message as sent by another tab (anything else on the channel is ignored). */
export function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; added?: unknown; removed?: unknown };
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return false;
  return m.type !== 'photos' || (isIds(m.added) && isIds(m.removed));
}

export class TabChannel {
  private readonly channel: BroadcastChannel | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    handle: (message: TabMessage) => Promise<void>,
    onError: (error: unknown) => void,
    name = TAB_CHANNEL,
  ) {
    // Without BroadcastChannel (an old browser) the tab works alone, as before.
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isTabMessage(message)) return;
      this.chain = this.chain.then(() => handle(message)).catch(onError);
    };
  }

  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  /** Resolves once every message received so far is handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.channel?.close();
  }
}
