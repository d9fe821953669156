// Hands out an epoch's batches one at a time while the following one is assembled: next() returns the
// batch prepared in the background and schedules the one after it (setImmediate), so its copying,
// augmentation and normalization run while the caller awaits the GPU's work on the current batch.
import type { Dataset } from "./dataset.js";
import { assembleBatch, batchCount, checkBatchOptions, epochOrder, type Batch, type BatchOptions } from "./batches.js";
import { checkNormalization } from "./normalize.js";

export class BatchLoader {
  readonly batchesPerEpoch: number;
  private order: Int32Array;
  private nextIndex = 0;
  private prepared: Promise<Batch> | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly options: BatchOptions,
    readonly epoch: number,
  ) {
    checkBatchOptions(options);
    if (options.normalization !== undefined) checkNormalization(options.normalization, dataset.shape[1]);
    this.batchesPerEpoch = batchCount(dataset.shape[0], options);
    this.order = epochOrder(dataset.shape[0], options.seed, epoch, options.shuffle ?? true);
    this.prepared = this.prepare();
  }

  /** The epoch's next batch, or undefined once all were handed out. */
  async next(): Promise<Batch | undefined> {
    const current = this.prepared;
    if (current === undefined) return undefined;
    this.prepared = this.prepare();
    return current;
  }

  /** Schedules assembly of the next batch index, or undefined at the end of the epoch. */
  private prepare(): Promise<Batch> | undefined {
    if (this.nextIndex >= this.batchesPerEpoch) return undefined;
    const batchIndex = this.nextIndex++;
    const prepared = new Promise<Batch>((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(assembleBatch(this.dataset, this.order, this.epoch, batchIndex, this.options));
        } catch (error) {
          reject(error);
        }
      });
    });
    // A batch prepared but never asked for must not turn its failure into an unhandled rejection;
    // next() still hands the rejected promise to whoever asks.
    prepared.catch(() => undefined);
    return prepared;
  }

  /** All remaining batches, each prepared while the previous one is in use. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (;;) {
      const batch = await this.next();
      if (batch === undefined) return;
      yield batch;
    }
  }
}
