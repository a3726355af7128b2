// What the page shows, as lit-html templates over the App's state: the page's layout and the
// scheduling of renders. Each part of the page is a module of views/. Rendering is coalesced to
// one pass per animation frame; lit updates only the parts whose values changed.
import { html, nothing, render, type TemplateResult } from 'lit-html';
import type { App } from './app.ts';
import { noModelPanel } from './model-picker.ts';
import { dropZone, progressRows, skippedList } from './views/add-photos.ts';
import { DetailDialog } from './views/detail.ts';
import { DuplicatesView } from './views/duplicates.ts';
import { LabelsPanel } from './views/labels-panel.ts';
import { ResultsView } from './views/results.ts';
import { modelMenu, otherModelPanel } from './views/model-switcher.ts';
import { searchBar } from './views/search.ts';
import { sidecarsPanel } from './views/sidecars.ts';
import { noticeList, statusLine } from './views/status.ts';
import type { ViewHost } from './views/view-host.ts';

/**
 * While photos stream in, at most one render per this many ms: each render costs main-thread,
 * compositor and raster time that two cores take from the model (1–5 ms of CPU a 2 MP photo at
 * 100 ms: docs/PERFORMANCE.md, session 13), and four a second is smooth enough for a progress
 * bar. A batch's first result and its last are drawn at once, and so is what the person does.
 */
const BUSY_RENDER_INTERVAL = 250;

/** After the person's last key, click, drag or drop on the page, renders are not held this long. */
const INPUT_MS = 1000;

export class View implements ViewHost {
  private scheduled = false;
  /** A render held back by BUSY_RENDER_INTERVAL (none: on the next frame, or none asked). */
  private held: ReturnType<typeof setTimeout> | undefined;
  private lastRender = 0;
  /** The batch's finished photos at the last render (the first result is never held back). */
  private lastDone = 0;
  private inputAt = -Infinity;
  dragging = false;
  private readonly detail: DetailDialog;
  private readonly results: ResultsView;
  private readonly labels: LabelsPanel;
  private readonly duplicates: DuplicatesView;

  constructor(
    readonly root: HTMLElement,
    private readonly app: App,
  ) {
    this.detail = new DetailDialog(app, this);
    this.results = new ResultsView(app, this, (key) => this.detail.open(key));
    this.detail.revealTile = (key) => this.results.reveal(key);
    this.labels = new LabelsPanel(app, this);
    this.duplicates = new DuplicatesView(app, this, (key) => this.detail.open(key));
    const input = () => (this.inputAt = performance.now());
    for (const type of ['pointerdown', 'keydown', 'dragenter', 'dragleave', 'drop']) {
      root.addEventListener(type, input, { capture: true, passive: true });
    }
  }

  /** Asks for a render on a coming frame (many state changes, one render). */
  update = (): void => {
    const wait = this.holdFor();
    if (this.scheduled && (this.held === undefined || wait > 0)) return;
    clearTimeout(this.held);
    this.held = undefined;
    this.scheduled = true;
    const frame = () => {
      this.held = undefined;
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.renderNow();
      });
    };
    if (wait > 0) this.held = setTimeout(frame, wait);
    else frame();
  };

  /** How long a render waits: only while a batch runs, between its first and last results. */
  private holdFor(): number {
    const batch = this.app.library.batch;
    if (!batch?.running || this.lastDone === 0) return 0;
    if (batch.done >= batch.total || performance.now() - this.inputAt < INPUT_MS) return 0;
    return this.lastRender + BUSY_RENDER_INTERVAL - performance.now();
  }

  renderNow(): void {
    this.lastRender = performance.now();
    this.lastDone = this.app.library.batch?.running ? this.app.library.batch.done : 0;
    render(this.page(), this.root);
    this.detail.sync();
  }

  private page(): TemplateResult {
    const { app } = this;
    return html`
      <a class="skip" href="#photos-title">Skip to the photos</a>
      <header class="top">
        <div class="brand">
          <h1>mumic</h1>
          <p class="tagline">Tag your photos with labels, privately: nothing leaves this device.</p>
          <a class="jump" href="#labels-title">Labels ↓</a>
        </div>
        ${statusLine(app)} ${modelMenu(app, app.models)}
      </header>
      <div class="layout">
        <main class="main">
          ${app.modelPhase === 'failed' ? noModelPanel(app) : nothing} ${noticeList(app)}
          ${otherModelPanel(app.models)} ${dropZone(app, this.dragging)} ${progressRows(app)}
          ${skippedList(app)} ${searchBar(app, this)} ${this.duplicates.render()}
          ${this.results.render()} ${sidecarsPanel(app)}
        </main>
        ${this.labels.render()}
      </div>
      ${this.detail.render()}
    `;
  }
}
