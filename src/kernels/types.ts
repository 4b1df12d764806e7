// The contract between a kernel (WGSL + dispatch geometry) and the executor that runs it.
// A kernel module is a pure function from its specialisation to a KernelSpec; it never touches the device.

/** Storage access of one binding. */
export type BindingAccess = 'read' | 'read_write';

export interface KernelSpec {
  /** Pipeline cache key: shader name + sorted specialisation values (equal keys ⇒ equal code). */
  key: string;
  /** Complete WGSL source; entry point is `main`. */
  code: string;
  /** Storage buffers at @group(0) @binding(0..n-1), in this order. */
  bindings: BindingAccess[];
  /** Uniform data, bound at @binding(bindings.length) when present. */
  params?: ArrayBuffer;
  /** Workgroup counts; each at most the adapter's maxComputeWorkgroupsPerDimension. */
  workgroups: [number, number, number];
}

/** What kernels may know about the adapter. Read from the adapter, never assumed. */
export interface AdapterCaps {
  features: ReadonlySet<string>;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupStorageSize: number;
  /** Storage buffers one kernel may bind (8 is the WebGPU minimum). */
  maxStorageBuffersPerShaderStage: number;
  /** Subgroup size range, when the adapter reports it (undefined without the 'subgroups' feature). */
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
  /** WGSL language extensions of the implementation (navigator.gpu.wgslLanguageFeatures), e.g. packed_4x8_integer_dot_product. */
  wgslLanguageFeatures?: ReadonlySet<string>;
  /** Adapter description, e.g. "llvmpipe (LLVM 19.1.7, 256 bits)". */
  description: string;
  /** True for CPU implementations (lavapipe, SwiftShader): kernel choice differs there. */
  isSoftware: boolean;
}
