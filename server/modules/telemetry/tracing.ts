// OpenTelemetry traces, off unless an OTLP endpoint is configured: a SERVER span per MCP request
// (the client's W3C traceparent, when it sends one, is its parent) and a CLIENT span per upstream
// call, whose traceparent goes to the API. Spans are handed along explicitly (no global context
// manager, no instrumentation hooks): when tracing is off, nothing of this runs on the hot path.
// Spans carry names and templates only — the MCP path holds the URL token, the upstream URL may
// hold a key in its query, headers hold credentials: none of those is ever an attribute.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

export type SamplerName =
  'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export interface TracingSettings {
  /** The OTLP/HTTP traces URL (…/v1/traces). */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  sampler: SamplerName;
  /** For the ratio samplers: 0 to 1. */
  samplerArg: number;
  /** How long spans wait to be sent together (OTEL_BSP_SCHEDULE_DELAY). */
  scheduleDelayMs: number;
}

export interface UpstreamSpan {
  /** `traceparent` (and `tracestate`) for the upstream request. */
  headers: Record<string, string>;
  /** `error`: a low-cardinality name for a request that got no answer (the error's class name). */
  end(outcome: { status?: number; error?: string }): void;
}

export interface RequestSpan {
  setName(name: string): void;
  setAttributes(attributes: Attributes): void;
  /** The request failed though its HTTP answer may be 200 (a tool error, a JSON-RPC error): `error.type`. */
  fail(errorType: string): void;
  /** A child span for one upstream call, `GET /items/{id}` style. */
  startUpstream(name: string, attributes: Attributes): UpstreamSpan;
  /** The answer went out. Only the first of `end` and `abort` counts. */
  end(status: number): void;
  /** The client went away before its answer. */
  abort(): void;
}

export interface Tracing {
  /**
   * `carrier`: where the client's trace context is read (`traceparent`, `tracestate`): the request's
   * `params._meta` when it has one there, else its headers. `startTime`: when the request arrived
   * (the span is started once its body is read, which is where `_meta` is).
   */
  startRequest(
    name: string,
    carrier: Record<string, string | string[] | undefined>,
    attributes: Attributes,
    startTime?: number,
  ): RequestSpan;
  /** Sends what is buffered; gives up after `timeoutMs` (a dead collector must not hold a shutdown). */
  shutdown(timeoutMs: number): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

function samplerOf(name: SamplerName, arg: number): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(arg);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function markFailed(span: Span, errorType: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

function upstreamSpan(span: Span, parent: Context): UpstreamSpan {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(parent, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
  return {
    headers,
    end({ status, error }) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      // A CLIENT span fails on a 4xx too (semantic conventions for HTTP clients).
      if (error !== undefined) markFailed(span, error);
      else if (status !== undefined && status >= 400) markFailed(span, String(status));
      span.end();
    },
  };
}

/** A class rather than closures: one of these is made per traced MCP request. */
class McpRequestSpan implements RequestSpan {
  private failed = false;
  private ended = false;
  /** The context upstream spans start in: made on the first upstream call (initialize and tools/list make none). */
  private context: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly parent: Context,
  ) {}

  setName(name: string): void {
    this.span.updateName(name);
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  fail(errorType: string): void {
    this.failed = true;
    markFailed(this.span, errorType);
  }

  startUpstream(name: string, attributes: Attributes): UpstreamSpan {
    const own = (this.context ??= trace.setSpan(this.parent, this.span));
    return upstreamSpan(this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, own), own);
  }

  end(status: number): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttribute('http.response.status_code', status);
    // Every MCP answer of 400 or more is a JSON-RPC error (refused, unauthorized, rate limited…):
    // the request failed, which MCP's conventions mark as an error.
    if (status >= 400 && !this.failed) markFailed(this.span, String(status));
    this.span.end();
  }

  abort(): void {
    if (this.ended) return;
    this.ended = true;
    markFailed(this.span, 'client_aborted');
    this.span.end();
  }
}

export interface TracingOptions {
  /** Where finished spans go instead of OTLP/HTTP (unit tests). */
  exporter?: SpanExporter;
}

export function createTracing(settings: TracingSettings, options: TracingOptions = {}): Tracing {
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: settings.url, headers: settings.headers, timeoutMillis: 5000 });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': settings.serviceVersion }),
    sampler: samplerOf(settings.sampler, settings.samplerArg),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.scheduleDelayMs, exportTimeoutMillis: 5000 })],
  });
  const tracer = provider.getTracer('latchkey', settings.serviceVersion);

  return {
    startRequest(name, carrier, attributes, startTime) {
      // The client's trace, when it sends a valid traceparent; a new one otherwise. No ambient
      // context: spans are handed along, so the root context is the only one there is.
      const parent = propagator.extract(ROOT_CONTEXT, carrier, headerGetter);
      return new McpRequestSpan(tracer, tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, startTime }, parent), parent);
    },
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([provider.shutdown().catch(() => undefined), late]);
      clearTimeout(timer);
    },
  };
}
