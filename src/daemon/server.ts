/**
 * The daemon's socket server: accepts connections, decodes JSON-line requests, dispatches them to
 * handlers by method name, and pushes events to connections that subscribed to a topic.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { isGtError } from '../core/errors.js';
import { encodeMessage, LineDecoder, PROTOCOL_VERSION, type DaemonRequest, type WireMessage } from './protocol.js';

/** A connected client. */
export class Connection {
  private static nextId = 1;
  /** Connection number, for logs. */
  readonly id = Connection.nextId++;
  /** Topics this client subscribed to (`session:<id>`, `agents`, …). */
  readonly topics = new Set<string>();
  private closed = false;

  constructor(private readonly socket: Socket, private readonly onClose: (c: Connection) => void) {
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  /**
   * Send a message. A client that stops reading and lets more than 64 MiB pile up is dropped
   * (it can reconnect and take a fresh snapshot) rather than growing the daemon without bound.
   */
  send(message: WireMessage): void {
    if (this.closed) return;
    if (this.socket.writableLength > 64 * 1024 * 1024) {
      this.close();
      return;
    }
    this.socket.write(encodeMessage(message));
  }

  /** Close the connection (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(this);
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }
}

/** A request handler: gets the params and the calling connection, returns the result. */
export type Handler = (params: Record<string, unknown>, conn: Connection) => unknown;

/** The daemon's server. */
export class DaemonServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly handlers: Map<string, Handler>,
    private readonly log: (line: string) => void,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Start listening on a Unix socket path. */
  listen(path: string): Promise<void> {
    return new Promise((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(path, () => {
        this.server.off('error', rej);
        res();
      });
    });
  }

  private accept(socket: Socket): void {
    socket.setEncoding('utf8');
    const conn = new Connection(socket, (c) => this.connections.delete(c));
    this.connections.add(conn);
    const decoder = new LineDecoder(
      (m) => void this.dispatch(conn, m as unknown as DaemonRequest),
      (message) => {
        conn.send({ v: PROTOCOL_VERSION, id: 0, error: { code: 'USAGE', message: `bad request: ${message}` } });
      },
    );
    socket.on('data', (chunk: string) => decoder.push(chunk));
  }

  private async dispatch(conn: Connection, req: DaemonRequest): Promise<void> {
    const id = typeof req.id === 'number' ? req.id : 0;
    if (req.v !== PROTOCOL_VERSION) {
      conn.send({ v: PROTOCOL_VERSION, id, error: { code: 'USAGE', message: `protocol version ${String(req.v)} is not spoken here (daemon speaks ${PROTOCOL_VERSION})`, fix: 'restart the daemon after upgrading: gt daemon stop && gt daemon start' } });
      return;
    }
    const handler = this.handlers.get(String(req.method));
    if (!handler) {
      conn.send({ v: PROTOCOL_VERSION, id, error: { code: 'USAGE', message: `unknown method "${String(req.method)}"` } });
      return;
    }
    try {
      const result = await handler(req.params ?? {}, conn);
      conn.send({ v: PROTOCOL_VERSION, id, result: result ?? null });
    } catch (e) {
      if (!isGtError(e)) this.log(`error in ${req.method}: ${(e as Error).stack ?? String(e)}`);
      conn.send({
        v: PROTOCOL_VERSION, id,
        error: isGtError(e) ? { code: e.code, message: e.message, ...(e.fix ? { fix: e.fix } : {}) } : { code: 'INTERNAL', message: (e as Error).message ?? String(e) },
      });
    }
  }

  /** Push an event to every connection subscribed to `topic`. */
  publish(topic: string, event: string, params: Record<string, unknown>): void {
    for (const c of this.connections) if (c.topics.has(topic)) c.send({ v: PROTOCOL_VERSION, event, params });
  }

  /** How many clients are connected. */
  get clientCount(): number {
    return this.connections.size;
  }

  /** Stop listening and drop every connection. */
  close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    return new Promise((res) => this.server.close(() => res()));
  }
}
