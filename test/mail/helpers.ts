import { join } from 'node:path';
import { installTown, openTown, type Town } from '../../src/store/town/town.js';
import { updateAgent, upsertAgent } from '../../src/store/work/agents.js';
import { tempDir } from '../cli/helpers.js';

/** A real town with rigs `app` and `web` and agents: mayor, app's witness, polecats nux (generation 3) and slit, crew alice, web's polecat quartz. */
export async function mailTown(): Promise<{ town: Town; root: string; cleanup: () => void }> {
  const tmp = tempDir('gt-mail-');
  const root = join(tmp.dir, 'town');
  await installTown(root, { name: 'mailtown', owner: 'overseer' });
  const town = openTown(root);
  const add = town.db.prepare("INSERT INTO rigs (name, prefix, git_url, default_branch, added_at) VALUES (?, ?, '/dev/null', 'main', '2026-01-01T00:00:00.000Z')");
  add.run('app', 'app');
  add.run('web', 'web');
  upsertAgent(town.db, { address: 'mayor', role: 'mayor', name: 'mayor' });
  upsertAgent(town.db, { address: 'app/witness', role: 'witness', rig: 'app', name: 'witness' });
  upsertAgent(town.db, { address: 'app/polecats/nux', role: 'polecat', rig: 'app', name: 'nux' });
  updateAgent(town.db, 'app/polecats/nux', { generation: 3 });
  upsertAgent(town.db, { address: 'app/polecats/slit', role: 'polecat', rig: 'app', name: 'slit' });
  upsertAgent(town.db, { address: 'app/crew/alice', role: 'crew', rig: 'app', name: 'alice' });
  upsertAgent(town.db, { address: 'web/polecats/quartz', role: 'polecat', rig: 'web', name: 'quartz' });
  return { town, root, cleanup: () => { town.close(); tmp.cleanup(); } };
}

/** Nudge rows of an agent. */
export function nudgesOf(town: Town, agent: string): Array<{ agent: string; generation: number | null; text: string; urgent: number; state: string }> {
  return town.db.prepare('SELECT agent, generation, text, urgent, state FROM nudges WHERE agent = ? ORDER BY id').all(agent) as never;
}
