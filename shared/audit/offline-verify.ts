import {
  type ArchivedCheckpoint,
  archivedCheckpointSchema,
  checkCheckpointChain,
  type PublicJwk,
} from './checkpoint.ts';
import { CURRENT_STATE_KINDS } from './current-state.ts';
import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * The offline verifier (`npm run audit:verify`): what a state auditor runs against the API with
 * nothing trusted but the public key. It checks the checkpoints' signatures and chain, recomputes
 * every sealed event's hash and each checkpoint's Merkle root, follows each entity's chain through
 * the sealed events, and holds every chained entity's current state (holds, bookings, the tenant,
 * facilities, officers, warrants, keys, webhooks) against its last sealed event. The server only supplies data; every conclusion is computed here.
 */
export interface OfflineProblem {
  reason: string;
  detail: string;
  checkpoint?: number;
  ref?: string;
  chain?: string;
}

export interface OfflineReport {
  ok: boolean;
  tenantId: string;
  keyIds: string[];
  checkpoints: number;
  sealedEvents: number;
  chains: number;
  entitiesChecked: number;
  problems: OfflineProblem[];
}

export interface OfflineOptions {
  baseUrl: string;
  apiKey: string;
  tenantId: string;
  /** The trusted public keys (from the stack output or the county's records). */
  keys: readonly PublicJwk[];
  fetch?: typeof fetch;
}

interface SealedEvent {
  ref: string;
  event: Record<string, unknown>;
}

export async function verifyOffline(options: OfflineOptions): Promise<OfflineReport> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await (options.fetch ?? fetch)(new URL(path, options.baseUrl), {
      headers: { authorization: `Bearer ${options.apiKey}` },
    });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const tenantPath = `/v1/tenants/${encodeURIComponent(options.tenantId)}/audit`;
  const pages = async <T>(path: string): Promise<T[]> => {
    const all: T[] = [];
    let token: string | undefined;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await get<{ items: T[]; nextToken?: string }>(
        `${path}${separator}limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
      );
      all.push(...page.items);
      token = page.nextToken;
    } while (token);
    return all;
  };

  const problems: OfflineProblem[] = [];
  const listed = await pages<Record<string, unknown>>(`${tenantPath}/checkpoints`);
  const archived: ArchivedCheckpoint[] = listed.map(({ leaves, ...checkpoint }) =>
    archivedCheckpointSchema.parse({ checkpoint, leaves }),
  );
  const chainBreak = checkCheckpointChain(options.tenantId, archived, options.keys);
  if (chainBreak)
    problems.push({ reason: chainBreak.reason, detail: chainBreak.detail, checkpoint: chainBreak.seq });

  // Inclusion: every sealed event is still served, and hashes to the leaf its checkpoint signed.
  const sealed = new Map<string, SealedEvent>();
  for (const { checkpoint, leaves } of archived) {
    const { events } = await get<{ events: { ref: string; event: Record<string, unknown> | null }[] }>(
      `${tenantPath}/checkpoints/${checkpoint.seq}/events`,
    );
    leaves.forEach((leaf, index) => {
      const served = events[index];
      if (!served?.event || served.ref !== leaf.ref) {
        problems.push({
          reason: 'sealed-event-missing',
          detail: `an event sealed in checkpoint ${checkpoint.seq} is no longer stored`,
          checkpoint: checkpoint.seq,
          ref: leaf.ref,
        });
        return;
      }
      const recomputed = chainHash(String(served.event.prevHash), served.event);
      if (recomputed !== leaf.hash || served.event.hash !== leaf.hash) {
        problems.push({
          reason: 'sealed-event-changed',
          detail: `an event sealed in checkpoint ${checkpoint.seq} is not the event that was sealed`,
          checkpoint: checkpoint.seq,
          ref: leaf.ref,
        });
        return;
      }
      sealed.set(leaf.ref, { ref: leaf.ref, event: served.event });
    });
  }

  // Chains through the sealed events: each entity's events link to one another.
  const chains = new Map<string, SealedEvent[]>();
  for (const sealedEvent of sealed.values()) {
    const key = chainKey(sealedEvent.event);
    chains.set(key, [...(chains.get(key) ?? []), sealedEvent]);
  }
  const lastSealed = new Map<string, Record<string, unknown>>();
  for (const [key, events] of chains) {
    events.sort((a, b) => Number(a.event.seq) - Number(b.event.seq));
    let previous: Record<string, unknown> | undefined;
    for (const { event, ref } of events) {
      const seq = Number(event.seq);
      const linked =
        previous === undefined
          ? seq !== 1 || event.prevHash === GENESIS_HASH
          : Number(previous.seq) + 1 !== seq || event.prevHash === previous.hash;
      if (!linked) {
        problems.push({
          reason: 'prev-hash-mismatch',
          detail: `event ${seq} does not link to event ${seq - 1}`,
          chain: key,
          ref,
        });
      }
      previous = event;
    }
    if (previous) lastSealed.set(key, previous);
  }

  // Current state: each entity (every chained kind) as stored now against its chain's last sealed event.
  let entitiesChecked = 0;
  for (const kind of CURRENT_STATE_KINDS) {
    const states = await pages<{ id: string; seq: number; hash: string; stateHash: string }>(
      `${tenantPath}/current-state?kind=${kind}`,
    );
    for (const state of states) {
      const key = `${kind}#${state.id}`;
      const last = lastSealed.get(key);
      if (!last) continue;
      entitiesChecked += 1;
      const lastSeq = Number(last.seq);
      if (state.seq < lastSeq) {
        problems.push({
          reason: 'rolled-back',
          detail: `the ${kind}'s chain head is at ${state.seq}, behind its sealed event ${lastSeq}`,
          chain: key,
        });
      } else if (state.seq === lastSeq) {
        const recorded = kind === 'booking' ? last.personDataHash : last.stateHash;
        if (state.hash !== last.hash) {
          problems.push({
            reason: 'head-mismatch',
            detail: `the ${kind}'s head is not its last sealed event`,
            chain: key,
          });
        } else if (typeof recorded === 'string' && recorded !== state.stateHash) {
          problems.push({
            reason: 'state-mismatch',
            detail: `the ${kind} as stored differs from the state its last sealed event recorded`,
            chain: key,
          });
        }
      }
    }
  }

  return {
    ok: problems.length === 0,
    tenantId: options.tenantId,
    keyIds: options.keys.map((key) => key.kid),
    checkpoints: archived.length,
    sealedEvents: sealed.size,
    chains: chains.size,
    entitiesChecked,
    problems,
  };
}

/** Which chain an event is on: a hold's, or another entity's. */
const chainKey = (event: Record<string, unknown>): string => {
  if (typeof event.holdId === 'string' && !event.subject) return `hold#${event.holdId}`;
  const subject = event.subject as { kind?: string; id?: string } | undefined;
  return `${subject?.kind ?? '?'}#${subject?.id ?? '?'}`;
};
