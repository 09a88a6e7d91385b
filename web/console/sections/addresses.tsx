import { useState } from 'react';
import type { AddressConfiguration, ChatService, ConsoleApi, Flow } from '../api';
import { Badge, Field, useAction, useAsync } from '../../shared/ui';
import { EditorForm, ResourceSection, useEditor } from '../../shared/resource';
import { RowActions } from '../../shared/table';

const PATH = '/conversations/v1/Configuration/Addresses';
const TYPES = [
  { value: 'sms', label: 'SMS', placeholder: '+15551234567' },
  { value: 'whatsapp', label: 'WhatsApp', placeholder: 'whatsapp:+15551234567' },
  { value: 'messenger', label: 'Messenger', placeholder: 'messenger:1234567890' },
  { value: 'email', label: 'Email', placeholder: 'support@example.com' },
  { value: 'chat', label: 'Web chat', placeholder: 'my-website' },
] as const;
/** Conversation-scoped webhook events (what an address's webhook can listen to). */
const FILTERS = ['onMessageAdded', 'onMessageUpdated', 'onMessageRemoved', 'onConversationUpdated', 'onConversationStateUpdated', 'onConversationRemoved', 'onParticipantAdded', 'onParticipantUpdated', 'onParticipantRemoved', 'onDeliveryUpdated'];

interface Draft {
  type: string;
  address: string;
  friendlyName: string;
  enabled: boolean;
  autoType: string;
  serviceSid: string;
  webhookUrl: string;
  webhookMethod: string;
  webhookFilters: string[];
  flowSid: string;
  retryCount: string;
}

const empty: Draft = { type: 'sms', address: '', friendlyName: '', enabled: true, autoType: 'default', serviceSid: '', webhookUrl: '', webhookMethod: 'POST', webhookFilters: [], flowSid: '', retryCount: '' };

function draftOf(a: AddressConfiguration): Draft {
  const ac = a.auto_creation;
  return {
    type: a.type,
    address: a.address,
    friendlyName: a.friendly_name ?? '',
    enabled: ac.enabled,
    autoType: ac.type,
    serviceSid: ac.conversation_service_sid ?? '',
    webhookUrl: ac.webhook_url ?? '',
    webhookMethod: ac.webhook_method ?? 'POST',
    webhookFilters: ac.webhook_filters ?? [],
    flowSid: ac.studio_flow_sid ?? '',
    retryCount: ac.studio_retry_count != null ? String(ac.studio_retry_count) : '',
  };
}

/** Only the settings of the chosen integration are sent, as Twilio's console does. */
function params(d: Draft): Record<string, string | boolean | string[] | undefined> {
  const p: Record<string, string | boolean | string[] | undefined> = {
    FriendlyName: d.friendlyName,
    'AutoCreation.Enabled': d.enabled,
    'AutoCreation.Type': d.autoType,
    'AutoCreation.ConversationServiceSid': d.serviceSid || undefined,
  };
  if (d.autoType === 'webhook') Object.assign(p, { 'AutoCreation.WebhookUrl': d.webhookUrl, 'AutoCreation.WebhookMethod': d.webhookMethod, 'AutoCreation.WebhookFilters': d.webhookFilters });
  if (d.autoType === 'studio') Object.assign(p, { 'AutoCreation.StudioFlowSid': d.flowSid, 'AutoCreation.StudioRetryCount': d.retryCount || undefined });
  return p;
}

export function AddressesSection({ api }: { api: ConsoleApi }) {
  const list = useAsync(() => api.list<AddressConfiguration>(PATH, 'address_configurations'), [api]);
  const flows = useAsync(() => api.list<Flow>('/studio/v2/Flows', 'flows'), [api]);
  const services = useAsync(() => api.list<ChatService>('/conversations/v1/Services', 'services'), [api]);
  const editor = useEditor<AddressConfiguration>(list.reload);
  const remove = useAction(async (a: AddressConfiguration) => {
    await api.delete(`${PATH}/${a.sid}`);
    editor.changed(`Deleted ${a.address}.`);
  });
  const target = (ac: AddressConfiguration['auto_creation']) =>
    ac.type === 'studio' ? (flows.data?.find((f) => f.sid === ac.studio_flow_sid)?.friendly_name ?? ac.studio_flow_sid) : ac.type === 'webhook' ? ac.webhook_url : '';

  return (
    <ResourceSection
      label="Address configurations"
      intro="Which conversations an inbound message to one of your addresses creates, and who handles them."
      newLabel="New address"
      list={list}
      editor={editor}
      error={remove.error}
      form={(existing) => <AddressForm api={api} existing={existing} flows={flows.data ?? []} services={services.data ?? []} onDone={editor.done} />}
      empty={<p>No address configurations yet.</p>}
      columns={[
        { header: 'Type', cell: (a) => TYPES.find((t) => t.value === a.type)?.label ?? a.type },
        { header: 'Address', cell: (a) => <code>{a.address}</code> },
        { header: 'Name', cell: (a) => a.friendly_name },
        {
          header: 'Auto-creation',
          cell: (a) => (
            <>
              {a.auto_creation.enabled ? <Badge tone="ok">{a.auto_creation.type}</Badge> : <Badge>off</Badge>} <span className="muted">{target(a.auto_creation)}</span>
            </>
          ),
        },
      ]}
      actions={(a) => (
        <RowActions
          edit={{ label: `Edit ${a.address}`, onClick: () => editor.open(a) }}
          remove={{ label: `Delete ${a.address}`, confirm: `Delete the configuration of ${a.address}?`, onConfirm: () => void remove.run(a) }}
        />
      )}
    />
  );
}

function AddressForm(props: { api: ConsoleApi; existing: AddressConfiguration | undefined; flows: Flow[]; services: ChatService[]; onDone: (message?: string) => void }) {
  const { api, existing } = props;
  const [d, setD] = useState<Draft>(existing ? draftOf(existing) : empty);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const save = useAction(async () => {
    if (existing) {
      await api.post(`${PATH}/${existing.sid}`, params(d));
      props.onDone(`Saved ${existing.address}.`);
    } else {
      await api.post(PATH, { Type: d.type, Address: d.address, ...params(d) });
      props.onDone(`Created ${d.address}.`);
    }
  });
  const placeholder = TYPES.find((t) => t.value === d.type)?.placeholder;
  return (
    <EditorForm
      label={existing ? `Edit ${existing.address}` : 'New address'}
      submitLabel={existing ? 'Save' : 'Create address'}
      busy={save.busy}
      error={save.error}
      onSubmit={() => void save.run()}
      onCancel={() => props.onDone()}
    >
      <div className="form-grid">
        <Field label="Channel">
          <select value={d.type} disabled={!!existing} onChange={(e) => set('type', e.target.value)}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Address">
          <input required disabled={!!existing} value={d.address} placeholder={placeholder} onChange={(e) => set('address', e.target.value)} />
        </Field>
        <Field label="Friendly name">
          <input value={d.friendlyName} onChange={(e) => set('friendlyName', e.target.value)} />
        </Field>
      </div>
      <fieldset className="stack">
        <legend>Auto-creation</legend>
        <label className="check">
          <input type="checkbox" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          Create a conversation for a new inbound contact
        </label>
        <div className="form-grid">
          <Field label="Integration">
            <select value={d.autoType} onChange={(e) => set('autoType', e.target.value)}>
              <option value="default">Default (conversation only)</option>
              <option value="webhook">Webhook</option>
              <option value="studio">Studio flow</option>
            </select>
          </Field>
          <Field label="Conversation service" hint="Empty: the account's default service">
            <select value={d.serviceSid} onChange={(e) => set('serviceSid', e.target.value)}>
              <option value="">Default service</option>
              {props.services.map((s) => (
                <option key={s.sid} value={s.sid}>
                  {s.friendly_name} ({s.sid})
                </option>
              ))}
            </select>
          </Field>
          {d.autoType === 'studio' ? (
            <>
              <Field label="Studio flow">
                <select required value={d.flowSid} onChange={(e) => set('flowSid', e.target.value)}>
                  <option value="">Choose a flow…</option>
                  {props.flows.map((f) => (
                    <option key={f.sid} value={f.sid}>
                      {f.friendly_name} ({f.status})
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Retry count" hint="0–3">
                <input type="number" min={0} max={3} value={d.retryCount} onChange={(e) => set('retryCount', e.target.value)} />
              </Field>
            </>
          ) : null}
          {d.autoType === 'webhook' ? (
            <>
              <Field label="Webhook URL">
                <input type="url" required value={d.webhookUrl} placeholder="https://example.com/conversations" onChange={(e) => set('webhookUrl', e.target.value)} />
              </Field>
              <Field label="Method">
                <select value={d.webhookMethod} onChange={(e) => set('webhookMethod', e.target.value)}>
                  <option>POST</option>
                  <option>GET</option>
                </select>
              </Field>
            </>
          ) : null}
        </div>
        {d.autoType === 'webhook' ? (
          <fieldset>
            <legend>Webhook events</legend>
            <div className="form-grid">
              {FILTERS.map((f) => (
                <label key={f} className="check">
                  <input
                    type="checkbox"
                    checked={d.webhookFilters.includes(f)}
                    onChange={(e) => set('webhookFilters', e.target.checked ? [...d.webhookFilters, f] : d.webhookFilters.filter((x) => x !== f))}
                  />
                  {f}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
      </fieldset>
    </EditorForm>
  );
}
