/**
 * The markdown Teams shows in Adaptive Card text and bot messages: **bold**, _italic_,
 * [links](https://…), "- " and "1. " lists, line breaks and backslash escapes. Everything else is
 * text: card content comes from the bot and ends up as HTML, so HTML in it is always escaped.
 */

const ESCAPE = /\\([\\`*_{}[\]()#+\-.!<>~|])/g;
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g;
// Private-use characters stand in for escaped characters and finished links until the end.
const SLOT = /\uE000(\d+)\uE001/g;

/** HTML for markdown text, safe to assign to innerHTML. */
export function renderMarkdown(text) {
  const slots = [];
  const keep = (html) => `\uE000${slots.push(html) - 1}\uE001`;
  const source = String(text ?? '')
    .replace(/[\uE000\uE001]/g, '')
    .replace(ESCAPE, (_, character) => keep(escapeHtml(character)));
  const inline = (line) =>
    emphasis(escapeHtml(line).replace(LINK, (_, label, href) => keep(`<a href="${href}" target="_blank" rel="noopener noreferrer">${emphasis(label)}</a>`)));
  const html = source
    .split(/\n[ \t]*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => renderBlock(block.split('\n'), inline))
    .join('');
  // Links may hold escaped characters, so slots are restored until none is left.
  let restored = html;
  while (restored.includes('\uE000')) restored = restored.replace(SLOT, (_, index) => slots[Number(index)]);
  return restored;
}

function renderBlock(lines, inline) {
  const bullet = /^\s*[-*+]\s+/;
  const numbered = /^\s*\d+\.\s+/;
  if (lines.every((line) => bullet.test(line))) return `<ul>${lines.map((line) => `<li>${inline(line.replace(bullet, ''))}</li>`).join('')}</ul>`;
  if (lines.every((line) => numbered.test(line))) return `<ol>${lines.map((line) => `<li>${inline(line.replace(numbered, ''))}</li>`).join('')}</ol>`;
  return `<p>${lines.map(inline).join('<br>')}</p>`;
}

function emphasis(html) {
  return html
    .replace(/\*\*(?!\s)(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?!\s)(.+?)__/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])\*(?![\s*])(.+?)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?![\s_])(.+?)_(?!\w)/g, '$1<em>$2</em>');
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
