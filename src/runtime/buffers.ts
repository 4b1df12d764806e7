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

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  bytesInUse = 0;
  buffersInUse = 0;
  pooledBytes = 0;
  /** Bytes and count of new buffers created since the last garbage-collection request. */
  private grownSinceCollect = 0;
  private createdSinceCollect = 0;
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
    private collectEveryBytes = 32 * 2 ** 20,
    private collectEveryBuffers = 1024,
  ) {}

  acquire(bytes: number, label?: string): GPUBuffer {
    const size = bucketSize(bytes);
    if (size > this.maxBufferBytes)
      throw new OutOfMemoryError(`a buffer of ${bytes} bytes exceeds this adapter's storage binding limit of ${this.maxBufferBytes} bytes`);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) this.pooledBytes -= size;
    else {
      buf = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.grownSinceCollect += size;
      this.createdSinceCollect++;
      if (this.collect && (this.grownSinceCollect > this.collectEveryBytes || this.createdSinceCollect > this.collectEveryBuffers)) {
        this.grownSinceCollect = 0;
        this.createdSinceCollect = 0;
        this.collect();
      }
    }
    this.bytesInUse += size;
    this.buffersInUse += 1;
    return buf;
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
  };

  /** Destroys every pooled (free) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
