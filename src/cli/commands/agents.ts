/**
 * `gt agents [--json] [--rig r]` and `gt agents --explain <agent>`: every agent with the status
 * of its session (starting · working · waiting · idle · stuck · exited) and why.
 * `gt agents report <kind>` is what Claude Code's hooks call to report status.
 */
import type { Command } from 'commander';
import { hookOutput, interpretHook } from '../../core/agents/hook-events.js';
import { GtError } from '../../core/errors.js';
import type { AgentInfo } from '../../daemon/agent-service.js';
import { inert } from '../bd-format.js';
import { action, type CliContext, type JsonOption } from '../context.js';
import { normalizeAddress, withDaemonClient } from '../daemon-client.js';
import { printJson, printLines } from '../output.js';

const GLYPH: Record<string, string> = { working: '●', waiting: '◐', idle: '○', stuck: '✕', exited: '✕', starting: '⟳' };

/** One line per agent. */
export function agentLines(agents: AgentInfo[]): string[] {
  if (!agents.length) return ['No agents yet. Sling a bead: gt sling <bead> <rig>'];
  return agents.map((a) => {
    const status = a.session?.status ?? 'no session';
    const glyph = GLYPH[status] ?? '·';
    const hook = a.hook_bead ? ` hook ${a.hook_bead}` : '';
    return `${glyph} ${a.address.padEnd(28)} ${status.padEnd(9)} ${a.runtime || '-'}${hook}${a.session?.why ? `  (${inert(a.session.why)})` : ''}`;
  });
}

const readStdin = async (): Promise<string> => {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** One hook event: report to the daemon (never starting it), then print prime/mail context. */
async function runHook(ctx: CliContext, runtime: string, event: string, payloadArg: string | undefined): Promise<void> {
  if (runtime !== 'claude' && runtime !== 'gemini' && runtime !== 'codex') throw new GtError('USAGE', `unknown hook runtime "${runtime}"`, { fix: 'claude, gemini or codex' });
  const raw = payloadArg ?? (runtime === 'codex' ? '' : await readStdin());
  let payload: Record<string, unknown> = {};
  if (raw.trim()) {
    try {
      const v = JSON.parse(raw) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) payload = v as Record<string, unknown>;
    } catch {
      ctx.io.err(`gt agents hook ${runtime} ${event}: the event is not JSON; reporting the event without its fields\n`);
    }
  }
  const act = interpretHook(runtime, event, payload);
  const address = ctx.env.BD_ACTOR;
  if (act.report && address) {
    await withDaemonClient(ctx, async (client) => {
      await client.request('agent.report', {
        address, kind: act.report!.kind, ...(act.report!.message ? { message: act.report!.message } : {}),
        ...(ctx.env.GT_GENERATION ? { generation: Number(ctx.env.GT_GENERATION) } : {}),
      });
    }, { autostart: false });
  }
  if (!act.prime && !act.mail) return;
  const { hookContext } = await import('../../store/work/hook-context.js');
  const text = await hookContext(ctx.cwd, ctx.env, { prime: act.prime, mail: act.mail });
  const out = hookOutput(act, event, text);
  if (out) ctx.io.out(out);
}

/** Register `gt agents`. */
export function register(program: Command, ctx: CliContext): void {
  const agents = program.command('agents')
    .description('agents and the status of their sessions')
    .option('--rig <rig>', "only this rig's agents")
    .option('--explain <agent>', 'which signals decided an agent\'s status')
    .option('--json', 'JSON output')
    .action(action(ctx, 'gt', async (o: JsonOption & { rig?: string; explain?: string }) => {
      await withDaemonClient(ctx, async (client) => {
        if (o.explain) {
          const all = await client.request<AgentInfo[]>('agent.list', {});
          const address = normalizeAddress(o.explain, all.map((a) => a.address));
          const r = await client.request<AgentInfo & { explain: string[]; screen: string[] }>('agent.explain', { address });
          if (o.json) printJson(ctx.io, r);
          else printLines(ctx.io, [`${r.address}: ${r.session?.status ?? '?'} (generation ${r.generation})`, ...r.explain.map((l) => `  ${inert(l)}`), '  screen (last lines):', ...r.screen.map((l) => `  │ ${inert(l)}`)]);
          return;
        }
        const list = await client.request<AgentInfo[]>('agent.list', o.rig ? { rig: o.rig } : {});
        if (o.json) printJson(ctx.io, list);
        else printLines(ctx.io, agentLines(list));
      });
    }));

  agents.command('hook', { hidden: true })
    .description('internal: what the installed agent hooks run — reads the event JSON (stdin, or codex notify\'s last argument), reports the status and prints prime/mail context')
    .argument('<runtime>', 'claude | gemini | codex')
    .argument('<event>', 'the hook event (SessionStart, UserPromptSubmit, Stop, Notification, PreCompact; BeforeAgent, AfterAgent, PreCompress; notify)')
    .argument('[payload]', 'the event JSON (codex notify passes it as an argument)')
    .action(async (runtime: string, event: string, payload: string | undefined) => {
      // A hook must never stop the agent: every failure is a warning on stderr and exit 0.
      try {
        await runHook(ctx, runtime, event, payload);
      } catch (e) {
        ctx.io.err(`gt agents hook ${runtime} ${event}: ${(e as Error).message}\n`);
      }
    });

  agents.command('report', { hidden: true })
    .description('internal: an agent hook reports its status (working, idle, waiting, stop)')
    .argument('<kind>', 'working | idle | waiting | stop')
    .action(action(ctx, 'gt', async (kind: string) => {
      const address = ctx.env.BD_ACTOR;
      if (!address) throw new GtError('USAGE', 'gt agents report runs inside an agent session (BD_ACTOR is not set)');
      await withDaemonClient(ctx, async (client) => {
        await client.request('agent.report', { address, kind, ...(ctx.env.GT_GENERATION ? { generation: Number(ctx.env.GT_GENERATION) } : {}) });
      }, { autostart: false });
    }));
}
