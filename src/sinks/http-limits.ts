import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';

/** Bounds that keep an HTTP server from taking what sampling needs: descriptors, and time on the event loop. */
export interface HttpLimits {
  /** Open connections at most; more are closed at once and counted. Default: an eighth of the soft fd limit, 16–256. */
  maxConnections: number;
  /** A client must send its whole request head within this, ms (slowloris). Default 5 s. */
  headersTimeoutMs: number;
  /** … and its whole request within this, ms. Default 10 s. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** Any socket silent for this long is closed, ms (an idle connection that never sends a byte). Default 15 s. */
  idleTimeoutMs: number;
}

/** The soft RLIMIT_NOFILE of this process, from /proc/self/limits; 1024 when unknown, and for `unlimited` too. */
export function softFdLimit(limitsText?: string): number {
  try {
    const text = limitsText ?? readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+)/m.exec(text);
    return m?.[1] ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

/**
 * The default limits. The /proc sampler keeps up to half the soft fd limit open, so the server takes at most an eighth
 * (16 to 256 connections), which leaves the rest for the spill log, pipes and Node itself.
 */
export function defaultHttpLimits(fdLimit = softFdLimit()): HttpLimits {
  return {
    maxConnections: Math.max(16, Math.min(256, Math.floor(fdLimit / 8))),
    headersTimeoutMs: 5_000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    idleTimeoutMs: 15_000,
  };
}

/** An `http.Server` with `limits` applied; Node checks the header and request timeouts every second. */
export function limitedServer(limits: HttpLimits, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;
  return server;
}
