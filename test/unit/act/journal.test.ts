/**
 * The journal on a real file: crash simulation (intents without completion, a torn last line),
 * memory and ledger rebuilt on reopen, rotation, damaged journals refused, and recovery settling
 * interrupted intents against reality.
 */
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../../agent/act';
import { recoverJournal } from '../../../agent/act/recover';
import type { Action } from '../../../agent/model/plan';
import { FakeVms, ScriptedRunner, base, clock, context, map, snapshot, tmpRoot } from './helpers';

const pause = (vmId: string): Action => ({
  ...base,
  kind: 'pause-vm',
  id: `pause-${vmId}`,
  vmId,
  reason: 'all paths down',
});
const resume = (vmId: string): Action => ({ ...base, kind: 'resume-vm', id: `resume-${vmId}`, vmId });
const move: Action = {
  ...base,
  kind: 'move-lv',
  id: 'm',
  vmId: '101',
  lv: 'vg-lv',
  table: '0 8 linear 253:5 0',
};

describe('journal file', () => {
  it('survives kill -9: torn last line dropped, memory rebuilt, unfinished intents listed', async () => {
    const root = tmpRoot();
    const file = path.join(root, 'var/lib/vmpath/journal.jsonl');
    const j = await Journal.open(root, '/var/lib/vmpath/journal.jsonl', { clock });
    const op1 = await j.intent(pause('101'), { key: 'paused:101', vmId: '101', inverse: resume('101') });
    await j.done(op1);
    const op2 = await j.intent(pause('102'), { key: 'paused:102', vmId: '102', inverse: resume('102') });
    await j.done(op2);
    const op3 = await j.intent(resume('102'));
    await j.done(op3);
    await j.intent(move, { key: 'lv:vg-lv', vmId: '101', inverse: { ...move, table: '0 8 linear 253:0 0' } });
    await j.remember({ allPathsDownSince: { mpatha: 123 } });
    // The agent dies (kill -9) in the middle of writing the next record.
    appendFileSync(file, '{"v":1,"type":"intent","op":"x","at":1,"action":{"kind":"pau');
    const sizeTorn = statSync(file).size;

    const back = await Journal.open(root, '/var/lib/vmpath/journal.jsonl', { clock });
    expect(back.openReport().tornBytes).toBeGreaterThan(0);
    expect(statSync(file).size).toBeLessThan(sizeTorn);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    expect(Object.keys(back.memory().pausedByVmpath)).toEqual(['101']);
    expect(back.memory().pausedByVmpath['101']).toMatchObject({
      reason: 'all paths down',
      sinceMs: clock.nowMs(),
    });
    expect(back.memory().allPathsDownSince).toEqual({ mpatha: 123 });
    expect(back.pending().map((p) => p.action.kind)).toEqual(['move-lv']);
    expect(
      back
        .ledger()
        .map((e) => e.key)
        .sort(),
    ).toEqual(['lv:vg-lv', 'paused:101']);
    // Appending after the repair starts on a fresh line.
    await back.done(back.pending()[0]?.op as string);
    const again = await Journal.open(root, '/var/lib/vmpath/journal.jsonl', { clock });
    expect(again.pending()).toEqual([]);
  });

  it('rotates atomically past maxBytes and keeps the same state', async () => {
    const root = tmpRoot();
    const j = await Journal.open(root, '/j.jsonl', { clock, maxBytes: 2000 });
    for (let i = 0; i < 20; i++) {
      const op = await j.intent(pause(String(200 + i)), { key: `paused:${200 + i}`, vmId: String(200 + i) });
      await j.done(op);
    }
    await j.intent(move, { key: 'lv:vg-lv', vmId: '101' });
    const text = readFileSync(path.join(root, 'j.jsonl'), 'utf8');
    expect(text.length).toBeLessThan(8000);
    expect(JSON.parse(text.split('\n')[0] as string).type).toBe('checkpoint');
    const back = await Journal.open(root, '/j.jsonl', { clock });
    expect(Object.keys(back.memory().pausedByVmpath)).toHaveLength(20);
    expect(back.ledger()).toHaveLength(21);
    expect(back.pending().map((p) => p.action.id)).toEqual(['m']);
  });

  it('refuses a journal damaged in the middle', async () => {
    const root = tmpRoot();
    writeFileSync(
      path.join(root, 'j.jsonl'),
      '{"v":1,"type":"memory","at":1,"patch":{}}\nnot json\n{"v":1,"type":"memory","at":1,"patch":{}}\n',
    );
    await expect(Journal.open(root, '/j.jsonl', { clock })).rejects.toMatchObject({
      code: 'VMPATH_E_JOURNAL',
    });
  });
});

describe('recovery after a crash', () => {
  it('move-lv interrupted: resumes the LV first, then settles by its table', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup resume vg-lv', '')
      .on('dmsetup table vg-lv', '0 8 linear 253:5 0\n');
    const ctx = await context(runner);
    await ctx.journal.intent(move, { key: 'lv:vg-lv', vmId: '101' });
    const r = await recoverJournal(ctx);
    expect(runner.calls).toEqual(['dmsetup resume vg-lv', 'dmsetup table vg-lv']);
    expect(r).toEqual([expect.objectContaining({ kind: 'move-lv', settled: 'done' })]);
    expect(ctx.journal.pending()).toEqual([]);
  });

  it('pause interrupted: a paused VM becomes pausedByVmpath (so it is resumed later); a running one does not', async () => {
    const vms = new FakeVms(
      new Map<string, 'running' | 'paused'>([
        ['101', 'paused'],
        ['102', 'running'],
      ]),
    );
    const ctx = await context(new ScriptedRunner(), { vmControl: vms });
    await ctx.journal.intent(pause('101'), { key: 'paused:101', vmId: '101', inverse: resume('101') });
    await ctx.journal.intent(pause('102'), { key: 'paused:102', vmId: '102', inverse: resume('102') });
    const r = await recoverJournal(ctx);
    expect(r.map((x) => x.settled)).toEqual(['done', 'failed']);
    expect(Object.keys(ctx.journal.memory().pausedByVmpath)).toEqual(['101']);
  });

  it('a generic action is settled by desired-vs-observed', async () => {
    const ctx = await context(new ScriptedRunner());
    const a: Action = { ...base, kind: 'set-queueing', id: 'q', map: 'mpatha', queue: true };
    await ctx.journal.intent(a, { key: 'queueing:mpatha' });
    const withSnap = { ...ctx, snapshot: snapshot([map('mpatha', { queueIfNoPath: true })]) };
    const r = await recoverJournal(withSnap);
    expect(r[0]).toMatchObject({ settled: 'done', message: 'in effect' });
  });
});
