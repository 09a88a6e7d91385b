import { describe, it, expect } from 'vitest';
import { renderMarkdown } from '../../web/widget/markdown.js';

describe('web chat markdown subset', () => {
  it('renders what agents write', () => {
    expect(renderMarkdown('**Hello** _there_, see `code` and ~~old~~ *new*')).toBe('<p><strong>Hello</strong> <em>there</em>, see <code>code</code> and <del>old</del> <em>new</em></p>');
    expect(renderMarkdown('line one\nline two\n\nnext')).toBe('<p>line one<br>line two</p><p>next</p>');
    expect(renderMarkdown('- a\n- **b**\n\n1. one\n2) two')).toBe('<ul><li>a</li><li><strong>b</strong></li></ul><ol><li>one</li><li>two</li></ol>');
    expect(renderMarkdown('> quoted\n> more\n# Title')).toBe('<blockquote>quoted<br>more</blockquote><p><strong>Title</strong></p>');
    expect(renderMarkdown('```\nlet a = "<b>";\n```')).toBe('<pre><code>let a = &quot;&lt;b&gt;&quot;;</code></pre>');
    expect(renderMarkdown('[docs](https://example.com/a?b=1&c=2) or https://example.com/x.')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">docs</a> or <a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">https://example.com/x</a>.</p>',
    );
    expect(renderMarkdown('snake_case_name and 2 * 3 * 4')).toBe('<p>snake_case_name and 2 * 3 * 4</p>');
  });

  it('never lets markup or script through', () => {
    const cases = [
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
      '[click](javascript:alert(1))',
      '[click](JaVaScRiPt:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '[x](https://ok.example" onmouseover="alert(1))',
      'https://ok.example/"><script>alert(1)</script>',
      '`<b>` **<i>x</i>** \u00000\u0000',
      '<a href="javascript:alert(1)">x</a>',
    ];
    for (const c of cases) {
      const html = renderMarkdown(c);
      expect(html).not.toMatch(/<(?!\/?(p|br|strong|em|del|code|pre|ul|ol|li|blockquote|a)\b)[a-z]/i);
      expect(html).not.toMatch(/href="(?!https?:|mailto:)/i);
      expect(html).not.toMatch(/<[^>]*\son\w+=/i);
      expect(html).not.toContain('\u0000');
    }
    expect(renderMarkdown('https://ok.example/"><script>')).toBe('<p><a href="https://ok.example/" target="_blank" rel="noopener noreferrer nofollow">https://ok.example/</a>&quot;&gt;&lt;script&gt;</p>');
    expect(renderMarkdown('[click](javascript:alert(1))')).toBe('<p>[click](javascript:alert(1))</p>');
  });
});
