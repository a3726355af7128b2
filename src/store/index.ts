// The store as the rest of the code sees it: the interface, and the IndexedDB that implements it.
export type { MumicStore, StoredHead, StoredPhoto, VectorEntry } from './types.ts';
export { DB_NAME, DB_VERSION, IdbStore, openDatabase } from './idb-store.ts';
