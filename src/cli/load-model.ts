import { resolve } from 'node:path';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import type { Dtype } from '../core/types.ts';
import type { ClipEncoder } from '../runtime/clip-encoder.ts';
import { createNodeEncoder } from '../runtime/node.ts';
import { NodeModelSource } from './model-source-node.ts';

export interface LoadedModel {
  dir: string;
  info: ModelInfo;
  encoder: ClipEncoder;
}

export async function loadModel(dir: string, dtype: Dtype | undefined): Promise<LoadedModel> {
  const source = new NodeModelSource(resolve(dir));
  const info = await loadModelFolder(source);
  return { dir, info, encoder: createNodeEncoder(source, info, { dtype }) };
}
