// One GPU device behind one interface, in browsers (navigator.gpu) and Node (the `webgpu` package).
import type { AdapterCaps } from '../kernels/types.js';
import { DeviceLostError, GPUUnavailableError } from '../core/errors.js';

export interface InitOptions {
  /** A GPU object to use instead of navigator.gpu (the Node entry passes Dawn's). */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /**
   * Milliseconds before a GPU readback gives up with ReadbackTimeoutError. Default: 60 s on GPUs; 5 min on
   * software adapters (lavapipe, SwiftShader), where the "GPU" work of a large first realization,
   * shader JIT included, runs on the CPU and can take tens of seconds under load.
   */
  readbackTimeoutMs?: number;
  /**
   * The most bytes of GPU buffers shadergrad holds (tensors, plans' scratch, the free pool); past it an
   * allocation is an OutOfMemoryError. Default: no cap on GPUs (the driver's out-of-memory error is
   * reported typed); on software adapters, whose "GPU" memory is the host's, 4 GiB, or half the host's
   * memory when the Node entry can read it.
   */
  memoryLimitBytes?: number;
  /** The host's memory in bytes (the Node entry passes os.totalmem()): sets memoryLimitBytes's default on software adapters. */
  hostMemoryBytes?: number;
  /** The most GPU buffers held at once (default 50,000): a loop that leaks tensors ends in an OutOfMemoryError. */
  maxBuffers?: number;
  /** A way to force a JS garbage collection (Node passes v8's), used when GPU memory grows: see BufferPool. */
  collectGarbage?: () => void;
}

export interface DeviceContext {
  options: InitOptions;
  device: GPUDevice;
  adapter: GPUAdapter;
  caps: AdapterCaps;
  readbackTimeoutMs: number;
  /** Set when the device is lost; every later GPU call throws it. */
  lost: DeviceLostError | null;
}

const FIX_HINT =
  'WebGPU is not available. In a browser use Chrome/Edge 113+ (or enable chrome://flags/#enable-unsafe-webgpu). ' +
  "In Node import from 'shadergrad/node', which uses the `webgpu` package; on Linux it needs a Vulkan driver " +
  '(Debian: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1, or run scripts/setup.sh).';

const WANTED_FEATURES: GPUFeatureName[] = ['shader-f16', 'subgroups', 'timestamp-query'] as GPUFeatureName[];

export async function acquireDevice(options: InitOptions = {}): Promise<DeviceContext> {
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GPUUnavailableError(FIX_HINT);
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GPUUnavailableError(`requestAdapter() returned null. ${FIX_HINT}`);

  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  // Ask for the adapter's own maxima: defaults (128 MiB bindings, 256 invocations) are lower on real GPUs.
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
  };
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (e) {
    throw new GPUUnavailableError(`requestDevice() failed: ${(e as Error).message}. ${FIX_HINT}`);
  }
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  // drivers fill these fields differently; keep the distinct ones (llvmpipe repeats itself across them)
  const parts = [info.description, info.vendor, info.architecture, info.device].filter(Boolean);
  const description = parts.filter((p, i) => !parts.slice(0, i).some((q) => q.includes(p))).join(', ') || 'unknown adapter';
  const subgroups = device.features.has('subgroups');
  const caps: AdapterCaps = {
    features: new Set(device.features as unknown as Iterable<string>),
    wgslLanguageFeatures: new Set((gpu as { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures ?? []),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: device.limits.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    subgroupMinSize: subgroups ? (info as unknown as { subgroupMinSize?: number }).subgroupMinSize : undefined,
    subgroupMaxSize: subgroups ? (info as unknown as { subgroupMaxSize?: number }).subgroupMaxSize : undefined,
    description,
    isSoftware: /llvmpipe|lavapipe|swiftshader|software/i.test(description) || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
  };
  const ctx: DeviceContext = { options, device, adapter, caps, readbackTimeoutMs: options.readbackTimeoutMs ?? (caps.isSoftware ? 300_000 : 60_000), lost: null };
  void device.lost.then((info) => {
    ctx.lost = new DeviceLostError(`GPU device lost (${info.reason}): ${info.message || 'no message'}`);
  });
  return ctx;
}
