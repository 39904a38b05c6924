/**
 * Reads vmpath's `<metadata>` element of the running libvirt domains of a snapshot, for
 * buildPolicySet's `libvirtXml` input:
 *
 *   virsh -c URI metadata --domain NAME --uri https://vmpath.dev/xmlns/policy/1
 *
 * prints the element or fails with "metadata not found" when the domain has none — that is "no
 * layer", not a problem. Measured on libvirt 9.0: the element comes back without its namespace
 * (`<policy><priority>77</priority>…`, prefix and xmlns stripped), so the reader puts vmpath's
 * namespace back on it (virsh selected it by that namespace) before the parser, which matches by
 * namespace URI, sees it. Only VMs of kind `libvirt` are asked (a Proxmox
 * host never runs virsh), one call at a time with a timeout. Any other failure (virsh missing,
 * daemon down, domain gone between observe and now) becomes a PolicyProblem for that VM and the
 * VM's other policy sources still apply. Domain names are validated before they reach argv.
 */
import { asVmpathError } from '../model/errors';
import { validateVmId } from '../model/names';
import type { CommandRunner } from '../model/seams';
import type { Vm } from '../model/snapshot';
import type { PolicyProblem } from './collect';
import { VMPATH_XMLNS } from './libvirt-metadata';

export interface LibvirtMetadataOptions {
  readonly runner: CommandRunner;
  /** libvirt connection URI (default `qemu:///system`). */
  readonly uri?: string;
  readonly timeoutMs?: number;
}

export interface LibvirtMetadataResult {
  /** vm id → vmpath's metadata element (only VMs that have one). */
  readonly xml: Record<string, string>;
  readonly problems: PolicyProblem[];
}

export type LibvirtMetadataReader = (vms: readonly Vm[]) => Promise<LibvirtMetadataResult>;

const NOT_PRESENT = /metadata not found|Requested metadata element is not present/i;

/** Adds `xmlns="<vmpath ns>"` to the first element when virsh returned it without a namespace. */
export function withVmpathNamespace(text: string): string {
  const m = /<([A-Za-z_][\w.-]*)(\s[^>]*)?(\/?)>/.exec(text);
  if (!m || (m[2] ?? '').includes('xmlns')) return text;
  const open = `<${m[1]}${m[2] ?? ''} xmlns="${VMPATH_XMLNS}"${m[3]}>`;
  return text.slice(0, m.index) + open + text.slice(m.index + m[0].length);
}

export function virshMetadataReader(options: LibvirtMetadataOptions): LibvirtMetadataReader {
  const uri = options.uri ?? 'qemu:///system';
  return async (vms) => {
    const xml: Record<string, string> = {};
    const problems: PolicyProblem[] = [];
    for (const vm of vms) {
      if (vm.kind !== 'libvirt') continue;
      const subject = `vm ${vm.id}`;
      try {
        const domain = validateVmId(vm.name || vm.id);
        const argv = ['virsh', '-c', uri, 'metadata', '--domain', domain, '--uri', VMPATH_XMLNS];
        const r = await options.runner.run(argv, { timeoutMs: options.timeoutMs ?? 10_000 });
        if (r.exitCode === 0) {
          if (r.stdout.trim()) xml[vm.id] = withVmpathNamespace(r.stdout);
        } else if (!NOT_PRESENT.test(r.stderr)) {
          const why = r.stderr.trim().split('\n')[0] || `exit status ${r.exitCode}`;
          problems.push({
            subject,
            code: 'VMPATH_E_LIBVIRT',
            message: `libvirt metadata of domain ${domain} unreadable (${why}); its other policy sources apply`,
          });
        }
      } catch (e) {
        const err = asVmpathError(e);
        problems.push({ subject, code: err.code, message: `libvirt metadata not read: ${err.message}` });
      }
    }
    return { xml, problems };
  };
}
