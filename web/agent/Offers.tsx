import { formatAge } from '../shared/ui';
import type { Reservation } from './api';
import { channelLabel, useNow } from './hooks';

/** Incoming offers (pending reservations), each with a countdown to its timeout. */
export function Offers({ offers, busy, onAnswer }: { offers: Reservation[]; busy: boolean; onAnswer: (r: Reservation, status: 'accepted' | 'rejected') => void }) {
  const now = useNow();
  if (offers.length === 0) return null;
  return (
    <section className="offers" aria-labelledby="offers-title">
      <h2 id="offers-title">Incoming</h2>
      <ul>
        {offers.map((r) => {
          const left = r.timeout_date ? Math.max(0, Math.ceil((Date.parse(r.timeout_date) - now) / 1000)) : undefined;
          const who = r.task.customer_name ?? r.task.customer_address ?? 'Customer';
          return (
            <li key={r.sid} className="offer card" data-testid="offer">
              <div className="offer-title">
                <strong>{who}</strong> <span className="muted">{channelLabel(r.task.channel_type)}</span>
              </div>
              {r.task.transfer_target_type ? <div className="muted">Transferred to you</div> : null}
              {typeof r.task.attributes.invitedBy === 'string' ? <div className="muted">Invited by {r.task.attributes.invitedBy}</div> : null}
              {left !== undefined ? (
                <div className={left <= 10 ? 'countdown urgent' : 'countdown'} role="timer" aria-label={`Offer expires in ${left} seconds`}>
                  Expires in {formatAge(left)}
                </div>
              ) : null}
              <div className="toolbar">
                <button type="button" disabled={busy} onClick={() => onAnswer(r, 'accepted')} aria-label={`Accept conversation from ${who}`}>
                  Accept
                </button>
                <button type="button" className="secondary" disabled={busy} onClick={() => onAnswer(r, 'rejected')} aria-label={`Reject conversation from ${who}`}>
                  Reject
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
