import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { Outbox } from '../events/outbox.js';
import type { MediaService } from '../media/service.js';
import type { LiveStats } from '../realtime/stats.js';
import type { AgentIdentity } from '../agents/identity.js';

/** What supervision needs from the rest of Parley, passed once by the composition root. */
export interface SupervisionDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  outbox: Outbox;
  media: Pick<MediaService, 'content'>;
  /** The same figures the workspace stream's `stats` frames carry. */
  stats: Pick<LiveStats, 'compute'>;
  /** An agent account's chat identity (the participant identity its worker joins conversations with). */
  identity: Pick<AgentIdentity, 'of'>;
}
