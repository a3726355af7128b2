// A label search box (the labels panel and the detail dialog each have one, each its own value).
import { html, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { Label } from '../../core/labels/index.ts';

export function labelSearch(
  id: string,
  placeholder: string,
  value: string,
  onInput: (value: string) => void,
): TemplateResult {
  return html`<input
    id=${id}
    type="search"
    placeholder=${placeholder}
    .value=${live(value)}
    @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
  />`;
}

/** Whether a label's name, prompt or category contains `q` (lower case; empty matches all). */
export function matchesLabel(label: Label, q: string): boolean {
  if (!q) return true;
  return (
    label.name.toLowerCase().includes(q) ||
    label.prompt.toLowerCase().includes(q) ||
    label.category.toLowerCase().includes(q)
  );
}
