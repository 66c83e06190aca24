// Worker entry in plain JS: registers tsx's loader in this thread (workers do not inherit the
// parent's loader under vitest or tsx), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./ingestWorker.ts');
