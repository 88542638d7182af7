/**
 * Trusted-endpoint identifiers per operating system (docs/devices.md "Identifiers"): Windows MachineGUID,
 * macOS hardware UUID (IOPlatformUUID), Linux product/system UUID (or /etc/machine-id, which Duo Desktop
 * 4.7+ formats as a UUID). All are 8-4-4-4-12 hex; firmware placeholders are not identities.
 */
export type DeviceOs = 'windows' | 'macos' | 'linux';
export const DEVICE_OSES: readonly DeviceOs[] = ['windows', 'macos', 'linux'];

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const MACHINE_ID = /^[0-9a-f]{32}$/;
/** dmidecode answers these on boards with no real UUID; many machines would share them. */
const PLACEHOLDERS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
  '00020003-0004-0005-0006-000700080009',
]);

export type IdCheck = { ok: true; id: string } | { ok: false; reason: string };

/**
 * The identifier as duowatch uploads it, or why it cannot be one. Case follows what each OS reports
 * (MachineGuid and Linux UUIDs lowercase, IOPlatformUUID uppercase); comparisons are case-insensitive.
 * With no declared OS only the shape is checked and the value's case is kept.
 */
export function checkDeviceId(os: DeviceOs | null, raw: string): IdCheck {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'empty identifier' };
  let id = value;
  if (os === 'linux' && MACHINE_ID.test(value)) {
    id = `${value.slice(0, 8)}-${value.slice(8, 12)}-${value.slice(12, 16)}-${value.slice(16, 20)}-${value.slice(20)}`;
  }
  if (!UUID.test(id)) {
    const what =
      os === 'windows'
        ? 'a Windows MachineGUID'
        : os === 'macos'
          ? 'a macOS hardware UUID'
          : os === 'linux'
            ? 'a Linux product/system UUID'
            : 'a device UUID';
    return { ok: false, reason: `not ${what} (8-4-4-4-12 hexadecimal)` };
  }
  if (PLACEHOLDERS.has(id.toLowerCase()))
    return { ok: false, reason: 'a firmware placeholder UUID, not a device identity' };
  if (os === 'macos') return { ok: true, id: id.toUpperCase() };
  if (os === 'windows' || os === 'linux') return { ok: true, id: id.toLowerCase() };
  return { ok: true, id };
}

/** Reads an OS name as exports write it ("Windows", "Windows 11", "macOS", "Mac OS X", "Ubuntu"…). */
export function parseOsName(text: string): DeviceOs | null {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  if (/^win|windows/.test(t)) return 'windows';
  if (/^(mac|os x|osx)|macos|mac os/.test(t)) return 'macos';
  if (/linux|ubuntu|debian|red ?hat|rhel|fedora|centos|suse|rocky|alma/.test(t)) return 'linux';
  return null;
}
