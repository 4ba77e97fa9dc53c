import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The fenced blocks of one language in a Markdown file of the repository, in order. */
function fencedBlocks(markdown: string, lang: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, markdown), 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

/** The ```ts blocks of the README, each as a virtual module at the repository's root. */
function readmeBlocks(): { file: string; code: string }[] {
  return fencedBlocks('README.md', 'ts').map((code, i) => ({ file: path.join(ROOT, `README.block-${String(i + 1)}.ts`), code }));
}

/** The `docs/*.md` pages. */
function docPages(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
}

/** The ```ts blocks of the `docs/*.md` pages, likewise (at the root, as the README's). */
function docsBlocks(): { file: string; code: string }[] {
  return docPages().flatMap((page) =>
    fencedBlocks(page, 'ts').map((code, i) => ({
      file: path.join(ROOT, `DOCS.${path.basename(page, '.md')}.block-${String(i + 1)}.ts`),
      code,
    })),
  );
}

/** The ```ts blocks of the TSDoc `@example`s in src/, likewise. */
function tsdocBlocks(): { file: string; code: string }[] {
  const blocks: { file: string; code: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/^\s*\* ```ts\n([\s\S]*?)^\s*\* ```/gm)) {
          const code = (m[1] ?? '').replace(/^\s*\* ?/gm, '');
          blocks.push({ file: path.join(ROOT, `TSDOC.${entry.name}.block-${String(blocks.length + 1)}.ts`), code });
        }
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return blocks;
}

test('every TypeScript block of the README, of docs/*.md and of the TSDoc examples compiles against the sources', () => {
  const blocks = [...readmeBlocks(), ...docsBlocks(), ...tsdocBlocks()];
  expect(readmeBlocks().length).toBeGreaterThanOrEqual(5);
  expect(docsBlocks().length).toBeGreaterThanOrEqual(5);
  expect(tsdocBlocks().length).toBeGreaterThanOrEqual(6);
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('no tsconfig');
  // Blocks use top-level await, as a reader's ES module would.
  const options: ts.CompilerOptions = {
    ...config.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
  };
  expect(compileProblems(blocks, options)).toEqual([]);
});

/** The diagnostics of compiling `blocks` (virtual files) with `options`, one line each. */
function compileProblems(blocks: readonly { file: string; code: string }[], options: ts.CompilerOptions): string[] {
  const virtual = new Map(blocks.map((b) => [b.file, b.code]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const code = virtual.get(f);
    return code === undefined ? getSourceFile.call(host, f, lang, ...rest) : ts.createSourceFile(f, code, lang, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return blocks.flatMap((b) => {
    const source = program.getSourceFile(b.file);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => `${path.basename(b.file)}:${String((d.start === undefined ? 0 : source?.getLineAndCharacterOfPosition(d.start).line ?? 0) + 1)} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
  });
}

describe("the README's first example", () => {
  test('its task module is tasks/primes.ts, shown in full (but for the import of the library)', () => {
    const [taskModule] = fencedBlocks('README.md', 'ts');
    const file = fs.readFileSync(path.join(ROOT, 'tasks', 'primes.ts'), 'utf8');
    expect(taskModule).toBe(file.replace("from '../src/task'", "from 'asyncthreadpool/task'"));
  });

  test("it compiles with the README's own tsconfig.json (CommonJS, no top-level await)", () => {
    const [json] = fencedBlocks('README.md', 'json');
    const parsed = JSON.parse(json ?? '{}') as { compilerOptions?: Record<string, unknown> };
    const { options, errors } = ts.convertCompilerOptionsFromJson(parsed.compilerOptions, ROOT);
    expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(options).toMatchObject({ experimentalDecorators: true, emitDecoratorMetadata: true });
    const [taskModule, caller] = fencedBlocks('README.md', 'ts');
    const blocks = [
      { file: path.join(ROOT, 'tasks', 'primes-as-in-readme.ts'), code: taskModule ?? '' },
      { file: path.join(ROOT, 'main-as-in-readme.ts'), code: (caller ?? '').replace("'./tasks/primes'", "'./tasks/primes-as-in-readme'") },
    ];
    expect(blocks[1]?.code).toContain('./tasks/primes-as-in-readme');
    const withLibrary = { ...options, noEmit: true, paths: { asyncthreadpool: ['./src/index.ts'] }, types: ['node', 'jest'] };
    expect(compileProblems(blocks, withLibrary)).toEqual([]);
  });
});
