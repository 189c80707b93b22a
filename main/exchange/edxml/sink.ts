/**
 * File sinks for packages and attachments that report write errors (disk full, folder gone,
 * stream destroyed after an aborted upload) to the code writing them, as a rejected promise.
 * A WriteStream's 'error' event without a listener would instead be an uncaught exception
 * and take down the whole process: the inbox server, for every client at once.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

const ignore = () => undefined;

/** Opens a file for writing; its errors surface through writeChunk/endSink. */
export function openSink(path: string): WriteStream {
  const w = createWriteStream(path);
  w.on('error', ignore);
  return w;
}

/** Writes with back-pressure; rejects with the stream's error instead of hanging or crashing. */
export function writeChunk(w: Writable, chunk: Buffer | string): Promise<void> {
  if (w.errored) return Promise.reject(w.errored);
  if (w.destroyed) return Promise.reject(new Error('write to a closed stream'));
  if (w.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (e?: Error | null) => {
      w.off('drain', onDrain);
      w.off('error', done);
      w.off('close', onClose);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(w.errored ?? new Error('write to a closed stream'));
    w.once('drain', onDrain);
    w.once('error', done);
    w.once('close', onClose);
  });
}

/** Ends a sink and waits until its data is handed to the OS (rejects on a write error). */
export function endSink(w: Writable): Promise<void> {
  if (w.errored) return Promise.reject(w.errored);
  return new Promise((resolve, reject) => w.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Abandons a sink (after an error): destroys it and waits until its file is closed. */
export function closeSink(w: WriteStream): Promise<void> {
  w.on('error', ignore);
  if (w.closed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('close', () => resolve());
    w.destroy();
  });
}
