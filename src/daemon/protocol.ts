/**
 * The daemon's wire protocol: versioned JSON lines over a Unix socket (issue #3 §1).
 *
 * - request  `{"v":1,"id":7,"method":"session.list","params":{…}}`
 * - response `{"v":1,"id":7,"result":…}` or `{"v":1,"id":7,"error":{"code","message","fix"?}}`
 * - event    `{"v":1,"event":"session.data","params":{…}}` (pushed to subscribers)
 *
 * One JSON object per line, UTF-8, `\n` terminated. A client that speaks another `v` gets an
 * error response naming both versions. Lines longer than {@link MAX_LINE_BYTES} are refused.
 */

/** Protocol version spoken by this build. */
export const PROTOCOL_VERSION = 1;

/** Longest accepted line, in bytes (16 MiB: a full snapshot with 10,000 lines of scrollback fits). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A request from a client. */
export interface DaemonRequest {
  v: number;
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

/** An error in a response: a GtError's code, message and fix. */
export interface WireError {
  code: string;
  message: string;
  fix?: string;
}

/** A response to one request. */
export interface DaemonResponse {
  v: number;
  id: number;
  result?: unknown;
  error?: WireError;
}

/** An event pushed to subscribed clients. */
export interface DaemonEvent {
  v: number;
  event: string;
  params: Record<string, unknown>;
}

/** Any message on the wire. */
export type WireMessage = DaemonRequest | DaemonResponse | DaemonEvent;

/** Encode one message as a line. */
export function encodeMessage(message: WireMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Split a byte stream into JSON lines. Feed it chunks; it calls `onMessage` for each complete
 * line and `onError` for a line that is not JSON or is too long (the connection should close).
 */
export class LineDecoder {
  private buffer = '';
  constructor(
    private readonly onMessage: (m: Record<string, unknown>) => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** Feed a chunk of text. */
  push(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_BYTES && !this.buffer.includes('\n')) {
      this.buffer = '';
      this.onError(`line longer than ${MAX_LINE_BYTES} bytes`);
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        this.onError(`not JSON: ${line.slice(0, 80)}`);
        continue;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        this.onError(`not a JSON object: ${line.slice(0, 80)}`);
        continue;
      }
      this.onMessage(parsed as Record<string, unknown>);
    }
  }
}
