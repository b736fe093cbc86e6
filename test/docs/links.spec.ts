/**
 * Every relative link of the README, `docs/**`, the demo's README and the npm READMEs resolves:
 * to a file or folder of the repository and, with an anchor, to a heading of that Markdown file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';
import { anchorOf, anchorsOf, markdownFiles, readDoc, relativeLinks } from './markdown.js';

describe('documentation links', () => {
  it('makes anchors as GitHub does', () => {
    expect(anchorOf('`bootstrapCluster(options)`')).toBe('bootstrapclusteroptions');
    expect(anchorOf('One leader (`@nest-hive/cluster/leader`)')).toBe('one-leader-nest-hiveclusterleader');
    expect(anchorOf("Users' sessions: their devices, revoked")).toBe('users-sessions-their-devices-revoked');
    expect([...anchorsOf('# Errors\n```sh\n# not a heading\n```\n## Errors\n')]).toEqual([
      'errors',
      'errors-1',
    ]);
  });

  it.each(markdownFiles())('%s: every relative link resolves', (file) => {
    const broken = relativeLinks(file).flatMap((link) => {
      if (!existsSync(join(ROOT, link.path))) return [`${link.text} (no ${link.path})`];
      if (link.anchor === undefined) return [];
      if (!link.path.endsWith('.md')) return [`${link.text} (an anchor into a file that is not Markdown)`];
      return anchorsOf(readDoc(link.path)).has(link.anchor)
        ? []
        : [`${link.text} (no heading #${link.anchor})`];
    });
    expect(broken).toEqual([]);
  });

  it('names, in the npm READMEs (which have no relative links: they are read on npm), docs pages that exist', () => {
    for (const readme of ['libs/session/README.md', 'libs/cluster/README.md']) {
      const named = [...readDoc(readme).matchAll(/`(docs\/[\w./-]+\.md)`/g)].map((match) => match[1]);
      expect(named.length).toBeGreaterThanOrEqual(5);
      expect(named.filter((page) => !existsSync(join(ROOT, page)))).toEqual([]);
    }
  });

  it('keeps the README short: at most 300 lines, the rest in docs/', () => {
    expect(readDoc('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('reads the docs tree and links from the README to every page of it', () => {
    const pages = markdownFiles().filter((file) => file.startsWith('docs/'));
    expect(pages.length).toBeGreaterThanOrEqual(20);
    const fromReadme = new Set(relativeLinks('README.md').map(({ path }) => path));
    const fromIndex = new Set(relativeLinks('docs/README.md').map(({ path }) => path));
    expect(
      pages.filter((page) => page !== 'docs/README.md' && !fromReadme.has(page) && !fromIndex.has(page)),
    ).toEqual([]);
  });
});
