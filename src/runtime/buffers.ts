// A pool of GPU storage buffers, bucketed by size so that freed buffers are reused step after step.
import { OutOfMemoryError } from '../core/errors.js';

// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST, spelled as numbers: the globals may not exist yet when this module loads
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08;

/** A storage buffer holding `data` (or `data` zeroed floats), outside the pool: benchmarks and kernel tests. */
export function createStorage(ctx: { device: GPUDevice }, data: Float32Array<ArrayBuffer> | number): GPUBuffer {
  const length = typeof data === 'number' ? data : data.length;
  const buf = ctx.device.createBuffer({
    size: Math.max(16, Math.ceil((length * 4) / 16) * 16),
    usage: STORAGE_USAGE,
  });
  if (typeof data !== 'number') ctx.device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/** Rounds a byte size up to its pool bucket: multiples of 256 B below 64 KiB, then powers of 2 over 8. */
export function bucketSize(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 65536) return Math.ceil(b / 256) * 256;
  const step = 2 ** Math.floor(Math.log2(b) - 3);
  return Math.ceil(b / step) * step;
}

/** The most GPU memory the pool holds (live and pooled buffers together); see InitOptions.memoryLimitBytes. */
export interface PoolLimits {
  bytes: number;
  buffers: number;
}

/** Default cap on live + pooled buffers: far above any model's count, below where a leak exhausts the host. */
export const DEFAULT_MAX_BUFFERS = 50_000;

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  bytesInUse = 0;
  /** The most bytesInUse has been since the pool was made or resetPeak() was called. */
  peakBytes = 0;
  buffersInUse = 0;
  pooledBytes = 0;
  private pooledBuffers = 0;
  /** Bytes and count of new buffers created since the last garbage-collection request. */
  private grownSinceCollect = 0;
  private createdSinceCollect = 0;
  /** Bytes and count handed out (new or from the pool) since the last collection request: see nearLimit(). */
  private liveGrownSinceCollect = 0;
  private acquiredSinceCollect = 0;
  constructor(
    private device: GPUDevice,
    private maxBufferBytes: number,
    /**
     * Asks the JS engine for a garbage collection. JS engines cannot see GPU memory, so tensors that are no
     * longer reachable may wait long for a collection; after `collectEveryBytes` of new buffers (or
     * `collectEveryBuffers` new buffers) we ask for one, and their FinalizationRegistry callbacks then
     * return the buffers to this pool.
     */
    private collect?: () => void,
    readonly limits: PoolLimits = { bytes: Infinity, buffers: DEFAULT_MAX_BUFFERS },
    private collectEveryBytes = 32 * 2 ** 20,
    private collectEveryBuffers = 1024,
  ) {}

  /** The pool bucket for `bytes`, or an OutOfMemoryError when it exceeds the adapter's binding limit. */
  checkSize(bytes: number): number {
    const size = bucketSize(bytes);
    if (size > this.maxBufferBytes)
      throw new OutOfMemoryError(`a buffer of ${bytes} bytes exceeds this adapter's storage binding limit of ${this.maxBufferBytes} bytes`);
    return size;
  }

  acquire(bytes: number, label?: string): GPUBuffer {
    const size = this.checkSize(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.pooledBytes -= size;
      this.pooledBuffers--;
    } else {
      this.makeRoom(size);
      buf = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.grownSinceCollect += size;
      this.createdSinceCollect++;
    }
    this.liveGrownSinceCollect += size;
    this.acquiredSinceCollect++;
    if (this.collect && (this.grownSinceCollect > this.collectEveryBytes || this.createdSinceCollect > this.collectEveryBuffers || this.nearLimit())) {
      this.grownSinceCollect = this.createdSinceCollect = this.liveGrownSinceCollect = this.acquiredSinceCollect = 0;
      this.collect();
    }
    this.bytesInUse += size;
    if (this.bytesInUse > this.peakBytes) this.peakBytes = this.bytesInUse;
    this.buffersInUse += 1;
    return buf;
  }

  /** Starts the peak over from what is in use now (torch.cuda.reset_peak_memory_stats). */
  resetPeak(): void {
    this.peakBytes = this.bytesInUse;
  }

  /**
   * Returns a buffer to the pool. An arrow function bound once: Storages keep it as their finalizer, and a
   * closure made inside a bigger function would keep that function's whole scope (a step's graph) alive.
   */
  readonly release = (buf: GPUBuffer): void => {
    const size = buf.size;
    this.bytesInUse -= size;
    this.buffersInUse -= 1;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
    this.pooledBytes += size;
    this.pooledBuffers++;
  };

  /**
   * Past 3/4 of a limit in live buffers, collect after every 1/32 of it handed out: unreachable tensors
   * come back before the limit is hit in a loop that awaits (only one that never awaits reaches it).
   */
  private nearLimit(): boolean {
    const { bytes, buffers } = this.limits;
    return (
      (this.buffersInUse > 0.75 * buffers && this.acquiredSinceCollect > buffers / 32) ||
      (this.bytesInUse > 0.75 * bytes && this.liveGrownSinceCollect > bytes / 32)
    );
  }

  /**
   * Before a new buffer: within the limits, or the pooled free buffers are destroyed to make room, or an
   * OutOfMemoryError says why — before any GPU work, instead of the driver or the host running out. JS
   * engines free unreachable tensors only when the event loop gets a turn (FinalizationRegistry), so a
   * loop that never awaits holds every tensor it made: the message says so.
   */
  private makeRoom(size: number): void {
    const fits = () => this.bytesInUse + this.pooledBytes + size <= this.limits.bytes && this.buffersInUse + this.pooledBuffers + 1 <= this.limits.buffers;
    if (fits()) return;
    this.trim();
    if (fits()) return;
    this.collect?.(); // the unreachable tensors it finds come back at the next turn of the event loop
    throw new OutOfMemoryError(
      `GPU memory limit reached: ${this.buffersInUse} live buffers hold ${this.bytesInUse} bytes and ${size} more were asked for ` +
        `(limits: ${this.limits.bytes} bytes, ${this.limits.buffers} buffers; sg.init({ memoryLimitBytes, maxBuffers }) sets them). ` +
        'Tensors no longer referenced are freed only when JavaScript gets a turn: a loop that never awaits keeps them all, ' +
        'so await something each step (e.g. await loss.item()) or dispose() what you no longer need',
    );
  }

  /** Destroys every pooled (free) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
    this.pooledBuffers = 0;
  }
}
