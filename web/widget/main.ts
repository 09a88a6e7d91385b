// The embeddable web chat widget, built to /widget/widget.js (one IIFE, global `ParleyChat`):
//   <script src="https://parley.example.com/widget/widget.js" data-address="parley-webchat" defer></script>
// Attributes: data-address (required: chat address or IG SID), data-account-sid (the address's account when it
// is not Parley's main account), data-title (panel heading), data-user-token (a signed user token, docs/webchat.md).
import { WebChatApi } from './api';
import { WebChat } from './chat';
import { ChatStorage } from './storage';
import { WidgetView } from './view';

let chat: WebChat | undefined;
const script = document.currentScript as HTMLScriptElement | null;

function boot(): void {
  const data = script?.dataset ?? {};
  const address = data.address;
  if (!script || !address) {
    console.warn('[parley] widget.js needs a data-address attribute');
    return;
  }
  const base = new URL(script.src, location.href).origin;
  const title = data.title || 'Chat with us';
  const host = document.createElement('div');
  host.id = 'parley-webchat';
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const key = `parley-webchat:${base}:${data.accountSid ?? ''}:${address}`;
  const c = new WebChat({ base, address, ...(data.accountSid ? { accountSid: data.accountSid } : {}), ...(data.userToken ? { userToken: data.userToken } : {}) }, new WebChatApi(base), new ChatStorage(key));
  c.attach(
    new WidgetView(root, title, {
      toggle: (open) => c.toggle(open),
      start: (values) => c.start(values),
      send: (body) => c.send(body),
      attach: (file) => c.attachFile(file),
      typing: () => c.typing(),
      restart: () => c.restart(),
      media: (ref) => c.media(ref),
    }),
  );
  chat = c;
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });

/** Page API: `ParleyChat.open()`, `ParleyChat.close()`, `ParleyChat.setUserToken(jwt)` (before the chat starts). */
export const open = (): void => chat?.toggle(true);
export const close = (): void => chat?.toggle(false);
export const setUserToken = (token: string | undefined): void => chat?.setUserToken(token);
