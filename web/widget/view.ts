import { CSS } from './styles';
import { CHAT_ICON, CLIP_ICON, SEND_ICON, formatSize, formatTime, h, iconButton } from './dom';
import { renderMarkdown } from './markdown';
import type { ChatModel } from './model';
import type { MediaRef } from './api';

export interface PreEngagement {
  friendlyName: string;
  email: string;
  question: string;
}

export interface ViewHandlers {
  toggle(open: boolean): void;
  start(values: PreEngagement): Promise<void>;
  send(body: string): void;
  attach(file: File): void;
  typing(): void;
  restart(): void;
  /** An image (blob URL) or a download of a message's file. */
  media(ref: MediaRef): Promise<Blob>;
}

interface Rendered {
  key: string;
  signature: string;
  el: HTMLElement;
}

/** Raster images show inline; anything else is offered as a download (never opened as a page). */
const INLINE = /^image\/(png|jpeg|gif|webp)$/;

/** The widget's DOM, in a shadow root: launcher, panel, pre-engagement form, chat. */
export class WidgetView {
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly banner: HTMLParagraphElement;
  private readonly typingLine: HTMLDivElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly fileInput: HTMLInputElement;
  private log: HTMLDivElement | undefined;
  private readonly rendered = new Map<string, Rendered>();
  private queueLine: HTMLParagraphElement | undefined;
  private readonly blobs = new Map<string, Promise<string>>();
  open = false;
  private unread = 0;

  constructor(
    root: ShadowRoot,
    private readonly title: string,
    private readonly on: ViewHandlers,
  ) {
    root.append(h('style', {}, CSS));
    this.banner = h('p', { class: 'banner', role: 'status', hidden: true });
    this.body = h('div', { class: 'body' });
    this.typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', { id: 'pc-input', rows: '1', placeholder: 'Write a message…', onkeydown: (e) => this.keydown(e as KeyboardEvent), oninput: () => this.on.typing() });
    this.fileInput = h('input', { type: 'file', class: 'sr', tabindex: '-1', 'aria-hidden': 'true', accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain', onchange: () => this.picked() });
    this.composer = h(
      'form',
      { class: 'composer', hidden: true, onsubmit: (e) => (e.preventDefault(), this.submit()) },
      h('label', { class: 'sr', for: 'pc-input' }, 'Message'),
      iconButton({ class: 'icon', 'aria-label': 'Attach a file', title: 'Attach a file', onclick: () => this.fileInput.click() }, CLIP_ICON),
      this.fileInput,
      this.input,
      iconButton({ type: 'submit', class: 'icon send', 'aria-label': 'Send message', title: 'Send' }, SEND_ICON),
    );
    const heading = h('h2', { id: 'pc-title' }, title);
    this.panel = h(
      'div',
      { class: 'panel', id: 'pc-panel', role: 'dialog', 'aria-labelledby': 'pc-title', hidden: true, onkeydown: (e) => (e as KeyboardEvent).key === 'Escape' && this.on.toggle(false) },
      h('header', {}, heading, h('button', { type: 'button', class: 'icon', 'aria-label': 'Close chat', onclick: () => this.on.toggle(false) }, '×')),
      this.banner,
      this.body,
      this.typingLine,
      this.composer,
    );
    this.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': `Open chat: ${title}`, 'aria-expanded': 'false', 'aria-controls': 'pc-panel', onclick: () => this.on.toggle(!this.open) });
    this.launcher.innerHTML = CHAT_ICON;
    this.launcher.append(this.badge);
    root.append(this.panel, this.launcher);
  }

  setOpen(open: boolean, focus = true): void {
    this.open = open;
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.label();
    if (!focus) return;
    if (open) (this.composer.hidden ? this.body.querySelector<HTMLElement>('input,textarea,button') : this.input)?.focus();
    else this.launcher.focus();
  }

  setUnread(n: number): void {
    this.unread = n;
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 9 ? '9+' : String(n);
    this.label();
  }

  private label(): void {
    const unread = this.unread > 0 ? ` (${this.unread} unread)` : '';
    this.launcher.setAttribute('aria-label', `${this.open ? 'Close' : 'Open'} chat: ${this.title}${unread}`);
  }

  setBanner(text: string | null): void {
    this.banner.hidden = text === null;
    this.banner.textContent = text ?? '';
  }

  showForm(error?: string): void {
    this.composer.hidden = true;
    this.log = undefined;
    this.typingLine.textContent = '';
    const field = (id: string, label: string, input: HTMLElement) => [h('label', { for: id }, label), input];
    const err = h('p', { class: 'error', role: 'alert' }, error ?? '');
    const name = h('input', { id: 'pc-name', name: 'name', autocomplete: 'name', required: true, maxlength: '256' });
    const email = h('input', { id: 'pc-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: '320' });
    const question = h('textarea', { id: 'pc-question', name: 'question', required: true, maxlength: '4000' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Start chat');
    const form = h(
      'form',
      {
        class: 'pre',
        'aria-label': 'Start a chat',
        onsubmit: (e) => {
          e.preventDefault();
          submit.disabled = true;
          err.textContent = '';
          this.on.start({ friendlyName: name.value, email: email.value, question: question.value }).catch((x: unknown) => {
            err.textContent = x instanceof Error ? x.message : 'The chat could not start. Please try again.';
            submit.disabled = false;
          });
        },
      },
      h('p', { class: 'hint' }, 'Tell us who you are and how we can help. An agent will answer here.'),
      ...field('pc-name', 'Name', name),
      ...field('pc-email', 'Email (optional)', email),
      ...field('pc-question', 'How can we help?', question),
      submit,
      err,
    );
    this.body.replaceChildren(form);
  }

  showChat(): void {
    if (this.log) return;
    this.queueLine = h('p', { class: 'status', role: 'status' });
    this.rendered.clear();
    this.log = h('div', { class: 'log', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite' });
    this.body.replaceChildren(this.log, this.queueLine);
    this.composer.hidden = false;
  }

  setQueue(text: string): void {
    if (this.queueLine) this.queueLine.textContent = text;
  }

  setTyping(text: string): void {
    this.typingLine.textContent = text;
  }

  showEnded(): void {
    this.composer.hidden = true;
    this.setTyping('');
    this.setQueue('');
    this.body.append(h('p', { class: 'status' }, 'This chat has ended.'), h('button', { type: 'button', class: 'primary', onclick: () => this.on.restart() }, 'Start a new chat'));
  }

  /**
   * Keyed: a message's element is kept while its content is unchanged, so the
   * live log announces only what is new (a receipt updates its line in place).
   */
  render(model: ChatModel): void {
    const log = this.log;
    if (!log) return;
    const read = model.agentsRead();
    const sorted = model.sorted();
    const lastRead = [...sorted].reverse().find((m) => m.author === model.identity && read !== null && m.index <= read);
    const wanted: Rendered[] = [];
    for (const m of sorted) {
      const who = m.author === model.identity ? 'me' : m.author === 'system' ? 'system' : 'them';
      const name = who === 'them' ? model.nameOf(m.author) : '';
      wanted.push(
        this.keep(`m${m.index}`, `${m.sid}|${who}|${name}|${m.body ?? ''}|${m.media.map((x) => x.sid).join()}`, () => {
          const bubble = h('div', { class: 'bubble' });
          if (m.body) bubble.innerHTML = renderMarkdown(m.body);
          for (const ref of m.media) bubble.append(this.mediaNode(ref));
          return h('div', { class: `msg ${who}` }, who === 'them' ? h('span', { class: 'who' }, name) : who === 'me' ? h('span', { class: 'sr' }, 'You:') : null, bubble, h('span', { class: 'meta' }));
        }),
      );
      const meta = wanted[wanted.length - 1]!.el.lastElementChild!;
      const text = [formatTime(m.dateCreated), m === lastRead ? 'Read' : ''].filter(Boolean).join(' · ');
      if (meta.textContent !== text) meta.textContent = text;
      meta.classList.toggle('receipt', m === lastRead);
    }
    for (const p of model.pending) {
      const status = p.failed ? `Not sent: ${p.failed}` : 'Sending…';
      wanted.push(
        this.keep(`p${p.clientId}`, `${p.body}|${status}`, () => {
          const bubble = h('div', { class: 'bubble' });
          bubble.innerHTML = renderMarkdown(p.body || (p.media ? `File: ${p.media.filename ?? 'file'}` : ''));
          return h('div', { class: 'msg me pending' }, bubble, h('span', { class: 'meta' }, status));
        }),
      );
    }
    const atBottom = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 40;
    const keys = new Set(wanted.map((w) => w.key));
    for (const [key, r] of this.rendered) if (!keys.has(key)) (r.el.remove(), this.rendered.delete(key));
    wanted.forEach((w, i) => {
      if (log.children[i] !== w.el) log.insertBefore(w.el, log.children[i] ?? null);
    });
    if (atBottom || model.pending.length > 0) this.body.scrollTop = this.body.scrollHeight;
  }

  private keep(key: string, signature: string, make: () => HTMLElement): Rendered {
    const had = this.rendered.get(key);
    if (had && had.signature === signature) return had;
    const r = { key, signature, el: make() };
    had?.el.replaceWith(r.el);
    this.rendered.set(key, r);
    return r;
  }

  private mediaNode(ref: MediaRef): Node {
    const name = ref.filename ?? 'file';
    if (INLINE.test(ref.contentType)) {
      const img = h('img', { alt: name });
      void this.blobUrl(ref).then((url) => (img.src = url)).catch(() => img.replaceWith(`[${name}: unavailable]`));
      return img;
    }
    return h('button', { type: 'button', class: 'file', onclick: () => void this.download(ref) }, `Download ${name} (${formatSize(ref.size)})`);
  }

  private blobUrl(ref: MediaRef): Promise<string> {
    let url = this.blobs.get(ref.sid);
    if (!url) {
      url = this.on.media(ref).then((b) => URL.createObjectURL(b));
      this.blobs.set(ref.sid, url);
    }
    return url;
  }

  private async download(ref: MediaRef): Promise<void> {
    // An octet-stream blob: a file the agent sent is saved, never rendered in the host page's origin.
    const blob = new Blob([await this.on.media(ref)], { type: 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: ref.filename ?? 'file' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private keydown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    }
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.on.send(text);
  }

  private picked(): void {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = '';
    if (file) this.on.attach(file);
  }

  focusInput(): void {
    this.input.focus();
  }
}
