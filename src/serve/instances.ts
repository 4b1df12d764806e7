// The body of a predict request, TensorFlow Serving's "row" format: {"instances": [x, x, ...]} where
// each x is one sample, either flat (784 numbers) or nested as the sample's shape ([28][28] or
// [1][28][28] for MNIST). Everything wrong is a RequestError naming the instance, the place and the
// rule; pixels outside [0, 1] are accepted (and counted by the drift monitor as a data-quality issue).

/** A client error: the HTTP status and the message for {"error": ...}. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface InstanceLimits {
  /** Values in one instance. */
  inputSize: number;
  /** The shapes a nested instance may have (each multiplies out to inputSize). */
  shapes: number[][];
  /** Most instances in one request. */
  maxInstances: number;
}

const describe = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? `an array of ${x.length}` : typeof x === 'string' ? `the string ${JSON.stringify(x.slice(0, 20))}` : typeof x);

/** Writes the numbers of nested `x` (checked against `shape`) into out[at...]; returns the next position. */
function flatten(x: unknown, shape: number[], out: Float32Array, at: number, where: string): number {
  if (shape.length === 0) {
    if (typeof x !== 'number') throw new RequestError(400, `${where} is ${describe(x)}, not a number`);
    if (!Number.isFinite(x)) throw new RequestError(400, `${where} is ${x}, not a finite number`); // JSON's 1e999 parses to Infinity
    out[at] = x;
    return at + 1;
  }
  if (!Array.isArray(x) || x.length !== shape[0]) throw new RequestError(400, `${where} is ${describe(x)}, expected an array of ${shape[0]}`);
  for (let i = 0; i < x.length; i++) at = flatten(x[i], shape.slice(1), out, at, `${where}[${i}]`);
  return at;
}

/** The instances of a parsed JSON body as one [count, inputSize] Float32Array. */
export function parseInstances(body: unknown, limits: InstanceLimits): { pixels: Float32Array; count: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, `the body must be a JSON object {"instances": [...]}, got ${describe(body)}`);
  const keys = Object.keys(body);
  const extra = keys.filter((k) => k !== 'instances' && k !== 'signature_name');
  if (extra.length) throw new RequestError(400, `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')} (this server takes {"instances": [...]}; the columnar "inputs" format is not supported)`);
  const signature = (body as { signature_name?: unknown }).signature_name;
  if (signature !== undefined && signature !== 'serving_default') throw new RequestError(400, `signature_name ${JSON.stringify(signature)}: this model has only "serving_default"`);
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) throw new RequestError(400, `"instances" must be an array, got ${describe(instances)}`);
  if (instances.length === 0) throw new RequestError(400, '"instances" is empty: send at least one instance');
  if (instances.length > limits.maxInstances) throw new RequestError(400, `"instances" has ${instances.length} instances, more than the ${limits.maxInstances} allowed per request`);
  const n = limits.inputSize;
  const pixels = new Float32Array(instances.length * n);
  instances.forEach((x, i) => {
    const where = `instances[${i}]`;
    if (!Array.isArray(x)) throw new RequestError(400, `${where} is ${describe(x)}, expected an array of ${n} numbers`);
    const shape = Array.isArray(x[0]) ? limits.shapes.find((s) => s.length > 1 && s[0] === x.length && nestingDepth(x) === s.length) : [n];
    if (!shape) throw new RequestError(400, `${where} is nested as ${describe(x)} of arrays: expected ${limits.shapes.map((s) => s.join('×')).join(' or ')}`);
    flatten(x, shape, pixels, i * n, where);
  });
  return { pixels, count: instances.length };
}

function nestingDepth(x: unknown): number {
  let d = 0;
  while (Array.isArray(x)) {
    d++;
    x = x[0];
  }
  return d;
}
