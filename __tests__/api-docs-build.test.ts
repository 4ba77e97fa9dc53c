import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import * as ts from 'typescript';
import { ROOT, runNode } from './helpers-process';

/** The part of TypeDoc's JSON output read here. */
interface Comment {
  readonly summary: readonly { readonly text: string }[];
  readonly blockTags?: readonly { readonly tag: string }[];
}
interface Reflection {
  readonly name: string;
  readonly comment?: Comment;
  readonly signatures?: readonly { readonly comment?: Comment }[];
}

// TypeDoc type-checks the sources: a few seconds alone, more beside the rest of the suite (27 s
// seen on a loaded 2-core machine). A bound on a hang only.
const LIMIT_MS = 120_000;
const TYPEDOC = path.join(path.dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');

/** Every name `src/index.ts` exports (it holds re-exports only), values and types alike. */
function publicNames(): string[] {
  const file = path.join(ROOT, 'src', 'index.ts');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) =>
    ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)
      ? statement.exportClause.elements.map((element) => element.name.text)
      : [],
  );
}

/** Names typedoc.json lets go undocumented for now (its `intentionallyNotDocumented`, kept short). */
function allowedUndocumented(): string[] {
  const file = path.join(ROOT, 'typedoc.json');
  const { config } = ts.parseConfigFileTextToJson(file, fs.readFileSync(file, 'utf8')) as { config?: { intentionallyNotDocumented?: string[] } };
  return config?.intentionallyNotDocumented ?? [];
}

const text = (comment: Comment | undefined): string => (comment?.summary ?? []).map((part) => part.text).join('').trim();

describe('`npm run docs` (typedoc.json)', () => {
  let dir: string;
  let run: { code: number | null; output: string };
  let docs: Map<string, Reflection>;

  beforeAll(async () => {
    // The same configuration as `npm run docs`, written to a directory of its own.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-docs-'));
    const json = path.join(dir, 'api.json');
    const result = await runNode([TYPEDOC, '--options', 'typedoc.json', '--out', path.join(dir, 'html'), '--json', json], LIMIT_MS);
    run = { code: result.code, output: stripVTControlCharacters(result.stdout + result.stderr) };
    const project = fs.existsSync(json) ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { children?: Reflection[] }) : {};
    docs = new Map((project.children ?? []).map((reflection) => [reflection.name, reflection]));
  }, LIMIT_MS + 5_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('builds with no warning and no error', () => {
    // On failure jest shows the whole output: TypeScript's diagnostics carry no `[error]` prefix.
    expect(run.output).not.toMatch(/\[(warning|error)\]/);
    expect(run.code).toBe(0);
  });

  test('documents exactly what src/index.ts exports, each with TSDoc', () => {
    const names = publicNames();
    expect(names).toEqual(
      expect.arrayContaining(['ThreadPool', 'spawn', 'task', 'ThreadContext', 'TaskSignal', 'move', 'AsyncThreadPoolError', 'registerErrorClass', 'Remote', 'ThreadPoolOptions']),
    );
    expect([...docs.keys()].sort()).toEqual([...names].sort());
    const allowed = allowedUndocumented();
    const undocumented = names.filter((name) => {
      if (allowed.includes(name)) return false;
      const reflection = docs.get(name);
      return !reflection || [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)].every((c) => text(c) === '');
    });
    expect(undocumented).toEqual([]);
  });

  // A file comment without `@packageDocumentation` would be read as the first re-export's comment.
  test('no two exports share one comment (a file comment taken for a declaration)', () => {
    // No docs at all: a failed build, which the first test reports; this one then stays quiet.
    expect(docs.size).toBeGreaterThan(0);
    const byComment = new Map<string, string[]>();
    for (const [name, reflection] of docs) {
      const summary = text(reflection.comment);
      if (summary !== '') byComment.set(summary, [...(byComment.get(summary) ?? []), name]);
    }
    expect([...byComment.values()].filter((names) => names.length > 1)).toEqual([]);
  });
});
