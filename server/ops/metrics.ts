/**
 * Prometheus metrics in the text exposition format (version 0.0.4): counters, gauges and
 * histograms with labels, plus the process's own figures. Written here rather than taken from
 * prom-client: that brings @opentelemetry/api and bintrees along (4.6 MB in the desktop
 * installer, which ships the server) and 0.16–0.27 s of import time, for four line types.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels) => {
  const keys = Object.keys(l);
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(l[k]!)}"`).join(',')}}` : '';
};
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

interface Metric {
  render(): string[] | Promise<string[]>;
}

/** A monotonically increasing count, per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    const e = this.values.get(k);
    if (e) e.v += by;
    else this.values.set(k, { labels, v: by });
  }
  /** The current value of one label set (tests, benchmarks). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.v ?? 0;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (!this.values.size) lines.push(`${this.name} 0`);
    for (const e of this.values.values()) lines.push(`${this.name}${labelText(e.labels)} ${num(e.v)}`);
    return lines;
  }
}

/** A value read when scraped (a callback), or set. */
export class Gauge implements Metric {
  private value = 0;
  private collect: (() => number | Promise<number>) | undefined;
  constructor(readonly name: string, readonly help: string) {}
  set(v: number): void {
    this.value = v;
  }
  /** Reads the value from `fn` at every scrape (a hook another module fills, e.g. a queue's depth). */
  from(fn: () => number | Promise<number>): void {
    this.collect = fn;
  }
  async render(): Promise<string[]> {
    let v = this.value;
    if (this.collect) {
      try {
        v = await this.collect();
      } catch {
        v = NaN;
      }
    }
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${num(v)}`];
  }
}

/** Observations counted into cumulative buckets, per label set. */
export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; n: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(labels: Labels, v: number): void {
    const k = labelText(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, n: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.n++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.n}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.n}`);
    }
    return lines;
  }
}

/** Figures of this process: memory, CPU, open files, event-loop delay. */
class ProcessMetrics implements Metric {
  private readonly started = Date.now() / 1000;
  private readonly loop = monitorEventLoopDelay({ resolution: 20 });
  constructor() {
    this.loop.enable();
  }
  render(): string[] {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    let fds = NaN;
    try {
      fds = readdirSync('/proc/self/fd').length;
    } catch {
      // Not Linux: left out as NaN.
    }
    const g = (name: string, help: string, type: string, v: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${num(v)}`];
    const lag = this.loop.percentile(99) / 1e9;
    this.loop.reset();
    return [
      ...g('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', m.rss),
      ...g('process_heap_bytes', 'V8 heap in use, bytes.', 'gauge', m.heapUsed),
      ...g('process_cpu_seconds_total', 'User and system CPU time spent in seconds.', 'counter', (cpu.user + cpu.system) / 1e6),
      ...g('process_open_fds', 'Number of open file descriptors.', 'gauge', fds),
      ...g('process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds.', 'gauge', this.started),
      ...g('nodejs_eventloop_delay_p99_seconds', 'Event loop delay, 99th percentile since the previous scrape.', 'gauge', lag),
    ];
  }
  stop(): void {
    this.loop.disable();
  }
}

/** Request latency buckets (seconds): fast JSON calls up to long uploads. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The server's metrics. */
export class ServerMetrics {
  readonly requests = new Counter('kyso_http_requests_total', 'HTTP requests answered, by route, method and status code.');
  readonly latency = new Histogram('kyso_http_request_duration_seconds', 'Time from request to the end of the answer, by route (event streams excluded).', LATENCY_BUCKETS);
  readonly deliveries = new Counter('kyso_deliveries_total', 'Deliveries created by packages this instance accepted (one per recipient).');
  readonly packages = new Counter('kyso_packages_total', 'Package uploads by outcome (accepted, duplicate, refused).');
  readonly statuses = new Counter('kyso_statuses_relayed_total', 'Status messages this instance relayed.');
  readonly eventsSent = new Counter('kyso_events_sent_total', 'Events written to open streams (one per stream), by type.');
  readonly streams = new Gauge('kyso_event_streams_open', 'Event streams open on this instance.');
  readonly listener = new Gauge('kyso_events_listener_up', '1 while this instance hears the other instances (PostgreSQL LISTEN); 1 on SQLite.');
  readonly draining = new Gauge('kyso_draining', '1 while this instance is shutting down.');
  /** Messages waiting to be relayed to the national axis; the gateway fills it with `relayQueueDepth.from(fn)`. */
  readonly relayQueueDepth = new Gauge('kyso_relay_queue_depth', 'Messages waiting in the relay queue to the national axis.');
  private readonly process = new ProcessMetrics();
  private readonly all: Metric[] = [this.requests, this.latency, this.deliveries, this.packages, this.statuses, this.eventsSent, this.streams, this.listener, this.draining, this.relayQueueDepth, this.process];

  /** The exposition text. */
  async render(): Promise<string> {
    const parts = await Promise.all(this.all.map((m) => m.render()));
    return parts.flat().join('\n') + '\n';
  }

  stop(): void {
    this.process.stop();
  }
}
