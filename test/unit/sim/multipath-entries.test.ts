import { renderVmpathConf } from '../../../agent/model/vmpath-conf';
import { parseMultipathEntries } from '../../../agent/sim/multipathd';

describe("the simulated multipathd reads multipaths entries (vmpath.conf's among them)", () => {
  it('failback and no_path_retry per WWID, as vmpath writes them', () => {
    const text = renderVmpathConf(
      new Map([
        ['3600a', { failback: 'manual' as const }],
        ['3600b', { failback: 'manual' as const, noPathRetry: 'queue' as const }],
        ['3600c', { noPathRetry: 'queue' as const }],
      ]),
    );
    expect(parseMultipathEntries(text)).toEqual(
      new Map([
        ['3600a', { failback: 'manual' }],
        ['3600b', { failback: 'manual', noPathRetry: 'queue' }],
        ['3600c', { noPathRetry: 'queue' }],
      ]),
    );
  });

  it('path_selector as vmpath writes it', () => {
    const text = renderVmpathConf(
      new Map([['3600a', { pathSelector: 'historical-service-time 0' as const }]]),
    );
    expect(parseMultipathEntries(text)).toEqual(
      new Map([['3600a', { pathSelector: 'historical-service-time 0' }]]),
    );
  });

  it('numeric failback, fail, comments; unknown values ignored', () => {
    const text = [
      'multipaths {',
      '  multipath { wwid "w1"  failback 15  no_path_retry fail }',
      '  # multipath { wwid "w2" failback manual }',
      '  multipath { wwid w3 failback followover no_path_retry 12 }',
      '}',
    ].join('\n');
    expect(parseMultipathEntries(text)).toEqual(
      new Map([
        ['w1', { failback: 15, noPathRetry: 'fail' }],
        ['w3', {}],
      ]),
    );
  });
});
