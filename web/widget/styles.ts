/**
 * The widget's styles, inside its shadow root: nothing leaks out, and `all:
 * initial` on the host stops the page's inherited fonts and colours leaking in.
 * Colours meet WCAG AA: #1d4ed8 on white 6.7:1, #475569 on white 7.6:1,
 * #0f172a on #eef2f7 15:1, white on #1d4ed8 6.7:1, #b91c1c on white 6.5:1.
 */
export const CSS = `
:host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
button,input,textarea{font:inherit;color:inherit}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.launcher{position:relative;width:60px;height:60px;border-radius:50%;border:0;background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(15,23,42,.3);display:grid;place-items:center;margin-left:auto}
.launcher:hover{background:#1e40af}
.launcher svg{width:28px;height:28px;fill:currentColor}
.icon svg{width:20px;height:20px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;background:#b91c1c;color:#fff;font-size:12px;font-weight:700;display:grid;place-items:center;padding:0 6px}
.panel{width:min(380px,calc(100vw - 40px));height:min(600px,calc(100vh - 120px));background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(15,23,42,.3);display:flex;flex-direction:column;overflow:hidden;margin-bottom:14px}
header{background:#1d4ed8;color:#fff;padding:14px 16px;display:flex;align-items:center;gap:8px}
header h2{font-size:17px;margin:0;flex:1;font-weight:600}
.icon{background:transparent;border:0;color:inherit;cursor:pointer;width:36px;height:36px;border-radius:8px;display:grid;place-items:center;font-size:22px;line-height:1}
.icon:hover{background:rgba(255,255,255,.15)}
header .icon:focus-visible{outline-color:#fff}
.body{flex:1;overflow:auto;padding:16px;display:flex;flex-direction:column;gap:10px}
form.pre label{display:block;font-weight:600;margin:10px 0 4px}
form.pre input,form.pre textarea{width:100%;border:1px solid #64748b;border-radius:8px;padding:9px 10px;background:#fff}
form.pre textarea{min-height:90px;resize:vertical}
.hint{color:#475569;font-size:13px;margin:0}
.primary{margin-top:14px;width:100%;background:#1d4ed8;color:#fff;border:0;border-radius:8px;padding:11px;font-weight:600;cursor:pointer}
.primary:hover{background:#1e40af}
.primary:disabled{background:#64748b;cursor:default}
.error{color:#b91c1c;font-size:14px;margin:8px 0 0}
.log{display:flex;flex-direction:column;gap:10px}
.status{color:#475569;font-size:13px;text-align:center;margin:0}
.msg{max-width:85%;display:flex;flex-direction:column;gap:2px}
.msg .bubble{padding:8px 12px;border-radius:14px;overflow-wrap:anywhere}
.msg.them{align-self:flex-start}
.msg.them .bubble{background:#eef2f7;border-bottom-left-radius:4px}
.msg.me{align-self:flex-end;align-items:flex-end}
.msg.me .bubble{background:#1d4ed8;color:#fff;border-bottom-right-radius:4px}
.msg.me .bubble a{color:#fff}
.msg.system{align-self:center;color:#475569;font-size:13px;text-align:center}
.msg .who,.msg .meta{font-size:12px;color:#475569;padding:0 4px}
.bubble p{margin:0}.bubble p+p,.bubble ul,.bubble ol,.bubble pre,.bubble blockquote{margin:6px 0 0}
.bubble ul,.bubble ol{padding-left:20px}
.bubble a{color:#1d4ed8}
.bubble code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:rgba(15,23,42,.08);border-radius:4px;padding:0 3px}
.msg.me .bubble code{background:rgba(255,255,255,.2)}
.bubble pre{white-space:pre-wrap;background:rgba(15,23,42,.08);padding:8px;border-radius:6px}
.bubble blockquote{border-left:3px solid currentColor;padding-left:8px;margin-left:0}
.bubble img{display:block;max-width:100%;max-height:240px;border-radius:8px;margin:4px 0}
.file{background:none;border:0;padding:0;text-decoration:underline;cursor:pointer;color:inherit;text-align:left}
.pending{opacity:.75}
.typing{color:#475569;font-size:13px;min-height:20px;padding:0 16px}
.composer{border-top:1px solid #cbd5e1;display:flex;align-items:flex-end;gap:6px;padding:8px}
.composer textarea{flex:1;border:1px solid #64748b;border-radius:8px;padding:8px 10px;resize:none;height:40px;max-height:120px}
.composer .icon{color:#1d4ed8;flex:none}
.composer .icon:hover{background:#eef2f7}
.composer .send{background:#1d4ed8;color:#fff}
.composer .send:hover{background:#1e40af}
.banner{margin:0;background:#fef3c7;color:#78350f;font-size:13px;padding:6px 16px}
`;
