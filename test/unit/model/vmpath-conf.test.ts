import { parseVmpathConf, renderVmpathConf, withSetting } from '../../../agent/model/vmpath-conf';

describe('vmpath.conf path_selector', () => {
  it('renders the selector quoted and parses it back (round trip)', () => {
    const text = withSetting(null, '3600a0b80000mpatha', { pathSelector: 'historical-service-time 0' });
    expect(text).toContain('\t\twwid "3600a0b80000mpatha"\n\t\tpath_selector "historical-service-time 0"\n');
    expect(parseVmpathConf(text)).toEqual(
      new Map([['3600a0b80000mpatha', { pathSelector: 'historical-service-time 0' }]]),
    );
    expect(renderVmpathConf(parseVmpathConf(text))).toBe(text);
  });

  it('keeps the other settings of the same WWID', () => {
    const one = withSetting(null, 'w1', { failback: 'manual', noPathRetry: 'queue' });
    const two = withSetting(one, 'w1', { pathSelector: 'historical-service-time 0' });
    expect(parseVmpathConf(two).get('w1')).toEqual({
      failback: 'manual',
      noPathRetry: 'queue',
      pathSelector: 'historical-service-time 0',
    });
  });

  it('ignores a selector vmpath does not write and refuses to render one', () => {
    const text = 'multipaths {\n\tmultipath {\n\t\twwid "w1"\n\t\tpath_selector "round-robin 0"\n\t}\n}\n';
    expect(parseVmpathConf(text).get('w1')).toEqual({});
    const hostile = { pathSelector: 'x"\n}\nblacklist {' } as unknown as {
      pathSelector: 'historical-service-time 0';
    };
    expect(() => withSetting(null, 'w1', hostile)).toThrow(/invalid path_selector/);
  });
});
