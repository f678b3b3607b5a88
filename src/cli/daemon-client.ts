/**
 * How CLI commands reach the daemon: find the town, connect (starting the daemon on demand),
 * run, close.
 */
import { connectDaemon, type DaemonClient } from '../daemon/client.js';
import { resolveTown } from '../store/town/town.js';
import type { CliContext } from './context.js';

/** Connect to the daemon of the town around `ctx.cwd`, run `fn`, close. */
export async function withDaemonClient<T>(ctx: CliContext, fn: (client: DaemonClient, root: string) => Promise<T>, options: { autostart?: boolean } = {}): Promise<T> {
  const root = resolveTown(ctx.cwd, ctx.env);
  const client = await connectDaemon(root, { gtBin: ctx.gtBin, env: ctx.env, ...(options.autostart === false ? { autostart: false } : {}) });
  try {
    return await fn(client, root);
  } finally {
    client.close();
  }
}

/**
 * The agent address a user typed: full addresses pass; `mayor`; `<rig>/<name>` means the polecat
 * `<rig>/polecats/<name>`; a bare name is looked up among `known` addresses by their last part.
 */
export function normalizeAddress(input: string, known: readonly string[] = []): string {
  const t = input.trim().replace(/\/$/, '');
  if (t === 'mayor' || t === 'deacon' || /^[^/]+\/(polecats|crew)\/[^/]+$/.test(t) || /^[^/]+\/(witness|refinery)$/.test(t)) return t;
  const two = /^([^/]+)\/([^/]+)$/.exec(t);
  if (two) return `${two[1]}/polecats/${two[2]}`;
  const byName = known.filter((a) => a.split('/').pop() === t);
  return byName.length === 1 ? byName[0]! : t;
}
