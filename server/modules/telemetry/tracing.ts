// OpenTelemetry traces, off unless an OTLP endpoint is configured: a SERVER span per MCP request
// (the client's W3C traceparent, when it sends one, is its parent) and a CLIENT span per upstream
// call, whose traceparent goes to the API. Spans are handed along explicitly (no global context
// manager, no instrumentation hooks): when tracing is off, nothing of this runs on the hot path.
// Spans carry names and templates only — the MCP path holds the URL token, the upstream URL may
// hold a key in its query, headers hold credentials: none of those is ever an attribute.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
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
  end(outcome: { status?: number; error?: string }): void;
}

export interface RequestSpan {
  setName(name: string): void;
  setAttributes(attributes: Attributes): void;
  /** A child span for one upstream call, `GET /items/{id}` style. */
  startUpstream(name: string, attributes: Attributes): UpstreamSpan;
  end(status: number): void;
}

export interface Tracing {
  startRequest(name: string, headers: Record<string, string | string[] | undefined>, attributes: Attributes): RequestSpan;
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

function upstreamSpan(span: Span, parent: Context): UpstreamSpan {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(parent, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
  return {
    headers,
    end({ status, error }) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (error !== undefined || (status !== undefined && status >= 400)) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `HTTP ${status}` });
        if (status === undefined) span.setAttribute('error.type', 'request_failed');
        else span.setAttribute('error.type', String(status));
      }
      span.end();
    },
  };
}

export function createTracing(settings: TracingSettings): Tracing {
  const exporter = new OTLPTraceExporter({ url: settings.url, headers: settings.headers, timeoutMillis: 5000 });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': settings.serviceVersion }),
    sampler: samplerOf(settings.sampler, settings.samplerArg),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.scheduleDelayMs, exportTimeoutMillis: 5000 })],
  });
  const tracer = provider.getTracer('latchkey', settings.serviceVersion);

  return {
    startRequest(name, headers, attributes) {
      // The client's trace, when it sends a traceparent; a new one otherwise.
      const parent = propagator.extract(context.active(), headers, headerGetter);
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      const own = trace.setSpan(parent, span);
      return {
        setName: (next) => void span.updateName(next),
        setAttributes: (more) => void span.setAttributes(more),
        startUpstream: (upstreamName, upstreamAttributes) =>
          upstreamSpan(tracer.startSpan(upstreamName, { kind: SpanKind.CLIENT, attributes: upstreamAttributes }, own), own),
        end(status) {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
          span.end();
        },
      };
    },
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([provider.shutdown().catch(() => undefined), late]);
      clearTimeout(timer);
    },
  };
}
