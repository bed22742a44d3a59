// The region groups the service ships (SPEC §2): EU, EEA and the UN geoscheme continents, kept as data.
import worldCountries from 'world-countries';

export interface RegionGroupData {
  code: string;
  name: string;
  countries: string[];
}

/**
 * The 27 member states of the European Union since 1 February 2020, as listed by the EU itself
 * ("EU countries", european-union.europa.eu/principles-countries-history/eu-countries), in ISO 3166-1
 * alpha-2 (the EU's own protocol code for Greece is EL; ISO's is GR).
 */
export const EU_MEMBERS = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

/** The EEA Agreement adds Iceland, Liechtenstein and Norway to the EU (efta.int, "EEA Agreement"). */
export const EEA_EXTRA = ['IS', 'LI', 'NO'] as const;

/** UN geoscheme regions as published in the maintained `world-countries` dataset (field `region`). */
const CONTINENTS: { code: string; name: string; region: string }[] = [
  { code: 'AFRICA', name: 'Africa', region: 'Africa' },
  { code: 'AMERICAS', name: 'Americas', region: 'Americas' },
  { code: 'ASIA', name: 'Asia', region: 'Asia' },
  { code: 'EUROPE', name: 'Europe', region: 'Europe' },
  { code: 'OCEANIA', name: 'Oceania', region: 'Oceania' },
];

/** Every built-in group with its countries, sorted; `known` drops codes the ISO list lacks. */
export function builtinRegionGroups(known?: ReadonlySet<string>): RegionGroupData[] {
  const keep = (codes: readonly string[]) => [...new Set(codes)].filter((c) => !known || known.has(c)).sort();
  return [
    { code: 'EU', name: 'European Union', countries: keep(EU_MEMBERS) },
    { code: 'EEA', name: 'European Economic Area', countries: keep([...EU_MEMBERS, ...EEA_EXTRA]) },
    ...CONTINENTS.map((c) => ({
      code: c.code,
      name: c.name,
      countries: keep(worldCountries.filter((w) => w.region === c.region).map((w) => w.cca2)),
    })),
  ];
}
