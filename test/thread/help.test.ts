import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness';

/** Issue #12: `/elk help` is read by someone woken up — examples first, flags one step away. */
describe('/elk help', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ startWorker: false, config: { access: { approverGroup: 'S0ONCALL' } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('leads with three examples on a configured cluster, names the clusters, and keeps flags out', async () => {
    const help = await h.command('alice', 'help');
    const lines = help.split('\n');
    expect(lines[1]).toBe('*Try:*');
    expect(lines.slice(2, 5)).toEqual([
      expect.stringMatching(/^• `\/elk upgrade prod --dry-run`/),
      expect.stringMatching(/^• `\/elk reindex prod logs-2024\.01\.\*`/),
      expect.stringMatching(/^• `\/elk status`/),
    ]);
    expect(help).toMatch(/\*Clusters:\* `prod` \(threads in <#C0OPS>\)/);
    expect(help).toMatch(/`\/elk help <command>` shows its flags/);
    expect(help).toMatch(/• `\/elk upgrade <cluster>` — /);
    expect(help).not.toMatch(/--green-timeout|--max-indices|--slices/);
    expect(help).toMatch(/no decision within 30m means \*rejected\*/);
  });

  it('`/elk help <command>` shows that command\'s flags; an unknown one lists the commands', async () => {
    const upgrade = await h.command('alice', 'help upgrade');
    expect(upgrade).toMatch(/--green-timeout <dur>/);
    expect(upgrade).toMatch(/--dry-run/);
    expect(await h.command('alice', 'help reindex')).toMatch(/--max-indices N/);
    expect(await h.command('alice', 'help upgarde')).toMatch(/No command `upgarde`\. Commands: `help`, `upgrade`, `reindex`/);
  });
});
