// A worker process for the allocation race test: opens the town (GT_TOWN) on its own
// connection, waits for the common start time argv[3] (epoch ms, so every worker races at
// once), allocates one polecat in the rig given as argv[2], prints {address} as JSON.
import { allocatePolecat } from '../../src/store/work/polecats.js';
import { openTown } from '../../src/store/town/town.js';

const town = openTown(process.env.GT_TOWN!);
await new Promise((r) => setTimeout(r, Math.max(0, Number(process.argv[3] ?? 0) - Date.now())));
try {
  const a = await allocatePolecat(town, process.argv[2]!);
  process.stdout.write(`${JSON.stringify({ address: a.address, reused: a.reused })}\n`);
} finally {
  town.close();
}
