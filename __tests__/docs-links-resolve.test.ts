import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers-process';

/**
 * Every link and image of the README and of `docs/*.md` works for a reader of the published
 * package as well as of the repository: a relative link reaches a file that exists and that the
 * package ships (its `files`, as `npm pack` applies them), and an anchor names a heading there.
 */

const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];

/** The `[text](target)` and `![alt](target)` targets of a Markdown text, outside code. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

/** GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces to dashes). */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set(
    [...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** What `npm pack` would put in the package (paths relative to the root). */
async function shippedFiles(): Promise<Set<string>> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await promisify(execFile)(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return new Set((pack?.files ?? []).map((file) => file.path));
}

describe('links in README.md and docs/*.md', () => {
  let shipped: Set<string>;

  beforeAll(async () => {
    shipped = await shippedFiles();
  }, 60_000);

  test('the package ships the README and every docs page', () => {
    expect(PAGES.filter((page) => !shipped.has(page))).toEqual([]);
    expect(PAGES.length).toBeGreaterThanOrEqual(5);
  });

  test.each(PAGES)('%s: every relative link and image reaches a shipped file (and heading)', (page) => {
    const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
    const problems: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^https:\/\//.test(target)) continue; // absolute: the same for every reader
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        problems.push(`${target}: only https links or relative ones`);
        continue;
      }
      const [file = '', anchor] = target.split('#');
      const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(file)));
      if (resolved.startsWith('../')) problems.push(`${target}: outside the package`);
      else if (!fs.existsSync(path.join(ROOT, resolved))) problems.push(`${target}: ${resolved} does not exist`);
      else if (!shipped.has(resolved)) problems.push(`${target}: ${resolved} is not in the package (package.json "files")`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(fs.readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor)) {
        problems.push(`${target}: no heading #${anchor} in ${resolved}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the checks themselves: links in code are ignored, anchors follow GitHub', () => {
    expect(linkTargets('see [a](docs/a.md#x) and ![b](b.svg "t")\n`[c](no.md)`\n```md\n[d](no.md)\n```\n')).toEqual(['docs/a.md#x', 'b.svg']);
    expect([...anchors('## Control ports and polling (`spinWait`)\n### TypeScript on the threads, and builds\n')]).toEqual([
      'control-ports-and-polling-spinwait',
      'typescript-on-the-threads-and-builds',
    ]);
  });
});
