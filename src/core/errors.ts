// The typed errors of shadergrad. Every message names the op or argument and the shapes involved.

export class ShadergradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit an op (broadcast, matmul inner dims, axes out of range, ...). */
export class ShapeError extends ShadergradError {}
/** A tensor of the wrong dtype for an op (float where int labels are needed, ...). */
export class DTypeError extends ShadergradError {}
/** A value that is not acceptable (NaN in input data, class id out of range, bad option). */
export class ValueError extends ShadergradError {}
/** No WebGPU adapter or device; the message says what to install. */
export class GPUUnavailableError extends ShadergradError {}
/** The GPU device was lost (driver reset, destroy()); no further work is possible on it. */
export class DeviceLostError extends ShadergradError {}
/** The GPU ran out of memory, or a tensor is larger than a storage binding may be. */
export class OutOfMemoryError extends ShadergradError {}
/** A WGSL shader failed to compile; the message has the shader's name and line. */
export class ShaderCompileError extends ShadergradError {}
/** A file (safetensors, ONNX, checkpoint) is malformed. */
export class FormatError extends ShadergradError {}
/** Reading a result back from the GPU took longer than the timeout. */
export class ReadbackTimeoutError extends ShadergradError {}
/** A pending tensor depends on a parameter that an optimizer step has since updated in place. */
export class StaleTensorError extends ShadergradError {}
/** A WebGPU validation error that is not one of the above (a bug in shadergrad: please report). */
export class GPUValidationError extends ShadergradError {}
/** A tensor used after `dispose()` (its buffer may already hold another tensor's values). */
export class DisposedTensorError extends ShadergradError {}
/** Training met a NaN or infinite loss (diverging learning rate, bad data): the loop stops at that step. */
export class NonFiniteLossError extends ShadergradError {
  constructor(readonly step: number, readonly loss: number, readonly epoch?: number) {
    super(
      `loss is ${loss} at step ${step}${epoch === undefined ? '' : ` of epoch ${epoch}`}: training stopped (that step's update is already applied: ` +
        'restore a checkpoint, lower the learning rate or check the data for NaN/Inf; to go on anyway: onNonFiniteLoss: "continue", or --continue-on-nan in the CLI)',
    );
  }
}
/**
 * An index or class id computed on the GPU (argmax, a cast, arithmetic) that was outside its range when an
 * op indexed with it (gather, Embedding, oneHot, crossEntropy). The kernel wrote 0 in its place; the error
 * surfaces at the next readback (data(), item()), or at the next realization once the check has landed.
 * Host-made indices are checked before any GPU work and throw a plain ValueError.
 */
export class IndexError extends ValueError {}
/**
 * Anomaly mode (`sg.detectAnomaly(true)`) found an op whose output holds NaN (or ±Inf from finite inputs):
 * the message names the op, its output shape, whether it is part of a gradient, and where it was recorded.
 */
export class AnomalyError extends ShadergradError {
  constructor(
    message: string,
    /** The op's name in the table ('log', 'div', 'matmul', ...). */
    readonly op: string,
    readonly shape: number[],
    /** 'NaN', or 'Inf' for an infinity from finite inputs. */
    readonly found: 'NaN' | 'Inf',
    /** For a backward op: the forward op whose gradient it computes. */
    readonly gradOf?: string,
  ) {
    super(message);
  }
}
/** A broken internal invariant (a bug in shadergrad, not in the caller's input: please report it). */
export class InternalError extends ShadergradError {}
