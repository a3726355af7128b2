// The label set as the app keeps it (the setting "labels"), and each change to it as a diff
// applied to what is stored, in the store's one transaction (MumicStore.updateSetting): two tabs
// changing labels at the same instant both keep their change (issue 10, item 6). Writing the
// whole set instead lost the label of the tab that wrote first.
import { appendLabels, labelsFromJsonValue, type Label } from './label-set.ts';

export const LABEL_SETTINGS_KEY = 'labels';

export interface LabelSettings {
  version: 1;
  labels: Label[];
  /** Ids of labels that are off (still scored, not shown). */
  disabled: string[];
  template: string;
}

/** One change a person made. `replace` (an import in replace mode, back to defaults) is whole. */
export type LabelChange =
  | { type: 'add'; labels: Label[] }
  | { type: 'remove'; ids: string[] }
  | { type: 'enable'; ids: string[]; enabled: boolean }
  | { type: 'template'; template: string }
  | { type: 'replace'; labels: Label[] };

/** The stored settings, checked; undefined when none are kept; throws when they do not validate. */
export function readLabelSettings(value: unknown): LabelSettings | undefined {
  const stored = value as Partial<LabelSettings> | undefined;
  if (stored?.version !== 1) return undefined;
  return {
    version: 1,
    labels: labelsFromJsonValue({ version: 1, labels: stored.labels }),
    disabled: Array.isArray(stored.disabled)
      ? stored.disabled.filter((id): id is string => typeof id === 'string')
      : [],
    template: typeof stored.template === 'string' ? stored.template : 'default',
  };
}

/**
 * `change` applied to the stored settings (to `fallback`, the page's own, when none are stored or
 * they no longer validate: the page said so when it started). An added label that is already
 * there (by id or name, e.g. typed in both tabs) is kept once; past MAX_LABELS it throws
 * TooManyLabels and the caller's transaction writes nothing.
 */
export function applyLabelChange(
  stored: unknown,
  change: LabelChange,
  fallback: LabelSettings,
): LabelSettings {
  let base: LabelSettings;
  try {
    base = readLabelSettings(stored) ?? fallback;
  } catch {
    base = fallback;
  }
  let { labels, template } = base;
  const disabled = new Set(base.disabled);
  if (change.type === 'add') {
    const ids = new Set(labels.map((l) => l.id));
    const names = new Set(labels.map((l) => l.name.toLowerCase()));
    const fresh = change.labels.filter((l) => {
      const known = ids.has(l.id) || names.has(l.name.toLowerCase());
      ids.add(l.id);
      names.add(l.name.toLowerCase());
      return !known;
    });
    labels = appendLabels(labels, fresh);
    for (const l of change.labels) disabled.delete(l.id);
  } else if (change.type === 'remove') {
    const gone = new Set(change.ids);
    labels = labels.filter((l) => !gone.has(l.id));
  } else if (change.type === 'enable') {
    for (const id of change.ids) {
      if (change.enabled) disabled.delete(id);
      else disabled.add(id);
    }
  } else if (change.type === 'template') {
    template = change.template;
  } else {
    labels = [...change.labels];
    disabled.clear();
  }
  const kept = new Set(labels.map((l) => l.id));
  return {
    version: 1,
    labels: labels.map((l) => ({ ...l })),
    disabled: [...disabled].filter((id) => kept.has(id)),
    template,
  };
}
