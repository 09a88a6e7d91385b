import { RealtimeClient, newClientId, type RealtimeEvent } from '../shared/realtime';
import { ApiError, type GuestToken, type MediaRef, type WebChatApi } from './api';
import { ChatModel } from './model';
import type { ChatStorage, SavedChat } from './storage';
import type { PreEngagement, WidgetView } from './view';
import { formatWait } from './dom';

export interface ChatOptions {
  /** Parley's origin (where widget.js came from), for the API and the socket. */
  base: string;
  address: string;
  accountSid?: string;
  userToken?: string;
}

const QUEUE_POLL_MS = 5000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];

/**
 * The widget's behaviour: starts or resumes the chat, keeps it across reloads
 * (ChatStorage), follows the conversation stream (resuming by seq after every
 * reconnect; a snapshot over REST on load and on resync), and sends messages,
 * typing and read receipts over the socket.
 */
export class WebChat {
  private view!: WidgetView;
  private model: ChatModel | undefined;
  private client: RealtimeClient | undefined;
  private token: GuestToken | undefined;
  private saved: SavedChat | undefined;
  private queueTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSent = 0;
  private readSent = -1;
  private unread = 0;
  private wasOpen = false;

  constructor(
    private readonly options: ChatOptions,
    private readonly api: WebChatApi,
    private readonly storage: ChatStorage,
  ) {}

  attach(view: WidgetView): void {
    this.view = view;
    this.saved = this.storage.load();
    document.addEventListener('visibilitychange', () => this.markRead());
    if (this.saved) {
      void this.resume();
      if (this.saved.open) this.toggle(true, false);
    }
  }

  setUserToken(token: string | undefined): void {
    this.options.userToken = token;
  }

  toggle(open: boolean, focus = true): void {
    if (open && !this.saved) this.view.showForm();
    this.view.setOpen(open, focus);
    this.storage.update({ open });
    if (open) {
      this.unread = 0;
      this.view.setUnread(0);
      this.markRead();
    }
  }

  async start(values: PreEngagement): Promise<void> {
    const o = this.options;
    let started;
    try {
      started = await this.api.start({
        address: o.address,
        ...(o.accountSid ? { accountSid: o.accountSid } : {}),
        ...(o.userToken ? { userToken: o.userToken } : {}),
        friendlyName: values.friendlyName,
        ...(values.email.trim() ? { email: values.email } : {}),
        question: values.question,
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 20003) throw new Error('Chat is not available on this site.');
      throw err instanceof ApiError ? err : new Error('The chat could not start. Check your connection and try again.');
    }
    this.saved = { accountSid: started.accountSid, conversationSid: started.conversationSid, identity: started.identity, resumeSecret: started.resumeSecret, lastSeq: 0, open: true };
    this.storage.save(this.saved);
    this.token = started;
    await this.enter();
    this.view.focusInput();
  }

  /** A chat kept from an earlier page: a new token by the resume secret, then the snapshot and the stream. */
  private async resume(): Promise<void> {
    const s = this.saved!;
    try {
      this.token = await this.api.refresh(s.accountSid, s.conversationSid, s.resumeSecret);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) return this.forget();
      this.view.setBanner('Reconnecting…');
      setTimeout(() => void this.resume(), 3000);
      return;
    }
    this.view.setBanner(null);
    await this.enter();
  }

  private async enter(): Promise<void> {
    const s = this.saved!;
    this.model = new ChatModel(s.identity);
    this.view.showChat();
    const seq = await this.loadSnapshot();
    if (this.model.state === 'closed') return this.view.showEnded();
    const client = new RealtimeClient({
      url: `${this.options.base.replace(/^http/, 'ws')}/v1/realtime`,
      token: () => this.freshToken(),
      onState: (state) => {
        if (state === 'open') this.wasOpen = true;
        this.view.setBanner(state !== 'open' && this.wasOpen ? 'Reconnecting…' : null);
      },
      // A refused token (expired, revoked key): the next connect gets a new one by the resume secret.
      onError: (e) => {
        if (e.code !== undefined && e.code >= 20101 && e.code <= 20107) this.token = undefined;
      },
    });
    this.client = client;
    client.subscribe(
      `conversation:${s.conversationSid}`,
      {
        event: (e) => this.onEvent(e),
        resync: () => void this.loadSnapshot(),
        typing: (t) => this.onTyping(t.identity),
        ended: () => this.end(),
      },
      seq,
    );
    client.start();
    this.pollQueue();
    this.markRead();
  }

  private async loadSnapshot(): Promise<number> {
    const snap = await this.api.snapshot(this.saved!.conversationSid, await this.freshToken());
    this.model!.load(snap);
    this.view.render(this.model!);
    return snap.seq;
  }

  private async freshToken(): Promise<string> {
    const t = this.token;
    if (t && Date.parse(t.expiresAt) - Date.now() > 60_000) return t.token;
    const s = this.saved!;
    try {
      this.token = await this.api.refresh(s.accountSid, s.conversationSid, s.resumeSecret);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) this.forget();
      throw err;
    }
    return this.token.token;
  }

  private onEvent(e: RealtimeEvent): void {
    const model = this.model;
    if (!model) return;
    this.storage.update({ lastSeq: e.seq });
    const changed = model.apply(e);
    if (changed === 'state' && model.state === 'closed') return this.end();
    if (changed === 'messages' && e.data.EventType === 'onMessageAdded' && e.data.Author !== model.identity) {
      this.view.setTyping('');
      if (!this.view.open || document.visibilityState !== 'visible') this.view.setUnread(++this.unread);
    }
    if (changed === 'participants' && e.data.EventType === 'onParticipantAdded') void this.loadSnapshot();
    // An agent is here: the queue line would be stale until the next poll.
    if (changed === 'participants' && model.others().length > 0) this.view.setQueue('');
    if (changed) this.view.render(model);
    this.markRead();
  }

  private onTyping(identity: string): void {
    if (!this.model || identity === this.model.identity) return;
    this.view.setTyping(`${this.model.nameOf(identity)} is typing…`);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.view.setTyping(''), TYPING_SHOWN_MS);
  }

  send(body: string): void {
    this.post({ body });
  }

  attachFile(file: File): void {
    const type = file.type.toLowerCase();
    if (!UPLOAD_TYPES.includes(type)) return this.failLocally(file.name, 'pictures, PDF and text files only');
    if (file.size > UPLOAD_MAX_BYTES) return this.failLocally(file.name, 'files up to 10 MB');
    const clientId = newClientId();
    const model = this.model!;
    model.pending.push({ clientId, body: `Uploading ${file.name}…` });
    this.view.render(model);
    void (async () => {
      try {
        const ref = await this.api.upload(this.saved!.conversationSid, await this.freshToken(), file);
        model.pending = model.pending.filter((p) => p.clientId !== clientId);
        this.post({ mediaSid: ref.sid }, ref);
      } catch (err) {
        const p = model.pending.find((x) => x.clientId === clientId);
        if (p) p.failed = err instanceof Error ? err.message : 'upload failed';
        this.view.render(model);
      }
    })();
  }

  private failLocally(name: string, rule: string): void {
    this.model?.pending.push({ clientId: newClientId(), body: `File: ${name}`, failed: rule });
    if (this.model) this.view.render(this.model);
  }

  private post(fields: { body?: string; mediaSid?: string }, media?: MediaRef): void {
    const model = this.model;
    const client = this.client;
    if (!model || !client) return;
    const clientId = newClientId();
    model.pending.push({ clientId, body: fields.body ?? '', ...(media ? { media } : {}) });
    this.view.render(model);
    client
      .send('message.create', { conversationSid: this.saved!.conversationSid, ...fields }, clientId)
      .then((r) => model.acknowledged(clientId, String((r as { messageSid?: string }).messageSid ?? '')))
      .catch((err: { message?: string }) => {
        const p = model.pending.find((x) => x.clientId === clientId);
        if (p) p.failed = err.message ?? 'refused';
      })
      .finally(() => this.view.render(model));
  }

  typing(): void {
    const now = Date.now();
    if (!this.client || !this.saved || now - this.lastTypingSent < TYPING_EVERY_MS) return;
    this.lastTypingSent = now;
    this.client.typing(this.saved.conversationSid);
  }

  /** Moves the customer's read horizon to the newest message while they can see it. */
  private markRead(): void {
    const model = this.model;
    if (!model || !this.client || !this.view.open || document.visibilityState !== 'visible') return;
    const last = model.lastIndex();
    const own = model.ownRead();
    if (last === null || (own !== null && own >= last) || last <= this.readSent) return;
    this.readSent = last;
    this.client.send('read', { conversationSid: this.saved!.conversationSid, index: last }).catch(() => (this.readSent = -1));
  }

  private pollQueue(): void {
    clearTimeout(this.queueTimer);
    const model = this.model;
    if (!model || !this.saved || model.state === 'closed') return;
    const again = () => {
      if (this.model === model) this.queueTimer = setTimeout(() => this.pollQueue(), QUEUE_POLL_MS);
    };
    // Someone answers: no queue to show (polling goes on in case they leave).
    if (model.others().length > 0) {
      this.view.setQueue('');
      return again();
    }
    void this.freshToken()
      .then((token) => this.api.queue(this.saved!.conversationSid, token))
      .then((q) => {
        if (this.model !== model || model.others().length > 0) return this.view.setQueue('');
        if (q.status === 'assigned') return this.view.setQueue('An agent is joining…');
        const place = q.status === 'waiting' && q.position !== null ? `You are number ${q.position} in line.` : 'Waiting for an agent…';
        const wait = q.estimatedWaitSeconds !== null ? ` Estimated wait: ${formatWait(q.estimatedWaitSeconds)}.` : '';
        this.view.setQueue(place + wait);
      })
      .catch(() => undefined)
      .finally(again);
  }

  private end(): void {
    clearTimeout(this.queueTimer);
    this.client?.stop();
    this.client = undefined;
    this.view.showEnded();
  }

  /** The kept chat is gone (closed, deleted or refused): back to the form. */
  private forget(): void {
    this.client?.stop();
    this.client = undefined;
    this.model = undefined;
    this.saved = undefined;
    this.token = undefined;
    this.storage.clear();
    this.view.setBanner(null);
    this.view.showForm();
  }

  restart(): void {
    this.forget();
    this.view.setOpen(true);
  }

  media(ref: MediaRef): Promise<Blob> {
    return this.freshToken().then((t) => this.api.media(this.saved!.conversationSid, t, ref.sid));
  }
}
