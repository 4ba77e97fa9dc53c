import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The ```ts blocks of the README, each as a virtual module at the repository's root. */
function readmeBlocks(): { file: string; code: string }[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({
    file: path.join(ROOT, `README.block-${String(i + 1)}.ts`),
    code: m[1] ?? '',
  }));
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

test('every TypeScript block of the README and of the TSDoc examples compiles against the sources', () => {
  const blocks = [...readmeBlocks(), ...tsdocBlocks()];
  expect(readmeBlocks().length).toBeGreaterThanOrEqual(5);
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
  const problems = blocks.flatMap((b) => {
    const source = program.getSourceFile(b.file);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => `${path.basename(b.file)}:${String((d.start === undefined ? 0 : source?.getLineAndCharacterOfPosition(d.start).line ?? 0) + 1)} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
  });
  expect(problems).toEqual([]);
});
