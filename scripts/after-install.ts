import { precomputeLabelEmbeddings } from './precompute-labels.ts';

/**
 * Runs after a model is installed and listed in index.json, for both `npm run models` and
 * `--from`: embeds the default labels with each of the model's text-tower dtypes and writes them
 * beside the model, so the app need not run the text tower for them on first use.
 */
export async function afterInstall(modelDir: string, id: string): Promise<void> {
  const written = await precomputeLabelEmbeddings(modelDir, id);
  console.log(`Label embeddings for ${id}: ${written.join(', ')}`);
}
