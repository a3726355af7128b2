// "Keywords and sidecars" (issue 15): open a folder read-write, write its sidecars after a
// preview of how many are created and changed, download every sidecar as a zip; the keywords
// photos already have, unknown ones added as labels, and learning from them.
import { html, nothing, type TemplateResult } from 'lit-html';
import type { HeadMetrics } from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import { plural } from '../format.ts';
import { canOpenFolders } from '../state/sidecar-folder.ts';
import './sidecars.css';

const value = (e: Event): string => (e.target as HTMLInputElement).value;

export function sidecarsPanel(app: App): TemplateResult {
  const s = app.sidecars;
  const scored = app.library.photos.some((p) => p.state === 'done');
  return html`<section class="sidecars" aria-labelledby="sidecars-title">
    <h2 id="sidecars-title">Keywords and sidecars</h2>
    <p class="muted">
      Labels at or above the threshold (and the ones you confirmed, never the ones you rejected)
      become keywords in XMP sidecars that Lightroom, darktable, digiKam and Immich read. Existing
      sidecars are merged: nothing of yours is removed.
    </p>
    <div class="toolbar">
      <div class="field">
        <label for="sidecar-naming">Sidecar name</label>
        <select
          id="sidecar-naming"
          @change=${(e: Event) => s.setNaming(value(e) === 'base' ? 'base' : 'ext')}
        >
          <option value="ext" ?selected=${s.naming === 'ext'}>
            photo.jpg.xmp (darktable, digiKam)
          </option>
          <option value="base" ?selected=${s.naming === 'base'}>photo.xmp (Lightroom)</option>
        </select>
      </div>
      <div class="field">
        <label for="keyword-root">Keyword root</label>
        <input
          id="keyword-root"
          type="text"
          size="10"
          .value=${s.root}
          @change=${(e: Event) => s.setRoot(value(e))}
        />
      </div>
      <div class="actions">
        ${folderButtons(app)}
        <button
          type="button"
          id="sidecars-zip"
          ?disabled=${!scored || !!s.busy}
          @click=${() => void s.downloadZip()}
        >
          Download sidecars (.zip)
        </button>
      </div>
    </div>
    ${previewPanel(app)} ${keywordsPanel(app)}
  </section>`;
}

function folderButtons(app: App): TemplateResult | typeof nothing {
  const s = app.sidecars;
  if (!canOpenFolders()) return nothing;
  const stored = s.storedFolder;
  return html`<button
      type="button"
      id="folder-open"
      ?disabled=${!!s.busy}
      @click=${() => void s.openFolder()}
    >
      Open a folder…
    </button>
    ${
      stored && !s.folder
        ? html`<button type="button" id="folder-reopen" @click=${() => void s.reopenFolder()}>
            Reopen ${stored.name}
          </button>`
        : nothing
    }
    ${
      s.folder
        ? html`<button
            type="button"
            id="folder-write"
            data-folder=${s.folder.name}
            ?disabled=${!!s.busy || app.library.batch?.running === true}
            @click=${() => s.previewFolder()}
          >
            Write tags to this folder (${s.folder.name})
          </button>`
        : nothing
    }`;
}

function previewPanel(app: App): TemplateResult | typeof nothing {
  const p = app.sidecars.preview;
  if (!p) return nothing;
  const writes = p.created + p.changed;
  return html`<div
    class="sidecar-preview"
    role="region"
    aria-label="Sidecars to write"
    data-created=${p.created}
    data-changed=${p.changed}
    data-unchanged=${p.unchanged}
    data-failed=${p.failed.length}
  >
    <p>
      ${plural(p.created, 'sidecar')} will be created, ${p.changed} changed (${p.unchanged} already
      up to
      date${p.failed.length ? html`, <strong>${p.failed.length} cannot be written</strong>` : nothing}).
    </p>
    ${
      p.failed.length
        ? html`<ul class="sidecar-failed">
            ${p.failed.map((f) => html`<li data-error-name=${f.error.name}>${f.path}: ${f.error.message}</li>`)}
          </ul>`
        : nothing
    }
    <button
      type="button"
      id="folder-write-confirm"
      ?disabled=${writes === 0 || !!app.sidecars.busy}
      @click=${() => void app.sidecars.writeFolder()}
    >
      Write ${plural(writes, 'sidecar')}
    </button>
    <button type="button" @click=${() => app.sidecars.cancelPreview()}>Cancel</button>
  </div>`;
}

function keywordsPanel(app: App): TemplateResult {
  const k = app.keywords;
  const { photos, matched, unknown } = k.summary();
  const labels = app.labelSet.labels;
  const { changes } = k.changes();
  return html`<div class="keywords" data-photos=${photos}>
    <h3>Your existing keywords</h3>
    <p class="muted">
      ${
        photos === 0
          ? 'No added photo has keywords (embedded XMP, IPTC or EXIF, or a sidecar in the opened folder).'
          : `${plural(photos, 'photo has', 'photos have')} keywords; ${plural(matched.size, 'label')} named by them.`
      }
    </p>
    ${
      matched.size
        ? html`<ul class="keyword-labels">
            ${labels
              .filter((l) => matched.has(l.id))
              .map(
                (l) =>
                  html`<li data-label=${l.name} data-count=${matched.get(l.id) ?? 0}>
                    ${l.name} (${matched.get(l.id)})
                    <label
                      ><input
                        type="checkbox"
                        data-complete=${l.name}
                        .checked=${k.complete.has(l.id)}
                        @change=${(e: Event) => k.setComplete(l.id, (e.target as HTMLInputElement).checked)}
                      />
                      my keywords are complete for this label</label
                    >
                  </li>`,
              )}
          </ul>`
        : nothing
    }
    ${
      unknown.length
        ? html`<details class="unknown-keywords" open>
            <summary>${plural(unknown.length, 'keyword')} name no label</summary>
            <ul>
              ${unknown.map(
                ([word, n]) =>
                  html`<li data-keyword=${word}>
                    ${word} (${n})
                    <button
                      type="button"
                      data-add-keyword=${word}
                      @click=${() => void k.addAsLabel(word)}
                    >
                      Add as label
                    </button>
                  </li>`,
              )}
            </ul>
          </details>`
        : nothing
    }
    ${
      photos
        ? html`<button
              type="button"
              id="learn-keywords"
              ?disabled=${k.busy || changes.length === 0}
              @click=${() => void k.learn()}
            >
              Learn from your existing keywords
            </button>
            <span class="muted"
              >${plural(changes.length, 'answer')} from keywords (complete labels add the
              “no”s).</span
            >`
        : nothing
    }
    ${
      k.learned
        ? html`<p
            class="keyword-learned"
            data-positives=${k.learned.positives}
            data-negatives=${k.learned.negatives}
          >
            Held-out mAP: ${metric(k.learned.metrics, 'before')} before,
            ${metric(k.learned.metrics, 'after')} after (${k.learned.positives} keywords,
            ${k.learned.negatives} missing keywords as “no”, ${k.learned.kept} of your own answers
            kept).
          </p>`
        : nothing
    }
  </div>`;
}

const metric = (m: HeadMetrics | null, which: 'before' | 'after'): string => {
  const v = m?.[which].macroMAP;
  return v === null || v === undefined ? '–' : v.toFixed(3);
};
