import { ErrorNotice, Loading, useAsync } from '../shared/ui';
import { agentApi, type Task } from './api';
import { channelLabel, formatDate } from './hooks';

/** Attributes not worth showing an agent (Flex's own keys are shown as fields above). */
const HIDDEN = new Set(['conversationSid', 'flexInteractionSid', 'flexInteractionChannelSid', 'flexChannelInviteSid', 'conversations', 'customers', 'customerAddress', 'customerName', 'channelType', 'initiatedBy', 'direction', 'from', 'initialMessage']);

/** Who the customer is: channel, address, the task's attributes and their earlier conversations. */
export function ContextPanel({ task }: { task: Task }) {
  const ctx = useAsync(() => agentApi.context(task.sid), [task.sid, task.assignment_status]);
  const c = ctx.data;
  const extra = Object.entries(task.attributes).filter(([k, v]) => !HIDDEN.has(k) && v !== null && typeof v !== 'object');
  return (
    <section className="context stack" aria-labelledby="context-title">
      <h2 id="context-title">Customer</h2>
      <ErrorNotice error={ctx.error} />
      {!c && ctx.loading ? <Loading /> : null}
      <dl className="facts">
        {[
          ['Name', task.customer_name ?? '—'],
          ['Address', task.customer_address ?? '—'],
          ['Channel', `${channelLabel(task.channel_type)}${task.direction ? ` (${task.direction})` : ''}`],
          ['Queue', task.queue_name ?? '—'],
          ...extra.map(([k, v]) => [k, String(v)]),
        ].map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h3>Earlier conversations</h3>
      {c && c.previous_conversations.length === 0 ? <p className="muted">This is their first conversation.</p> : null}
      <ul className="previous">
        {(c?.previous_conversations ?? []).map((p) => (
          <li key={p.sid}>
            <div>{formatDate(p.date_created)}</div>
            <div className="muted">
              {p.last_message_index + 1} messages · {p.state}
            </div>
            {p.dispositions.length > 0 ? <div>Outcome: {p.dispositions.join(', ')}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
