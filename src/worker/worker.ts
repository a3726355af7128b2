// The worker entry: the one comlink expose, of the capabilities composed over the browser's
// IndexedDB (store/idb-store.ts).
import { expose } from 'comlink';
import { IdbStore } from '../store/idb-store.ts';
import { forComlink } from './expose-api.ts';
import { createWorkerApi } from './service.ts';
import { faultFromName, webGpuFaultFromName, withFault } from './test-faults.ts';

const api = createWorkerApi({ store: new IdbStore(), models: webGpuFaultFromName(self.name) });
expose(forComlink(withFault(api, faultFromName(self.name))));
