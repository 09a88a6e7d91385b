/**
 * A small, safe Markdown subset for chat messages. Everything is HTML-escaped
 * first; the only markup in the output is what this file writes: p, br,
 * strong, em, del, code, pre, ul/ol/li, blockquote and links whose URL is
 * http(s) or mailto. (marked + DOMPurify weigh 27 KB gzipped — most of the
 * widget's 40 KB budget — for features a chat does not need.)
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only web and mail links; the URL arrives escaped, so it is safe inside a quoted attribute. */
function link(url: string, text: string): string {
  return `<a href="${url}" target="_blank" rel="noopener noreferrer nofollow">${text}</a>`;
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
// Placeholders are NUL-delimited: NUL is stripped from the input, so the text cannot forge one.
const HOLD = '\u0000';

/** Inline formatting of one escaped line (or paragraph). */
function inline(escaped: string): string {
  const held: string[] = [];
  const hold = (html: string) => `${HOLD}${held.push(html) - 1}${HOLD}`;
  let s = escaped.replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`<code>${code}</code>`));
  s = s.replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (m, text: string, url: string) => (SAFE_URL.test(url) ? hold(link(url, emphasis(text))) : m));
  s = s.replace(/\bhttps?:\/\/[^\s\u0000]+/g, (m) => {
    // Escaped quotes and brackets end a bare URL, as does trailing punctuation.
    const cut = m.search(/&(lt|gt|quot|#39);/);
    let url = cut >= 0 ? m.slice(0, cut) : m;
    url = url.replace(/[.,:;!?)\]]+$/, '');
    return hold(link(url, url)) + m.slice(url.length);
  });
  s = emphasis(s);
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => held[Number(i)]!);
}

function emphasis(s: string): string {
  return s
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__([^_\n]+)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/~~([^~\n]+)~~/g, '<del>$1</del>')
    .replace(/(^|[^*\w])\*([^*\s][^*\n]*?)\*(?![*\w])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_([^_\s][^_\n]*?)_(?!\w)/g, '$1<em>$2</em>');
}

/** Renders a message body to HTML. */
export function renderMarkdown(source: string): string {
  const lines = source.replace(/\u0000/g, '').replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push(`<p>${para.map((l) => inline(escapeHtml(l))).join('<br>')}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i]!)) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const list = listItem(line);
    if (list) {
      flush();
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const item = listItem(lines[i]!);
        if (!item || item.ordered !== list.ordered) break;
        items.push(`<li>${inline(escapeHtml(item.text))}</li>`);
      }
      i--;
      out.push(list.ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`);
      continue;
    }
    if (/^\s*>/.test(line)) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]!); i++) quoted.push(inline(escapeHtml(lines[i]!.replace(/^\s*>\s?/, ''))));
      i--;
      out.push(`<blockquote>${quoted.join('<br>')}</blockquote>`);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`<p><strong>${inline(escapeHtml(heading[1]!))}</strong></p>`);
      continue;
    }
    para.push(line);
  }
  flush();
  return out.join('');
}

function listItem(line: string): { ordered: boolean; text: string } | undefined {
  const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
  if (bullet) return { ordered: false, text: bullet[1]! };
  const numbered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line);
  return numbered ? { ordered: true, text: numbered[1]! } : undefined;
}
