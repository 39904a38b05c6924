/**
 * The one error catalogue. Every error vmpath raises on purpose is a VmpathError with a stable
 * `code` (VMPATH_E_*), one class per code, and a `retryable` flag: retryable errors may succeed
 * if the same step is tried again later (timeouts, busy sockets); terminal ones will not.
 * Callers branch on `code` or `instanceof`, never on message text. docs/errors.md documents
 * every code (a unit test keeps the two in step).
 */
export interface ErrorSpec {
  readonly code: string;
  readonly retryable: boolean;
  /** One line for docs and `vmpath doctor`: what it means and what to do. */
  readonly help: string;
}

export class VmpathError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(spec: ErrorSpec, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = spec.code;
    this.retryable = spec.retryable;
    this.details = Object.freeze({ ...details });
  }

  toJSON(): {
    code: string;
    message: string;
    retryable: boolean;
    details: Readonly<Record<string, unknown>>;
  } {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

type ErrorClass = new (message: string, details?: Record<string, unknown>, cause?: unknown) => VmpathError;

const registry = new Map<string, ErrorSpec>();

function define(code: string, retryable: boolean, help: string): ErrorClass & { readonly spec: ErrorSpec } {
  const spec: ErrorSpec = Object.freeze({ code, retryable, help });
  if (registry.has(code)) throw new Error(`duplicate error code ${code}`);
  registry.set(code, spec);
  return class extends VmpathError {
    static readonly spec = spec;
    constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
      super(spec, message, details, cause);
    }
  };
}

/** Every code in the catalogue, in definition order. */
export function errorCatalogue(): readonly ErrorSpec[] {
  return [...registry.values()];
}

// --- running programs -------------------------------------------------------------------------
export class CommandNotFoundError extends define(
  'VMPATH_E_COMMAND_NOT_FOUND',
  false,
  'A program vmpath runs is not installed or not on PATH; install it (e.g. multipath-tools, dmsetup).',
) {}
export class CommandFailedError extends define(
  'VMPATH_E_COMMAND_FAILED',
  false,
  'A program exited non-zero; the message carries its argv, exit code and stderr.',
) {}
export class CommandTimeoutError extends define(
  'VMPATH_E_COMMAND_TIMEOUT',
  true,
  'A program did not finish within its timeout and was killed; retried on the next reconcile.',
) {}
export class InvalidNameError extends define(
  'VMPATH_E_INVALID_NAME',
  false,
  'A device, map, VM or cgroup name failed validation before reaching a path or a command.',
) {}

// --- multipathd and device-mapper ---------------------------------------------------------------
export class MultipathdUnreachableError extends define(
  'VMPATH_E_MULTIPATHD_UNREACHABLE',
  true,
  'multipathd did not answer (not running, socket missing, exit 1 with no output). Start multipathd.',
) {}
export class MultipathdFailError extends define(
  'VMPATH_E_MULTIPATHD_FAIL',
  false,
  "multipathd answered 'fail' to a command (unknown map/path, or the kernel refused).",
) {}
export class MultipathdTimeoutError extends define(
  'VMPATH_E_MULTIPATHD_TIMEOUT',
  true,
  "multipathd answered 'timeout' or 'timeout receiving packet': it is busy; retried later.",
) {}
export class MultipathdPermissionError extends define(
  'VMPATH_E_MULTIPATHD_PERMISSION',
  false,
  'multipathd refused the command: permission denied. vmpath must run as root.',
) {}
export class MultipathdBadCommandError extends define(
  'VMPATH_E_MULTIPATHD_BAD_COMMAND',
  false,
  'multipathd printed its help text (exit 0): this version does not know the command.',
) {}
export class NoDeviceMapperError extends define(
  'VMPATH_E_NO_DEVICE_MAPPER',
  false,
  'The kernel has no device-mapper (/dev/mapper/control cannot be opened): dm-multipath cannot run here.',
) {}
export class ParseError extends define(
  'VMPATH_E_PARSE',
  false,
  'Output of a tool (multipathd, dmsetup, sysfs) did not have the expected format; details name the source and position.',
) {}
export class DmStateChangedError extends define(
  'VMPATH_E_DM_STATE_CHANGED',
  true,
  'A map changed between two reads (dmsetup table vs status disagree: reloaded or removed meanwhile); it is read again on the next reconcile.',
) {}

// --- host filesystem (sysfs, procfs, cgroupfs) --------------------------------------------------
export class SysfsReadError extends define(
  'VMPATH_E_SYSFS_READ',
  false,
  'A sysfs/procfs file could not be read (permission, or not a Linux host).',
) {}
export class ProcessVanishedError extends define(
  'VMPATH_E_PROCESS_VANISHED',
  true,
  'A process exited while it was being read; it is left out of this snapshot.',
) {}
export class CgroupGoneError extends define(
  'VMPATH_E_CGROUP_GONE',
  true,
  'The VM cgroup disappeared (ENOENT): the VM stopped; nothing was changed.',
) {}
export class CgroupNoDeviceError extends define(
  'VMPATH_E_CGROUP_NO_DEVICE',
  false,
  'The kernel rejected an I/O rule for a device that does not exist (ENODEV).',
) {}
export class CgroupInvalidError extends define(
  'VMPATH_E_CGROUP_INVALID',
  false,
  'The kernel rejected an I/O rule as malformed or unsupported (EINVAL), e.g. io controller not enabled.',
) {}
export class CgroupPermissionError extends define(
  'VMPATH_E_CGROUP_PERMISSION',
  false,
  'Writing a cgroup file was refused (EACCES/EPERM/EROFS): run as root on a writable cgroupfs.',
) {}

// --- VM control -------------------------------------------------------------------------------
export class QmpTimeoutError extends define(
  'VMPATH_E_QMP_TIMEOUT',
  true,
  'The QMP socket did not answer in time (another client may hold it: QMP serves one client).',
) {}
export class QmpError extends define(
  'VMPATH_E_QMP_ERROR',
  false,
  'QEMU answered a QMP command with an error; details carry its class and description.',
) {}
export class QmpClosedError extends define(
  'VMPATH_E_QMP_CLOSED',
  true,
  'The QMP connection closed mid-command (QEMU exited or restarted).',
) {}
export class LibvirtError extends define(
  'VMPATH_E_LIBVIRT',
  false,
  'libvirt refused or failed a call (domain missing, daemon down); details carry its code.',
) {}
export class ProxmoxApiError extends define(
  'VMPATH_E_PROXMOX_API',
  true,
  'The Proxmox VE API returned an error status; details carry status and body.',
) {}
export class ProxmoxAuthError extends define(
  'VMPATH_E_PROXMOX_AUTH',
  false,
  'The Proxmox VE API rejected the credentials (ticket, CSRF token or API token).',
) {}
export class VmNotFoundError extends define(
  'VMPATH_E_VM_NOT_FOUND',
  false,
  'No running VM matches the given id or name.',
) {}
export class LibvirtUnavailableError extends define(
  'VMPATH_E_LIBVIRT_UNAVAILABLE',
  false,
  'The optional libvirt binding (@unraid/libvirt) is not installed or failed to load; install it on libvirt hosts.',
) {}
export class ProxmoxRequestError extends define(
  'VMPATH_E_PROXMOX_REQUEST',
  false,
  'The Proxmox VE API refused the request itself (400 parameter error, 404, 501 not implemented); retrying will not help.',
) {}
export class VmControlUnsupportedError extends define(
  'VMPATH_E_VM_CONTROL_UNSUPPORTED',
  false,
  'This VM control backend cannot do the requested operation (e.g. migrate over QMP); configure the Proxmox API or libvirt.',
) {}

// --- configuration, policy, plugins -------------------------------------------------------------
export class ConfigInvalidError extends define(
  'VMPATH_E_CONFIG_INVALID',
  false,
  'The configuration file failed validation; the message names file, line and key.',
) {}
export class PolicyInvalidError extends define(
  'VMPATH_E_POLICY_INVALID',
  false,
  'A VM policy value is out of range or contradictory; the message names the VM, key and origin.',
) {}
export class PluginManifestError extends define(
  'VMPATH_E_PLUGIN_MANIFEST',
  false,
  'A plugin manifest is missing, malformed, or asks for an incompatible vmpath API range; the plugin is not loaded.',
) {}
export class PluginActivationError extends define(
  'VMPATH_E_PLUGIN_ACTIVATION',
  false,
  'A plugin threw while activating or while running a contribution; it is marked failed, the agent goes on.',
) {}

// --- journal, capture, simulator, API -----------------------------------------------------------
export class JournalError extends define(
  'VMPATH_E_JOURNAL',
  false,
  'The action journal could not be written or read back; vmpath refuses to act without it.',
) {}
export class JournalBusyError extends define(
  'VMPATH_E_JOURNAL_BUSY',
  false,
  'Another live vmpath process (usually the agent) holds the journal; one writer at a time. Stop it, or use --dry-run.',
) {}
export class CaptureInvalidError extends define(
  'VMPATH_E_CAPTURE_INVALID',
  false,
  'A capture archive is malformed or from an unsupported version.',
) {}
export class ScenarioInvalidError extends define(
  'VMPATH_E_SCENARIO_INVALID',
  false,
  'A simulator scenario file failed validation; the message names the field.',
) {}
export class ApiUnauthorizedError extends define(
  'VMPATH_E_API_UNAUTHORIZED',
  false,
  'The HTTP API request carried no valid ticket, API token or socket credentials.',
) {}
export class ApiBadRequestError extends define(
  'VMPATH_E_API_BAD_REQUEST',
  false,
  'The HTTP API request was malformed or named an unknown object.',
) {}
export class UsageError extends define(
  'VMPATH_E_USAGE',
  false,
  'The command line was wrong: unknown command, option or missing argument. See --help.',
) {}

/** Wrap anything thrown into a VmpathError without losing it (for logs and the API). */
export function asVmpathError(err: unknown, fallback: ErrorClass = CommandFailedError): VmpathError {
  if (err instanceof VmpathError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new fallback(message, {}, err);
}
