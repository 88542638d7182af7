/** Static vocabularies the generators draw from: names, applications, places, devices. */
import type { WireLocation } from './wire-types.js';

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Amara',
  'Ben',
  'Carla',
  'Chen',
  'Dana',
  'Diego',
  'Elena',
  'Farah',
  'Grace',
  'Hiro',
  'Ines',
  'Jamal',
  'Julia',
  'Kofi',
  'Lena',
  'Liam',
  'Maya',
  'Mateo',
  'Nadia',
  'Noah',
  'Olga',
  'Omar',
  'Priya',
  'Quinn',
  'Ravi',
  'Rosa',
  'Sami',
  'Sofia',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Erik',
  'Aiko',
  'Luca',
] as const;
export const LAST_NAMES = [
  'Andersen',
  'Baptiste',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hoffmann',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quintero',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Ueda',
  'Varga',
  'Walker',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Novak',
  'Silva',
  'Kim',
  'Murphy',
] as const;

export const GROUP_NAMES = [
  'Duo Users',
  'Engineering',
  'Finance',
  'Sales',
  'IT Admins',
  'Contractors',
  'Executives',
];

/** Protected applications: [name, integration type]. */
export const PROTECTED_APPS: readonly (readonly [string, string])[] = [
  ['Microsoft Azure Active Directory', 'azure-ca'],
  ['Cisco ASA SSL VPN', 'ciscoasa'],
  ['Okta', 'okta'],
  ['Windows Logon', 'rdp'],
  ['Unix SSH', 'unix'],
  ['Salesforce', 'sso-salesforce'],
  ['GitHub Enterprise', 'sso-github'],
  ['Duo Admin Panel', 'adminpanel'],
];

export interface Place {
  loc: WireLocation;
  /** first octet choices, so IPs look regional */
  net: readonly number[];
  /** hours from UTC (standard time), so people there work their local office hours */
  tz: number;
  /** a /32 IPv6 prefix of the region's providers (some home networks are IPv6) */
  v6: string;
  /** an address offline GeoIP databases (GeoLite2) place in this city: scenarios that need coordinates use it */
  anchorIp?: string;
}
/** Home locations users authenticate from; a tenant lives mostly in one country. */
export const HOME_PLACES: readonly Place[] = [
  {
    loc: { city: 'Ann Arbor', state: 'Michigan', country: 'United States' },
    net: [35, 68, 141],
    tz: -5,
    v6: '2600:1700',
    anchorIp: '141.212.71.152',
  },
  {
    loc: { city: 'Austin', state: 'Texas', country: 'United States' },
    net: [24, 70, 99],
    tz: -6,
    v6: '2600:1702',
    anchorIp: '70.112.209.196',
  },
  {
    loc: { city: 'Seattle', state: 'Washington', country: 'United States' },
    net: [50, 73, 174],
    tz: -8,
    v6: '2601:600',
    anchorIp: '174.21.36.43',
  },
  {
    loc: { city: 'New York', state: 'New York', country: 'United States' },
    net: [38, 69, 151],
    tz: -5,
    v6: '2603:7000',
    anchorIp: '69.201.186.167',
  },
  {
    loc: { city: 'Toronto', state: 'Ontario', country: 'Canada' },
    net: [99, 142, 184],
    tz: -5,
    v6: '2607:fea8',
    anchorIp: '142.151.152.189',
  },
  {
    loc: { city: 'London', state: 'England', country: 'United Kingdom' },
    net: [81, 86, 213],
    tz: 0,
    v6: '2a02:c7c',
    anchorIp: '81.85.130.25',
  },
];
/**
 * Where users travel on business in the generated history (never a scenario's "attacker" place). Their
 * countries are new for a traveller, which is the point: the baseline has ordinary travel in it.
 */
export const TRAVEL_PLACES: readonly Place[] = [
  {
    loc: { city: 'Paris', state: 'Ile-de-France', country: 'France' },
    net: [2, 78, 90],
    tz: 1,
    v6: '2a01:cb00',
  },
  {
    loc: { city: 'Frankfurt am Main', state: 'Hesse', country: 'Germany' },
    net: [46, 79, 87],
    tz: 1,
    v6: '2003:e0',
  },
  { loc: { city: 'Tokyo', state: 'Tokyo', country: 'Japan' }, net: [60, 126, 153], tz: 9, v6: '2400:4050' },
  {
    loc: { city: 'Singapore', state: 'Singapore', country: 'Singapore' },
    net: [101, 116, 203],
    tz: 8,
    v6: '2401:7400',
  },
  {
    loc: { city: 'Mexico City', state: 'Mexico City', country: 'Mexico' },
    net: [187, 200, 201],
    tz: -6,
    v6: '2806:2f0',
  },
  {
    loc: { city: 'Sydney', state: 'New South Wales', country: 'Australia' },
    net: [1, 49, 110],
    tz: 10,
    v6: '2001:8003',
  },
];
/** Places that never appear in generated history: scenarios use them for "new country" logins. */
export const FOREIGN_PLACES: readonly Place[] = [
  {
    loc: { city: 'Lagos', state: 'Lagos', country: 'Nigeria' },
    net: [102, 105, 197],
    tz: 1,
    v6: '2c0f:f5c0',
    anchorIp: '102.135.208.3',
  },
  {
    loc: { city: 'Moscow', state: 'Moscow', country: 'Russia' },
    net: [5, 31, 95],
    tz: 3,
    v6: '2a00:1fa0',
    anchorIp: '95.84.151.188',
  },
  {
    loc: { city: 'Sao Paulo', state: 'Sao Paulo', country: 'Brazil' },
    net: [177, 179, 189],
    tz: -3,
    v6: '2804:14c',
    anchorIp: '177.33.44.119',
  },
  {
    loc: { city: 'Hanoi', state: 'Hanoi', country: 'Vietnam' },
    net: [14, 113, 171],
    tz: 7,
    v6: '2405:4800',
    anchorIp: '14.232.207.194',
  },
];

export const PHONE_MODELS: readonly (readonly [platform: string, model: string, weight: number])[] = [
  ['Apple iOS', 'iPhone 15', 30],
  ['Apple iOS', 'iPhone 13', 20],
  ['Google Android', 'Pixel 8', 12],
  ['Google Android', 'Galaxy S23', 14],
  ['Google Android', 'Galaxy A54', 6],
];

export const BROWSERS: readonly (readonly [browser: string, versions: readonly string[], weight: number])[] =
  [
    ['Chrome', ['120.0.6099.109', '121.0.6167.85', '122.0.6261.69'], 55],
    ['Edge', ['120.0.2210.91', '121.0.2277.83'], 20],
    ['Safari', ['17.2', '17.3'], 15],
    ['Firefox', ['121.0', '122.0'], 10],
  ];
export const ACCESS_OS: readonly (readonly [os: string, versions: readonly string[], weight: number])[] = [
  ['Windows', ['10', '11'], 55],
  ['Mac OS X', ['13.6', '14.2'], 30],
  ['Linux', [''], 5],
  ['iOS', ['17.2'], 6],
  ['Android', ['14'], 4],
];
