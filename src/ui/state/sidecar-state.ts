// Tags out as XMP sidecars (issue 15): into a folder opened read-write (Chromium), or as a zip
// download anywhere. The keywords of each photo are its labels at or above the threshold (scores
// already carry the adapted head), plus the labels the person confirmed, minus those they
// rejected; existing sidecars are merged with the core's rules (docs/SIDECARS.md).
import { downloadZip } from 'client-zip';
import { toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
// Not the xmp index: exifr stays out of the page's bundle (keyword-state.ts).
import { DEFAULT_KEYWORD_ROOT, labelKeywords } from '../../core/xmp/keyword-paths.ts';
import { planSidecar, type SidecarPlan } from '../../core/xmp/sidecar-merge.ts';
import { sidecarName, type SidecarNaming } from '../../core/xmp/sidecar-names.ts';
import type { App } from '../app.ts';
import { downloadBlob } from '../download.ts';
import { plural } from '../format.ts';
import type { PhotoView } from './photo-state.ts';
import { grantWrite, pickFolder, SidecarFolder, type DirHandle } from './sidecar-folder.ts';

interface SidecarSettings {
  naming: SidecarNaming;
  root: string;
}

/** One photo's sidecar as it would be written. */
export interface SidecarJob {
  path: string;
  plan: SidecarPlan;
}

export interface SidecarPreview {
  jobs: SidecarJob[];
  created: number;
  changed: number;
  unchanged: number;
  failed: { path: string; error: ErrorInfo }[];
}

const SETTINGS_KEY = 'sidecars';
const FOLDER_KEY = 'sidecar-folder';

export class SidecarState {
  naming: SidecarNaming = 'ext';
  root = DEFAULT_KEYWORD_ROOT;
  folder: SidecarFolder | undefined;
  /** A folder opened before a reload: reopened on a click (the browser asks for permission). */
  storedFolder: DirHandle | undefined;
  /** What "Write tags to this folder" would do, shown before writing. */
  preview: SidecarPreview | undefined;
  busy: 'opening' | 'writing' | 'zipping' | undefined;

  constructor(private readonly app: App) {}

  async load(): Promise<void> {
    try {
      const s = (await this.app.bridge.getSetting(SETTINGS_KEY)) as SidecarSettings | undefined;
      if (s?.naming === 'ext' || s?.naming === 'base') this.naming = s.naming;
      if (typeof s?.root === 'string') this.root = s.root;
      const handle = (await this.app.bridge.getSetting(FOLDER_KEY)) as DirHandle | undefined;
      if (handle?.kind === 'directory') this.storedFolder = handle;
    } catch (error) {
      this.app.messages.warnStorage(error);
    }
    this.app.changed();
  }

  setNaming(naming: SidecarNaming): void {
    this.naming = naming;
    this.settingsChanged();
  }

  setRoot(root: string): void {
    this.root = root.trim();
    this.settingsChanged();
  }

  private settingsChanged(): void {
    this.preview = undefined;
    this.app.changed();
    const value: SidecarSettings = { naming: this.naming, root: this.root };
    this.app.bridge.putSetting(SETTINGS_KEY, value).catch(() => {
      // A lost naming choice is not worth a message.
    });
  }

  /** "Open a folder": picks it, keeps its handle for after a reload, takes its photos. */
  async openFolder(): Promise<void> {
    let handle: DirHandle;
    try {
      handle = await pickFolder();
    } catch {
      return; // The person closed the picker.
    }
    this.app.bridge.putSetting(FOLDER_KEY, handle).catch((error: unknown) => {
      this.app.messages.warnStorage(error);
    });
    this.storedFolder = handle;
    await this.take(handle);
  }

  async reopenFolder(): Promise<void> {
    const handle = this.storedFolder;
    if (!handle) return;
    try {
      if (!(await grantWrite(handle))) {
        this.app.messages.notifyInfo(`No permission to write in ${handle.name}.`);
        return;
      }
    } catch (error) {
      this.app.messages.notify(error);
      return;
    }
    await this.take(handle);
  }

  private async take(handle: DirHandle): Promise<void> {
    this.busy = 'opening';
    this.preview = undefined;
    this.app.changed();
    try {
      const folder = new SidecarFolder(handle);
      const collected = await folder.walk();
      this.folder = folder;
      this.app.library.add(collected);
    } catch (error) {
      this.app.messages.notify(error);
    } finally {
      this.busy = undefined;
      this.app.changed();
    }
  }

  /** The labels written for a photo: at or above the threshold or confirmed, never rejected. */
  labelsFor(view: PhotoView): { name: string; category: string }[] {
    const answers = this.app.learning.answered(view);
    return this.app.library
      .scoresOf(view)
      .filter(
        (s) =>
          answers.get(s.label.id) !== -1 &&
          (s.score >= this.app.threshold || answers.get(s.label.id) === 1),
      )
      .map((s) => s.label);
  }

  /** Every scored photo's sidecar merged into the one the folder already holds (if any). */
  plan(inFolderOnly: boolean): SidecarPreview {
    const out: SidecarPreview = { jobs: [], created: 0, changed: 0, unchanged: 0, failed: [] };
    const seen = new Set<string>();
    for (const view of this.app.library.photos) {
      if (view.state !== 'done' || !view.row) continue;
      if (inFolderOnly && !this.folder?.holds(view.path)) continue;
      const path = sidecarName(view.path, this.naming);
      if (seen.has(path)) {
        out.failed.push({
          path,
          error: { name: 'SidecarNameClash', message: `${path} is the sidecar of another photo` },
        });
        continue;
      }
      seen.add(path);
      try {
        const existing = this.folder?.sidecars.get(path) ?? null;
        const lists = labelKeywords(this.labelsFor(view), this.root);
        const plan = planSidecar(existing, lists, path);
        if (plan.text === '') continue;
        out.jobs.push({ path, plan });
        if (plan.created) out.created++;
        else if (plan.changed) out.changed++;
        else out.unchanged++;
      } catch (error) {
        out.failed.push({ path, error: toErrorInfo(error) });
      }
    }
    return out;
  }

  /** Step one of writing: say how many sidecars will be created and changed. */
  previewFolder(): void {
    this.preview = this.plan(true);
    this.app.changed();
  }

  cancelPreview(): void {
    this.preview = undefined;
    this.app.changed();
  }

  /** Step two: writes the previewed sidecars; a failed one is named and the rest are written. */
  async writeFolder(): Promise<void> {
    const { folder, preview } = this;
    if (!folder || !preview || this.busy) return;
    this.busy = 'writing';
    this.app.changed();
    let written = 0;
    const failed = [...preview.failed];
    for (const { path, plan } of preview.jobs) {
      if (!plan.changed) continue;
      try {
        await folder.write(path, plan.text);
        written++;
      } catch (error) {
        failed.push({ path, error: toErrorInfo(error) });
      }
    }
    for (const f of failed) this.app.messages.notify(f.error);
    this.app.messages.notifyInfo(
      `Wrote ${plural(written, 'sidecar')} in ${folder.name}` +
        (failed.length ? `; ${plural(failed.length, 'sidecar')} failed.` : '.'),
    );
    this.preview = undefined;
    this.busy = undefined;
    this.app.changed();
  }

  /** Every photo's sidecar in one zip, paths as on the page (merged into the folder's, if any). */
  async downloadZip(): Promise<void> {
    if (this.busy) return;
    const preview = this.plan(false);
    for (const f of preview.failed) this.app.messages.notify(f.error);
    if (preview.jobs.length === 0) {
      this.app.messages.notifyInfo('No photo has a label to write.');
      return;
    }
    this.busy = 'zipping';
    this.app.changed();
    try {
      const files = preview.jobs.map((j) => ({ name: j.path, input: j.plan.text }));
      downloadBlob('mumic-sidecars.zip', await downloadZip(files).blob());
    } catch (error) {
      this.app.messages.notify(error);
    } finally {
      this.busy = undefined;
      this.app.changed();
    }
  }
}
