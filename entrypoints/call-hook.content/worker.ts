/** The media transform worker: lib/media's pipeline on the worker's global scope. */
import { startMediaWorker, type WorkerScopeLike } from '../../lib/media/worker-main.ts';

startMediaWorker(self as unknown as WorkerScopeLike);
