// The part of `autocannon` (which ships no types) that bench/load.ts uses.
declare module 'autocannon' {
  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    amount?: number;
    duration?: number;
    timeout?: number;
  }
  export interface Result {
    /** Seconds the run took. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { total: number; average: number };
    /** Milliseconds. */
    latency: { p50: number; p90: number; p99: number; average: number; max: number };
  }
  export default function autocannon(options: Options): Promise<Result>;
}
