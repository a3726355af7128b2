// Messages to the person: errors by name, and information, each dismissable.
import { describeError, hasErrorName, toErrorInfo } from '../../core/errors.ts';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** The error name (ERROR_NAMES) when it is an error. */
  name: string | undefined;
  text: string;
}

export class Notices {
  list: Notice[] = [];
  private nextId = 1;
  private storageWarned = false;

  constructor(private readonly changed: () => void) {}

  notify(error: unknown): void {
    const info = toErrorInfo(error);
    this.push({ kind: 'error', name: info.name, text: describeError(error) });
  }

  notifyInfo(text: string): void {
    this.push({ kind: 'info', name: undefined, text });
  }

  /** A storage failure is said once (until everything is cleared): each save would repeat it. */
  warnStorage(error: unknown): void {
    // A write refused after a clear in another tab: that tab's notice says what happened.
    if (this.storageWarned || hasErrorName(error, 'ClearedElsewhere')) return;
    this.storageWarned = true;
    this.notify(error);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
    this.changed();
  }

  reset(): void {
    this.list = [];
    this.storageWarned = false;
  }

  private push(notice: Omit<Notice, 'id'>): void {
    this.list = [...this.list, { id: this.nextId++, ...notice }];
    this.changed();
  }
}
