/**
 * A county's hold board: every open hold with the time left to its 48-hour deadline, coloured by
 * urgency, soonest first. For the jail's shift supervisor: booking numbers, never names.
 */

import { signOutForm } from '../sessions/pages.ts';
import type { BoardEntry } from '../store/hold-board.ts';
import { escapeHtml, page } from './html.ts';

/** Page → assets: `/v1/tenants/{tenantId}/hold-board` → `/v1/oversight/assets/`. */
const ASSET_PREFIX = '../../oversight/assets/';

/** How often the board reloads itself. */
export const BOARD_REFRESH_SECONDS = 60;

export type Urgency = 'late' | 'urgent' | 'soon' | 'ok' | 'none';

const MINUTE = 60_000;
const URGENT_WITHIN_MIN = 2 * 60;
const SOON_WITHIN_MIN = 12 * 60;

/** Past the deadline: late. Release due or under 2 h: urgent. Under 12 h: soon. IGSA: no deadline. */
export function urgencyOf(entry: BoardEntry, now: Date): { urgency: Urgency; minutesLeft: number | null } {
  if (!entry.deadline) return { urgency: 'none', minutesLeft: null };
  const minutesLeft = Math.floor((Date.parse(entry.deadline) - now.getTime()) / MINUTE);
  if (minutesLeft < 0 || entry.status === 'OVERDUE') return { urgency: 'late', minutesLeft };
  if (minutesLeft <= URGENT_WITHIN_MIN || entry.status === 'RELEASE_DUE')
    return { urgency: 'urgent', minutesLeft };
  if (minutesLeft <= SOON_WITHIN_MIN) return { urgency: 'soon', minutesLeft };
  return { urgency: 'ok', minutesLeft };
}

function formatLeft(minutes: number | null): string {
  if (minutes === null) return 'no deadline (IGSA)';
  const abs = Math.abs(minutes);
  const text = `${Math.floor(abs / 60)} h ${String(abs % 60).padStart(2, '0')} min`;
  return minutes < 0 ? `overdue by ${text}` : text;
}

const LABELS: Record<Urgency, string> = {
  late: 'past the deadline',
  urgent: 'release due or under 2 h',
  soon: 'under 12 h',
  ok: '12 h or more',
  none: 'IGSA, no deadline',
};

export interface HoldBoardInput {
  tenantId: string;
  countyName: string;
  timeZone: string;
  entries: readonly BoardEntry[];
  now: Date;
}

export function renderHoldBoard(input: HoldBoardInput): string {
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: input.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const when = (instant: string | undefined) => (instant ? local.format(new Date(instant)) : '\u2014');
  const rows = input.entries
    .map((entry) => {
      const { urgency, minutesLeft } = urgencyOf(entry, input.now);
      return `<tr class="urgency-${urgency}" data-hold="${escapeHtml(entry.holdId)}" data-urgency="${urgency}"${minutesLeft === null ? '' : ` data-minutes-left="${minutesLeft}"`}>
<td class="remaining">${escapeHtml(formatLeft(minutesLeft))}</td><td class="text">${entry.status}</td><td class="text">${escapeHtml(entry.bookingNumber)}</td><td class="text">${escapeHtml(entry.facilityId)}</td><td class="text">${entry.basis}</td>
<td class="text">${escapeHtml(when(entry.servedAt))}</td><td class="text">${escapeHtml(when(entry.releaseDueAt))}</td><td class="text">${escapeHtml(when(entry.deadline))}</td><td class="text">${entry.needsReview ? 'yes' : ''}</td></tr>`;
    })
    .join('\n');
  const legend = (Object.keys(LABELS) as Urgency[])
    .map(
      (urgency) =>
        `<span class="urgency-${urgency}"><span class="swatch"></span>${escapeHtml(LABELS[urgency])}</span>`,
    )
    .join('');
  const body = `<header>
<h1>${escapeHtml(input.countyName)}: open holds</h1>
${signOutForm('../../sign-out')}
<p class="lede">${input.entries.length} open · times in ${escapeHtml(input.timeZone)} · <span id="as-of" data-as-of="${input.now.toISOString()}">as of ${escapeHtml(local.format(input.now))}, refreshed every ${BOARD_REFRESH_SECONDS / 60} min</span></p>
</header>
<main>
<div class="legend-urgency">${legend}</div>
<div class="table-wrap"><table class="board" id="hold-board">
<thead><tr><th scope="col">Time left</th><th scope="col">Status</th><th scope="col">Booking</th><th scope="col">Facility</th><th scope="col">Basis</th><th scope="col">Served</th><th scope="col">Release due</th><th scope="col">Deadline</th><th scope="col">Review</th></tr></thead>
<tbody>
${rows || '<tr><td class="empty text" colspan="9">No open holds.</td></tr>'}
</tbody></table></div>
</main>`;
  return page({
    title: `${input.countyName} open holds`,
    assetPrefix: ASSET_PREFIX,
    styles: ['oversight.css'],
    scripts: [],
    body,
    // A screen in the jail's control room: the board reloads itself, and says as of when it is.
    refreshSeconds: BOARD_REFRESH_SECONDS,
  });
}
