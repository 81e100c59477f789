import { credentialNoticeIntents } from '../../../shared/store/credential-notices.ts';
import { absent, type Case, notice, on, putItemOf, TABLE, without } from './fixtures.ts';

const EXPIRES_ON = '2026-12-24';

/** credentialNoticeIntents (shared/store/credential-notices.ts): one entry per factory. */
export const credentialNoticeCases = {
  // '#status = :credentialed AND credentialExpiresOn = :expiresOn'
  stillHeld: on(
    (t) => credentialNoticeIntents.stillHeld(TABLE, notice(t)),
    [
      ['absent officer', absent, 'refused'],
      [
        'credentialed with that expiry',
        (s) => ({ ...s.officer, credentialExpiresOn: EXPIRES_ON }),
        'accepted',
      ],
      [
        'suspended',
        (s) => ({ ...s.officer, credentialExpiresOn: EXPIRES_ON, status: 'SUSPENDED' }),
        'refused',
      ],
      ['renewed (another expiry)', (s) => ({ ...s.officer, credentialExpiresOn: '2027-12-24' }), 'refused'],
      ['without credentialExpiresOn', (s) => without(s.officer, 'credentialExpiresOn'), 'refused'],
    ],
  ),
  // 'attribute_not_exists(pk)'
  markSent: on(
    (t) => credentialNoticeIntents.markSent(TABLE, notice(t)),
    [
      ['absent', absent, 'accepted'],
      ['already sent', (_s, t) => putItemOf(credentialNoticeIntents.markSent(TABLE, notice(t))), 'refused'],
    ],
  ),
  // unconditional Put
  emit: on(
    (t) => credentialNoticeIntents.emit(TABLE, notice(t)),
    [
      ['absent', absent, 'accepted'],
      ['written before', (_s, t) => putItemOf(credentialNoticeIntents.emit(TABLE, notice(t))), 'accepted'],
    ],
  ),
} satisfies Record<keyof typeof credentialNoticeIntents, Case[]>;
