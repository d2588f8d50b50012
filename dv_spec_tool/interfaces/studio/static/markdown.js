// The spec's Markdown as page elements: the subset dv-spec writes (headings,
// paragraphs, lists, tables, fenced code, `code`, **bold**, [links](…)).
// Built with textContent only, so nothing in a spec can run in the page.

function inline(text) {
  const nodes = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    let node;
    if (match[1] !== undefined) {
      node = document.createElement('code');
      node.textContent = match[1];
    } else if (match[2] !== undefined) {
      node = document.createElement('strong');
      node.textContent = match[2];
    } else {
      node = document.createElement('span'); // links name files of the project: shown, not followed
      node.className = 'link';
      node.textContent = match[3];
      node.title = match[4];
    }
    nodes.push(node);
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function element(tag, children = [], className = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

const cells = (line) => line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));

export function renderMarkdown(text) {
  const out = document.createDocumentFragment();
  const lines = text.replace(/<!--[\s\S]*?-->\n?/g, '').split('\n');
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (!line.trim()) {
      index += 1;
    } else if (line.startsWith('```')) {
      const code = [];
      for (index += 1; index < lines.length && !lines[index].startsWith('```'); index += 1) code.push(lines[index]);
      index += 1;
      const pre = element('pre', [element('code', [document.createTextNode(code.join('\n'))])]);
      out.append(pre);
    } else if (/^#{1,6} /.test(line)) {
      const level = line.match(/^#+/)[0].length;
      out.append(element(`h${Math.min(6, level + 2)}`, inline(line.slice(level + 1)), 'md-heading'));
      index += 1;
    } else if (line.trim().startsWith('|') && index + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[index + 1])) {
      const head = element('tr', cells(line).map((cell) => element('th', inline(cell))));
      const rows = [];
      for (index += 2; index < lines.length && lines[index].trim().startsWith('|'); index += 1) {
        rows.push(element('tr', cells(lines[index]).map((cell) => element('td', inline(cell)))));
      }
      out.append(element('table', [element('thead', [head]), element('tbody', rows)], 'md-table'));
    } else if (/^\s*([-*]|\d+\.) /.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items = [];
      while (index < lines.length && /^\s*([-*]|\d+\.) /.test(lines[index])) {
        let item = lines[index].replace(/^\s*([-*]|\d+\.) /, '');
        for (index += 1; index < lines.length && /^\s{2,}\S/.test(lines[index]) && !/^\s*([-*]|\d+\.) /.test(lines[index]); index += 1) {
          item += ` ${lines[index].trim()}`;
        }
        items.push(element('li', inline(item)));
      }
      out.append(element(ordered ? 'ol' : 'ul', items));
    } else {
      const paragraph = [];
      while (index < lines.length && lines[index].trim() && !/^(#{1,6} |```|\s*\||\s*([-*]|\d+\.) )/.test(lines[index])) {
        paragraph.push(lines[index].trim());
        index += 1;
      }
      if (!paragraph.length) {
        paragraph.push(line.trim());
        index += 1;
      }
      out.append(element('p', inline(paragraph.join(' '))));
    }
  }
  return out;
}
