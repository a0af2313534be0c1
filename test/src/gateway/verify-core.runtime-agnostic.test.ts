/**
 * The verification core (gateway/src/verify) runs anywhere: no Node built-in, no Buffer, no
 * process (environment), no require, no clock, no randomness, no timers, no I/O — read from
 * its syntax trees, not its text, so a comment may name what the code may not use. Its
 * imports are its own files and a few runtime-agnostic packages, and its browser bundle's
 * inputs are those and what they import, nothing of Node's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import ts from 'typescript';

const GATEWAY = dirname(require.resolve('@anxin/gateway/package.json'));
const CORE = join(GATEWAY, 'src', 'verify');

/** Packages the core may import (and their subpaths). */
const PACKAGES = [
  '@anxin/schemas',
  'jose',
  '@noble/hashes',
  '@sd-jwt/decode',
  // The compact QR text (qr-text.ts): pure JavaScript DEFLATE and Base45, synchronous.
  'fflate',
  '@digitalbazaar/base45',
];
/** Globals that are Node's, or the environment, or I/O. */
const FORBIDDEN_NAMES = new Set([
  'Buffer',
  'process',
  'require',
  '__dirname',
  '__filename',
  'global',
  'fetch',
  'XMLHttpRequest',
  'localStorage',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'performance',
]);

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesOf(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** What a file does that the core may not: `file:line what`. */
function violations(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const at = (n: ts.Node, what: string) =>
    out.push(`${relative(CORE, file)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1} ${what}`);
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) {
      const spec = (n.moduleSpecifier as ts.StringLiteral).text;
      const allowed = spec.startsWith('.') || PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));
      if (!allowed) at(n, `imports ${spec}`);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      at(n, 'imports dynamically');
    } else if (ts.isIdentifier(n) && FORBIDDEN_NAMES.has(n.text)) {
      // A member named so (`x.process`) is not the global.
      if (!(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !ts.isPropertyAssignment(n.parent))
        at(n, `uses ${n.text}`);
    } else if (ts.isPropertyAccessExpression(n) && ['Date.now', 'Math.random'].includes(n.getText())) {
      at(n, `reads ${n.getText()}()`);
    } else if (ts.isNewExpression(n) && n.expression.getText() === 'Date' && !n.arguments?.length) {
      at(n, 'reads the clock (new Date())');
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

describe('the verification core is runtime-agnostic', () => {
  it('its source: no Node built-in, Buffer, process, require, clock, randomness, timer or I/O', () => {
    const files = filesOf(CORE);
    expect(files.length).to.be.greaterThan(20);
    expect(files.flatMap((f) => violations(f))).to.deep.equal([]);
  });

  it('the check reads syntax: what a core file may not do is caught, what a comment or a member says is not', () => {
    const probe = [
      "import { createHash } from 'node:crypto';",
      "import pino from 'pino';",
      '// Buffer, process and Date.now() in a comment are words.',
      'const t = Date.now() + new Date().getTime() + Math.random();',
      "const e = process.env.X ?? Buffer.from('');",
      'const o = { process: 1 }.process + new Date(0).getTime();',
      "setTimeout(() => fetch('/x'), 1);",
    ].join('\n');
    expect(violations(join(CORE, 'probe.ts'), probe)).to.deep.equal([
      'probe.ts:1 imports node:crypto',
      'probe.ts:2 imports pino',
      'probe.ts:4 reads Date.now()',
      'probe.ts:4 reads the clock (new Date())',
      'probe.ts:4 reads Math.random()',
      'probe.ts:5 uses process',
      'probe.ts:5 uses Buffer',
      'probe.ts:7 uses setTimeout',
      'probe.ts:7 uses fetch',
    ]);
  });

  it("its browser bundle's inputs: the core, the schemas, and packages — nothing of Node's", async () => {
    const script = join(GATEWAY, 'scripts', 'bundle.mjs');
    const { bundle } = (await import(pathToFileURL(script).href)) as {
      bundle: () => Promise<{ metafile: { inputs: Record<string, { imports: Array<{ path: string }> }> } }>;
    };
    const { metafile } = await bundle();
    const inputs = Object.keys(metafile.inputs);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const input of inputs) {
      expect(builtins.has(input) || input.startsWith('node:'), input).to.equal(false);
      const ok =
        input.startsWith('src/verify/') ||
        input.startsWith('../schemas/src/') ||
        input.includes('node_modules/') ||
        input.startsWith('anxin:');
      expect(ok, `an input of the bundle: ${input}`).to.equal(true);
    }
    for (const [input, { imports }] of Object.entries(metafile.inputs))
      for (const i of imports) expect(builtins.has(i.path), `${input} imports ${i.path}`).to.equal(false);
    expect(inputs.filter((i) => i.startsWith('src/verify/')).length).to.be.greaterThan(20);
  });
});
