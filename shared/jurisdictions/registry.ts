/**
 * The state profiles in force, validated when this module loads: a bad profile file stops every
 * function that imports it from starting, with the file and field in the message, rather than
 * letting a hold be timed by a half-read profile.
 */
import { type JurisdictionProfile, loadProfile } from './profile-schema.ts';
import { DEFAULT_PROFILE } from './profiles/default.ts';
import { FL_PROFILE } from './profiles/fl.ts';
import { NC_PROFILE } from './profiles/nc.ts';
import { TX_PROFILE } from './profiles/tx.ts';

/** Every profile file, by name (for the message when one is invalid). */
export const PROFILE_FILES: Readonly<Record<string, unknown>> = {
  'default.ts': DEFAULT_PROFILE,
  'fl.ts': FL_PROFILE,
  'nc.ts': NC_PROFILE,
  'tx.ts': TX_PROFILE,
};

/** Validates every profile and indexes them; throws on an invalid, duplicate or missing default. */
export function buildRegistry(
  files: Readonly<Record<string, unknown>>,
): ReadonlyMap<string, JurisdictionProfile> {
  const byJurisdiction = new Map<string, JurisdictionProfile>();
  for (const [file, raw] of Object.entries(files)) {
    const profile = loadProfile(raw, file);
    if (byJurisdiction.has(profile.jurisdiction)) {
      throw new Error(`Jurisdiction profile ${file} repeats jurisdiction ${profile.jurisdiction}`);
    }
    byJurisdiction.set(profile.jurisdiction, profile);
  }
  if (!byJurisdiction.has('DEFAULT')) throw new Error('No DEFAULT jurisdiction profile');
  return byJurisdiction;
}

const REGISTRY = buildRegistry(PROFILE_FILES);

/** The profile a county of `state` takes: its state's, or DEFAULT. */
export function profileFor(state: string): JurisdictionProfile {
  return REGISTRY.get(state) ?? (REGISTRY.get('DEFAULT') as JurisdictionProfile);
}
