// The results as a file: CSV or JSON of every finished photo's scores (or error).
import { resultsToCsv, resultsToJson, type ExportPhoto } from '../../core/results-export.ts';
import type { App } from '../app.ts';
import { downloadText } from '../download.ts';

export function exportResults(app: App, format: 'csv' | 'json'): void {
  const { library } = app;
  const photos: ExportPhoto[] = library.photos
    .filter((p) => p.state !== 'queued')
    .map((p) =>
      p.error || !p.row
        ? { file: p.path, error: p.error ?? { name: 'Error', message: 'not scored' } }
        : {
            file: p.path,
            labels: library.scoresOf(p).map((s) => ({
              id: s.label.id,
              name: s.label.name,
              score: s.score,
              cosine: s.cosine,
            })),
          },
    );
  const status = app.modelStatus;
  if (format === 'csv') {
    downloadText('mumic-results.csv', resultsToCsv(photos, app.threshold), 'text/csv');
  } else {
    const json = resultsToJson(photos, {
      model: status?.id ?? '',
      dtype: status?.dtypes.vision ?? '',
      templates: app.labelSet.templates,
      threshold: app.threshold,
    });
    downloadText('mumic-results.json', json, 'application/json');
  }
}
