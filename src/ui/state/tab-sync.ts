// This tab's side of sharing the store with other tabs (issue 10, item 6): says what it changed
// (tab-channel.ts) and takes in what they changed, from the store, without encoding anything
// again. A Clear all elsewhere empties this tab too; the store's epoch keeps anything this tab
// had under way from being written after it (store/idb-store.ts).
import type { App } from '../app.ts';
import { TabChannel, type TabMessage } from './tab-channel.ts';

export class TabSync {
  private readonly channel: TabChannel;
  /** Changes taken from other tabs (the status line carries it for tests, docs/UI.md). */
  received = 0;
  /** Clear alls started in this tab (take() drops what a change read across one). */
  private clears = 0;

  constructor(private readonly app: App) {
    this.channel = new TabChannel(
      (message) => this.take(message),
      (error) => app.messages.notify(error),
    );
  }

  photosAdded(ids: readonly string[]): void {
    if (ids.length > 0) this.channel.post({ type: 'photos', added: [...ids], removed: [] });
  }

  photosRemoved(ids: readonly string[]): void {
    if (ids.length > 0) this.channel.post({ type: 'photos', added: [], removed: [...ids] });
  }

  labelsChanged(): void {
    this.channel.post({ type: 'labels' });
  }

  answersChanged(): void {
    this.channel.post({ type: 'answers' });
  }

  headChanged(): void {
    this.channel.post({ type: 'head' });
  }

  /** Clear all started here: photos of another tab's change being read are not shown after it. */
  clearing(): void {
    this.clears++;
  }

  cleared(): void {
    this.channel.post({ type: 'cleared' });
  }

  /** Resolves once every change received so far is taken in. */
  idle(): Promise<void> {
    return this.channel.idle();
  }

  private async take(message: TabMessage): Promise<void> {
    const { app } = this;
    if (message.type === 'cleared') {
      await app.clearedElsewhere();
    } else if (app.modelPhase !== 'ready' || !app.library.restored) {
      // Still starting: what it reads from the store next has the change.
      return;
    } else if (message.type === 'photos') {
      const clears = this.clears;
      const { photos, table } = await app.bridge.photosChangedElsewhere(
        message.added,
        message.removed,
      );
      // A Clear all here while the worker read them: they are gone, not shown again.
      if (clears === this.clears) {
        for (const id of message.removed) app.library.forget(app.library.photoById(id)?.key ?? 0);
        app.library.restoreFrom(photos, table);
      }
    } else if (message.type === 'labels') {
      await app.labelSet.takeStored();
    } else if (message.type === 'answers') {
      await app.learning.load();
    } else {
      app.library.applyTable(await app.bridge.headChangedElsewhere());
      await app.learning.load();
    }
    this.received++;
    app.changed();
  }
}
