/**
 * Test-only renderers: print parsed structures back in the kernel's format, so property tests
 * can check parse(render(x)) == x over generated tables and statuses.
 */
import type { DmMultipathStatus } from '../../../../agent/observe/multipath/dm-status';
import type { DmMultipathTable } from '../../../../agent/observe/multipath/dm-table';

const counted = (words: readonly string[]): string => [String(words.length), ...words].join(' ');

export function renderTable(t: DmMultipathTable): string {
  const perPathCount = (g: DmMultipathTable['groups'][number]): number =>
    g.paths[0]?.selectorArgs.length ?? 0;
  return [
    counted(t.features),
    counted(t.hwHandler ? [t.hwHandler, ...t.hwHandlerArgs] : []),
    String(t.groups.length),
    String(t.firstGroup),
    ...t.groups.map((g) =>
      [
        g.selector,
        counted(g.selectorArgs),
        String(g.paths.length),
        String(perPathCount(g)),
        ...g.paths.map((p) => [p.devT, ...p.selectorArgs].join(' ')),
      ].join(' '),
    ),
  ].join(' ');
}

export function renderStatus(s: DmMultipathStatus): string {
  return [
    counted(s.info),
    counted(s.hwHandlerStatus),
    String(s.groups.length),
    String(s.nextGroup),
    ...s.groups.map((g) =>
      [
        g.flag,
        counted(g.selectorStatus),
        String(g.paths.length),
        String(g.paths[0]?.selectorStatus.length ?? 0),
        ...g.paths.map((p) =>
          [p.devT, p.active ? 'A' : 'F', String(p.failCount), ...p.selectorStatus].join(' '),
        ),
      ].join(' '),
    ),
  ].join(' ');
}
