import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the SQLite WAL from a worker thread with its own connection.
 * SQLite's automatic checkpoint runs inside whichever commit crosses the
 * threshold — on the event loop, copying megabytes and syncing the database
 * file — so every thousandth page a request paid for everyone. A PASSIVE
 * checkpoint from another connection never blocks the writer; when it has
 * copied every frame, the writer's next commit starts the WAL over.
 *
 * Often, not seldom: a checkpoint syncs the WAL before copying and the database
 * after, and a commit landing during one of those syncs waits for it. The bytes
 * a sync must flush grow with the time since the last one: every 200 ms, a busy
 * routing burst saw commits of 10–35 ms a few times a second; every 25 ms, few
 * and shorter. A checkpoint with nothing to copy returns at once (no sync).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: next time */ }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('closed');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, sqliteModule: string, everyMs = 25): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, module: sqliteModule, everyMs } });
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
