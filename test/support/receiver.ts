import http from 'node:http';

export interface Received {
  method: string;
  url: string;
  /** The absolute URL the sender called (what X-Twilio-Signature covers). */
  fullUrl: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  params: Record<string, string>;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Sets how the next requests are answered (status, body, delay). */
  respond(fn: (r: Received) => { status: number; body?: string; delayMs?: number; contentType?: string }): void;
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A local webhook receiver standing in for a customer's application. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let responder: (r: Received) => { status: number; body?: string; delayMs?: number; contentType?: string } = () => ({ status: 200 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const type = req.headers['content-type'] ?? '';
      const params: Record<string, string> = {};
      if (type.startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(rawBody)) params[k] = v;
      const port = (server.address() as { port: number }).port;
      const r: Received = { method: req.method ?? '', url: req.url ?? '', fullUrl: `http://127.0.0.1:${port}${req.url}`, headers: req.headers, rawBody, params };
      if (req.method === 'GET') for (const [k, v] of new URL(r.fullUrl).searchParams) params[k] = v;
      const answer = responder(r);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json' });
        res.end(answer.body ?? '');
      };
      if (!answer.delayMs) {
        // Answer before a waiting test can see the request and close the receiver on it.
        res.once('finish', () => received.push(r));
        reply();
        return;
      }
      received.push(r);
      setTimeout(reply, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond(fn) {
      responder = fn;
    },
    async waitFor(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`receiver got ${received.length} requests, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received.slice(0, n);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
