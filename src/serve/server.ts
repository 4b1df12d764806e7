// `shadergrad serve`: a fastify server with TensorFlow Serving's REST API over one model's versions.
//   POST /v1/models/{name}:predict                 {"instances": [...]} -> {"predictions": [{"class", "probabilities"}]}
//   POST /v1/models/{name}/versions/{v}:predict    the same, on version v
//   GET  /v1/models/{name}[/versions/{v}]          version status (TF Serving's model_version_status) and metadata
//   GET  /v1/models/{name}/metadata                the same metadata alone
//   GET  /v1/models/{name}/monitoring              {"drift": {"alert", ...}} (src/monitor/drift.ts)
//   GET  /health, GET /metrics                     liveness, Prometheus text
// Every refused request is a 4xx with {"error": "..."} saying what was wrong. Node-only (fastify).
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DriftMonitor, driftReference } from '../monitor/drift.js';
import { MNIST_COLS, MNIST_ROWS } from '../data/mnist.js';
import { loadMnist } from '../node/mnist-files.js';
import { DynamicBatcher, paddedSizes } from './batcher.js';
import { parseInstances, RequestError } from './instances.js';
import { ServeMetrics } from './metrics.js';
import type { PredictorSource } from './predictor.js';
import { ModelRepository, type ServedVersion } from './repository.js';
import { currentRuntime } from '../runtime/runtime.js';

export interface ServeOptions {
  /** The model's name in the URL (/v1/models/{name}). */
  name: string;
  /** One model file, served as version 1... */
  source?: PredictorSource;
  /** ...or a directory of numbered versions, polled for new ones. */
  modelDir?: string;
  port?: number;
  host?: string;
  /** Most instances in one GPU realization. */
  maxBatch?: number;
  /** Longest a batch waits for more instances after its first arrived (ms). */
  maxWaitMs?: number;
  pollMs?: number;
  /** Origin allowed to call from a browser ('*' for any); CORS is off when not given. */
  cors?: string;
  /** Largest request body (bytes): larger ones get 413. */
  bodyLimit?: number;
  /** Most instances in one request. */
  maxInstances?: number;
  /** Instances the drift monitor looks back over. */
  driftWindow?: number;
  log?: (line: string) => void;
}

export interface Server {
  url: string;
  app: FastifyInstance;
  repository: ModelRepository;
  monitor: DriftMonitor;
  metrics: ServeMetrics;
  /** Stops accepting requests, answers those in flight, stops polling. */
  close(): Promise<void>;
}

export const SERVE_DEFAULTS = { port: 8501, host: '127.0.0.1', maxBatch: 32, maxWaitMs: 5, pollMs: 1000, bodyLimit: 4 * 1024 * 1024, maxInstances: 1024, driftWindow: 1000 };

/** One GPU realization at a time, whichever version's batcher asks. */
function gpuLock(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function startServer(options: ServeOptions): Promise<Server> {
  const o = { ...SERVE_DEFAULTS, log: () => {}, ...options };
  // the drift reference: computed at start-up from the 9,000 training digits (about 0.1 s), not stored
  const mnist = await loadMnist();
  const monitor = new DriftMonitor(driftReference(mnist.train.images, mnist.train.labels), o.driftWindow);
  const exclusive = gpuLock();
  const metrics = new ServeMetrics(() => ({ [o.name]: { latestVersion: repository.latest.version, driftAlert: monitor.report().alert } }));
  const repository = await ModelRepository.open({
    name: o.name,
    source: o.source,
    modelDir: o.modelDir,
    pollMs: o.pollMs,
    log: o.log,
    // each padded size's graph plan and pipelines built before the version serves; one size per turn of
    // the GPU lock, so a version warming up during a hot reload only delays the serving one's batches a little
    warmUp: async (predictor) => {
      for (const n of paddedSizes(o.maxBatch)) await exclusive(() => predictor.predict(new Float32Array(n * predictor.inputSize), n));
    },
    makeBatcher: (predictor) =>
      new DynamicBatcher({
        maxBatch: o.maxBatch,
        maxWaitMs: o.maxWaitMs,
        inputSize: predictor.inputSize,
        classes: predictor.classes,
        run: (pixels, count) => predictor.predict(pixels, count),
        exclusive,
        onBatch: (n, seconds) => {
          metrics.batchSize.observe({ model: o.name }, n);
          metrics.gpuSeconds.observe({ model: o.name }, seconds);
        },
      }),
  });

  const app = Fastify({ bodyLimit: o.bodyLimit, return503OnClosing: false });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is 415

  app.addHook('onRequest', async (req, reply) => {
    (req as FastifyRequest & { startedAt: number }).startedAt = performance.now();
    if (!o.cors) return;
    reply.header('access-control-allow-origin', o.cors).header('vary', 'origin');
    if (req.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600');
      return reply.code(204).send();
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = `${req.method} ${req.routeOptions.url ?? '(no route)'}`;
    metrics.requests.inc({ route, code: reply.statusCode });
    if (reply.statusCode >= 400) metrics.errors.inc({ code: reply.statusCode });
    metrics.latency.observe({ route }, (performance.now() - (req as FastifyRequest & { startedAt: number }).startedAt) / 1000);
  });
  app.setErrorHandler((e: FastifyError | RequestError, _req, reply) => {
    const status = e instanceof RequestError ? e.status : (e.statusCode ?? 500);
    if (status >= 500) o.log(`error: ${e.message}`);
    const message = e instanceof RequestError || !(e as FastifyError).code ? e.message : fastifyMessage(e as FastifyError, o.bodyLimit);
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url} (see GET /v1/models/${o.name})` }));

  /** The version a URL names: `name` must be this model's, `version` a loaded one. */
  const find = (name: string, version?: string): ServedVersion => {
    if (name !== o.name) throw new RequestError(404, `unknown model '${name}' (this server serves '${o.name}')`);
    if (version !== undefined && !/^[1-9][0-9]*$/.test(version)) throw new RequestError(400, `version '${version}' is not a positive integer`);
    const v = repository.resolve(version === undefined ? undefined : Number(version));
    if (!v) throw new RequestError(404, `model '${name}' has no version ${version} (loaded: ${[...repository.versions.keys()].join(', ')})`);
    return v;
  };
  /** "{name}:predict" or "{v}:predict" split; RequestError for another verb. */
  const verb = (spec: string): string => {
    const m = /^(.*):([a-z]+)$/.exec(spec);
    if (!m) throw new RequestError(404, `no route for '${spec}': POST .../${spec}:predict`);
    if (m[2] !== 'predict') throw new RequestError(404, `':${m[2]}' is not supported here (only :predict; TF Serving's :classify and :regress take tf.Example inputs)`);
    return m[1];
  };
  const metadata = (v: ServedVersion) => ({
    name: o.name,
    version: String(v.version),
    model: v.predictor.kind,
    inputs: { instances: { dtype: 'DT_FLOAT', shape: [-1, ...v.predictor.sampleShape], accepts: ['flat', 'nested'], range: [0, 1] } },
    outputs: { class: { dtype: 'DT_INT64', shape: [-1] }, probabilities: { dtype: 'DT_FLOAT', shape: [-1, v.predictor.classes] } },
  });
  const status = (versions: ServedVersion[]) => ({
    model_version_status: [
      ...versions.map((v) => ({ version: String(v.version), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } })),
      ...[...repository.failed].map(([v, why]) => ({ version: String(v), state: 'END', status: { error_code: 'UNKNOWN', error_message: why } })),
    ],
  });

  const predict = async (v: ServedVersion, body: unknown) => {
    const { pixels, count } = parseInstances(body, { inputSize: v.predictor.inputSize, shapes: [v.predictor.sampleShape, [MNIST_ROWS, MNIST_COLS]], maxInstances: o.maxInstances });
    const { probabilities, classes } = await v.batcher.submit(pixels, count);
    monitor.observe(pixels, count, classes);
    metrics.instances.inc({ model: o.name, version: String(v.version) }, count);
    const k = v.predictor.classes;
    return { predictions: Array.from(classes, (c, i) => ({ class: c, probabilities: Array.from(probabilities.subarray(i * k, (i + 1) * k)) })) };
  };

  type P = { Params: { name: string; version: string } };
  // 503 when the server cannot answer predictions: a lost GPU device (a driver reset; restart the
  // process) or no loaded version, so that a load balancer's probe takes it out of rotation
  app.get('/health', async (_req, reply: FastifyReply) => {
    const versions = [...repository.versions.keys()];
    const lost = currentRuntime()?.lost;
    const reason = lost ? `the GPU device was lost (${lost.message})` : versions.length === 0 ? 'no model version is loaded' : null;
    if (reason) return reply.code(503).send({ status: 'unavailable', reason, model: o.name, versions });
    return { status: 'ok', model: o.name, versions };
  });
  app.get('/metrics', async (_req, reply: FastifyReply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get<P>('/v1/models/:name', async (req) => {
    find(req.params.name);
    return { ...status([...repository.versions.values()]), metadata: metadata(repository.latest) };
  });
  app.get<P>('/v1/models/:name/metadata', async (req) => ({ metadata: metadata(find(req.params.name)) }));
  app.get<P>('/v1/models/:name/versions/:version', async (req) => {
    const v = find(req.params.name, req.params.version);
    return { ...status([v]), metadata: metadata(v) };
  });
  app.get<P>('/v1/models/:name/monitoring', async (req) => {
    find(req.params.name);
    return { model: o.name, drift: monitor.report() };
  });
  app.post<P>('/v1/models/:name', async (req) => predict(find(verb(req.params.name)), req.body));
  app.post<P>('/v1/models/:name/versions/:version', async (req) => predict(find(req.params.name, verb(req.params.version)), req.body));

  const url = await app.listen({ port: o.port, host: o.host });
  return {
    url,
    app,
    repository,
    monitor,
    metrics,
    close: async () => {
      await app.close();
      await repository.close();
    },
  };
}

/** fastify's own refusals, said in the words of this API. */
function fastifyMessage(e: FastifyError, bodyLimit: number): string {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than the limit of ${bodyLimit} bytes (--body-limit)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `${e.message}: send the body as application/json`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty: send {"instances": [...]}';
    default:
      return e.statusCode === 400 && /JSON/i.test(e.message) ? `malformed JSON: ${e.message}` : e.message;
  }
}
