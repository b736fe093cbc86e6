/**
 * The project's Markdown, as the docs tests read it: the README, `docs/**`, the demo's README and
 * the libraries' npm READMEs; their links and their headings' anchors (GitHub's rules).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/processes.js';

/** Every Markdown file of the documentation, relative to the repository root, sorted. */
export function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return docs(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return [
    'README.md',
    'apps/demo/README.md',
    'libs/session/README.md',
    'libs/cluster/README.md',
    ...docs('docs'),
  ].sort();
}

/** The text of a file, relative to the repository root. */
export function readDoc(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The lines of a Markdown text outside fenced code blocks. */
export function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** A heading's anchor, as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings; a repeated one gets `-1`, `-2`… as on GitHub. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const anchor = anchorOf(heading);
    const count = seen.get(anchor) ?? 0;
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    seen.set(anchor, count + 1);
  }
  return anchors;
}

/** One relative link of a file: where it points, resolved from the repository root, and its anchor. */
export interface RelativeLink {
  readonly from: string;
  readonly text: string;
  /** The target file, relative to the repository root (the linking file itself for `#anchor`). */
  readonly path: string;
  readonly anchor: string | undefined;
}

/** The relative links (and images) of a file; links with a scheme (`https:`, `mailto:`) are left out. */
export function relativeLinks(from: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  for (const line of proseLines(readDoc(from))) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const path = file === '' ? from : relative(ROOT, join(ROOT, from, '..', file));
      links.push({ from, text: target, path, anchor });
    }
  }
  return links;
}
