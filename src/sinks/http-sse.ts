import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bounds of the dashboard's Server-Sent Events hub: clients, and bytes queued per client. */
export interface SseLimits {
  /** Clients at once; more get 503. Default 32. */
  maxClients?: number;
  /** Bytes a client may have queued; a message that would pass it is dropped for that client. Default 256 KiB. */
  maxBufferBytes?: number;
  /** A client that dropped this many messages in a row is disconnected (its browser reconnects). Default 30. */
  maxDropsInRow?: number;
}

interface Client { res: ServerResponse; dropsInRow: number }

/**
 * Server-Sent Events to many clients, none of which can make us buffer without bound: each client's queue is capped
 * (sonic-boom's `maxLength` policy), a message that does not fit is dropped for that client only and counted, and a
 * client that keeps dropping is closed, freeing its descriptor.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private readonly maxClients: number;
  private readonly maxBufferBytes: number;
  private readonly maxDropsInRow: number;

  constructor({ maxClients = 32, maxBufferBytes = 256 * 1024, maxDropsInRow = 30 }: SseLimits = {}) {
    this.maxClients = maxClients;
    this.maxBufferBytes = maxBufferBytes;
    this.maxDropsInRow = maxDropsInRow;
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes over `res` as an event stream, first sending `hello` (the current state) as one message. */
  add(req: IncomingMessage, res: ServerResponse, hello: string): void {
    if (this.clients.size >= this.maxClients) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '10' }).end('procstream: too many event streams\n');
      return;
    }
    // The server's idle timeout is for silent sockets; this one hears from us at least every heartbeat.
    req.socket.setTimeout(0);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    const client: Client = { res, dropsInRow: 0 };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    res.write(`retry: 2000\ndata: ${hello}\n\n`);
  }

  /** Sends one message (one JSON text) to every client; returns how many clients had to drop it. */
  broadcast(json: string): number {
    return this.send(`data: ${json}\n\n`);
  }

  /** A comment line, so proxies and the browser see the stream alive; dropped like any message when queues are full. */
  heartbeat(): number {
    return this.send(':\n\n');
  }

  /** Ends every stream. */
  close(): void {
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private send(frame: string): number {
    let dropped = 0;
    const bytes = Buffer.byteLength(frame);
    for (const c of this.clients) {
      if (c.res.writableLength + bytes > this.maxBufferBytes) {
        dropped += 1;
        c.dropsInRow += 1;
        if (c.dropsInRow >= this.maxDropsInRow) {
          this.clients.delete(c);
          c.res.destroy();
        }
        continue;
      }
      c.dropsInRow = 0;
      c.res.write(frame);
    }
    return dropped;
  }
}
