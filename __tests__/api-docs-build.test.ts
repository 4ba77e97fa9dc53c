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
  readonly id: number;
  readonly name: string;
  /** A re-export of a name another entry point documents (`variant: 'reference'`): that reflection's id. */
  readonly target?: number;
  readonly comment?: Comment;
  readonly signatures?: readonly { readonly comment?: Comment }[];
}

// TypeDoc type-checks the sources: a few seconds alone, more beside the rest of the suite (27 s
// seen on a loaded 2-core machine). A bound on a hang only.
const LIMIT_MS = 120_000;
const TYPEDOC = path.join(path.dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');

/** The entry points of typedoc.json, each with the name TypeDoc gives its module. */
const ENTRIES = [
  { module: 'index', file: path.join('src', 'index.ts') },
  { module: 'task', file: path.join('src', 'task.ts') },
  { module: 'bullmq', file: path.join('src', 'bullmq', 'index.ts') },
] as const;

/** Every name an entry file exports (each holds re-exports only), values and types alike. */
function publicNames(entry: string): string[] {
  const file = path.join(ROOT, entry);
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
  /** Per module (`index`, `task`, `bullmq`): its documented exports by name. */
  let docs: Map<string, Map<string, Reflection>>;

  beforeAll(async () => {
    // The same configuration as `npm run docs`, written to a directory of its own.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-docs-'));
    const json = path.join(dir, 'api.json');
    const result = await runNode([TYPEDOC, '--options', 'typedoc.json', '--out', path.join(dir, 'html'), '--json', json], LIMIT_MS);
    run = { code: result.code, output: stripVTControlCharacters(result.stdout + result.stderr) };
    const project = fs.existsSync(json) ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { children?: (Reflection & { children?: Reflection[] })[] }) : {};
    const modules = project.children ?? [];
    const byId = new Map(modules.flatMap((module) => module.children ?? []).map((reflection) => [reflection.id, reflection]));
    // A name two entry points export is documented once; the other holds a reference to it.
    const resolved = (reflection: Reflection): Reflection => (reflection.target === undefined ? reflection : (byId.get(reflection.target) ?? reflection));
    docs = new Map(modules.map((module) => [module.name, new Map((module.children ?? []).map((reflection) => [reflection.name, resolved(reflection)]))]));
  }, LIMIT_MS + 5_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('builds with no warning and no error', () => {
    // On failure jest shows the whole output: TypeScript's diagnostics carry no `[error]` prefix.
    expect(run.output).not.toMatch(/\[(warning|error)\]/);
    expect(run.code).toBe(0);
  });

  test('has exactly the entry points of package.json exports: the index, the task entry and the BullMQ subpath', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports).filter((key) => key !== './package.json').sort()).toEqual(['.', './bullmq', './task']);
    expect([...docs.keys()].sort()).toEqual(ENTRIES.map((entry) => entry.module).sort());
  });

  test.each(ENTRIES)('documents exactly what $file exports, each with TSDoc', ({ module, file }) => {
    const names = publicNames(file);
    const must = {
      index: ['ThreadPool', 'spawn', 'task', 'ThreadContext', 'TaskSignal', 'move', 'AsyncThreadPoolError', 'registerErrorClass', 'Remote', 'ThreadPoolOptions'],
      task: ['task', 'ThreadContext', 'TaskSignal', 'move', 'AsyncThreadPoolError', 'registerErrorClass'],
      bullmq: ['RemotePool', 'serve', 'RemoteCallOptions', 'ServeOptions'],
    }[module];
    expect(names).toEqual(expect.arrayContaining(must));
    const documented = docs.get(module) ?? new Map<string, Reflection>();
    expect([...documented.keys()].sort()).toEqual([...names].sort());
    const allowed = allowedUndocumented();
    const undocumented = names.filter((name) => {
      if (allowed.includes(name)) return false;
      const reflection = documented.get(name);
      return !reflection || [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)].every((c) => text(c) === '');
    });
    expect(undocumented).toEqual([]);
  });

  // A file comment without `@packageDocumentation` would be read as the first re-export's comment.
  test('no two exports share one comment (a file comment taken for a declaration)', () => {
    // No docs at all: a failed build, which the first test reports; this one then stays quiet.
    expect(docs.size).toBeGreaterThan(0);
    const byComment = new Map<string, string[]>();
    for (const [module, documented] of docs) {
      for (const [name, reflection] of documented) {
        const summary = text(reflection.comment);
        // The task entry re-exports the index's names with their comments: one module at a time.
        const where = `${module}:${summary}`;
        if (summary !== '') byComment.set(where, [...(byComment.get(where) ?? []), name]);
      }
    }
    expect([...byComment.values()].filter((names) => names.length > 1)).toEqual([]);
  });
});
