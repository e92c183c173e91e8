/** The part of autocannon's API the API benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
  }
  /** Latency (ms) or rate figures of a run. */
  interface Distribution {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }
  interface Result {
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    /** Seconds the run lasted. */
    duration: number;
    latency: Distribution;
    requests: Distribution;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
