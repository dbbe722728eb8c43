import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/localchat/page/markdown.js';

describe('card text on the local chat page looks as it does in Teams', () => {
  it('shows bold, italic and links', () => {
    expect(renderMarkdown('**check** jon.doe@contoso.com, _then_ [the guide](https://aka.ms/sspr)')).toBe(
      '<p><strong>check</strong> jon.doe@contoso.com, <em>then</em> <a href="https://aka.ms/sspr" target="_blank" rel="noopener noreferrer">the guide</a></p>',
    );
  });

  it('shows characters the bot escaped as themselves, not as markup', () => {
    expect(renderMarkdown('Found jon\\_doe\\_old and \\*\\*not bold\\*\\*')).toBe(
      '<p>Found jon_doe_old and **not bold**</p>',
    );
  });

  it('keeps underscores inside names and addresses', () => {
    expect(renderMarkdown('first_last@contoso.com')).toBe('<p>first_last@contoso.com</p>');
  });

  it('turns lists and blank lines into lists and paragraphs', () => {
    expect(renderMarkdown('Steps:\nsign in\n\n- one\n- two\n\n1. first\n2. second')).toBe(
      '<p>Steps:<br>sign in</p><ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>',
    );
  });

  it('never lets HTML or script links from a card through', () => {
    const html = renderMarkdown(
      '<img src=x onerror=alert(1)> [click](javascript:alert(1)) [x](https://a.example/"onmouseover="alert(1))',
    );
    expect(html).not.toMatch(/<img|href="javascript|"onmouseover/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('ignores the characters it uses internally when they appear in the text', () => {
    expect(renderMarkdown('a\uE0000\uE001b \\*')).toBe('<p>a0b *</p>');
  });
});
